"""Issue 3: enclosures, the lead image, the feed's icon and logo, and the WebSub hub.

Enclosures carry length and type; RSS allows one per item, so an RSS item has the first one
only and the rest are in Atom and JSON Feed (README: What readers get). The lead image is a
``media:thumbnail`` and ``media:content`` in RSS and Atom, and ``image`` in JSON Feed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import yaml

from tests.feed_support import (
    MEDIA,
    Published,
    atom,
    parse_feed,
    raw_articles,
    read_json,
    xml_root,
)


def _expected_enclosures(published: Published, slug: str) -> list[tuple[str, str, str]]:
    """(url, length, type) of an article's enclosures, straight from its YAML."""
    data = raw_articles(published.content)[slug]
    return [
        (urljoin(published.site.base_url, e["url"]), str(e["length"]), e["type"])
        for e in data.get("enclosures", [])
    ]


def test_enclosures_in_every_format(all_keys: Published) -> None:
    atom_root = xml_root(all_keys.out / "atom.xml")
    rss_root = xml_root(all_keys.out / "rss.xml")
    atom_entries = {e.findtext(atom("id")): e for e in atom_root.iter(atom("entry"))}
    rss_items = {i.findtext("guid"): i for i in rss_root.iter("item")}
    items = {i["id"]: i for i in read_json(all_keys.out / "feed.json")["items"]}
    most = 0
    for article in all_keys.in_main_feeds:
        expected = _expected_enclosures(all_keys, article.slug)
        most = max(most, len(expected))
        atom_links = [
            (link.get("href"), link.get("length"), link.get("type"))
            for link in atom_entries[article.id].findall(atom("link"))
            if link.get("rel") == "enclosure"
        ]
        assert atom_links == expected
        rss_enclosures = [
            (e.get("url"), e.get("length"), e.get("type"))
            for e in rss_items[article.id].findall("enclosure")
        ]
        # RSS 2.0: at most one enclosure per item, so the first one.
        assert rss_enclosures == expected[:1]
        attachments = [
            (a["url"], str(a["size_in_bytes"]), a["mime_type"])
            for a in items[article.id].get("attachments", [])
        ]
        assert attachments == expected
    assert most >= 2, "an article with two enclosures shows what RSS does with the second"


def test_feedparser_sees_the_enclosures(all_keys: Published) -> None:
    for name, count in (("rss.xml", 1), ("atom.xml", None)):
        for entry in parse_feed(all_keys.out / name).entries:
            article = next(a for a in all_keys.articles if a.id == entry.id)
            expected = _expected_enclosures(all_keys, article.slug)[:count]
            got = [(e.href, str(e.length), e.type) for e in entry.get("enclosures", [])]
            assert got == expected, (name, article.slug)


def test_lead_image_as_media_elements_and_json_image(all_keys: Published) -> None:
    raw = raw_articles(all_keys.content)
    items = {i["id"]: i for i in read_json(all_keys.out / "feed.json")["items"]}
    with_image = 0
    for name in ("rss.xml", "atom.xml"):
        entries = {e.id: e for e in parse_feed(all_keys.out / name).entries}
        for article in all_keys.in_main_feeds:
            image = raw[article.slug].get("image")
            entry = entries[article.id]
            if image is None:
                assert "media_thumbnail" not in entry and "image" not in items[article.id]
                continue
            expected = urljoin(all_keys.site.base_url, image)
            assert [t["url"] for t in entry.media_thumbnail] == [expected]
            assert [(m["url"], m.get("medium")) for m in entry.media_content] == [
                (expected, "image")
            ]
            assert items[article.id]["image"] == expected
            with_image += 1
    assert with_image >= 4


def test_media_elements_are_in_the_media_rss_namespace(all_keys: Published) -> None:
    for name in ("rss.xml", "atom.xml"):
        root = xml_root(all_keys.out / name)
        assert root.nsmap.get("media") == MEDIA
        assert list(root.iter(f"{{{MEDIA}}}thumbnail"))


def _site_yaml(published: Published) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((published.content / "site.yaml").read_text("utf-8"))
    return data


def test_icon_and_logo(all_keys: Published) -> None:
    site = _site_yaml(all_keys)
    icon = urljoin(site["base_url"], site["icon"])
    logo = urljoin(site["base_url"], site["logo"])
    for path in all_keys.feed_paths():
        if path.name == "feed.json":
            feed = read_json(path)
            assert (feed["icon"], feed["favicon"]) == (icon, icon)
        elif path.name == "atom.xml":
            parsed = parse_feed(path).feed
            assert (parsed.icon, parsed.logo) == (icon, logo)
        else:
            image = parse_feed(path).feed.image
            assert image.href == logo
            assert image.link == parse_feed(path).feed.link


def test_hub_link_in_all_three_formats(all_keys: Published) -> None:
    hub = _site_yaml(all_keys)["hub"]
    for path in all_keys.feed_paths():
        if path.name == "feed.json":
            assert read_json(path)["hubs"] == [{"type": "WebSub", "url": hub}]
            continue
        links = parse_feed(path).feed.links
        assert [link.href for link in links if link.rel == "hub"] == [hub], path
        # WebSub also needs the self link the hub is told about.
        assert [link.href for link in links if link.rel == "self"] == [all_keys.feed_url(path)]
