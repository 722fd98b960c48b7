"""Issue 3: absolute URLs everywhere, plus ``xml:base`` where the format has it.

Readers disagree about relative URLs (some honour xml:base, many do not), so every URL in every
feed is absolute, including ``src``, ``href`` and ``srcset`` inside content; relative ``image``,
``icon``, ``logo`` and enclosure URLs resolve against base_url, and URLs in a body resolve as a
browser would on the article's page (SPEC: Rules every output follows).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from tests.feed_support import (
    ALL_KEYS,
    CONTENT,
    SAMPLE,
    XML_BASE,
    Published,
    atom,
    copy_content,
    parse_feed,
    publish_copy,
    publish_folder,
    raw_articles,
    read_json,
    urls_in_html,
    xml_root,
)

_URL_ATTRIBUTES = ("href", "url", "src", "uri")
_URL_ELEMENTS = ("link", "uri", "icon", "logo", "url", "docs")
# Markdown links and images, and src/href/srcset attributes of raw HTML, in a YAML body.
_MARKDOWN_URL = re.compile(r"\]\(([^)\s]+)")
_HTML_URL = re.compile(r"""\b(?:src|href)="([^"]+)\"""")
_SRCSET = re.compile(r"""\bsrcset="([^"]+)\"""")


def _urls_in_xml(path: Path) -> list[str]:
    urls: list[str] = []
    for element in xml_root(path).iter():
        if not isinstance(element.tag, str):
            continue
        local = element.tag.rsplit("}", 1)[-1]
        urls.extend(element.get(a) for a in _URL_ATTRIBUTES if element.get(a))
        urls.extend(v for k, v in element.items() if k == XML_BASE)
        if local in _URL_ELEMENTS and element.text and element.text.strip():
            urls.append(element.text.strip())
        if local in ("encoded", "content", "description", "summary") and element.text:
            urls.extend(urls_in_html(element.text))
    return urls


def _urls_in_json(path: Path) -> list[str]:
    feed = read_json(path)
    urls = [feed["home_page_url"], feed["feed_url"], feed.get("icon"), feed.get("favicon")]
    urls += [hub["url"] for hub in feed.get("hubs", [])]
    urls += [a.get("url") for a in feed.get("authors", [])]
    for item in feed["items"]:
        urls += [item["url"], item.get("external_url"), item.get("image")]
        urls += [a.get("url") for a in item.get("authors", [])]
        urls += [a["url"] for a in item.get("attachments", [])]
        urls += urls_in_html(item["content_html"])
    return [u for u in urls if u]


def _is_absolute(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "mailto":
        return True
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@pytest.mark.parametrize("source", [ALL_KEYS, SAMPLE], ids=["all-keys", "sample"])
def test_every_url_in_every_feed_is_absolute(tmp_path: Path, source: Path) -> None:
    published = publish_copy(source, tmp_path)
    for path in published.feed_paths():
        urls = _urls_in_json(path) if path.name == "feed.json" else _urls_in_xml(path)
        assert len(urls) > 5, path
        assert [u for u in urls if not _is_absolute(u)] == [], path


def _body_references(body: str) -> list[str]:
    refs = _MARKDOWN_URL.findall(body) + _HTML_URL.findall(body)
    for srcset in _SRCSET.findall(body):
        refs += [c.split()[0] for c in srcset.split(",") if c.strip()]
    return refs


def _contents(published: Published, slug: str) -> dict[str, str]:
    """The article's full content as each format carries it."""
    url = published.url(published.by_slug(slug))
    rss = next(
        item for item in xml_root(published.out / "rss.xml").iter("item")
        if item.findtext("link") == url
    )
    atom_entry = next(
        entry for entry in xml_root(published.out / "atom.xml").iter(atom("entry"))
        if entry.find(atom("link")).get("href") == url
    )
    item = next(i for i in read_json(published.out / "feed.json")["items"] if i["url"] == url)
    return {
        "rss": rss.findtext(f"{{{CONTENT}}}encoded"),
        "atom": atom_entry.findtext(atom("content")),
        "json": item["content_html"],
    }


def test_relative_src_href_and_srcset_in_bodies_resolve_against_the_page(
    all_keys: Published,
) -> None:
    checked = 0
    kinds: set[str] = set()
    for slug, data in raw_articles(all_keys.content).items():
        article = all_keys.by_slug(slug)
        if article not in all_keys.in_main_feeds or not data.get("body"):
            continue
        relative = [r for r in _body_references(data["body"]) if not urlsplit(r).scheme]
        if not relative:
            continue
        page = all_keys.page(article)
        for fmt, content in _contents(all_keys, slug).items():
            found = urls_in_html(content)
            for reference in relative:
                assert urljoin(page, reference) in found, (slug, fmt, reference)
                checked += 1
        kinds |= {"srcset" for _ in _SRCSET.findall(data["body"])}
        kinds |= {"root" for r in relative if r.startswith("/")}
        kinds |= {"parent" for r in relative if r.startswith("../")}
        kinds |= {"fragment" for r in relative if r.startswith("#")}
    assert checked >= 30
    assert kinds == {"srcset", "root", "parent", "fragment"}


def test_image_icon_logo_and_enclosures_resolve_against_base_url(all_keys: Published) -> None:
    site_yaml: dict[str, Any] = yaml.safe_load(
        (all_keys.content / "site.yaml").read_text("utf-8")
    )
    base = site_yaml["base_url"]
    feed = read_json(all_keys.out / "feed.json")
    assert feed["icon"] == urljoin(base, site_yaml["icon"])
    atom_root = xml_root(all_keys.out / "atom.xml")
    assert atom_root.findtext(atom("icon")) == urljoin(base, site_yaml["icon"])
    assert atom_root.findtext(atom("logo")) == urljoin(base, site_yaml["logo"])
    assert xml_root(all_keys.out / "rss.xml").findtext("channel/image/url") == urljoin(
        base, site_yaml["logo"]
    )
    items = {i["url"]: i for i in feed["items"]}
    relative_seen = 0
    for slug, data in raw_articles(all_keys.content).items():
        article = all_keys.by_slug(slug)
        if article not in all_keys.in_main_feeds:
            continue
        item = items[all_keys.url(article)]
        if "image" in data:
            assert item["image"] == urljoin(base, data["image"])
            relative_seen += not urlsplit(data["image"]).scheme
        expected = [urljoin(base, e["url"]) for e in data.get("enclosures", [])]
        assert [a["url"] for a in item.get("attachments", [])] == expected
        relative_seen += sum(not urlsplit(e["url"]).scheme for e in data.get("enclosures", []))
    assert relative_seen >= 2


def test_xml_base_is_set_where_the_format_has_it(all_keys: Published) -> None:
    for path in all_keys.feed_paths():
        if path.name == "feed.json":
            continue
        root = xml_root(path)
        url = all_keys.feed_url(path)
        if path.name == "atom.xml":
            assert root.get(XML_BASE) == url
            contents = [
                (e.find(atom("link")).get("href"), e.find(atom("content")))
                for e in root.iter(atom("entry"))
            ]
        else:
            contents = [
                (i.findtext("link"), i.find(f"{{{CONTENT}}}encoded")) for i in root.iter("item")
            ]
        pages = {all_keys.url(a): all_keys.page(a) for a in all_keys.visible}
        assert contents
        for link, content in contents:
            assert content.get(XML_BASE) == pages[link], (path, link)


def test_feedparser_resolves_nothing_differently(all_keys: Published) -> None:
    # A reader that honours xml:base (feedparser does) gets the same URLs as one that does not.
    for name in ("rss.xml", "atom.xml"):
        raw = _contents_by_id(all_keys.out / name)
        seen = 0
        for entry in parse_feed(all_keys.out / name).entries:
            # feedparser's sanitizer drops srcset, so its URLs are a subset of what we wrote.
            resolved = urls_in_html(entry.content[0].value)
            assert set(resolved) <= set(urls_in_html(raw[entry.id])), (name, entry.id)
            seen += len(resolved)
        assert seen >= 8


def _contents_by_id(path: Path) -> dict[str, str]:
    root = xml_root(path)
    if path.name == "atom.xml":
        return {
            e.findtext(atom("id")): e.findtext(atom("content")) for e in root.iter(atom("entry"))
        }
    return {i.findtext("guid"): i.findtext(f"{{{CONTENT}}}encoded") for i in root.iter("item")}


def test_self_links_are_each_feeds_own_url(all_keys: Published) -> None:
    for path in all_keys.feed_paths():
        url = all_keys.feed_url(path)
        if path.name == "feed.json":
            assert read_json(path)["feed_url"] == url
            continue
        links = parse_feed(path).feed.links
        assert [link.href for link in links if link.rel == "self"] == [url], path


def test_base_url_option_moves_every_url_but_no_id(tmp_path: Path) -> None:
    content = copy_content(ALL_KEYS, tmp_path)
    declared = publish_folder(content, tmp_path / "declared")
    preview_base = "http://127.0.0.1:8123/preview/"
    preview = publish_folder(content, tmp_path / "preview", base_url=preview_base)
    # Author URIs are the editor's own absolute URLs, not made by feedsmith: they stay.
    editors = {
        a.uri for a in (*declared.site.authors, *(x for y in declared.articles for x in y.authors))
    }
    assert editors - {None}
    own_urls = 0
    for path in preview.feed_paths():
        urls = _urls_in_json(path) if path.name == "feed.json" else _urls_in_xml(path)
        moved = [u for u in urls if u not in editors and u.startswith(declared.site.base_url)]
        assert moved == [], path
        own_urls += sum(u.startswith(preview_base) for u in urls)
    assert own_urls > 50
    ids = [i["id"] for i in read_json(declared.out / "feed.json")["items"]]
    assert [i["id"] for i in read_json(preview.out / "feed.json")["items"]] == ids
