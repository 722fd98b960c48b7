"""Helpers for the fault tests (tests/test_faults_*.py): real publishes in child processes,
a generated archive in two versions, and what a run leaves behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from feedsmith.write import TMP_PREFIX

REPO = Path(__file__).resolve().parents[1]
NOW = "2026-01-01"
CACHE = ".feedsmith-cache"


def generate(count: int, content: Path) -> Path:
    """``benchmarks/generate.py COUNT CONTENT``: a news-shaped archive."""
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "generate.py"), str(count), str(content)],
        check=True,
        capture_output=True,
    )
    return content


def second_edition(content: Path) -> None:
    """Change every article's title, so every article page and every feed changes."""
    for path in (content / "articles").rglob("*.yaml"):
        first, rest = path.read_text(encoding="utf-8").split("\n", 1)
        assert first.startswith('title: "') and first.endswith('"'), first
        path.write_text(f'{first[:-1]} (v2)"\n{rest}', encoding="utf-8")


def command(content: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "feedsmith", "publish",
        "--content", str(content), "--out", str(out), "--now", NOW, *extra,
    ]


def start(content: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    """A publish in a child process, its output kept (read it with ``communicate``)."""
    return subprocess.Popen(
        command(content, out, *extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def run(content: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(content, out, *extra), capture_output=True, text=True, check=False, timeout=300
    )


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``: relative posix path -> bytes."""
    found: dict[str, bytes] = {}
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(dirpath, name)
            found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found


def leftovers(content: Path, out: Path) -> list[str]:
    """Temporary files and folders a publish leaves when it does not finish: staged files in
    ``out``, spool and staging folders in the content's cache."""
    found = [
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.name.startswith(TMP_PREFIX)
    ]
    cache = content / CACHE
    if cache.is_dir():
        found += [f"{CACHE}/{p.name}" for p in cache.iterdir() if p.name.startswith("spool-")]
    return sorted(found)


def processes_of(pid: int, marker: str) -> list[str]:
    """Live processes that are ``pid`` or its children, or whose command line holds
    ``marker`` (a forked worker keeps its parent's), scanning /proc; zombies are dead."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace"
            )
        except OSError:
            continue  # it just ended
        state, parent = stat.rpartition(")")[2].split()[:2]
        if state in ("Z", "X"):
            continue
        ours = int(entry.name) == pid or int(parent) == pid or marker in cmdline
        if ours and int(entry.name) != os.getpid():
            found.append(f"{entry.name} ({state}): {cmdline.strip()}")
    return found


def wait_until_gone(pid: int, marker: str, seconds: float = 5.0) -> list[str]:
    """The processes of ``processes_of`` still alive after up to ``seconds``.

    A parent-death signal is delivered at once, but a process takes a moment to end.
    """
    deadline = time.monotonic() + seconds
    while True:
        alive = processes_of(pid, marker)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.02)


def wait_for(condition: object, seconds: float = 60.0) -> None:
    """Poll ``condition()`` until true; fail after ``seconds``."""
    assert callable(condition)
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.005)


def holds_lock(pid: int) -> bool:
    """Whether ``pid`` holds a flock (feedsmith's publish lock) now, from /proc/locks."""
    text = Path("/proc/locks").read_text(encoding="ascii")
    return any(
        len(fields) >= 5 and fields[1] == "FLOCK" and fields[4] == str(pid)
        for fields in (line.split() for line in text.splitlines())
    )


def worker_pids(pid: int) -> list[int]:
    """The children of ``pid`` (its worker processes)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                children.append(int(entry.name))
    return children
