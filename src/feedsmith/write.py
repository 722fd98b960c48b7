"""Stage 4, write: rendered files -> the output folder, all or nothing, rewriting only changes.

Two phases. First every changed file is written beside its target as ``.feedsmith-tmp-*``
(or was already written in full, outside ``--out``, by a worker process: ``Staged``); if that
fails (a full disk, a permission), the temporary files are removed and the output folder is
exactly as it was. Then each is renamed over its target, which is atomic on POSIX,
so even a publish killed half-way leaves every file either old or new, never partial (issues
2 and 4). A manifest of what feedsmith wrote lets it remove its own stale files and nothing
else, and lets it skip unchanged files without reading them.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NamedTuple, TypeVar

from feedsmith.errors import FeedsmithError
from feedsmith.records import digest

# ruff: noqa: PTH102, PTH103, PTH104, PTH108, PTH116, PTH123
# The per-file path works on plain strings with os functions: at 10,000 files a Path object
# per file costs more than the system calls themselves (issue 5).

TMP_PREFIX = ".feedsmith-tmp-"
MANIFEST_NAME = ".feedsmith-manifest.json"
_MANIFEST_VERSION = 1

_Target = TypeVar("_Target", str, Path)


@dataclass(frozen=True, slots=True)
class _Recorded:
    size: int
    mtime_ns: int
    digest: str


@dataclass(frozen=True, slots=True)
class Deferred:
    """An output not rendered yet, whose bytes are known to hash to ``digest`` (issue 5).

    The page cache knows what an unchanged page will be without rendering it; when the file
    on disk is the one the manifest recorded with that digest, and untouched since (same size
    and mtime), it is kept as it is and ``render`` is never called.
    """

    digest: str
    render: Callable[[], bytes]


@dataclass(frozen=True, slots=True)
class Staged:
    """An output already written in full at ``path``, outside ``--out`` but on its file
    system, mirroring the output tree (issue 5).

    Worker processes write article pages this way, so the parent never handles their bytes.
    In the rename phase a file is moved into place; a folder that does not exist in
    ``--out`` yet is moved with everything staged under it in one rename (a cold publish's
    ``articles/`` is a single rename instead of 10,000 folders made and files renamed).
    Everything under ``root`` must be meant for the output: the caller removes what is not.
    """

    root: str  # the staging tree; ``path`` is ``root/<relpath>``
    path: str
    size: int
    mtime_ns: int
    digest: str


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    files: dict[str, tuple[int, int]] = field(default_factory=dict)  # output: size, mtime_ns
    digests: dict[str, str] = field(default_factory=dict)  # output: digest of its bytes


def check_out_dir(out_dir: Path) -> None:
    """Fail early, before any rendering, when ``--out`` cannot be a folder we write into."""
    if out_dir.exists() and not out_dir.is_dir():
        raise FeedsmithError(f"{out_dir}: --out is a file, not a folder: choose another --out")
    probe = out_dir
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise FeedsmithError(
            f"{probe}: is a file, so --out {out_dir} cannot be made inside it: choose another --out"
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        raise FeedsmithError(f"{probe}: not writable: choose another --out or fix its permissions")


def safe_relpath(relpath: str) -> PurePosixPath:
    """An output path that cannot leave the output folder (slugs are validated; this guards)."""
    _check_relpath(relpath)
    return PurePosixPath(relpath)


def _check_relpath(relpath: str) -> None:
    # Segments, not PurePosixPath: as strict (no leading "/", no "..", no empty or "."
    # segment, so nothing that normalizes to another path) at a fraction of the cost per
    # file. A backslash is an ordinary character in a POSIX name, as it was before.
    parts = relpath.split("/")
    if "" in parts or "." in parts or ".." in parts:
        raise ValueError(f"refusing to write outside the output folder: {relpath!r}")


def remove_stale_temporaries(
    out_dir: Path, quiet: Mapping[str, Sequence[str]] | None = None
) -> int:
    """Delete ``.feedsmith-tmp-*`` files an interrupted publish left behind (SPEC).

    ``quiet`` maps folders (relative, posix; "" is ``out_dir``) known to hold no temporary
    file to their subfolders worth visiting: those are not listed (see publish._quiet_folders).
    """
    removed = 0
    quiet = quiet or {}
    root = os.fspath(out_dir)
    # scandir with an explicit stack rather than os.walk: it visits every one of the archive's
    # folders on every publish that writes, and this is about a third cheaper (issue 5). Like
    # os.walk, it does not follow symlinked folders and skips folders it cannot list.
    pending = [""]
    while pending:
        relative = pending.pop()
        if relative in quiet:
            pending.extend(quiet[relative])
            continue
        folder = f"{root}/{relative}" if relative else root
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(f"{relative}/{entry.name}" if relative else entry.name)
                elif entry.name.startswith(TMP_PREFIX) and not entry.is_dir():
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                        removed += 1
    return removed


def write_outputs(
    out_dir: Path,
    outputs: Iterable[tuple[str, bytes | Deferred | Staged]],
    quiet: Mapping[str, Sequence[str]] | None = None,
) -> WriteReport:
    """Write every (relative path, bytes) into ``out_dir``; see the module doc for guarantees.

    ``outputs`` may be a generator: files are staged as they come, so rendered pages need not
    all be held in memory at once. A path given twice is a bug in the caller and is refused.
    A ``Deferred`` in place of bytes is rendered only if the file is not already as recorded;
    a ``Staged`` file is moved in rather than written.
    """
    check_out_dir(out_dir)
    remove_stale_temporaries(out_dir, quiet)
    recorded = _read_manifest(out_dir)
    report = WriteReport()
    manifest: dict[str, _Recorded] = {}
    staged: list[_Pending] = []
    # Plain strings rather than Path objects, and one lstat per file: at 10,000 unchanged
    # files the Path arithmetic and repeated stats cost more than anything else here (issue 5).
    root = os.fspath(out_dir)
    folders: set[str] = set()  # made (or found) by this publish: one makedirs per folder
    try:
        for relpath, data in outputs:
            if relpath in manifest:
                raise FeedsmithError(
                    f"{relpath}: two outputs want this path (does a file in content/static/"
                    " clash with a generated page?): rename one; nothing was changed"
                )
            _check_relpath(relpath)
            target = f"{root}/{relpath}"
            found = _lstat(target)
            if found is not None and stat.S_ISLNK(found.st_mode):
                # A symlink is replaced by the rename like a file; compare what it points to.
                found = _lstat(target, follow=True)
            elif found is not None and stat.S_ISDIR(found.st_mode):
                # Found now, while nothing is replaced yet, not half-way through the renames.
                raise FeedsmithError(
                    f"{target}: is a folder, but feedsmith writes a file there: move the folder"
                    " away; nothing was changed"
                )
            known = recorded.get(relpath)
            if isinstance(data, Staged):
                if found is not None and _staged_unchanged(target, found, data, known):
                    manifest[relpath] = _Recorded(found.st_size, found.st_mtime_ns, data.digest)
                    report.unchanged += 1
                    continue
                # Its folder needs no check: had a file stood in for it, the lstat of the
                # target would have failed already (ENOTDIR).
                staged.append(_Pending(data.path, target, relpath, data.root))
                manifest[relpath] = _Recorded(data.size, data.mtime_ns, data.digest)
                continue
            if isinstance(data, Deferred):
                if known and known.digest == data.digest and _as_recorded(found, known):
                    manifest[relpath] = known
                    report.unchanged += 1
                    continue
                data = data.render()
            data_digest = digest(data)
            if found is not None and _unchanged(target, found, data, data_digest, known):
                manifest[relpath] = _Recorded(found.st_size, found.st_mtime_ns, data_digest)
                report.unchanged += 1
                continue
            folder = target.rpartition("/")[0]
            if folder not in folders:
                os.makedirs(folder, exist_ok=True)
                folders.add(folder)
            try:
                temporary = _stage(target, data)
                # A rename keeps the file's mtime, so the staged file's is the final one.
                written = os.stat(temporary)
            except OSError as exc:
                # A failed write() (ENOSPC, EDQUOT) carries no file name: name the target.
                exc.filename = exc.filename or target
                raise
            staged.append(_Pending(temporary, target, relpath, None))
            manifest[relpath] = _Recorded(written.st_size, written.st_mtime_ns, data_digest)
    except OSError as exc:
        _discard(staged)
        raise FeedsmithError(
            f"{exc.filename or out_dir}: cannot write: {exc.strerror}; nothing was changed"
        ) from exc
    except BaseException:
        _discard(staged)
        raise

    moved: set[str] = set()  # folders moved whole from a staging tree
    for done, (temporary, target, relpath, tree) in enumerate(staged):
        try:
            if tree is None or not _moved_with_folder(root, relpath, tree, moved):
                # Path.replace, not os.replace: tests inject a failing rename there.
                Path(temporary).replace(target)
        except OSError as exc:
            # Renames within one folder do not fail on a sound disk; if one does, every file
            # is still whole (old or new), and publishing again finishes the job.
            _discard(staged[done:])
            raise FeedsmithError(
                f"{target}: cannot replace: {exc.strerror}; {done} of {len(staged)} changed"
                " files were updated, the rest are as before: fix this and publish again"
            ) from exc
        report.written.append(relpath)

    for relpath in sorted(set(recorded) - set(manifest)):
        # Only files an earlier publish wrote (they are in its manifest) are ever removed.
        stale = out_dir / safe_relpath(relpath)
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
            report.removed.append(relpath)
        _remove_empty_parents(stale.parent, out_dir)
    if staged or report.removed or not (out_dir / MANIFEST_NAME).exists():
        try:
            _write_manifest(out_dir, manifest)
        except OSError as exc:
            # Every file is already published; only the record of them is old. The next
            # publish compares contents instead of trusting it, so nothing is lost.
            raise FeedsmithError(
                f"{out_dir / MANIFEST_NAME}: cannot write: {exc.strerror}; the files were"
                " published, but fix this and publish again to record them"
            ) from exc
    report.files = {relpath: (r.size, r.mtime_ns) for relpath, r in manifest.items()}
    report.digests = {relpath: r.digest for relpath, r in manifest.items()}
    return report


class _Pending(NamedTuple):
    """A file written in full, waiting for the rename phase."""

    temporary: str  # beside the target, or in a staging tree
    target: str
    relpath: str
    tree: str | None  # the staging tree holding ``temporary`` (see Staged), if any


def _staged_unchanged(
    target: str, found: os.stat_result, staged: Staged, recorded: _Recorded | None
) -> bool:
    if found.st_size != staged.size:
        return False
    if recorded is not None and _as_recorded(found, recorded):
        return recorded.digest == staged.digest
    with open(target, "rb") as current, open(staged.path, "rb") as new:
        return current.read() == new.read()


def _moved_with_folder(root: str, relpath: str, tree: str, moved: set[str]) -> bool:
    """Move the outermost folder of ``relpath`` missing from ``root`` in from ``tree``, with all
    it holds; True if the file was (now or before) moved that way, False if its folder exists
    and it must be renamed by itself."""
    prefix = ""
    for name in relpath.split("/")[:-1]:
        prefix = f"{prefix}/{name}" if prefix else name
        if prefix in moved:
            return True
        if not os.path.lexists(f"{root}/{prefix}"):
            os.rename(f"{tree}/{prefix}", f"{root}/{prefix}")
            moved.add(prefix)
            return True
    return False


def _lstat(target: str, *, follow: bool = False) -> os.stat_result | None:
    try:
        return os.stat(target, follow_symlinks=follow)
    except FileNotFoundError:
        return None


def _unchanged(
    target: str, found: os.stat_result, data: bytes, data_digest: str, recorded: _Recorded | None
) -> bool:
    if found.st_size != len(data):
        return False
    if (
        recorded is not None
        and recorded.size == found.st_size
        and recorded.mtime_ns == found.st_mtime_ns
    ):
        # The file is as we left it; comparing digests spares reading it.
        return recorded.digest == data_digest
    with open(target, "rb") as handle:
        return handle.read() == data


def _as_recorded(found: os.stat_result | None, recorded: _Recorded) -> bool:
    return (
        found is not None
        and found.st_size == recorded.size
        and found.st_mtime_ns == recorded.mtime_ns
    )


def _stage(target: _Target, data: bytes) -> _Target:
    """Write ``data`` to a new temporary file beside ``target``, in an existing folder."""
    folder, _, name = os.fspath(target).rpartition("/")
    temporary = f"{folder}/{TMP_PREFIX}{secrets.token_hex(6)}-{name}"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    try:
        with open(handle, "wb") as stream:
            stream.write(data)
            # Pages are world-readable on a web host, whatever the umask took away from 0o644
            # (mkstemp-style 0600 would break that); on the descriptor, sparing a path lookup.
            os.fchmod(handle, 0o644)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return temporary if isinstance(target, str) else Path(temporary)


def stage_in_tree(tree: str, relpath: str, data: bytes) -> Staged:
    """Write an output in full at ``tree/relpath``, to be moved into ``--out`` later.

    A cold publish calls this 10,000 times per 10,000 articles, in worker processes, so it
    makes the fewest system calls it can: one mkdir for the page's own folder, no Python
    file object (which would add fstat, ioctl and lseek calls), chmod only when the umask took
    a permission away. (A chmod changes the ctime only: the fstat's size and mtime stand.)
    """
    _check_relpath(relpath)
    path = f"{tree}/{relpath}"
    try:
        folder = path.rpartition("/")[0]
        try:
            os.mkdir(folder)  # a page's own folder: new in all but rare cases
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
        handle = os.open(path, _CREATE, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
            written = os.fstat(handle)
            if stat.S_IMODE(written.st_mode) != 0o644:
                os.fchmod(handle, 0o644)  # world-readable whatever the umask (see _stage)
        finally:
            os.close(handle)
    except OSError as exc:
        exc.filename = exc.filename or path  # a failed write() (ENOSPC) names no file
        raise
    return Staged(tree, path, written.st_size, written.st_mtime_ns, digest(data))


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC


def _discard(staged: list[_Pending]) -> None:
    for temporary, *_ in staged:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _remove_empty_parents(folder: Path, out_dir: Path) -> None:
    while folder != out_dir and out_dir in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _read_manifest(out_dir: Path) -> dict[str, _Recorded]:
    try:
        raw = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        files = raw["files"] if raw.get("version") == _MANIFEST_VERSION else {}
        return {
            str(path): _Recorded(int(v[0]), int(v[1]), str(v[2]))
            for path, v in files.items()
            if _is_safe(str(path))
        }
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        # No manifest (first publish) or a damaged one: then nothing counts as ours to delete.
        return {}


def _is_safe(relpath: str) -> bool:
    try:
        _check_relpath(relpath)
    except ValueError:
        return False
    return True


def _write_manifest(out_dir: Path, manifest: dict[str, _Recorded]) -> None:
    payload = {
        "version": _MANIFEST_VERSION,
        "files": {p: [r.size, r.mtime_ns, r.digest] for p, r in sorted(manifest.items())},
    }
    # Compact: it is rewritten by every publish that changes a file, and read by every one.
    text = json.dumps(payload, separators=(",", ":"), check_circular=False)
    write_file_atomically(out_dir / MANIFEST_NAME, (text + "\n").encode("utf-8"))


def write_file_atomically(target: Path, data: bytes) -> None:
    """Write one file via a temporary beside it and a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = _stage(target, data)
    try:
        temporary.replace(target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
