"""Issue 3: JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) correct in every required and
used field, for the main feed and every category feed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from tests.feed_support import Published, raw_articles, read_json

# Every top-level and item key JSON Feed 1.1 defines; feedsmith writes no extensions.
_FEED_KEYS = {
    "version", "title", "home_page_url", "feed_url", "description", "user_comment",
    "next_url", "icon", "favicon", "authors", "language", "expired", "hubs", "items",
}
_ITEM_KEYS = {
    "id", "url", "external_url", "title", "content_html", "content_text", "summary", "image",
    "banner_image", "date_published", "date_modified", "authors", "tags", "language",
    "attachments",
}
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def _feeds(published: Published) -> list[tuple[str, Any]]:
    return [
        (published.feed_url(p), read_json(p))
        for p in published.feed_paths()
        if p.name == "feed.json"
    ]


def test_top_level_fields(all_keys: Published) -> None:
    feeds = _feeds(all_keys)
    assert len(feeds) >= 5
    for url, feed in feeds:
        assert set(feed) <= _FEED_KEYS, url
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert feed["feed_url"] == url
        assert feed["home_page_url"] == url.removesuffix("feed.json")
        assert isinstance(feed["title"], str) and feed["title"]
        assert isinstance(feed["items"], list) and feed["items"]
        for author in feed.get("authors", []):
            assert set(author) <= {"name", "url", "avatar"} and author["name"]


def test_item_fields_and_types(all_keys: Published) -> None:
    for url, feed in _feeds(all_keys):
        for item in feed["items"]:
            assert set(item) <= _ITEM_KEYS, (url, item["id"])
            for key in ("id", "url", "title", "content_html", "summary"):
                assert isinstance(item[key], str) and item[key], (url, key)
            for key in ("date_published", "date_modified"):
                assert _RFC3339.fullmatch(item[key]), (url, key, item[key])
            for attachment in item.get("attachments", []):
                assert isinstance(attachment["size_in_bytes"], int)
                assert set(attachment) == {"url", "mime_type", "size_in_bytes"}
            assert all(isinstance(t, str) for t in item.get("tags", []))


def test_items_say_what_the_model_says(all_keys: Published) -> None:
    feed = read_json(all_keys.out / "feed.json")
    raw = raw_articles(all_keys.content)
    assert [i["id"] for i in feed["items"]] == [a.id for a in all_keys.in_main_feeds]
    externals = 0
    for item, article in zip(feed["items"], all_keys.in_main_feeds, strict=True):
        data = raw[article.slug]
        assert item["title"] == data["title"]
        published = datetime.fromisoformat(item["date_published"])
        assert published == article.published and published.tzinfo is not None
        assert datetime.fromisoformat(item["date_modified"]) == article.updated
        if "link" in data:
            assert item["external_url"] == item["url"] == data["link"]
            externals += 1
        else:
            assert "external_url" not in item
            assert item["url"] == f"{all_keys.site.base_url}articles/{article.slug}/"
    assert externals == 1


def test_dates_are_utc_with_z(all_keys: Published) -> None:
    for item in read_json(all_keys.out / "feed.json")["items"]:
        for key in ("date_published", "date_modified"):
            assert item[key].endswith("Z")
            assert datetime.fromisoformat(item[key]).utcoffset() == UTC.utcoffset(None)
