"""Issue 3: a real feed reader subscribed over HTTP gets what was published, once.

The published folder is served on 127.0.0.1 and the ``reader`` library (SQLite storage,
feedparser for RSS and Atom, its own JSON Feed parser) subscribes to ``rss.xml``, ``atom.xml``
and ``feed.json``. The site is published with ``--base-url`` set to the server's URL, so every
link a reader follows points at the served copy.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from os import PathLike
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from reader import Reader, make_reader

from feedsmith.cli import main
from feedsmith.model import Article
from feedsmith.publish import check
from tests.feed_support import (
    ALL_KEYS,
    FEED_NAMES,
    copy_content,
    html_text,
    raw_articles,
    select_published,
)

NOW = "2026-01-01T00:00:00+00:00"


class _Handler(SimpleHTTPRequestHandler):
    """Serves the folder without Last-Modified: two publishes within one second would
    otherwise look unchanged to a conditional GET and hide the second from the reader."""

    def guess_type(self, path: str | PathLike[str]) -> str:
        types = {".xml": "application/xml", ".json": "application/feed+json"}
        return types.get(Path(path).suffix) or super().guess_type(path)

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() != "last-modified":
            super().send_header(keyword, value)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Site:
    """A content folder, its published copy served over HTTP, and a reader subscribed to it."""

    def __init__(self, root: Path, out: Path, base_url: str, reader: Reader) -> None:
        self.content = copy_content(ALL_KEYS, root)
        # Room for every article in the main feeds, so "all entries arrive" means all of them.
        site_yaml = self.content / "site.yaml"
        data = yaml.safe_load(site_yaml.read_text("utf-8"))
        data["feed_limit"] = 50
        site_yaml.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        self.out = out
        self.base_url = base_url
        self.reader = reader
        self.feeds = [base_url + name for name in FEED_NAMES]

    def publish(self, now: str = NOW) -> None:
        result = CliRunner().invoke(
            main,
            ["publish", "--content", str(self.content), "--out", str(self.out),
             "--now", now, "--base-url", self.base_url],
            prog_name="feedsmith",
        )
        assert result.exit_code == 0, result.stderr

    def update(self) -> dict[str, tuple[int, int]]:
        """Poll every feed; url -> (new entries, modified entries)."""
        counts = {}
        for url in self.feeds:
            updated = self.reader.update_feed(url)
            counts[url] = (updated.new, updated.modified) if updated else (0, 0)
        return counts

    def entries(self, url: str) -> dict[str, Any]:
        return {e.id: e for e in self.reader.get_entries(feed=url)}

    def expected(self, now: str = NOW) -> list[Article]:
        articles = check(self.content, base_url=self.base_url).articles
        return select_published(articles, datetime.fromisoformat(now), drafts=False)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    out = tmp_path / "public"
    out.mkdir()
    handler = functools.partial(_Handler, directory=str(out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        with make_reader(str(tmp_path / "reader.sqlite")) as reader:
            subscribed = Site(tmp_path, out, f"http://127.0.0.1:{port}/", reader)
            subscribed.publish()
            for url in subscribed.feeds:
                reader.add_feed(url)
            yield subscribed
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _shown_title(title: str, url: str) -> str:
    # feedparser labels RSS and Atom titles that look like markup text/html; a reader shows
    # the text of that HTML. JSON Feed titles are plain text by definition.
    return title if url.endswith(".json") else html_text(title)


def test_all_entries_arrive(site: Site) -> None:
    counts = site.update()
    expected = site.expected()
    raw = raw_articles(site.content)
    assert len(expected) == 7
    for url in site.feeds:
        assert counts[url] == (len(expected), 0), url
        entries = site.entries(url)
        assert set(entries) == {a.id for a in expected}, url
        for article in expected:
            entry = entries[article.id]
            assert _shown_title(entry.title, url) == raw[article.slug]["title"], url
            assert entry.link == (article.link or f"{site.base_url}articles/{article.slug}/")
            assert entry.published == article.published, url
            assert entry.updated == article.updated, url
            assert entry.content or entry.summary
        # Every link a reader follows works on the served copy (external links excepted).
        feed = site.reader.get_feed(url)
        assert feed.link == site.base_url


def test_a_draft_never_appears(site: Site) -> None:
    site.update()
    drafts = [a for a in check(site.content).articles if a.draft]
    assert drafts
    for url in site.feeds:
        assert not {a.id for a in drafts} & set(site.entries(url))


def test_one_new_article_gives_exactly_one_new_entry_per_feed(site: Site) -> None:
    site.update()
    before = {url: set(site.entries(url)) for url in site.feeds}
    (site.content / "articles" / "2025-12-02-pontoon-opens.yaml").write_text(
        "title: Floating pontoon opens at Long Reef\n"
        "published: 2025-12-02T08:00:00Z\n"
        "categories: [Harbour]\n"
        "body: |\n"
        "  LONG REEF — The new floating pontoon opened to ferries on Tuesday, a month early.\n",
        encoding="utf-8",
    )
    site.publish()
    counts = site.update()
    new_id = next(a.id for a in site.expected() if a.slug == "pontoon-opens")
    for url in site.feeds:
        assert counts[url] == (1, 0), url
        assert set(site.entries(url)) - before[url] == {new_id}
    # Polling again brings nothing.
    assert set(site.update().values()) == {(0, 0)}


def test_editing_title_and_body_gives_no_new_entry_and_the_new_title(site: Site) -> None:
    site.update()
    path = site.content / "articles" / "2025-05-11-lighthouse-keepers.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["title"] = "Last lighthouse keeper's logbooks go on show at the museum"
    data["body"] += "\nThe museum has extended the display until the end of the year.\n"
    data["updated"] = "2025-12-03T09:00:00Z"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    site.publish()
    counts = site.update()
    article = next(a for a in site.expected() if a.slug == "lighthouse-keepers")
    for url in site.feeds:
        assert counts[url] == (0, 1), url
        entry = site.entries(url)[article.id]
        assert entry.title == data["title"]
        assert entry.updated == datetime(2025, 12, 3, 9, tzinfo=UTC)
        assert entry.published == article.published
        text = " ".join(html_text(c.value) for c in entry.content) or entry.summary
        assert "extended the display" in text
        assert len(site.entries(url)) == 7


def test_a_scheduled_article_appears_only_once_its_time_has_come(site: Site) -> None:
    site.update()
    scheduled = [
        a for a in check(site.content).articles
        if not a.draft and a.published > datetime.fromisoformat(NOW)
    ]
    assert len(scheduled) == 1
    for url in site.feeds:
        assert scheduled[0].id not in site.entries(url)
    later = "2030-02-01T00:00:00+00:00"
    assert scheduled[0].published < datetime.fromisoformat(later)
    site.publish(now=later)
    counts = site.update()
    for url in site.feeds:
        assert counts[url] == (1, 0), url
        assert scheduled[0].id in site.entries(url)
