"""Corrections and retractions: what feeds, pages and a real reader make of them.

tests/sites/history (feed_limit 3, archive_size 2): one article has two corrections, one
recent article is retracted (it would still be in the feeds: tombstones), another one is
retracted long after it left them (no tombstone), and a category holds both kinds. Feeds
are read back with feedparser and lxml (tombstones with lxml only: feedparser keeps just the
last ``at:deleted-entry``), pages with lxml.html; the expected values are that folder's YAML.
"""

from __future__ import annotations

import calendar
import functools
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from os import PathLike
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from reader import make_reader

from feedsmith.publish import check
from tests.feed_support import (
    Published,
    atom,
    html_text,
    parse_feed,
    publish_folder,
    read_json,
    words,
    xml_root,
)
from tests.input_support import assert_refused, error_lines, publish_cli, snapshot, write_site

AT = "http://purl.org/atompub/tombstones/1.0"
HISTORY = Path(__file__).resolve().parent / "sites" / "history" / "input"
SITE = (HISTORY / "site.yaml").read_text("utf-8")
ARTICLES: dict[str, str | bytes] = {
    p.name: p.read_text("utf-8") for p in sorted((HISTORY / "articles").iterdir())
}
CORRECTED = str(ARTICLES["2025-11-20-ferry-timetable.yaml"])
RETRACTED_RECENT = str(ARTICLES["2025-11-25-bridge-closure.yaml"])


def _plain(day: int, title: str, category: str = "City") -> str:
    return (
        f"title: {title}\n"
        f"published: 2025-{day:02d}-10T08:00:00+00:00\n"
        f"categories: [{category}]\n"
        "body: |\n"
        f"  {title}: the story in full, with every detail readers asked for.\n"
    )


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Published:
    root = tmp_path_factory.mktemp("ledger")
    content = write_site(root, ARTICLES, SITE)
    return publish_folder(content, root / "public")


def _page(data: bytes) -> Any:
    """An HTML page as lxml.html reads it (typed Any: lxml-stubs cannot type xpath results)."""
    return lxml.html.fromstring(data)


def _article(published: Published, slug: str) -> Any:
    return published.by_slug(slug)


def _all_feed_ids(published: Published) -> set[str]:
    ids: set[str] = set()
    for path in published.feed_paths() + published.archive_paths():
        if path.suffix == ".json":
            ids.update(item["id"] for item in read_json(path)["items"])
        else:
            ids.update(e.id for e in parse_feed(path).entries)
    return ids


def test_a_correction_moves_updated_and_is_at_the_foot_of_every_feed(ledger: Published) -> None:
    article = _article(ledger, "ferry-timetable")
    latest = datetime(2025, 11, 23, 9, 30, tzinfo=UTC)
    assert article.updated == latest
    texts = [
        "Correction, 21 November 2025: The first sailing leaves at 06:40, not 06:10.",
        "Correction, 23 November 2025: The Sunday service runs & stops at <Pier 4>.",
    ]
    for folder in (ledger.out, ledger.out / "categories" / "transport"):
        for name in ("atom.xml", "rss.xml"):
            entry = next(e for e in parse_feed(folder / name).entries if e.id == article.id)
            assert datetime.fromtimestamp(calendar.timegm(entry.updated_parsed), UTC) == latest
            shown = words(html_text(entry.content[0].value))
            assert shown.startswith("The harbour authority published")
            # At the foot, in the order written.
            assert shown.endswith(" ".join(texts)), shown
        item = next(i for i in read_json(folder / "feed.json")["items"] if i["id"] == article.id)
        assert item["date_modified"] == "2025-11-23T09:30:00Z"
        assert words(html_text(item["content_html"])).endswith(" ".join(texts))
    # Atom's own updated element, read with lxml.
    root = xml_root(ledger.out / "atom.xml")
    atom_entry = next(e for e in root.iter(atom("entry")) if e.findtext(atom("id")) == article.id)
    assert atom_entry.findtext(atom("updated")) == latest.isoformat()


def test_a_correction_is_at_the_foot_of_the_article_page(ledger: Published) -> None:
    page = _page((ledger.out / "articles/ferry-timetable/index.html").read_bytes())
    items = page.xpath('//section[@class="corrections"]//li')
    assert [words(li.text_content()) for li in items] == [
        "21 November 2025: The first sailing leaves at 06:40, not 06:10.",
        "23 November 2025: The Sunday service runs & stops at <Pier 4>.",
    ]
    # After the body, not before it.
    order = list(page.iter())
    body = page.xpath('//div[@class="body"]')[0]
    assert order.index(body) < order.index(page.xpath('//section[@class="corrections"]')[0])
    assert page.xpath("//time/@datetime")[-1] == "2025-11-23T09:30:00+00:00"


@pytest.mark.parametrize("slug", ["bridge-closure", "harbour-fees"])
def test_a_retracted_article_leaves_every_feed_archive_page_and_list(
    ledger: Published, slug: str
) -> None:
    article = _article(ledger, slug)
    assert article.id not in _all_feed_ids(ledger)
    assert ledger.archive_paths(), "the publication is large enough to have archives"
    for listing in ("index.html", "categories/transport/index.html"):
        page = _page((ledger.out / listing).read_bytes())
        assert article.title not in page.text_content(), listing
        assert ledger.page(article) not in page.xpath("//a/@href"), listing


@pytest.mark.parametrize("slug", ["bridge-closure", "harbour-fees"])
def test_a_retracted_article_keeps_its_page_with_the_notice(ledger: Published, slug: str) -> None:
    article = _article(ledger, slug)
    path = ledger.out / "articles" / slug / "index.html"
    page = _page(path.read_bytes())
    assert page.xpath("//h1")[0].text_content() == article.title
    assert page.xpath("//p[@class='meta']//time/@datetime")[0] == article.published.isoformat()
    notice = words(page.xpath('//div[contains(@class, "retracted")]')[0].text_content())
    reason = article.retracted.reason
    date = "26 November 2025" if slug == "bridge-closure" else "27 November 2025"
    assert notice == f"This article was retracted on {date}. {reason}"
    text = page.text_content()
    assert "sources said" not in text and "draft budget shows" not in text
    # Nothing of the withdrawn text in the page's metadata either.
    description = page.xpath('//meta[@name="description"]/@content')
    assert description == [notice]
    assert not page.xpath('//meta[@property="og:image"]')
    assert not page.xpath('//figure[@class="lead"]')


def _tombstones(path: Path) -> list[tuple[str, str, str | None]]:
    root = xml_root(path)
    return [
        (t.get("ref"), t.get("when"), t.findtext(f"{{{AT}}}comment"))
        for t in root.iter(f"{{{AT}}}deleted-entry")
    ]


def test_atom_subscription_documents_carry_one_tombstone_while_it_would_be_in_them(
    ledger: Published,
) -> None:
    recent = _article(ledger, "bridge-closure")
    expected = [(recent.id, "2025-11-26T12:00:00+00:00", recent.retracted.reason)]
    # The main feed and the article's category: the newest three would still include it.
    assert _tombstones(ledger.out / "atom.xml") == expected
    assert _tombstones(ledger.out / "categories" / "transport" / "atom.xml") == expected
    # Not in a category it was never in, nor on archive pages, nor for the old retraction.
    assert _tombstones(ledger.out / "categories" / "city" / "atom.xml") == []
    for path in ledger.archive_paths():
        if path.suffix == ".xml":
            assert _tombstones(path) == [], path
    # feedparser still reads the feed with the tombstone in it, entries and all.
    parsed = parse_feed(ledger.out / "atom.xml")
    assert len(parsed.entries) == 3


def test_every_recent_retraction_gets_its_own_tombstone(tmp_path: Path) -> None:
    second = RETRACTED_RECENT.replace("Bridge closure confirmed", "Second closure").replace(
        "2025-11-25T08", "2025-11-24T08"
    )
    content = write_site(
        tmp_path, {**ARTICLES, "2025-11-24-second-closure.yaml": second}, SITE
    )
    published = publish_folder(content, tmp_path / "public")
    refs = [t[0] for t in _tombstones(published.out / "atom.xml")]
    ids = {published.by_slug(s).id for s in ("bridge-closure", "second-closure")}
    assert sorted(refs) == sorted(ids)


def test_tombstones_end_once_the_article_would_have_left_the_feed(tmp_path: Path) -> None:
    newer: dict[str, str | bytes] = {
        f"2025-12-0{d}-later-{d}.yaml": _plain(12, f"Later story {d}").replace(
            "2025-12-10", f"2025-12-0{d}"
        )
        for d in (1, 2, 3)
    }
    content = write_site(tmp_path, {**ARTICLES, **newer}, SITE)
    published = publish_folder(content, tmp_path / "public")
    # Three newer articles push the retracted one out of the newest feed_limit (3) in the
    # main feed; the Transport feed has none of them, so it still carries the tombstone.
    assert _tombstones(published.out / "atom.xml") == []
    assert len(_tombstones(published.out / "categories" / "transport" / "atom.xml")) == 1


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("corrections: fixed a typo\n", 4, "corrections: must be a list of {date, text}"),
        ("corrections:\n  - text: no date\n", 5,
         "corrections: date: missing: this key is required"),
        ("corrections:\n  - date: 2025-06-01T10:00:00+00:00\n", 5,
         "corrections: text: missing: this key is required"),
        ("corrections:\n  - {date: 2025-05-01, text: too early}\n", 5,
         "corrections: date: earlier than published: a correction comes after the article"),
        ("corrections:\n  - date: 2025-13-45\n    text: x\n", 5,
         "corrections: date: not a date: '2025-13-45'"),
        ("retracted: true\n", 4, "retracted: must be {date, reason}"),
        ("retracted:\n  reason: wrong\n", 5, "retracted: date: missing: this key is required"),
        ("retracted: {date: 2025-05-01, reason: early}\n", 4,
         "retracted: date: earlier than published: a retraction comes after the article"),
    ],
)
def test_a_bad_correction_or_retraction_is_one_line_with_file_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    article = (
        'title: "A good article"\n'
        "published: 2025-06-01T09:00:00+00:00\n"
        "body: Hello.\n"
    ) + text
    content = write_site(tmp_path, {"2025-06-01-good.yaml": article})
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    before = snapshot(out)
    result = publish_cli(content, out)
    shown = (content / "articles" / "2025-06-01-good.yaml").as_posix()
    assert_refused(result)
    lines = error_lines(result)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{shown}:{line}: {message}"), lines
    assert snapshot(out) == before


def test_archive_size_must_be_a_whole_number_of_at_least_one(tmp_path: Path) -> None:
    content = write_site(tmp_path, None, SITE.replace("archive_size: 2", "archive_size: 0"))
    result = publish_cli(content, tmp_path / "out")
    assert_refused(result, f"{(content / 'site.yaml').as_posix()}:5: archive_size: must be at"
                           " least 1, not 0")
    assert not (tmp_path / "out").exists()


def test_archive_size_defaults_to_fifty(tmp_path: Path) -> None:
    content = write_site(tmp_path, None, SITE.replace("archive_size: 2\n", ""))
    assert check(content).site.archive_size == 50


# --- a real reader ---------------------------------------------------------------------------


class _Handler(SimpleHTTPRequestHandler):
    """No Last-Modified: two publishes within a second must not look unchanged to a reader."""

    def guess_type(self, path: str | PathLike[str]) -> str:
        types = {".xml": "application/xml", ".json": "application/feed+json"}
        return types.get(Path(path).suffix) or super().guess_type(path)

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() != "last-modified":
            super().send_header(keyword, value)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    out = tmp_path / "public"
    out.mkdir()
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Handler, directory=str(out))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_a_reader_shows_the_correction_and_drops_nothing_it_should_keep(
    tmp_path: Path, served: tuple[Path, str]
) -> None:
    out, base_url = served
    site = SITE.replace("feed_limit: 3", "feed_limit: 10")
    first = {**ARTICLES}
    first["2025-11-20-ferry-timetable.yaml"] = CORRECTED.split("corrections:")[0] + (
        "body: |\n  The harbour authority published a new ferry timetable on Thursday.\n"
    )
    first["2025-11-25-bridge-closure.yaml"] = RETRACTED_RECENT.split("retracted:")[0] + (
        "body: |\n  Workers began closing the bridge on Tuesday night, sources said.\n"
    )
    content = write_site(tmp_path, first, site)
    feeds = [base_url + name for name in ("atom.xml", "rss.xml", "feed.json")]

    def publish() -> None:
        result = publish_cli(content, out, "--base-url", base_url)
        assert result.exit_code == 0, result.output

    publish()
    with make_reader(str(tmp_path / "reader.sqlite")) as reader:
        for url in feeds:
            reader.add_feed(url)
            reader.update_feed(url)
        before = {url: {e.id for e in reader.get_entries(feed=url)} for url in feeds}
        # Then the ferry story is corrected and the bridge story retracted.
        write_site(tmp_path, ARTICLES, site)
        publish()
        corrected = check(content, base_url=base_url).articles
        ferry = next(a for a in corrected if a.slug == "ferry-timetable")
        for url in feeds:
            updated = reader.update_feed(url)
            assert updated is not None and updated.modified >= 1, url
            entries = {e.id: e for e in reader.get_entries(feed=url)}
            # A reader keeps what it has seen: every entry it had is still there.
            assert before[url] <= set(entries), url
            entry = entries[ferry.id]
            assert entry.updated == ferry.updated, url
            feed_content = entry.get_content()
            assert feed_content is not None, url
            shown = words(html_text(feed_content.value))
            assert "The first sailing leaves at 06:40, not 06:10." in shown, url
            assert "stops at <Pier 4>" in shown, url


@pytest.mark.vnu
def test_corrected_and_retracted_pages_pass_the_html_checker(ledger: Published) -> None:
    from tests.test_pages_html_validator import check as vnu_messages

    files = [
        ledger.out / "articles" / slug / "index.html"
        for slug in ("ferry-timetable", "bridge-closure", "harbour-fees")
    ]
    messages = vnu_messages(files)
    assert messages == [], "\n".join(messages)
