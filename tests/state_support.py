"""Helpers for the tests of the publish state (test_state_*.py): small sites, trees, cold runs.

They use only what a user has: ``publish``/``check`` and the files a publish leaves. Whatever
feedsmith keeps in ``content/.feedsmith-cache/`` is opaque bytes to these tests; the claim
under test is that it can cost time, never change a published byte.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from feedsmith.publish import PublishOptions, PublishReport, publish
from feedsmith.state import TICK_NS

NOW = datetime(2026, 6, 1, tzinfo=UTC)
CACHE_DIR = ".feedsmith-cache"
"""The folder in the content folder where feedsmith keeps its state (README, SPEC)."""
LEDGER = "feedsmith.lock"
MANIFEST = ".feedsmith-manifest.json"
BASE_URL = "https://state.example.org/"


def site_yaml(title: str = "The Quayside Courier", feed_limit: int = 3) -> str:
    return (
        f'title: "{title}"\n'
        f'base_url: "{BASE_URL}"\n'
        'description: "News from the quay, the market and the hill roads."\n'
        "language: en\n"
        "timezone: Europe/Lisbon\n"
        f"feed_limit: {feed_limit}\n"
    )


@dataclass(frozen=True, slots=True)
class Story:
    """What an article file says; ``yaml()`` writes it in the shape of the sample content."""

    title: str
    published: str
    figure: int = 3  # one digit in the body: an edit of it keeps the file's size
    categories: tuple[str, ...] = ()
    updated: str | None = None
    slug: str | None = None
    id: str | None = None
    draft: bool = False

    def yaml(self) -> str:
        lines = [f'title: "{self.title}"']
        if self.slug is not None:
            lines.append(f"slug: {self.slug}")
        if self.id is not None:
            lines.append(f"id: {self.id}")
        lines.append(f"published: {self.published}")
        if self.updated is not None:
            lines.append(f"updated: {self.updated}")
        if self.draft:
            lines.append("draft: true")
        if self.categories:
            lines.append("categories:")
            lines.extend(f'  - "{name}"' for name in self.categories)
        lines += [
            "body: |",
            f"  The ferry committee met on Tuesday and counted {self.figure} late sailings in",
            "  the week, most of them on the early run from the *north pier*.",
            "",
            "  ## What comes next",
            "",
            "  A timetable review is due before the summer; the minutes are on",
            "  [the committee's page](../minutes/).",
        ]
        return "\n".join(lines) + "\n"


def write_content(root: Path, stories: dict[str, Story], site: str | None = None) -> Path:
    """``root/content`` with site.yaml and ``articles/<name>`` for each story."""
    content = root / "content"
    (content / "articles").mkdir(parents=True, exist_ok=True)
    (content / "site.yaml").write_text(site_yaml() if site is None else site, encoding="utf-8")
    for name, story in stories.items():
        (content / "articles" / name).write_text(story.yaml(), encoding="utf-8")
    return content


def run_publish(content: Path, out: Path, now: datetime = NOW) -> PublishReport:
    return publish(PublishOptions(content, out, now, jobs=1))


@dataclass(frozen=True, slots=True)
class Tree:
    """A folder as a deploy would see it: every file's bytes and every folder, empty or not."""

    files: dict[str, bytes]
    folders: frozenset[str]


def read_tree(root: Path, *, skip: str | None = None) -> Tree:
    """Everything under ``root`` (a missing folder reads as empty); ``skip`` leaves out one
    top-level entry by name (the state folder, when a content folder is read)."""
    files: dict[str, bytes] = {}
    folders: set[str] = set()
    if root.exists():
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath)
            if here == root and skip is not None and skip in dirnames:
                dirnames.remove(skip)
            for name in dirnames:
                folders.add((here / name).relative_to(root).as_posix())
            for name in filenames:
                path = here / name
                files[path.relative_to(root).as_posix()] = path.read_bytes()
    return Tree(files, frozenset(folders))


def without_manifest(tree: Tree) -> Tree:
    return Tree({p: b for p, b in tree.files.items() if p != MANIFEST}, tree.folders)


def differences(actual: Tree, expected: Tree) -> list[str]:
    """What differs, one line a path, for an assertion message that names the files."""
    found = [f"missing file {p}" for p in sorted(expected.files.keys() - actual.files.keys())]
    found += [f"extra file {p}" for p in sorted(actual.files.keys() - expected.files.keys())]
    found += [
        f"different bytes {p}"
        for p in sorted(actual.files.keys() & expected.files.keys())
        if actual.files[p] != expected.files[p]
    ]
    found += [f"missing folder {p}" for p in sorted(expected.folders - actual.folders)]
    found += [f"extra folder {p}" for p in sorted(actual.folders - expected.folders)]
    return found


def assert_same_tree(actual: Tree, expected: Tree, what: str = "output") -> None:
    found = differences(actual, expected)
    assert not found, f"{what} differs from a cold publish's:\n  " + "\n  ".join(found[:20])


def copy_content(content: Path, to: Path, *, with_state: bool) -> Path:
    """A copy of the content folder, metadata (mtimes) kept as ``cp -a`` keeps them."""
    ignore = None if with_state else shutil.ignore_patterns(CACHE_DIR)
    shutil.copytree(content, to, symlinks=True, ignore=ignore, copy_function=shutil.copy2)
    return to


def cold_publish(content: Path, work: Path, now: datetime = NOW) -> tuple[Tree, Tree]:
    """What a publish from nothing makes of ``content`` (its ledger included, its state not):
    the output folder, and the content folder afterwards (the ledger it updates)."""
    copy = copy_content(content, work / "content", with_state=False)
    run_publish(copy, work / "out", now)
    return read_tree(work / "out"), read_tree(copy, skip=CACHE_DIR)


def settle(content: Path, seconds: int = 60) -> None:
    """Date every input a minute back, so a cache may trust its stat: a file changed in the
    last moments can change again within one mtime tick, so a careful cache re-reads it."""
    for path in content.rglob("*"):
        if path.is_file() and CACHE_DIR not in path.relative_to(content).parts:
            stat = path.stat()
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - seconds * 10**9))
    # utime sets every ctime to now: wait out the clock tick within which a ctime cannot
    # vouch for the bytes yet (state.TICK_NS).
    time.sleep(2 * TICK_NS / 1e9)


def rewrite_keeping_stat(path: Path, data: bytes) -> None:
    """Replace a file's bytes in place with as many others, its mtime (and atime) kept:
    what ``touch -r``, ``tar --mtime`` or a sync tool leave after an edit."""
    before = path.stat()
    assert len(data) == before.st_size, "only an edit of the same size keeps the stat"
    with path.open("r+b") as handle:
        handle.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )


def ledger_ids(content: Path) -> dict[str, tuple[str, str, str]]:
    """slug -> (id, first published, title) from ``feedsmith.lock`` (SPEC: tab-separated
    ``slug, id, first published, title``, ``#`` comments); {} when there is none yet."""
    path = content / LEDGER
    if not path.exists():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            slug, article_id, published, title = line.split("\t")
            found[slug] = (article_id, published, title)
    return found


def write_ledger_line(content: Path, slug: str, article_id: str | None) -> None:
    """Set (or, with None, remove) the ledger line for ``slug``, the rest kept as written."""
    path = content / LEDGER
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = []
    for line in lines:
        fields = line.rstrip("\n").split("\t")
        if not line.startswith("#") and fields[0] == slug:
            if article_id is None:
                continue
            line = "\t".join([slug, article_id, *fields[2:]]) + "\n"
        kept.append(line)
    path.write_text("".join(kept), encoding="utf-8")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
