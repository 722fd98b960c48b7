"""One publish at a time per content folder and per output folder.

Two publishes into one ``--out`` would each take the other's staged files for leftovers of a
killed run and delete them; two of one content folder would race on its ledger and cache. So
``publishing`` holds an exclusive ``flock`` on each folder for the whole publish. A second
publish waits a few seconds (a publish with nothing to do takes well under a second), then
stops with a ``MachineError`` naming the folder and the process that holds it.

The lock is taken on the folder itself (an ``open`` of the directory), not on a lock file:
nothing is added to ``--out``, so two publishes of the same content into two empty folders
stay byte-identical, and the folder's mtime, which tells the next publish whether anything
appeared in it, is not touched. A read-only content folder can be locked all the same. An
``--out`` that does not exist yet is made first, so that there is something to lock, and
removed again if the publish leaves it empty (a content error must not leave a folder behind).
The kernel drops a lock when its holder dies, however it dies: a killed publish never leaves a
lock to delete by hand.

The lock also makes safe what only a lone publish may do: remove the pages and bodies a killed
publish of the same content left in the cache folder (``sweep_spools``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from feedsmith.errors import MachineError, UsageError
from feedsmith.layout import CACHE_DIR, SPOOL_PREFIX

WAIT_SECONDS = 5.0
"""How long a publish waits for another one of the same folders to finish."""
_POLL_SECONDS = 0.05


@contextlib.contextmanager
def publishing(
    content_dir: Path, out_dir: Path, wait_seconds: float = WAIT_SECONDS
) -> Iterator[None]:
    """Refuse an ``--out`` that overlaps the content, then hold both folders' locks."""
    check_separate(content_dir, out_dir)
    with _locked(content_dir, "content", wait_seconds):
        sweep_spools(content_dir)
        with _locked(out_dir, "--out", wait_seconds, make=True):
            yield


def check_separate(content_dir: Path, out_dir: Path) -> None:
    """``--out`` equal to, inside or around the content folder is a usage error (exit 2).

    Inside it, each publish would copy the last output into the next (``static/`` aside, the
    content folder is read as a whole); around it, its stale-file removal and the content
    would overlap. Compared resolved, so a symlink or ``..`` does not hide the overlap.
    """
    content = content_dir.resolve()
    out = out_dir.resolve()
    if out == content:
        where = "is the content folder"
    elif content in out.parents:
        where = "is inside the content folder"
    elif out in content.parents:
        where = "holds the content folder"
    else:
        return
    raise UsageError(
        f"--out {out_dir} {where} {content_dir}: choose an output folder outside it,"
        " e.g. --out public beside the content folder"
    )


def sweep_spools(content_dir: Path) -> None:
    """Remove the spool folders of killed publishes of ``content_dir``.

    Only called with the content folder's lock held: no other publish of it is running, so
    every spool folder there belongs to one that died (a SIGKILL runs no cleanup).
    """
    cache = content_dir / CACHE_DIR
    with contextlib.suppress(OSError):
        for spool in cache.glob(SPOOL_PREFIX + "*"):
            shutil.rmtree(spool, ignore_errors=True)


@contextlib.contextmanager
def _locked(folder: Path, role: str, wait_seconds: float, *, make: bool = False) -> Iterator[None]:
    made: list[Path] = []  # folders this publish made, innermost first
    deadline = time.monotonic() + wait_seconds
    while True:
        if make and not folder.exists() and not folder.is_symlink():
            missing = [folder, *(p for p in folder.parents if not p.exists())]
            try:
                folder.mkdir(parents=True)
                made = [p for p in missing if p.is_dir()]
            except FileExistsError:
                pass
            except OSError:
                # Cannot be made here: the writer's own checks say why, in its words.
                yield
                return
        try:
            handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            yield  # not a folder (or unreadable): the publish reports it where it looks
            return
        if _try_lock(handle, folder, role, deadline):
            break
        # The folder was removed (and perhaps made again) while this publish waited for it:
        # a lock on the old one guards nothing; lock the one there now.
        os.close(handle)
        made = []
    try:
        yield
    finally:
        # The folders this publish made and left empty (it failed before writing) go, while
        # the lock is still held: a waiting publish then sees its folder gone (above).
        with contextlib.suppress(OSError):
            for empty in made:
                empty.rmdir()
        os.close(handle)  # releases the lock


def _try_lock(handle: int, folder: Path, role: str, deadline: float) -> bool:
    """Lock ``handle`` (waiting until ``deadline``); False when ``folder`` is no longer the
    folder ``handle`` is open on. Raises ``MachineError`` when another publish keeps it."""
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                os.close(handle)
                raise MachineError(f"{folder}: cannot lock: {exc.strerror}") from exc
        if time.monotonic() >= deadline:
            holder = _holder(handle)
            os.close(handle)
            by = f" (pid {holder})" if holder is not None else ""
            raise MachineError(
                f"another publish of {role} {folder} is running{by}: wait for it to finish"
                " and publish again"
            )
        time.sleep(_POLL_SECONDS)
    try:
        same = folder.stat().st_ino == os.fstat(handle).st_ino
    except OSError:
        same = False
    return same


def _holder(handle: int) -> int | None:
    """The process holding a flock on ``handle``'s file, from Linux's /proc/locks; else None.

    Each line reads ``1: FLOCK  ADVISORY  WRITE 4711 08:01:393 0 EOF``: the pid, then the
    device (major:minor in hex) and inode of the locked file.
    """
    found = os.fstat(handle)
    wanted = f"{os.major(found.st_dev):02x}:{os.minor(found.st_dev):02x}:{found.st_ino}"
    try:
        with open("/proc/locks", encoding="ascii") as locks:  # noqa: PTH123 - a system file
            for line in locks:
                fields = line.split()
                if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == wanted:
                    return int(fields[4])
    except (OSError, ValueError):
        return None
    return None
