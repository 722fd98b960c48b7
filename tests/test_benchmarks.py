"""Smoke tests that keep ``benchmarks/`` working (issue 5); no timing is asserted here.

The scripts are run as subprocesses, exactly as the benchmark README tells people to run them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from tests.support import missing_tool

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
ARTICLE_KEYS = {"title", "published", "updated", "body", "summary", "author", "authors",
                "categories", "image"}  # fmt: skip
"""The SPEC "An article" keys the generator uses; anything else would be an unknown-key warning."""


def _run(script: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH / script), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = tmp_path_factory.mktemp("corpus") / "content"
    done = _run("generate.py", "30", content)
    assert done.returncode == 0, done.stderr
    return content


def test_generator_is_deterministic(corpus: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    done = _run("generate.py", "30", again)
    assert done.returncode == 0, done.stderr
    first, second = _tree(corpus), _tree(again)
    assert len(first) == 31  # site.yaml and 30 articles
    assert first == second


def test_other_seed_gives_other_corpus(corpus: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    assert _run("generate.py", "30", other, "--seed", "2").returncode == 0
    assert _tree(corpus).keys() != _tree(other).keys()


def test_generated_articles_are_news_shaped(corpus: Path) -> None:
    site = yaml.safe_load((corpus / "site.yaml").read_text(encoding="utf-8"))
    assert site["base_url"] == "https://bench.example.org/"
    assert site["feed_limit"] == 50
    paths = sorted((corpus / "articles").rglob("*.yaml"))
    assert len(paths) == 30
    for path in paths:
        article = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert {"title", "published", "body", "categories"} <= article.keys() <= ARTICLE_KEYS
        published = article["published"]
        assert isinstance(published, date)
        # Sub-folders by year and month, file named after the local publication date.
        day = published.date() if isinstance(published, datetime) else published
        assert path.parent.parent.name == f"{day.year:04d}"
        assert path.parent.name == f"{day.month:02d}"
        assert path.name.startswith(f"{day.isoformat()}-")
        assert date(2016, 1, 1) <= day <= date(2025, 12, 31)
        body = article["body"]
        assert 5000 <= len(body.encode()) <= 7000
        assert body.count("\n## ") == 3
        assert "\n> “" in body and "—" in body
        assert "](../" in body and "](https://" in body
        assert "![" in body and "](https://media.bench.example.org/images/" in body
        assert 1 <= len(article["categories"]) <= 3


def test_hugo_site_conversion(corpus: Path, tmp_path: Path) -> None:
    site = tmp_path / "hugo"
    done = _run("hugo_site.py", corpus, site)
    assert done.returncode == 0, done.stderr
    posts = sorted((site / "content" / "posts").glob("*.md"))
    assert len(posts) == 30
    assert posts[0].read_text(encoding="utf-8").startswith("---\ntitle: ")
    assert (site / "config.toml").is_file()
    # A second conversion must not clobber a folder unless asked to, and only one it wrote.
    assert _run("hugo_site.py", corpus, site).returncode == 2
    assert _run("hugo_site.py", corpus, site, "--force").returncode == 0
    assert _run("hugo_site.py", corpus, corpus, "--force").returncode == 2


def test_hugo_builds_the_converted_site(tmp_path: Path) -> None:
    if shutil.which("hugo") is None:
        missing_tool("needs hugo on PATH (Debian: hugo)")
    done = _run("run.py", "--articles", "20", "--repeat", "1", "--hugo-only", "--work", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "| 20 | hugo cold |" in done.stdout
    out = next(tmp_path.glob("*/hugo-out"))
    assert len(list((out / "articles").glob("*/index.html"))) == 20
    for name in ("index.html", "rss.xml", "atom.xml", "feed.json"):
        assert (out / name).is_file()


def test_runner_prints_a_table(tmp_path: Path) -> None:
    # Needs the feedsmith CLI with `publish`; the runner puts this checkout's src/ on the path.
    json_file = tmp_path / "bench.json"
    done = _run(
        "run.py", "--articles", "20", "--repeat", "1", "--work", tmp_path, "--json", json_file
    )
    assert done.returncode == 0, done.stderr
    scenarios = ["cold", "no change", "one edit", "a new article"]
    for scenario in scenarios:
        assert f"| 20 | {scenario} |" in done.stdout
    assert "| articles | scenario | median s |" in done.stdout
    rows = json.loads(json_file.read_text(encoding="utf-8"))
    assert [(r["articles"], r["scenario"]) for r in rows] == [(20, s) for s in scenarios]
    assert all(len(r["samples"]) == 1 and r["median"] > 0 for r in rows)
    # A cold build writes every page; the new article's publish wrote one page more.
    files = {r["scenario"]: r["files"] for r in rows}
    assert files["a new article"] == files["cold"] + 1
    # The edit and the new article are undone afterwards, so a cached corpus stays the
    # generated one, and the ledger forgets the article it never kept.
    content = next(tmp_path.glob("*/content"))
    assert "benchmark-new-article" not in (content / "feedsmith.lock").read_text("utf-8")
    fresh = tmp_path / "fresh"
    assert _run("generate.py", "20", fresh).returncode == 0
    assert {k: v for k, v in _tree(content).items() if k.startswith("articles")} == {
        k: v for k, v in _tree(fresh).items() if k.startswith("articles")
    }
