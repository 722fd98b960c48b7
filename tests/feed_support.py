"""Helpers for the feed tests (issue 3): publish a copy of a content folder, read the model
back from it, and parse what was written the way feed readers do.

Expected values come from the model (``feedsmith.publish.check``, which the validation tests
cover) or straight from the YAML; never from the feeds under test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import lxml.html
import yaml
from lxml import etree

from feedsmith.model import Article, Site, article_url, page_url
from feedsmith.publish import PublishOptions, PublishReport, check, publish

REPO = Path(__file__).resolve().parents[1]
ALL_KEYS = REPO / "tests" / "sites" / "all-keys" / "input"
SAMPLE = REPO / "content"
# After every article of both publications but the all-keys one scheduled for 2030.
NOW = datetime(2026, 1, 1, tzinfo=UTC)
FEED_NAMES = ("rss.xml", "atom.xml", "feed.json")
XML_FEEDS = ("rss.xml", "atom.xml")

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NS = {"atom": ATOM, "content": CONTENT, "dc": DC, "media": MEDIA}



def select_published(
    articles: Sequence[Article], now: datetime, drafts: bool
) -> list[Article]:
    """SPEC's rule, stated apart from feedsmith's: no scheduled (future) articles, and drafts
    only with ``--drafts``."""
    return [a for a in articles if a.published <= now and (drafts or not a.draft)]

@dataclass(frozen=True)
class Published:
    """A content folder published into ``out``, with the model it was published from."""

    content: Path
    out: Path
    site: Site
    articles: tuple[Article, ...]
    report: PublishReport
    now: datetime

    @property
    def visible(self) -> list[Article]:
        """What readers get, newest first by published, ties by id (SPEC order)."""
        chosen = select_published(self.articles, self.now, drafts=False)
        by_id = sorted(chosen, key=lambda a: a.id)
        return sorted(by_id, key=lambda a: a.published, reverse=True)

    @property
    def in_main_feeds(self) -> list[Article]:
        return self.visible[: self.site.feed_limit]

    def by_slug(self, slug: str) -> Article:
        return next(a for a in self.articles if a.slug == slug)

    def url(self, article: Article) -> str:
        return article_url(self.site, article)

    def page(self, article: Article) -> str:
        return page_url(self.site, article)

    def feed_paths(self) -> list[Path]:
        """Every subscription document written: the main three and three per category folder
        (archive pages, which hold older articles, are ``archive_paths``)."""
        return [p for p in self._feed_files() if "archive" not in p.relative_to(self.out).parts]

    def archive_paths(self) -> list[Path]:
        """Every RFC 5005 archive page written (``[categories/<slug>/]archive/<n>/``)."""
        return [p for p in self._feed_files() if "archive" in p.relative_to(self.out).parts]

    def _feed_files(self) -> list[Path]:
        return sorted(p for p in self.out.rglob("*") if p.name in FEED_NAMES and p.is_file())

    def feed_url(self, path: Path) -> str:
        return self.site.base_url + path.relative_to(self.out).as_posix()


def copy_content(source: Path, into: Path) -> Path:
    """A private copy of a content folder (publish writes feedsmith.lock beside site.yaml)."""
    target = into / "content"
    shutil.copytree(source, target)
    return target


def publish_folder(
    content: Path,
    out: Path,
    *,
    now: datetime = NOW,
    base_url: str | None = None,
    drafts: bool = False,
) -> Published:
    report = publish(PublishOptions(content, out, now, base_url=base_url, drafts=drafts))
    publication = check(content, base_url=base_url)
    return Published(content, out, publication.site, publication.articles, report, now)


def publish_copy(source: Path, into: Path, *, now: datetime = NOW) -> Published:
    return publish_folder(copy_content(source, into), into / "public", now=now)


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m feedsmith ARGS`` in a child process (its own clock, TZ and environment)."""
    return subprocess.run(
        [sys.executable, "-m", "feedsmith", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def parse_feed(path: Path) -> Any:
    """feedparser's reading of a feed file; it must be well-formed (bozo false)."""
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, (path, parsed.get("bozo_exception"))
    return parsed


def xml_root(path: Path) -> Any:
    return etree.fromstring(path.read_bytes())


def atom(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def read_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def raw_articles(content: Path) -> dict[str, dict[str, Any]]:
    """Every article's YAML mapping by slug, read with PyYAML (independently of feedsmith)."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((content / "articles").rglob("*.yaml")):
        documents = [d for d in yaml.safe_load_all(path.read_text("utf-8")) if d]
        for data in documents:
            stem = path.stem
            default = stem[11:] if stem[:4].isdigit() and stem[10] == "-" else stem
            found[str(data.get("slug", default))] = data
    return found


def shown_text(value: str, content_type: str) -> str:
    """A text value as a reader shows it, given the type feedparser reports for it.

    feedparser labels text it takes for HTML ``text/html``; a reader then shows the HTML's
    text (tags dropped, references decoded), and plain text as it is.
    """
    if content_type == "text/html":
        return html_text(value)
    return value


def html_text(fragment: str) -> str:
    """The characters an HTML fragment shows (tags dropped, character references decoded)."""
    if not fragment.strip():
        return ""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    # lxml has decoded the references already: decoding again would turn "&amp;" into "&".
    return "".join(str(t) for t in root.itertext())


def words(text: str) -> str:
    return " ".join(text.split())


def urls_in_html(fragment: str) -> list[str]:
    """Every href, src and srcset URL in an HTML fragment."""
    if not fragment.strip():
        return []
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    urls: list[str] = []
    for element in root.iter():
        for name in ("href", "src"):
            value = element.get(name)
            if value is not None:
                urls.append(value)
        for candidate in (element.get("srcset") or "").split(","):
            if candidate.strip():
                urls.append(candidate.split()[0])
    return urls
