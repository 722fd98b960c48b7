"""Issue 3: dates and order. ``published`` and ``updated`` are kept apart in every format,
entries are newest first (ties broken by id), and a feed's own updated time is its newest
entry's ``updated``, never the build's clock (SPEC: Order and dates).
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time
from email.utils import parsedate_to_datetime
from pathlib import Path
from time import struct_time
from zoneinfo import ZoneInfo

import pytest
import yaml

from feedsmith.model import Article
from tests.feed_support import (
    ALL_KEYS,
    NOW,
    SAMPLE,
    Published,
    atom,
    copy_content,
    parse_feed,
    publish_copy,
    publish_folder,
    raw_articles,
    read_json,
    xml_root,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _utc(parsed: struct_time) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC)


def _members(published: Published, path: Path) -> list[Article]:
    """The articles a feed file should carry, newest first, from the model."""
    folder = path.parent.relative_to(published.out).as_posix()
    if folder == ".":
        return published.in_main_feeds
    slug = folder.removeprefix("categories/")
    members = [a for a in published.visible if slug in {c.slug for c in a.categories}]
    return members[: published.site.feed_limit]


def _entry_ids(path: Path) -> list[str]:
    if path.name == "feed.json":
        return [item["id"] for item in read_json(path)["items"]]
    return [entry.id for entry in parse_feed(path).entries]


def test_the_all_keys_site_has_a_tie_and_a_cut(all_keys: Published) -> None:
    # Guards the order tests against content that would make them vacuous.
    published_times = [a.published for a in all_keys.visible]
    assert len(published_times) > len(set(published_times)), "two articles share a time"
    assert len(all_keys.visible) > all_keys.site.feed_limit


@pytest.mark.parametrize("source", [ALL_KEYS, SAMPLE], ids=["all-keys", "sample"])
def test_every_feed_is_newest_first_with_ties_broken_by_id(
    tmp_path: Path, source: Path
) -> None:
    published = publish_copy(source, tmp_path)
    paths = published.feed_paths()
    assert len(paths) >= 9
    for path in paths:
        expected = _members(published, path)
        assert _entry_ids(path) == [a.id for a in expected], path
        # The same order, stated without the model's sort: published descending, then id.
        keys = [(-a.published.timestamp(), a.id) for a in expected]
        assert keys == sorted(keys), path


def test_published_and_updated_are_kept_apart_in_every_format(all_keys: Published) -> None:
    edited = [a for a in all_keys.in_main_feeds if a.updated != a.published]
    assert len(edited) >= 2, "the all-keys site has edited articles"
    rss = {e.id: e for e in parse_feed(all_keys.out / "rss.xml").entries}
    atom_entries = {e.id: e for e in parse_feed(all_keys.out / "atom.xml").entries}
    items = {i["id"]: i for i in read_json(all_keys.out / "feed.json")["items"]}
    for article in all_keys.in_main_feeds:
        assert _utc(rss[article.id].published_parsed) == article.published
        assert _utc(rss[article.id].updated_parsed) == article.updated  # atom:updated
        assert _utc(atom_entries[article.id].published_parsed) == article.published
        assert _utc(atom_entries[article.id].updated_parsed) == article.updated
        item = items[article.id]
        assert datetime.fromisoformat(item["date_published"]) == article.published
        assert datetime.fromisoformat(item["date_modified"]) == article.updated


def test_dates_match_the_yaml_and_the_site_time_zone(all_keys: Published) -> None:
    zone = ZoneInfo(yaml.safe_load((all_keys.content / "site.yaml").read_text("utf-8"))["timezone"])
    items = {i["url"]: i for i in read_json(all_keys.out / "feed.json")["items"]}
    raw = raw_articles(all_keys.content)
    date_only = 0
    for article in all_keys.in_main_feeds:
        value = raw[article.slug]["published"]
        if isinstance(value, datetime):
            expected = (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(UTC)
        else:
            # SPEC: a date-only value is midnight in the site time zone.
            assert isinstance(value, date)
            expected = datetime.combine(value, time(0), tzinfo=zone).astimezone(UTC)
            date_only += 1
        published = items[all_keys.url(article)]["date_published"]
        assert datetime.fromisoformat(published) == expected, article.slug
    assert date_only >= 1


def test_an_edit_bumps_updated_never_published(tmp_path: Path) -> None:
    content = copy_content(ALL_KEYS, tmp_path)
    first = publish_folder(content, tmp_path / "one")
    target = next(a for a in first.in_main_feeds if a.updated == a.published)
    path = Path(target.source.path)
    data = yaml.safe_load(path.read_text("utf-8"))
    data["title"] = "Dredging: inner channel closes for six nights, not five"
    data["updated"] = "2025-12-20T10:00:00+00:00"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    second = publish_folder(content, tmp_path / "two")

    edited = second.by_slug(target.slug)
    assert edited.published == target.published
    assert edited.updated == datetime(2025, 12, 20, 10, tzinfo=UTC)
    for name in ("rss.xml", "atom.xml"):
        entry = next(e for e in parse_feed(second.out / name).entries if e.id == target.id)
        assert _utc(entry.published_parsed) == target.published
        assert _utc(entry.updated_parsed) == edited.updated
    item = next(i for i in read_json(second.out / "feed.json")["items"] if i["id"] == target.id)
    assert datetime.fromisoformat(item["date_published"]) == target.published
    assert datetime.fromisoformat(item["date_modified"]) == edited.updated
    # Order follows published: the edit did not move the article to the top.
    assert [i["id"] for i in read_json(second.out / "feed.json")["items"]] == [
        i["id"] for i in read_json(first.out / "feed.json")["items"]
    ]
    # The feeds' own updated time follows the edit (it is now the newest change).
    atom_root = xml_root(second.out / "atom.xml")
    assert datetime.fromisoformat(atom_root.findtext(atom("updated"))) == edited.updated


def _feed_updated(path: Path) -> datetime:
    root = xml_root(path)
    if path.name == "atom.xml":
        return datetime.fromisoformat(root.findtext(atom("updated")))
    return parsedate_to_datetime(root.findtext("channel/lastBuildDate"))


def test_feed_updated_is_the_newest_entrys_updated(all_keys: Published) -> None:
    for path in all_keys.feed_paths():
        if path.name == "feed.json":
            continue  # JSON Feed has no feed-level date
        members = _members(all_keys, path)
        assert _feed_updated(path) == max(a.updated for a in members), path
    # The main feed's newest entry by published is not its newest change: updated wins.
    main = all_keys.in_main_feeds
    assert max(a.updated for a in main) != main[0].published


def test_feed_dates_never_come_from_the_clock(tmp_path: Path) -> None:
    content = copy_content(ALL_KEYS, tmp_path)
    first = publish_folder(content, tmp_path / "one", now=NOW)
    later = publish_folder(content, tmp_path / "two", now=datetime(2029, 6, 1, tzinfo=UTC))
    for path in first.feed_paths():
        assert path.read_bytes() == (later.out / path.relative_to(first.out)).read_bytes()
        if path.suffix == ".xml":
            assert _feed_updated(path) < NOW


def test_an_empty_feed_says_1970(tmp_path: Path) -> None:
    content = copy_content(ALL_KEYS, tmp_path)
    for path in (content / "articles").rglob("*.yaml"):
        path.unlink()
    (content / "articles" / "2031-01-01-later.yaml").write_text(
        "title: Scheduled for later\npublished: 2031-01-01\nbody: Not yet.\n", encoding="utf-8"
    )
    empty = publish_folder(content, tmp_path / "public")
    assert empty.visible == []
    for name in ("rss.xml", "atom.xml"):
        assert _feed_updated(empty.out / name) == EPOCH
        assert parse_feed(empty.out / name).entries == []
    assert read_json(empty.out / "feed.json")["items"] == []
