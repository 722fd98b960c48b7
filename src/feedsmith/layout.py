"""The content folder's layout, named once, and the identity of every input file in it.

Only the standard library is imported: a publish with nothing to do must stay cheap.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import NamedTuple

SITE_FILE = "site.yaml"
ARTICLES_DIR = "articles"
STATIC_DIR = "static"
TEMPLATES_DIR = "templates"
LEDGER_FILE = "feedsmith.lock"
CACHE_DIR = ".feedsmith-cache"
"""Inside the content folder, never in ``--out``: nothing in it can be published."""
STATE_FILE = "state.sqlite"
"""The publish state inside ``CACHE_DIR`` (see state.py)."""
SPOOL_PREFIX = "spool-"
"""A publish's private folder inside ``CACHE_DIR`` for pages and bodies rendered by workers."""

INPUT_FILES = (SITE_FILE, LEDGER_FILE)
INPUT_FOLDERS = (ARTICLES_DIR, STATIC_DIR, TEMPLATES_DIR)


class Identity(NamedTuple):
    """What a file's stat says of it. When all four are as recorded, so are its bytes, with
    one exception the state handles: a change within the same clock tick as the recording
    ("racily clean", see state.py). ``ctime`` is what ``touch -r``, ``utime`` and a tar
    extract cannot set back, so an edit that keeps size and mtime still changes it."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int


MISSING = Identity(-1, 0, 0, 0)
"""A name that could not be stat'ed (a dangling link, a file removed while scanning)."""
FOLDER = Identity(-2, 0, 0, 0)
"""A folder: recorded so that an empty folder appearing counts as a change too."""


def identity_of(stat: os.stat_result) -> Identity:
    return Identity(stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def scan_inputs(content_dir: Path) -> dict[str, Identity]:
    """Every input file's identity, by path relative to ``content_dir`` (posix), sorted.

    Covers site.yaml, the ledger and everything under articles/, static/ and templates/,
    hidden files and links too: looking at more than load.py reads can only cause an unneeded
    publish, never a missed one. Symbolic links to folders are followed (load.py follows
    those that stay inside the content folder), each real folder once.
    """
    found: dict[str, Identity] = {}
    for name in INPUT_FILES:
        with contextlib.suppress(OSError):
            found[name] = identity_of((content_dir / name).stat())
    walked: set[tuple[int, int]] = set()
    for folder in INPUT_FOLDERS:
        _scan_folder(f"{content_dir}/{folder}", folder, found, walked)
    return dict(sorted(found.items()))


# The loops over every input file use os.stat and os.scandir on plain strings: for 10,000
# files, building Path objects would cost a good part of a no-change publish's budget.


def _scan_folder(
    folder: str, relative: str, found: dict[str, Identity], walked: set[tuple[int, int]]
) -> None:
    try:
        stat = os.stat(folder)  # noqa: PTH116 - a hot loop (see above)
        if (stat.st_dev, stat.st_ino) in walked:
            return
        walked.add((stat.st_dev, stat.st_ino))
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        child = f"{relative}/{entry.name}"
        try:
            if entry.is_dir():
                found[child] = FOLDER
                _scan_folder(entry.path, child, found, walked)
            else:
                found[child] = identity_of(entry.stat())
        except OSError:
            # Noted all the same, so that its repair or reappearance is a change.
            found[child] = MISSING


def read_with_stat(path: str) -> tuple[os.stat_result, bytes]:
    """A file's stat and bytes in five system calls, where Path.stat and read_bytes make eight.

    The stat is taken before reading: if the file changes in between, the recorded identity
    is the older one and the next publish reads the file again.
    """
    handle = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        stat = os.fstat(handle)
        chunks = []
        while chunk := os.read(handle, max(stat.st_size + 1, 65536)):
            chunks.append(chunk)
    finally:
        os.close(handle)
    return stat, b"".join(chunks)
