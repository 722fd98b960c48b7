"""Issue 2: the bundled sample publishes every SPEC output, and each feed says what the YAML says.

The expected values are computed here from the YAML with PyYAML's own safe loader and the
SPEC's rules, independently of feedsmith's loader, then compared with what feedparser (RSS,
Atom) and json (JSON Feed) read back from the published files.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from time import struct_time
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import feedparser
import lxml.html
import pytest
import yaml
from lxml import etree

from tests.conftest import SAMPLE_CONTENT, SAMPLE_NOW
from tests.feed_support import html_text, shown_text, urls_in_html, words

SITE: dict[str, Any] = yaml.safe_load((SAMPLE_CONTENT / "site.yaml").read_text("utf-8"))
BASE = SITE["base_url"]
ZONE = ZoneInfo(SITE["timezone"])


def _ledger() -> dict[str, str]:
    ids = {}
    for line in (SAMPLE_CONTENT / "feedsmith.lock").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            slug, article_id, *_ = line.split("\t")
            ids[slug] = article_id
    return ids


def _instant(value: object) -> datetime:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=ZONE)
        return aware.astimezone(UTC)
    assert isinstance(value, date)
    return datetime.combine(value, time(0), tzinfo=ZONE).astimezone(UTC)


@dataclass(frozen=True)
class Expected:
    slug: str
    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    body: str
    external: bool


def _expected_articles() -> list[Expected]:
    ledger = _ledger()
    site_authors = tuple(a["name"] for a in SITE["authors"])
    found = []
    for path in sorted((SAMPLE_CONTENT / "articles").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        published = _instant(data["published"])
        if data.get("draft") or published > SAMPLE_NOW:
            continue
        stem = path.stem
        slug = data.get("slug") or (stem[11:] if stem[:4].isdigit() else stem)
        raw_authors = data.get("authors") or data.get("author")
        if raw_authors is None:
            authors = site_authors
        elif isinstance(raw_authors, str):
            authors = (raw_authors,)
        else:
            authors = tuple(a if isinstance(a, str) else a["name"] for a in raw_authors)
        found.append(
            Expected(
                slug=slug,
                id=data.get("id") or ledger[slug],
                title=data["title"],
                link=data.get("link") or f"{BASE}articles/{slug}/",
                published=published,
                updated=_instant(data.get("updated", data["published"])),
                authors=authors,
                categories=tuple(data.get("categories", ())),
                body=data.get("body", ""),
                external="link" in data,
            )
        )
    found.sort(key=lambda e: e.id)
    found.sort(key=lambda e: e.published, reverse=True)
    return found


EXPECTED = _expected_articles()


def _struct(parsed: struct_time) -> datetime:
    """feedparser's UTC struct_time as an aware datetime."""
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC)


def _text(html: str) -> str:
    return words(html_text(html))


def _plain_sentence(body: str) -> str:
    """A stretch of the body with no Markdown syntax, which must survive into the content."""
    segments = re.split(r"[\[\]()*_`>#!<&\n]", body)
    longest = max(segments, key=lambda s: len(s.strip()))
    assert len(longest.strip()) > 30, "the body has a plain stretch to look for"
    return " ".join(longest.split())[:80]


def test_sample_has_what_the_checks_need() -> None:
    # Guards the other tests against a sample that would make them vacuous.
    assert len(EXPECTED) >= 8
    assert any(e.external for e in EXPECTED)
    assert len({c for e in EXPECTED for c in e.categories}) >= 2


def test_every_spec_output_path_exists(sample_public: Path) -> None:
    expected_paths = {"index.html", "rss.xml", "atom.xml", "feed.json"}
    for article in EXPECTED:
        if not article.external:
            expected_paths.add(f"articles/{article.slug}/index.html")
    categories = {c for e in EXPECTED for c in e.categories}
    folders = {p.parent.name for p in (sample_public / "categories").glob("*/index.html")}
    assert len(folders) == len(categories)
    for folder in folders:
        for name in ("rss.xml", "atom.xml", "feed.json", "index.html"):
            expected_paths.add(f"categories/{folder}/{name}")
    missing = [p for p in sorted(expected_paths) if not (sample_public / p).is_file()]
    assert missing == []
    external = [e for e in EXPECTED if e.external]
    assert all(not (sample_public / "articles" / e.slug).exists() for e in external)


def test_category_folder_names_follow_the_spec(sample_public: Path) -> None:
    folders = {p.name for p in (sample_public / "categories").iterdir()}
    # "Port & Labour" -> port-labour; the CJK name is transliterated to ASCII.
    assert "port-labour" in folders
    assert all(name.isascii() and name == name.lower() for name in folders)


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_xml_feed_matches_yaml_article_by_article(sample_public: Path, name: str) -> None:
    parsed = feedparser.parse((sample_public / name).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert [e.id for e in parsed.entries] == [e.id for e in EXPECTED]
    for entry, expected in zip(parsed.entries, EXPECTED, strict=True):
        # A title that reads as HTML is sent escaped as text/html; readers show its text.
        assert shown_text(entry.title, entry.title_detail.type) == expected.title
        assert entry.link == expected.link
        assert _struct(entry.published_parsed) == expected.published
        if name == "atom.xml":
            assert _struct(entry.updated_parsed) == expected.updated
        assert [t.label or t.term for t in entry.get("tags", [])] == list(expected.categories)
        authors = [a.get("name") for a in entry.get("authors", [])]
        assert authors == list(expected.authors)
        content = entry.content[0].value
        assert _plain_sentence(expected.body) in _text(content)


def test_json_feed_matches_yaml_article_by_article(sample_public: Path) -> None:
    feed = json.loads((sample_public / "feed.json").read_text("utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == f"{BASE}feed.json"
    items = feed["items"]
    assert [i["id"] for i in items] == [e.id for e in EXPECTED]
    for item, expected in zip(items, EXPECTED, strict=True):
        assert item["title"] == expected.title
        assert item["url"] == expected.link
        assert datetime.fromisoformat(item["date_published"]) == expected.published
        assert datetime.fromisoformat(item["date_modified"]) == expected.updated
        assert [a["name"] for a in item["authors"]] == list(expected.authors)
        assert item.get("tags", []) == list(expected.categories)
        assert _plain_sentence(expected.body) in _text(item["content_html"])
        if expected.external:
            assert item["external_url"] == expected.link


def test_html_title_is_plain_text_everywhere(sample_public: Path) -> None:
    tricky = [e for e in EXPECTED if "<b>" in e.title]
    assert tricky, "the sample has a title that looks like HTML"
    for name in ("rss.xml", "atom.xml"):
        entries = feedparser.parse((sample_public / name).read_bytes()).entries
        titles = [shown_text(e.title, e.title_detail.type) for e in entries]
        assert tricky[0].title in titles
    json_titles = [
        i["title"] for i in json.loads((sample_public / "feed.json").read_bytes())["items"]
    ]
    assert tricky[0].title in json_titles
    page = lxml.html.fromstring(
        (sample_public / f"articles/{tricky[0].slug}/index.html").read_bytes()
    )
    assert tricky[0].title in ["".join(str(t) for t in h.itertext()) for h in page.iter("h1")]


def _urls_in_feed(path: Path) -> list[str]:
    """Every URL in a feed: link texts, href/url/src attributes, and those inside content."""
    tree = etree.parse(str(path))
    urls: list[str] = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        for attribute in ("href", "url", "src", "uri"):
            if element.get(attribute):
                urls.append(element.get(attribute, ""))
        if (
            local in ("link", "uri", "icon", "logo", "url")
            and element.text
            and element.text.strip()
        ):
            urls.append(element.text.strip())
        if local in ("encoded", "content") and element.text:
            urls.extend(urls_in_html(element.text))
    return urls


def test_all_urls_in_feeds_are_absolute(sample_public: Path) -> None:
    files = [*sample_public.glob("*.xml"), *sample_public.glob("categories/*/*.xml")]
    assert len(files) >= 4
    for path in files:
        urls = _urls_in_feed(path)
        assert urls
        relative = [u for u in urls if urlsplit(u).scheme not in ("http", "https", "mailto")]
        assert relative == [], path
    for path in [sample_public / "feed.json", *sample_public.glob("categories/*/feed.json")]:
        feed = json.loads(path.read_text("utf-8"))
        for item in feed["items"]:
            for url in [item["url"], item.get("image", BASE), *urls_in_html(item["content_html"])]:
                assert urlsplit(url).scheme in ("http", "https", "mailto"), (path, url)


def test_relative_links_in_bodies_resolve_against_the_article_page(sample_public: Path) -> None:
    feed = json.loads((sample_public / "feed.json").read_text("utf-8"))
    by_id = {item["id"]: item for item in feed["items"]}
    checked = 0
    for expected in EXPECTED:
        page = f"{BASE}articles/{expected.slug}/"
        for line in expected.body.splitlines():
            for marker in ("](../", "](/"):
                if marker in line:
                    start = line.index(marker) + 2
                    target = line[start : line.index(")", start)]
                    resolved = urljoin(page, target)
                    assert resolved in urls_in_html(by_id[expected.id]["content_html"])
                    checked += 1
    assert checked >= 3  # the sample has ../slug/ links, ../../images and a /root path


def test_enclosure_and_lead_image_resolve_against_base_url(sample_public: Path) -> None:
    feed = json.loads((sample_public / "feed.json").read_text("utf-8"))
    attachments = [a for item in feed["items"] for a in item.get("attachments", [])]
    assert attachments and all(a["url"].startswith(BASE) for a in attachments)
    for attachment in attachments:
        local = sample_public / attachment["url"].removeprefix(BASE)
        assert local.stat().st_size == attachment["size_in_bytes"]
    images = [item["image"] for item in feed["items"] if "image" in item]
    assert images and all((sample_public / i.removeprefix(BASE)).is_file() for i in images)
