"""Helpers for the issue 4 tests (tests/test_input_*.py): small sites, snapshots, runs."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import feedparser
from click.testing import CliRunner, Result
from lxml import etree

from feedsmith.cli import main

NOW = "2026-01-01"
SITE_YAML = (
    'title: "Test Gazette"\n'
    'base_url: "https://news.example.org/"\n'
    'description: "Tests of broken and hostile input."\n'
)
ARTICLE_YAML = (
    'title: "A good article"\n'
    "published: 2025-06-01T09:00:00+00:00\n"
    "body: |\n"
    "  Hello, *readers*.\n"
)


def write_site(
    root: Path,
    articles: dict[str, str | bytes] | None = None,
    site: str | bytes = SITE_YAML,
) -> Path:
    """A content folder under ``root`` with ``site.yaml`` and ``articles/<name>`` files.

    Without ``articles`` it holds one valid article, ``2025-06-01-good.yaml``.
    """
    content = root / "content"
    (content / "articles").mkdir(parents=True, exist_ok=True)
    _put(content / "site.yaml", site)
    chosen = {"2025-06-01-good.yaml": ARTICLE_YAML} if articles is None else articles
    for name, text in chosen.items():
        path = content / "articles" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        _put(path, text)
    return content


def _put(path: Path, data: str | bytes) -> None:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of a snapshot: bytes and modification time (ns)."""

    data: bytes
    mtime_ns: int


def snapshot(folder: Path) -> dict[str, Entry]:
    """Every file under ``folder`` (relative posix path -> bytes and mtime); {} if missing."""
    if not folder.exists():
        return {}
    found: dict[str, Entry] = {}
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(dirpath, name)
            found[path.relative_to(folder).as_posix()] = Entry(
                path.read_bytes(), path.stat().st_mtime_ns
            )
    return found


def temporaries(folder: Path) -> list[str]:
    """Leftover ``.feedsmith-tmp-*`` files under ``folder``."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.name.startswith(".feedsmith-tmp-")
    )


def run(*args: str) -> Result:
    """``feedsmith ARGS`` in-process, stderr kept apart from stdout."""
    return CliRunner().invoke(main, list(args))


def publish_cli(content: Path, out: Path, *extra: str) -> Result:
    """``feedsmith publish --content CONTENT --out OUT --now NOW EXTRA...``."""
    return run("publish", "--content", str(content), "--out", str(out), "--now", NOW, *extra)


def check_cli(content: Path, *extra: str) -> Result:
    return run("check", "--content", str(content), *extra)


def error_lines(result: Result) -> list[str]:
    """stderr lines, without the closing ``N errors: nothing was written.``."""
    return [line for line in result.stderr.splitlines() if "nothing was written." not in line]


def assert_refused(result: Result, *expected: str) -> None:
    """Exit 1, no traceback, the ``N errors`` closing line, and each expected line on stderr."""
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    for line in expected:
        assert line in lines, f"{line!r} not in stderr:\n{result.stderr}"


def feed_files(out: Path) -> list[Path]:
    """Every feed file under ``out`` (rss.xml, atom.xml, feed.json)."""
    return sorted(
        p for p in out.rglob("*") if p.name in ("rss.xml", "atom.xml", "feed.json")
    )


def assert_feeds_well_formed(out: Path) -> None:
    """Every XML feed parses with lxml and feedparser (bozo false); every JSON feed loads."""
    found = feed_files(out)
    assert found, f"no feeds in {out}"
    for path in found:
        data = path.read_bytes()
        if path.suffix == ".json":
            json.loads(data)
            continue
        etree.fromstring(data)
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))


def atom_titles(path: Path) -> list[str]:
    """Entry titles of an Atom file, as an XML parser reads them."""
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(path.read_bytes())  # noqa: S314 - our own output
    return [e.findtext("a:title", default="", namespaces=ns) for e in root.findall("a:entry", ns)]


def write_many(content: Path, count: int, *, categories: int = 0) -> None:
    """``count`` small articles in ``content/articles`` (one folder), dated a minute apart."""
    folder = content / "articles"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        day, minute = divmod(i, 24 * 60)
        hour, minute = divmod(minute, 60)
        tags = f"categories: [topic-{i % categories}]\n" if categories else ""
        (folder / f"article-{i:05d}.yaml").write_text(
            f'title: "Article number {i}"\n'
            f"published: 2024-{1 + day // 28:02d}-{1 + day % 28:02d}T{hour:02d}:{minute:02d}:00Z\n"
            f"{tags}"
            # A link elsewhere: one into the site would have to lead to a file it publishes.
            f"body: |\n  Paragraph of article {i} with *emphasis* and a"
            f" [link](https://elsewhere.example/x/{i}).\n",
            encoding="utf-8",
        )


def published(root: Path) -> tuple[Path, Path, dict[str, Entry]]:
    """A good site under ``root`` published once: (content, out, snapshot of out)."""
    content = write_site(root)
    out = root / "public"
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    return content, out, snapshot(out)


def add_article(content: Path, name: str, data: str | bytes) -> str:
    """Put ``articles/<name>`` into ``content``; return its path as messages show it."""
    path = content / "articles" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    _put(path, data)
    return path.as_posix()
