"""Fault injection: a publish of a 2,000-article archive killed (SIGKILL, SIGTERM) at many
moments. After each kill: no process of it is left, every file in --out is the old or the new
version whole, SIGTERM left no temporary; the next publish leaves no temporary and is exactly
a clean publish of the content.

Two content folders (the first and the second edition of the archive) publish alternately
into one --out, so each killed publish is a real update of every page and feed, with no copy
of the output between runs. Each edition is killed twice before a publish completes: the
second kill hits an output the first left half-updated.
"""

from __future__ import annotations

import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from feedsmith.write import MANIFEST_NAME, TMP_PREFIX
from tests.faults_support import (
    CACHE,
    generate,
    leftovers,
    run,
    second_edition,
    start,
    tree,
    wait_until_gone,
)

ARTICLES = 2000
KILLS = 8  # per signal; even: every second kill is followed by a completed publish


@dataclass(frozen=True)
class Archive:
    editions: tuple[Path, Path]  # content folders
    clean: tuple[dict[str, bytes], dict[str, bytes]]  # each published alone into an empty folder
    out: Path


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    root = tmp_path_factory.mktemp("archive")
    first = generate(ARTICLES, root / "first")
    second = root / "second"
    shutil.copytree(first, second)
    second_edition(second)
    clean = []
    for content in (first, second):
        done = run(content, root / f"clean-{content.name}")
        assert done.returncode == 0, done.stderr
        clean.append(tree(root / f"clean-{content.name}"))
    # Every page and feed differs between the editions: a kill can catch any mix of them.
    assert set(clean[0]) == set(clean[1])
    changed = [p for p in clean[0] if clean[0][p] != clean[1][p]]
    assert len(changed) > ARTICLES
    out = root / "public"
    done = run(first, out)
    assert done.returncode == 0, done.stderr
    assert tree(out) == clean[0]
    return Archive((first, second), (clean[0], clean[1]), out)


def _finals(files: dict[str, bytes]) -> set[str]:
    """The paths of published files (not of temporaries a SIGKILL left)."""
    return {p for p in files if not Path(p).name.startswith(TMP_PREFIX)}


def _moments(count: int) -> list[float]:
    """Delays after the start, spread from the very start to past the writing phase (a warm
    republish of this archive takes 2-4 s here; the rest die before or after)."""
    return [0.05 + i * 3.5 / (count - 1) for i in range(count)]


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killed_publish_leaves_old_or_new_files_and_nothing_behind(
    archive: Archive, signum: signal.Signals
) -> None:
    outcomes: list[str] = []
    old = 0  # the edition the last completed publish wrote
    for number, delay in enumerate(_moments(KILLS)):
        # Two kills in a row (the second one on a half-updated output), then a publish that
        # completes, and the other edition's turn.
        new = 1 - old
        content = archive.editions[new]
        if number == 2:
            # Cold, this kill and the next: killed while worker processes render articles
            # into a staging tree (killed runs save no cache).
            shutil.rmtree(content / CACHE, ignore_errors=True)
        before = tree(archive.out)
        process = start(content, archive.out)
        time.sleep(delay)
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=120)
        outcomes.append(f"{delay:.2f}s:{process.returncode}")

        # Nothing of the killed publish runs on, workers included.
        alive = wait_until_gone(process.pid, str(content))
        assert alive == [], alive
        assert process.returncode in (-signum, 3, 0), stderr
        if process.returncode == 3:
            assert b"interrupted (SIGTERM)" in stderr
            assert b"Traceback" not in stderr
        if signum == signal.SIGTERM:
            # SIGTERM cleans up before the exit, not only the next publish.
            assert leftovers(content, archive.out) == []

        # Every file is one version or the other, whole, and none is missing.
        after = tree(archive.out)
        for relpath, data in after.items():
            if Path(relpath).name.startswith(TMP_PREFIX) or relpath == MANIFEST_NAME:
                continue
            assert relpath in before, f"{relpath}: not a file of either edition"
            assert data in (archive.clean[old][relpath], archive.clean[new][relpath]), (
                f"{relpath}: neither the old nor the new version (killed after {delay:.2f} s)"
            )
        assert _finals(after) == _finals(before)

        if number % 2 == 1:
            # The next publish finishes the job exactly as a clean one would.
            done = run(content, archive.out)
            assert done.returncode == 0, done.stderr
            assert "warning" not in done.stderr, done.stderr
            assert leftovers(content, archive.out) == []
            assert tree(archive.out) == archive.clean[new]
            old = new
    print(f"{signum.name}: delay:exit status {' '.join(outcomes)}")
    # The kills caught publishes under way, not only finished ones.
    assert sum(not o.endswith(":0") for o in outcomes) >= KILLS // 2
