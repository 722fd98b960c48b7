"""Issue 4: very large input works: a 5 MB body, the most categories allowed, 20,000 articles.

Times are not asserted (machines differ); the figures measured are in the issue 4 report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from feedsmith.validate import MAX_CATEGORIES
from tests.input_support import (
    assert_feeds_well_formed,
    check_cli,
    publish_cli,
    snapshot,
    write_many,
    write_site,
)


def test_five_megabyte_body(tmp_path: Path) -> None:
    paragraph = "Harbour news, " * 70 + "the end.\n\n"  # ~1 KB
    body = paragraph * (5 * 1024)
    assert len(body) > 5_000_000
    article = "title: Long read\npublished: 2025-06-01\nbody: " + json.dumps(body) + "\n"
    content = write_site(tmp_path, {"long.yaml": article})
    out = tmp_path / "out"
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    assert_feeds_well_formed(out)
    item = json.loads((out / "feed.json").read_bytes())["items"][0]
    assert item["content_html"].count("<p>") == 5 * 1024
    page = (out / "articles" / "long" / "index.html").read_bytes()
    assert len(page) > 5_000_000


def test_categories_up_to_the_cap_on_one_article(tmp_path: Path) -> None:
    names = [f"Topic {i}" for i in range(MAX_CATEGORIES)]
    article = (
        "title: Everything\npublished: 2025-06-01\nbody: y\ncategories:\n"
        + "".join(f"  - {name}\n" for name in names)
    )
    content = write_site(tmp_path, {"all.yaml": article})
    out = tmp_path / "out"
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    folders = sorted(p.name for p in (out / "categories").iterdir())
    assert folders == sorted(f"topic-{i}" for i in range(MAX_CATEGORIES))
    last = f"topic-{MAX_CATEGORIES - 1}"
    for name in ("rss.xml", "atom.xml", "feed.json", "index.html"):
        assert (out / "categories" / last / name).is_file()
    item = json.loads((out / "feed.json").read_bytes())["items"][0]
    assert item["tags"] == names
    assert_feeds_well_formed(out / "categories" / "topic-0")


@pytest.mark.parametrize("count", [MAX_CATEGORIES + 1, 2000])
def test_more_categories_than_the_cap_is_one_error(tmp_path: Path, count: int) -> None:
    """2,000 categories on one article once wrote 8,005 files (713 MB): now it is refused."""
    article = (
        "title: Everything\npublished: 2025-06-01\nbody: y\ncategories:\n"
        + "".join(f"  - Topic {i}\n" for i in range(count))
    )
    content = write_site(tmp_path, {"all.yaml": article})
    out = tmp_path / "out"
    result = publish_cli(content, out)
    path = (content / "articles" / "all.yaml").as_posix()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:5: categories: {count} categories, more than {MAX_CATEGORIES}: keep the few"
        " that readers subscribe to",
        "1 error: nothing was written.",
    ]
    assert not out.exists()
    assert check_cli(content).exit_code == 1


def test_twenty_thousand_articles_in_one_folder(tmp_path: Path) -> None:
    content = write_site(tmp_path, {})
    write_many(content, 20_000, categories=10)
    out = tmp_path / "out"
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    assert "Published 20000 articles" in result.stdout
    assert len(list((out / "articles").iterdir())) == 20_000
    feed = json.loads((out / "feed.json").read_bytes())
    newest = [i["title"] for i in feed["items"][:2]]
    assert newest == ["Article number 19999", "Article number 19998"]
    assert_feeds_well_formed(out / "categories" / "topic-3")
    # Publishing again rewrites nothing.
    before = snapshot(out)
    again = publish_cli(content, out)
    assert again.exit_code == 0
    assert "0 files written" in again.stdout
    assert snapshot(out) == before
