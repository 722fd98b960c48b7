"""RFC 5005 archived feeds and JSON Feed paging: the whole history, every article once.

A 1,000-article publication from benchmarks/generate.py, published with ``feed_limit: 20``
and ``archive_size: 20``: the 980 archived articles fill 49 pages exactly, so the newest,
50th page is empty -- the edge where a full page would most easily change when the next
article arrives. Every chain is walked from the subscription document by its links alone
(Atom and RSS with lxml, entries also through feedparser; JSON Feed by ``next_url``), and
must meet every article the model says the feed holds, once, newest first.
"""

from __future__ import annotations

import calendar
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
import yaml
from lxml import etree

from feedsmith.model import Article, Category
from tests.feed_support import (
    ATOM,
    NOW,
    Published,
    atom,
    parse_feed,
    publish_folder,
    read_json,
    xml_root,
)

REPO = Path(__file__).resolve().parents[1]
FH = "http://purl.org/syndication/history/1.0"
ARCHIVE_SIZE = 20
FEED_LIMIT = 20
_SUBSCRIPTIONS = {"atom": "atom.xml", "rss": "rss.xml", "json": "feed.json"}


def _generate(count: int, into: Path) -> Path:
    content = into / "content"
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "generate.py"), str(count), str(content)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    site_yaml = content / "site.yaml"
    data = yaml.safe_load(site_yaml.read_text("utf-8"))
    data.update(feed_limit=FEED_LIMIT, archive_size=ARCHIVE_SIZE, hub="https://hub.example.net/")
    site_yaml.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def thousand(tmp_path_factory: pytest.TempPathFactory) -> Published:
    root = tmp_path_factory.mktemp("thousand")
    content = _generate(1000, root)
    return publish_folder(content, root / "public")


def _in(published: Published, category: Category | None) -> list[Article]:
    """What the model says the feed holds, newest first (SPEC order)."""
    if category is None:
        return published.visible
    return [a for a in published.visible if category in a.categories]


def _largest_category(published: Published) -> Category:
    counts: dict[Category, int] = {}
    for article in published.visible:
        for category in article.categories:
            counts[category] = counts.get(category, 0) + 1
    return max(counts, key=lambda c: (counts[c], c.slug))


def _path(published: Published, url: str) -> Path:
    assert url.startswith(published.site.base_url), url
    return published.out / url.removeprefix(published.site.base_url)


def _folder(published: Published, category: Category | None) -> str:
    root = published.site.base_url
    return root if category is None else f"{root}categories/{category.slug}/"


@dataclass
class Document:
    url: str
    ids: list[str]
    links: dict[str, str]  # rel -> href (one each)
    archive: bool
    complete: bool
    feed_id: str | None  # Atom's feed-level id


def _xml_document(published: Published, url: str, kind: str) -> Document:
    path = _path(published, url)
    root = xml_root(path)
    if kind == "atom":
        container = root
        links = root.findall(atom("link"))
        ids = [e.findtext(atom("id")) for e in root.findall(atom("entry"))]
        # feedparser must read the same entries in the same order.
        parsed_ids = [e.id for e in parse_feed(path).entries]
    else:
        container = root.find("channel")
        links = container.findall(atom("link"))
        ids = [i.findtext("guid") for i in container.findall("item")]
        parsed_ids = [e.id for e in parse_feed(path).entries]
    assert ids == parsed_ids, url
    rels: dict[str, str] = {}
    for link in links:
        rel = link.get("rel", "alternate")
        assert rel not in rels or rel == "alternate", (url, rel)
        rels.setdefault(rel, link.get("href"))
    return Document(
        url,
        [i for i in ids if i is not None],
        rels,
        container.find(f"{{{FH}}}archive") is not None,
        container.find(f"{{{FH}}}complete") is not None,
        root.findtext(atom("id")) if kind == "atom" else None,
    )


def _walk_xml(published: Published, category: Category | None, kind: str) -> Iterator[Document]:
    """The subscription document, then every archive page by ``prev-archive``."""
    subscription = _folder(published, category) + _SUBSCRIPTIONS[kind]
    url: str | None = subscription
    seen: set[str] = set()
    newer: Document | None = None
    while url is not None:
        assert url not in seen, f"the chain loops at {url}"
        seen.add(url)
        document = _xml_document(published, url, kind)
        assert document.links["self"] == url
        assert document.links["hub"] == published.site.hub
        if newer is None:
            assert not document.archive and not document.complete
            assert "current" not in document.links and "next-archive" not in document.links
        else:
            assert document.archive and not document.complete, url
            assert document.links["current"] == subscription, url
            # One feed in many documents: an archive page has its feed's Atom id.
            assert document.feed_id == newer.feed_id, url
            if newer.archive:
                # Both directions: the page we came from is this one's next-archive.
                assert document.links["next-archive"] == newer.url, url
            else:
                assert "next-archive" not in document.links, "the newest page has no newer one"
        yield document
        newer = document
        url = document.links.get("prev-archive")


def _walk_json(published: Published, category: Category | None) -> Iterator[tuple[str, Any]]:
    subscription = _folder(published, category) + "feed.json"
    url: str | None = subscription
    seen: set[str] = set()
    while url is not None:
        assert url not in seen, f"next_url loops at {url}"
        seen.add(url)
        feed = read_json(_path(published, url))
        assert feed["feed_url"] == url
        assert feed["hubs"] == [{"type": "WebSub", "url": published.site.hub}]
        assert feed.get("next_url") != feed["feed_url"]
        if url != subscription:
            assert feed["items"], "next_url never leads to an empty page"
        yield url, feed
        url = feed.get("next_url")
        assert url != subscription, "next_url points back at the subscription document"


def _chains(published: Published) -> list[Category | None]:
    return [None, _largest_category(published)]


@pytest.mark.parametrize("kind", ["atom", "rss"])
@pytest.mark.parametrize("which", ["main", "category"])
def test_the_archive_chain_holds_every_article_once_newest_first(
    thousand: Published, kind: str, which: str
) -> None:
    category = None if which == "main" else _largest_category(thousand)
    expected = [a.id for a in _in(thousand, category)]
    documents = list(_walk_xml(thousand, category, kind))
    walked = [i for d in documents for i in d.ids]
    assert walked == expected
    assert len(documents[0].ids) == FEED_LIMIT
    pages = documents[1:]
    # Numbered from the oldest: page n holds articles (n-1)*size+1 .. n*size of the archive.
    archived = len(expected) - FEED_LIMIT
    assert len(pages) == archived // ARCHIVE_SIZE + 1
    for number, page in enumerate(reversed(pages), start=1):
        assert page.url == f"{_folder(thousand, category)}archive/{number}/{_SUBSCRIPTIONS[kind]}"
        size = min(ARCHIVE_SIZE, archived - (number - 1) * ARCHIVE_SIZE)
        assert len(page.ids) == size
    if category is None:
        assert len(pages) == 50 and not pages[0].ids, "980 archived: 49 full pages, one empty"
    else:
        assert len(pages) >= 2, "the category's chain should span several pages"


@pytest.mark.parametrize("which", ["main", "category"])
def test_json_feed_next_url_leads_through_every_article_once(
    thousand: Published, which: str
) -> None:
    category = None if which == "main" else _largest_category(thousand)
    expected = [a.id for a in _in(thousand, category)]
    walked = [item["id"] for _url, feed in _walk_json(thousand, category) for item in feed["items"]]
    assert walked == expected


def test_every_archive_page_is_dated_by_its_own_entries(thousand: Published) -> None:
    updated = {a.id: a.updated for a in thousand.visible}
    pages = thousand.archive_paths()
    assert len(pages) > 150
    for path in pages:
        if path.suffix != ".xml" or path.name != "atom.xml":
            continue
        root = xml_root(path)
        own = [updated[e.findtext(atom("id"))] for e in root.findall(atom("entry"))]
        if own:
            stamp = datetime.fromisoformat(root.findtext(atom("updated"))).astimezone(UTC)
            assert stamp == max(own), path
        # RSS says the same in lastBuildDate.
        rss = parse_feed(path.with_name("rss.xml"))
        if own:
            stamp = datetime.fromtimestamp(calendar.timegm(rss.feed.updated_parsed), UTC)
            assert stamp == max(own), path


def test_a_publication_that_fits_in_its_feeds_says_it_is_complete(tmp_path: Path) -> None:
    content = _generate(12, tmp_path)
    published = publish_folder(content, tmp_path / "public")
    assert not published.archive_paths()
    for folder in [published.out, *sorted((published.out / "categories").iterdir())]:
        for name in ("atom.xml", "rss.xml"):
            root = xml_root(folder / name)
            container = root if name == "atom.xml" else root.find("channel")
            assert container.find(f"{{{FH}}}complete") is not None, folder / name
            rels = {link.get("rel") for link in container.iter(f"{{{ATOM}}}link")}
            assert not rels & {"prev-archive", "next-archive", "current"}
        assert "next_url" not in read_json(folder / "feed.json")


def _new_article(content: Path, number: int) -> None:
    (content / "articles" / f"2025-12-31-late-edition-{number}.yaml").write_text(
        f"title: Late edition number {number}\n"
        f"published: 2025-12-31T23:0{number}:00+00:00\n"
        f"categories: [{'Science' if number % 2 else 'Transport'}]\n"
        "body: |\n"
        f"  The late edition went to press at {number} minutes past the hour.\n",
        encoding="utf-8",
    )


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_five_new_articles_leave_every_full_archive_page_byte_identical(
    thousand: Published, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(thousand.content, content)
    out = tmp_path / "public"
    shutil.copytree(thousand.out, out)
    before = _tree(out)
    for number in range(1, 6):
        _new_article(content, number)
    after_publish = publish_folder(content, out, now=NOW)
    after = _tree(out)

    full_pages = [
        relpath
        for relpath in before
        if "archive/" in relpath
        and relpath.endswith("atom.xml")
        and etree.fromstring(before[relpath]).findall(atom("entry")).__len__() == ARCHIVE_SIZE
    ]
    assert len(full_pages) >= 49
    for atom_page in full_pages:
        for name in _SUBSCRIPTIONS.values():
            relpath = atom_page.removesuffix("atom.xml") + name
            assert after[relpath] == before[relpath], f"{relpath} changed"

    # What did change: the new articles' pages, the lists, and for every feed they are in
    # its subscription documents and its newest archive page -- nothing else.
    new = [a for a in after_publish.visible if a.slug.startswith("late-edition-")]
    assert len(new) == 5
    folders = {""} | {f"categories/{c.slug}/" for a in new for c in a.categories}
    expected = {f"articles/{a.slug}/index.html" for a in new} | {"index.html"}
    for folder in folders:
        expected.add(folder + "index.html")
        expected.update(folder + name for name in _SUBSCRIPTIONS.values())
        newest = max(
            (int(p.split("/")[-2]) for p in after if p.startswith(folder + "archive/")),
            default=None,
        )
        if newest is not None:
            expected.update(f"{folder}archive/{newest}/{n}" for n in _SUBSCRIPTIONS.values())
    changed = {p for p in after if before.get(p) != after[p]} | (before.keys() - after.keys())
    # feedsmith's own record of what it wrote is not an output readers see.
    changed.discard(".feedsmith-manifest.json")
    assert changed == expected
    assert set(after_publish.report.changed) == expected


def test_archive_pages_round_trip_through_feedparser(thousand: Published) -> None:
    """Archive pages are feeds like the others: well-formed, absolute links, full content."""
    pages = [p for p in thousand.archive_paths() if p.suffix == ".xml"]
    for path in pages[:: max(1, len(pages) // 40)]:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, path
        for entry in parsed.entries:
            assert entry.link.startswith(thousand.site.base_url)
            assert entry.content[0].value.strip()


def test_an_archive_page_removed_from_out_comes_back_as_it_was(
    thousand: Published, tmp_path: Path
) -> None:
    """Unchanged archive pages are not rendered again, yet the bodies they show stay at hand:
    a page deleted from --out after such publishes is written again, byte for byte. (Page 1
    of the main feed: its articles are on archive pages of their categories too, so no
    subscription document keeps their bodies at hand.)"""
    content = tmp_path / "content"
    shutil.copytree(thousand.content, content)
    out = tmp_path / "public"
    shutil.copytree(thousand.out, out)
    page = out / "archive" / "1" / "atom.xml"
    original = page.read_bytes()
    _new_article(content, 1)
    assert "archive/1/atom.xml" not in publish_folder(content, out).report.changed
    _new_article(content, 2)
    publish_folder(content, out)
    page.unlink()
    assert publish_folder(content, out).report.changed == ["archive/1/atom.xml"]
    assert page.read_bytes() == original
