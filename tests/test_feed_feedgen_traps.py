"""One test per feedgen 1.0 trap listed at the top of ``feedsmith/feeds.py``.

Each renders a tiny publication with ``feeds.render_*`` (pure functions) and checks the trap
did not spring. If feedgen changes behaviour, these say which workaround to revisit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from lxml import etree

from feedsmith import feeds
from feedsmith.model import (
    Article,
    Author,
    BodyFormat,
    Enclosure,
    RenderedArticle,
    Site,
    Source,
)
from tests.feed_support import DC, atom

SITE = Site(
    title="Trap Test",
    base_url="https://example.org/trap/",
    description="Checks feedgen's traps.",
    hub="https://hub.example.org/",
)
OLD = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)


def _article(number: int, **changes: Any) -> RenderedArticle:
    fields: dict[str, Any] = {
        "id": f"urn:uuid:00000000-0000-4000-8000-{number:012d}",
        "slug": f"a{number}",
        "title": f"Article {number}",
        "published": OLD + timedelta(days=number),
        "updated": OLD + timedelta(days=number),
        "body": "",
        "body_format": BodyFormat.MARKDOWN,
        "source": Source(f"a{number}.yaml", 1),
    }
    fields.update(changes)
    return RenderedArticle(Article(**fields), f"<p>Body {number}.</p>", f"Summary {number}.")


def _render(kind: str, entries: list[RenderedArticle]) -> Any:
    info = feeds.feed_info(SITE, None, entries, None)
    render = {"rss": feeds.render_rss, "atom": feeds.render_atom}[kind]
    return etree.fromstring(render(SITE, info, entries))


def test_rss_channel_link_is_the_home_page_not_the_last_link_added() -> None:
    channel = _render("rss", [_article(1)]).find("channel")
    assert channel.findtext("link") == SITE.base_url
    links = {link.get("rel"): link.get("href") for link in channel.findall(atom("link"))}
    assert links == {"self": f"{SITE.base_url}rss.xml", "hub": SITE.hub}


def test_feed_dates_come_from_the_entries_not_the_clock() -> None:
    entries = [_article(2), _article(1)]
    newest = entries[0].article.updated
    rss = _render("rss", entries).find("channel")
    assert parsedate_to_datetime(rss.findtext("lastBuildDate")) == newest
    assert datetime.fromisoformat(_render("atom", entries).findtext(atom("updated"))) == newest


def test_entries_keep_the_order_given_not_prepended() -> None:
    entries = [_article(3), _article(2), _article(1)]
    ids = [e.article.id for e in entries]
    assert [g.text for g in _render("rss", entries).iter("guid")] == ids
    assert [i.text for i in _render("atom", entries).iter(atom("id"))][1:] == ids


def test_a_name_without_email_goes_to_dc_creator_not_rss_author() -> None:
    entry = _article(1, authors=(Author("Only A Name"),))
    item = _render("rss", [entry]).find("channel/item")
    assert item.findall("author") == []
    assert [c.text for c in item.findall(f"{{{DC}}}creator")] == ["Only A Name"]


def test_several_authors_never_give_several_rss_authors() -> None:
    entry = _article(1, authors=(Author("A", "a@example.org"), Author("B", "b@example.org")))
    item = _render("rss", [entry]).find("channel/item")
    assert item.findall("author") == []
    assert [c.text for c in item.findall(f"{{{DC}}}creator")] == ["A", "B"]
    single = _render("rss", [_article(2, authors=(Author("A", "a@example.org"),))])
    assert [a.text for a in single.iter("author")] == ["a@example.org (A)"]


def test_atom_enclosure_links_keep_rel_type_and_length() -> None:
    enclosure = Enclosure("https://example.org/trap/a.mp3", 1234, "audio/mpeg")
    entry = _render("atom", [_article(1, enclosures=(enclosure,))]).find(atom("entry"))
    links = [dict(link.attrib) for link in entry.findall(atom("link"))]
    expected = {"href": enclosure.url, "rel": "enclosure", "type": "audio/mpeg", "length": "1234"}
    assert expected in links
    alternates = [x for x in links if x.get("rel", "alternate") == "alternate"]
    assert [x["href"] for x in alternates] == [f"{SITE.base_url}articles/a1/"]


def test_atom_text_that_reads_as_html_is_typed_html() -> None:
    title = "Why <b>bold</b> claims & data differ"
    entry = _render("atom", [_article(1, title=title)]).find(atom("entry"))
    element = entry.find(atom("title"))
    assert element.get("type") == "html"
    # The element's text is HTML whose displayed characters are the title.
    assert etree.fromstring(f"<p>{element.text}</p>").text == title
    plain = _render("atom", [_article(2)]).find(atom("entry")).find(atom("title"))
    assert plain.get("type") is None and plain.text == "Article 2"
