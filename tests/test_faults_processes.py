"""A publish as a process: its workers end with it, signals leave nothing behind and give the
documented exit status, and two publishes of the same folders never run at once.

Real processes (``python -m feedsmith publish``), real signals, /proc to find what is left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from feedsmith.locks import WAIT_SECONDS
from tests.faults_support import (
    CACHE,
    holds_lock,
    leftovers,
    run,
    start,
    tree,
    wait_for,
    wait_until_gone,
    worker_pids,
)
from tests.input_support import write_many, write_site

ARTICLES = 1200  # enough for a pool of workers (300 files or more) and a few seconds of work


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = write_site(tmp_path, {})
    write_many(folder, ARTICLES, categories=5)
    return folder


def _rendering(process: subprocess.Popen[bytes]) -> list[tuple[int, str]]:
    """Wait until the publish has worker processes; return their identities."""
    found: list[tuple[int, str]] = []

    def started() -> bool:
        assert process.poll() is None, "the publish ended before its workers started"
        found[:] = [i for i in map(_identity, worker_pids(process.pid)) if i is not None]
        return bool(found)

    wait_for(started)
    return found


def test_sigkill_of_a_publish_ends_its_workers_and_frees_its_output(
    tmp_path: Path, content: Path, reaped: list[subprocess.Popen[bytes]]
) -> None:
    out = tmp_path / "public"
    # As in ``feedsmith publish | tee log``: stdout is a pipe, read to its end.
    process = start(content, out)
    reaped.append(process)
    workers = _rendering(process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert wait_until_gone(process.pid, str(content)) == []
    # Each worker by pid and start time: on a busy machine a pid can be taken again. An
    # exiting worker's cmdline reads empty before it is a zombie (so the scan above no
    # longer sees it): it gets the same few seconds to end.
    deadline = time.monotonic() + 5.0
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [w for w in workers if _alive(w)] == []
    # Nobody holds its stdout and stderr open any more: reading them ends at once (a
    # worker left alive would keep ``feedsmith publish | tee log`` waiting).
    process.communicate(timeout=5)
    # The killed run's spool is there until the next publish, which removes it.
    done = run(content, out)
    assert done.returncode == 0, done.stderr
    assert leftovers(content, out) == []


def _identity(pid: int) -> tuple[int, str] | None:
    """(pid, start time in clock ticks since boot) of a live process, else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rpartition(")")[2].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else (pid, fields[19])


def _alive(worker: tuple[int, str]) -> bool:
    return _identity(worker[0]) == worker


@pytest.mark.parametrize(
    ("signum", "status", "message"),
    [
        (signal.SIGTERM, 3, "interrupted (SIGTERM): nothing half-written is left; publish again"),
        (signal.SIGINT, 130, "interrupted: nothing half-written is left; publish again"),
    ],
    ids=["SIGTERM", "SIGINT"],
)
def test_sigterm_and_sigint_remove_temporaries_before_the_exit(
    tmp_path: Path,
    content: Path,
    reaped: list[subprocess.Popen[bytes]],
    signum: signal.Signals,
    status: int,
    message: str,
) -> None:
    out = tmp_path / "public"
    process = start(content, out)
    reaped.append(process)
    _rendering(process)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == status, stderr
    assert stderr.decode().splitlines() == [message]
    assert wait_until_gone(process.pid, str(content)) == []
    assert leftovers(content, out) == []
    assert not out.exists()  # it was made for the publish, and is empty: it goes again


def _stopped_holding_the_lock(
    content: Path, out: Path, *, rendering: bool = True
) -> subprocess.Popen[bytes]:
    """A publish frozen (SIGSTOP, its workers too) while it holds its locks (and has workers
    rendering); ``_resume`` lets it go on."""
    process = start(content, out)
    wait_for(
        lambda: holds_lock(process.pid) and (not rendering or bool(worker_pids(process.pid)))
    )
    process.send_signal(signal.SIGSTOP)
    for worker in worker_pids(process.pid):
        os.kill(worker, signal.SIGSTOP)
    return process


def _resume(process: subprocess.Popen[bytes]) -> None:
    for worker in worker_pids(process.pid):
        os.kill(worker, signal.SIGCONT)
    process.send_signal(signal.SIGCONT)


@pytest.fixture
def reaped() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test started, killed and waited for whatever the test's outcome."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            _resume(process)
            process.kill()
        process.communicate()


def _cache_listing(content: Path) -> list[str]:
    return sorted(p.relative_to(content).as_posix() for p in (content / CACHE).rglob("*"))


def test_a_second_publish_stops_naming_the_first_and_touches_nothing(
    tmp_path: Path, content: Path, reaped: list[subprocess.Popen[bytes]]
) -> None:
    out = tmp_path / "public"
    assert run(content, out).returncode == 0
    clean = tree(out)
    (content / "articles" / "article-00007.yaml").write_text(
        'title: "Edited"\npublished: 2024-01-01T00:07:00Z\nbody: New text.\n', encoding="utf-8"
    )
    for item in (content / CACHE).iterdir():  # a cold publish: workers, spool, staging
        if item.is_file():
            item.unlink()
    first = _stopped_holding_the_lock(content, out)
    reaped.append(first)
    try:
        out_before, cache_before = tree(out), _cache_listing(content)

        # Same content: its lock is the one taken first.
        started = time.monotonic()
        second = run(content, out)
        waited = time.monotonic() - started
        assert second.returncode == 3
        assert second.stderr.splitlines() == [
            f"error: another publish of content {content} is running (pid {first.pid}): wait"
            " for it to finish and publish again"
        ]
        assert waited >= WAIT_SECONDS

        # Other content, same --out: the output folder's lock.
        other = write_site(tmp_path / "other")
        third = run(other, out)
        assert third.returncode == 3
        assert third.stderr.splitlines() == [
            f"error: another publish of --out {out} is running (pid {first.pid}): wait for it"
            " to finish and publish again"
        ]
        # Neither removed the first one's files (its spool, its staged pages).
        assert tree(out) == out_before
        assert _cache_listing(content) == cache_before
    finally:
        _resume(first)
    _, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr
    assert tree(out) != clean
    reference = tmp_path / "reference"
    assert run(content, reference).returncode == 0
    assert tree(out) == tree(reference)
    assert leftovers(content, out) == []


def test_a_second_publish_waits_for_a_first_that_finishes(
    tmp_path: Path, reaped: list[subprocess.Popen[bytes]]
) -> None:
    content = write_site(tmp_path, {})
    write_many(content, 100)  # done well within the wait once it runs again
    out = tmp_path / "public"
    first = _stopped_holding_the_lock(content, out, rendering=False)
    second = start(content, out)
    reaped += [first, second]
    time.sleep(1)  # the second one is waiting now
    assert second.poll() is None
    _resume(first)
    first.communicate(timeout=120)
    assert first.returncode == 0
    _, stderr = second.communicate(timeout=120)
    assert second.returncode == 0, stderr
    assert leftovers(content, out) == []


def test_a_failed_publish_into_a_new_folder_leaves_no_folder(tmp_path: Path) -> None:
    """The lock needs the folder to exist; a publish that fails removes it again."""
    content = write_site(tmp_path, {"bad.yaml": "title: x\npublished: someday\nbody: y\n"})
    out = tmp_path / "new" / "public"
    done = run(content, out)
    assert done.returncode == 1
    assert not (tmp_path / "new").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["content"]
