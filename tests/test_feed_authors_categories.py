"""Issue 3: authors and categories as each format carries them.

Authors: Atom ``author`` with name, email and uri; RSS ``author`` only for an e-mail address
(and at most one per item), ``dc:creator`` otherwise; JSON Feed ``authors``. Categories: Atom
``category`` with term and label, RSS ``category``, JSON Feed ``tags``.
"""

from __future__ import annotations

from typing import Any

from feedsmith.model import Article
from tests.feed_support import (
    DC,
    Published,
    atom,
    parse_feed,
    raw_articles,
    read_json,
    xml_root,
)


def _rss_items(published: Published) -> dict[str, Any]:
    return {i.findtext("guid"): i for i in xml_root(published.out / "rss.xml").iter("item")}


def test_the_all_keys_site_has_every_kind_of_author(all_keys: Published) -> None:
    kinds = {
        (len(a.authors), all(x.email for x in a.authors)) for a in all_keys.in_main_feeds
    }
    assert {(1, True), (1, False), (2, False)} <= kinds


def test_atom_authors_have_name_email_and_uri(all_keys: Published) -> None:
    root = xml_root(all_keys.out / "atom.xml")
    entries = {e.findtext(atom("id")): e for e in root.iter(atom("entry"))}
    for article in all_keys.in_main_feeds:
        written = [
            (a.findtext(atom("name")), a.findtext(atom("email")), a.findtext(atom("uri")))
            for a in entries[article.id].findall(atom("author"))
        ]
        assert written == [(a.name, a.email, a.uri) for a in article.authors], article.slug


def _rss_author_expected(article: Article) -> tuple[list[str], list[str]]:
    if len(article.authors) == 1 and article.authors[0].email:
        only = article.authors[0]
        return [f"{only.email} ({only.name})"], []
    return [], [a.name for a in article.authors]


def test_rss_author_only_with_an_email_dc_creator_otherwise(all_keys: Published) -> None:
    items = _rss_items(all_keys)
    saw_author = saw_creator = False
    for article in all_keys.in_main_feeds:
        item = items[article.id]
        authors = [e.text for e in item.findall("author")]
        creators = [e.text for e in item.findall(f"{{{DC}}}creator")]
        assert (authors, creators) == _rss_author_expected(article), article.slug
        assert len(authors) <= 1 and not (authors and creators)
        saw_author |= bool(authors)
        saw_creator |= bool(creators)
    assert saw_author and saw_creator


def test_feedparser_reads_the_author_names_of_every_format(all_keys: Published) -> None:
    for name in ("rss.xml", "atom.xml"):
        entries = {e.id: e for e in parse_feed(all_keys.out / name).entries}
        for article in all_keys.in_main_feeds:
            names = [a.get("name") for a in entries[article.id].get("authors", [])]
            assert names == [a.name for a in article.authors], (name, article.slug)


def test_json_feed_authors(all_keys: Published) -> None:
    feed = read_json(all_keys.out / "feed.json")
    assert [a["name"] for a in feed["authors"]] == [a.name for a in all_keys.site.authors]
    items = {i["id"]: i for i in feed["items"]}
    for article in all_keys.in_main_feeds:
        expected = []
        for author in article.authors:
            fields = {"name": author.name}
            url = author.uri or (f"mailto:{author.email}" if author.email else None)
            if url:
                fields["url"] = url
            expected.append(fields)
        assert items[article.id]["authors"] == expected


def test_categories_in_every_format(all_keys: Published) -> None:
    raw = raw_articles(all_keys.content)
    atom_entries = {
        e.findtext(atom("id")): e for e in xml_root(all_keys.out / "atom.xml").iter(atom("entry"))
    }
    rss_items = _rss_items(all_keys)
    items = {i["id"]: i for i in read_json(all_keys.out / "feed.json")["items"]}
    names_seen: set[str] = set()
    for article in all_keys.in_main_feeds:
        names = [str(n) for n in raw[article.slug].get("categories", [])]
        names_seen |= set(names)
        written = [
            (c.get("term"), c.get("label"))
            for c in atom_entries[article.id].findall(atom("category"))
        ]
        assert written == [(c.slug, c.name) for c in article.categories]
        assert [c.name for c in article.categories] == names
        item = rss_items[article.id]
        assert [c.text for c in item.findall("category")] == names
        assert items[article.id].get("tags", []) == names
    assert any(not n.isascii() for n in names_seen), "a CJK category is covered"
    assert any("&" in n for n in names_seen)


def test_feedparser_reads_category_labels(all_keys: Published) -> None:
    for name in ("rss.xml", "atom.xml"):
        for entry in parse_feed(all_keys.out / name).entries:
            article = next(a for a in all_keys.articles if a.id == entry.id)
            tags = [t.label or t.term for t in entry.get("tags", [])]
            assert tags == [c.name for c in article.categories], (name, article.slug)
