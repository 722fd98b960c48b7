"""Issue 4: impossible dates, naive dates (site time zone), extreme offsets."""

from __future__ import annotations

import calendar
import json
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from tests.input_support import (
    SITE_YAML,
    add_article,
    assert_refused,
    publish_cli,
    published,
    snapshot,
    write_site,
)

HINT = "(write 2024-03-12 or 2024-03-12T09:00:00+08:00)"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2020-13-45", f"published: not a date: '2020-13-45' {HINT}"),
        ("2021-02-29", f"published: not a date: '2021-02-29' {HINT}"),
        ("2025-01-01T24:30:00", f"published: not a date: '2025-01-01T24:30:00' {HINT}"),
        ("2025-01-01T10:00:00+25:00", f"published: not a date: '2025-01-01T10:00:00+25:00' {HINT}"),
        ("'12/03/24'", f"published: not a date: '12/03/24' {HINT}"),
        ("yesterday", f"published: not a date: 'yesterday' {HINT}"),
        ("20250101", f"published: not a date: 20250101 {HINT}"),
        ("0001-01-01", "published: year out of range: '0001-01-01' (use a year from 1900 on)"),
        (
            "9999-12-31T23:00:00-12:00",
            "published: year out of range: '9999-12-31T23:00:00-12:00' (use a year from 1900 on)",
        ),
    ],
)
def test_impossible_date_is_refused(tmp_path: Path, value: str, message: str) -> None:
    content, out, before = published(tmp_path)
    shown = add_article(content, "d.yaml", f"title: x\nbody: y\npublished: {value}\n")
    result = publish_cli(content, out)
    assert_refused(result, f"{shown}:3: {message}", "1 error: nothing was written.")
    assert snapshot(out) == before


def test_a_year_far_east_of_utc_does_not_overflow(tmp_path: Path) -> None:
    # 0001-01-01 midnight in Tokyo is before datetime.min in UTC: an error, not a traceback.
    content = write_site(
        tmp_path,
        {"d.yaml": "title: x\nbody: y\npublished: 0001-01-01\n"},
        site=SITE_YAML + "timezone: Asia/Tokyo\n",
    )
    result = publish_cli(content, tmp_path / "out")
    assert_refused(result, "1 error: nothing was written.")


CASES = {
    # file -> (published as written, the UTC instant it must become)
    "plus14.yaml": ("2025-01-01T10:00:00+14:00", datetime(2024, 12, 31, 20, 0, tzinfo=UTC)),
    "minus12.yaml": ("2025-01-01T10:00:00-12:00", datetime(2025, 1, 1, 22, 0, tzinfo=UTC)),
    "naive.yaml": ("2025-01-02 10:00", datetime(2025, 1, 2, 1, 0, tzinfo=UTC)),
    "date-only.yaml": ("2025-01-03", datetime(2025, 1, 2, 15, 0, tzinfo=UTC)),
    "yaml11.yaml": ("2025-01-04 10:00:00.5 -5", datetime(2025, 1, 4, 15, 0, 0, tzinfo=UTC)),
    "zulu.yaml": ("2025-01-05T00:00:00Z", datetime(2025, 1, 5, 0, 0, tzinfo=UTC)),
}


def test_offsets_and_naive_dates_become_the_right_utc_instants(tmp_path: Path) -> None:
    articles: dict[str, str | bytes] = {
        name: f"title: {name}\nbody: y\npublished: {written}\n"
        for name, (written, _) in CASES.items()
    }
    content = write_site(tmp_path, articles, site=SITE_YAML + "timezone: Asia/Tokyo\n")
    out = tmp_path / "out"
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    expected = {name: instant for name, (_, instant) in CASES.items()}
    for feed in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse((out / feed).read_bytes())
        assert not parsed.bozo
        got = {
            e.title: datetime.fromtimestamp(calendar.timegm(e.published_parsed), UTC)
            for e in parsed.entries
        }
        # The YAML 1.1 value has half a second; RSS dates carry whole seconds.
        got["yaml11.yaml"] = got["yaml11.yaml"].replace(microsecond=0)
        assert got == expected, feed
    items = json.loads((out / "feed.json").read_bytes())["items"]
    got_json = {
        i["title"]: datetime.fromisoformat(i["date_published"]).astimezone(UTC) for i in items
    }
    got_json["yaml11.yaml"] = got_json["yaml11.yaml"].replace(microsecond=0)
    assert got_json == expected
    # Newest first by the UTC instant, not by the wall-clock digits written.
    order = [i["title"] for i in items]
    assert order == sorted(expected, key=lambda n: expected[n], reverse=True)
