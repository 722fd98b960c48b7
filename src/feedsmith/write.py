"""Stage 4, write: rendered files -> the output folder, all or nothing, rewriting only changes.

Two phases. First every changed file is written beside its target as ``.feedsmith-tmp-*``
(or was already written in full, outside ``--out``, by a worker process: ``Staged``); if that
fails (a full disk, a permission), the temporary files are removed and the output folder is
exactly as it was. Then each is renamed over its target, which is atomic on POSIX,
so even a publish killed half-way leaves every file either old or new, never partial (issues
2 and 4).

The output folder is the user's, so feedsmith keeps a manifest (``.feedsmith-manifest.json``)
of the digest of every file it wrote. Before anything changes, each file about to be replaced
or removed is compared with it: one feedsmith never wrote stops the publish (``--force`` takes
it over); one someone edited since is replaced or removed with a warning; only files in the
manifest are ever removed. A folder of the output replaced by a symlink is refused, never
written through: it could point anywhere outside ``--out``. The manifest holds only what the
content decides (no stats), so two publishes into two empty folders are byte-identical; the
caller may pass the stats the last publish left (``stats``) to spare reading unchanged files.
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

from feedsmith.errors import FeedsmithError, InputError, MachineError, UsageError
from feedsmith.records import digest

# ruff: noqa: PTH102, PTH103, PTH104, PTH106, PTH108, PTH112, PTH115, PTH116, PTH123
# The per-file path works on plain strings with os functions: at 10,000 files a Path object
# per file costs more than the system calls themselves (issue 5).

TMP_PREFIX = ".feedsmith-tmp-"
MANIFEST_NAME = ".feedsmith-manifest.json"
_MANIFEST_VERSION = 2
_OLD_MANIFEST_VERSION = 1  # [size, mtime_ns, digest] per file: read, never written

_Target = TypeVar("_Target", str, Path)


@dataclass(frozen=True, slots=True)
class Deferred:
    """An output not rendered yet, whose bytes are known to hash to ``digest`` (issue 5).

    The page cache knows what an unchanged page will be without rendering it; when the file
    on disk already has that digest, it is kept as it is and ``render`` is never called.
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
    # Files someone changed after feedsmith wrote them, replaced or removed all the same.
    warnings: list[InputError] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Manifest:
    """What feedsmith wrote into ``--out``: the digest of each file (see ``write_outputs``).

    ``pending`` holds the files a publish was about to rename into place: if it is killed
    half-way, each of them is the old or the new version, and both count as feedsmith's.
    A publish that completes writes no ``pending``, so the manifest depends only on the
    content: two publishes of it into two empty folders leave the same bytes.
    """

    files: dict[str, str]
    pending: dict[str, str]
    text: bytes  # as read, to skip writing the same again

    def ours(self, relpath: str) -> bool:
        return relpath in self.files or relpath in self.pending

    def wrote(self, relpath: str, found_digest: str | None) -> bool:
        """Whether ``found_digest`` is what feedsmith left at ``relpath``."""
        return found_digest is not None and found_digest in (
            self.files.get(relpath),
            self.pending.get(relpath),
        )


def check_out_dir(out_dir: Path) -> None:
    """Fail early, before any rendering, when ``--out`` cannot be a folder we write into."""
    if out_dir.is_symlink() and not out_dir.exists():
        raise UsageError(
            f"{out_dir}: --out is a symbolic link to {os.readlink(out_dir)}, which does not"
            " exist: make that folder, remove the link, or choose another --out"
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: --out is a file, not a folder: choose another --out")
    probe = out_dir
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise UsageError(
            f"{probe}: is a file, so --out {out_dir} cannot be made inside it: choose another --out"
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        raise MachineError(
            f"{probe}: not writable: choose another --out or fix its permissions"
        )


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
    *,
    stats: Mapping[str, tuple[int, int]] | None = None,
    force: bool = False,
) -> WriteReport:
    """Write every (relative path, bytes) into ``out_dir``; see the module doc for guarantees.

    ``outputs`` may be a generator: files are staged as they come, so rendered pages need not
    all be held in memory at once. A path given twice is a bug in the caller and is refused.
    A ``Deferred`` in place of bytes is rendered only if the file is not already as recorded;
    a ``Staged`` file is moved in rather than written.

    The output folder is the user's: a file where an output goes that feedsmith did not write
    (it is not in the manifest) stops the publish before anything changes (``UsageError``),
    unless ``force`` takes it over; a file feedsmith wrote and someone changed since is
    replaced or removed with a warning in ``WriteReport.warnings``.

    ``stats`` is (size, mtime_ns) per output as the last publish left it (``WriteReport.files``
    of that publish, kept by the caller): a file that still has its stat is trusted to have
    the manifest's digest and is not read. Without one, the file's bytes decide.
    """
    check_out_dir(out_dir)
    remove_stale_temporaries(out_dir, quiet)
    recorded = _read_manifest(out_dir)
    known_stats = stats or {}
    report = WriteReport()
    manifest: dict[str, str] = {}
    staged: list[_Pending] = []
    # Plain strings rather than Path objects, and one lstat per file: at 10,000 unchanged
    # files the Path arithmetic and repeated stats cost more than anything else here (issue 5).
    root = os.fspath(out_dir)
    folders: set[str] = set()  # made (or found) by this publish: one makedirs per folder
    made: list[str] = []  # folders this publish created, to remove again if it fails
    checked: set[str] = {""}  # folders known not to be symlinks (see _check_folders)
    stale: list[str] = []
    current = recorded.text  # the manifest's bytes on disk
    try:
        for relpath, data in outputs:
            if relpath in manifest:
                raise FeedsmithError(
                    f"{relpath}: two outputs want this path (does a file in content/static/"
                    " clash with a generated page?): rename one; nothing was changed"
                )
            _check_relpath(relpath)
            _check_folders(root, relpath, checked)
            target = f"{root}/{relpath}"
            found = _lstat(target)
            if found is not None and stat.S_ISLNK(found.st_mode):
                # A symlink is replaced by the rename like a file; compare what it points to.
                found = _lstat(target, follow=True) or found
            if found is not None and stat.S_ISDIR(found.st_mode):
                # Found now, while nothing is replaced yet, not half-way through the renames.
                raise UsageError(
                    f"{target}: is a folder, but feedsmith writes a file there: move the folder"
                    " away; nothing was changed"
                )
            new_digest = data.digest if isinstance(data, Staged | Deferred) else digest(data)
            manifest[relpath] = new_digest
            if found is not None:
                found_digest = _found_digest(target, found, relpath, recorded, known_stats)
                if found_digest == new_digest:
                    report.files[relpath] = (found.st_size, found.st_mtime_ns)
                    report.unchanged += 1
                    continue
                _claim(target, relpath, found_digest, recorded, force, report)
            if isinstance(data, Staged):
                # Its folder needs no check: had a file stood in for it, the lstat of the
                # target would have failed already (ENOTDIR).
                staged.append(_Pending(data.path, target, relpath, data.root))
                report.files[relpath] = (data.size, data.mtime_ns)
                continue
            if isinstance(data, Deferred):
                data = data.render()
            folder = target.rpartition("/")[0]
            if folder not in folders:
                _make_folders(folder, made)
                folders.add(folder)
            try:
                temporary = _stage(target, data)
                # Listed at once: an interruption from here on must find it to remove it.
                staged.append(_Pending(temporary, target, relpath, None))
                # A rename keeps the file's mtime, so the staged file's is the final one.
                written = os.stat(temporary)
            except OSError as exc:
                # A failed write() (ENOSPC, EDQUOT) carries no file name: name the target.
                exc.filename = exc.filename or target
                raise
            report.files[relpath] = (written.st_size, written.st_mtime_ns)
        stale = _stale_files(root, manifest, recorded, known_stats, checked, report)
        if staged:
            # Before the first rename: a publish killed among the renames leaves files that
            # are either version, and the next one must know both are feedsmith's.
            pending = dict(recorded.pending)
            pending.update((p.relpath, manifest[p.relpath]) for p in staged)
            current = _write_manifest(out_dir, recorded.files, pending, current)
    except OSError as exc:
        _discard(staged, made, {root, *folders})
        raise MachineError(
            f"{exc.filename or out_dir}: cannot write: {exc.strerror}; nothing was changed"
        ) from exc
    except BaseException:
        _discard(staged, made, {root, *folders})
        raise

    moved: set[str] = set()  # folders moved whole from a staging tree
    done = 0
    try:
        for done, (temporary, target, relpath, tree) in enumerate(staged):  # noqa: B007
            if tree is None or not _moved_with_folder(root, relpath, tree, moved):
                # Path.replace, not os.replace: tests inject a failing rename there.
                Path(temporary).replace(target)
            report.written.append(relpath)
    except OSError as exc:
        # Renames within one folder do not fail on a sound disk; if one does, every file
        # is still whole (old or new), and publishing again finishes the job.
        _discard(staged[done:], [], {root, *folders})
        raise MachineError(
            f"{staged[done].target}: cannot replace: {exc.strerror}; {done} of"
            f" {len(staged)} changed files were updated, the rest are as before: fix this and"
            " publish again"
        ) from exc
    except BaseException:
        _discard(staged[done:], [], {root, *folders})  # interrupted (SIGTERM, Ctrl-C): none stays
        raise

    for relpath in stale:
        # Only files an earlier publish wrote (they are in its manifest) are ever removed.
        stale_path = out_dir / safe_relpath(relpath)
        with contextlib.suppress(FileNotFoundError):
            stale_path.unlink()
            report.removed.append(relpath)
        _remove_empty_parents(stale_path.parent, out_dir)
    try:
        _write_manifest(out_dir, manifest, {}, current)
    except OSError as exc:
        # Every file is already published; only the record of them is old. The next
        # publish compares contents instead of trusting it, so nothing is lost.
        raise MachineError(
            f"{out_dir / MANIFEST_NAME}: cannot write: {exc.strerror}; the files were"
            " published, but fix this and publish again to record them"
        ) from exc
    report.digests = manifest
    return report


class _Pending(NamedTuple):
    """A file written in full, waiting for the rename phase."""

    temporary: str  # beside the target, or in a staging tree
    target: str
    relpath: str
    tree: str | None  # the staging tree holding ``temporary`` (see Staged), if any


def _check_folders(root: str, relpath: str, checked: set[str]) -> None:
    """Refuse an output whose folder in ``--out`` is a symlink (or a file).

    Writing through a symlinked ``categories/`` would write, and remove stale files,
    outside ``--out``, wherever the link points; feedsmith does not follow it and does not
    remove it either (it may be the user's): the user decides. One lstat per folder.
    """
    folder = relpath.rpartition("/")[0]
    if folder in checked:
        return
    prefix = ""
    for name in folder.split("/"):
        prefix = f"{prefix}/{name}" if prefix else name
        if prefix in checked:
            continue
        found = _lstat(f"{root}/{prefix}")
        if found is not None and stat.S_ISLNK(found.st_mode):
            raise UsageError(
                f"{root}/{prefix}: is a symbolic link, but feedsmith writes a folder there"
                " and writes only inside --out: replace the link with a folder (or remove"
                " it); nothing was changed"
            )
        if found is not None and not stat.S_ISDIR(found.st_mode):
            raise UsageError(
                f"{root}/{prefix}: is a file, but feedsmith writes a folder there: move the"
                " file away; nothing was changed"
            )
        checked.add(prefix)


def _found_digest(
    target: str,
    found: os.stat_result,
    relpath: str,
    recorded: _Manifest,
    stats: Mapping[str, tuple[int, int]],
) -> str | None:
    """The digest of the file at ``target``: the manifest's when its stat is as the last
    publish left it, else from its bytes; None when it is not a readable file."""
    known = recorded.files.get(relpath)
    if known is not None and stats.get(relpath) == (found.st_size, found.st_mtime_ns):
        return known
    if not stat.S_ISREG(found.st_mode):
        return None  # a dangling symlink, a socket: nothing feedsmith wrote
    with open(target, "rb") as handle:
        return digest(handle.read())


def _claim(
    target: str,
    relpath: str,
    found_digest: str | None,
    recorded: _Manifest,
    force: bool,
    report: WriteReport,
) -> None:
    """Decide whether the file found at ``target`` may be replaced (see ``write_outputs``)."""
    if recorded.wrote(relpath, found_digest):
        return
    if recorded.ours(relpath):
        report.warnings.append(
            InputError(
                target,
                None,
                "changed since feedsmith wrote it: replaced by the published version"
                " (make lasting changes in the content or templates)",
            )
        )
        return
    if not force:
        raise UsageError(
            f"{target}: feedsmith did not write this file and would replace it: move it"
            " away, or pass --force to let feedsmith take it over; nothing was changed"
        )


def _stale_files(
    root: str,
    manifest: Mapping[str, str],
    recorded: _Manifest,
    stats: Mapping[str, tuple[int, int]],
    checked: set[str],
    report: WriteReport,
) -> list[str]:
    """The files an earlier publish wrote that this one does not: to remove after the renames.

    Checked now, before anything changes: none behind a symlinked folder; one changed since
    feedsmith wrote it is removed with a warning.
    """
    stale = sorted((set(recorded.files) | set(recorded.pending)) - set(manifest))
    for relpath in stale:
        _check_folders(root, relpath, checked)
        target = f"{root}/{relpath}"
        found = _lstat(target)
        if found is None:
            continue
        if stat.S_ISLNK(found.st_mode) or not recorded.wrote(
            relpath, _found_digest(target, found, relpath, recorded, stats)
        ):
            report.warnings.append(
                InputError(
                    target,
                    None,
                    "changed since feedsmith wrote it, and no longer published: removed",
                )
            )
    return stale


def _make_folders(folder: str, made: list[str]) -> None:
    """``os.makedirs(folder, exist_ok=True)`` that records each folder it creates."""
    missing: list[str] = []
    probe = folder
    while probe and not os.path.isdir(probe):
        missing.append(probe)
        probe = probe.rpartition("/")[0]
    for new in reversed(missing):
        try:
            os.mkdir(new)
        except FileExistsError:
            continue
        made.append(new)


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


def _stage(target: _Target, data: bytes, *, durable: bool = False) -> _Target:
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
            if durable:
                stream.flush()
                os.fsync(handle)
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


def _discard(staged: list[_Pending], made: list[str], folders: Iterable[str]) -> None:
    """Remove staged temporaries and the folders made for them (a failed cold publish must
    not leave empty folders behind while it says nothing changed).

    ``folders`` are those this publish staged files in: an interruption (SIGTERM, Ctrl-C)
    can strike between a temporary's creation and its entry in ``staged``, so they are
    swept for any temporary too. Every temporary there is this publish's or a dead one's:
    no other publish writes into this ``--out`` meanwhile (see locks.py).
    """
    for temporary, *_ in staged:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    for folder in folders:
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(TMP_PREFIX) and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def _remove_empty_parents(folder: Path, out_dir: Path) -> None:
    while folder != out_dir and out_dir in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _read_manifest(out_dir: Path) -> _Manifest:
    try:
        text = (out_dir / MANIFEST_NAME).read_bytes()
    except OSError:
        return _Manifest({}, {}, b"")  # the first publish: nothing counts as ours
    try:
        raw = json.loads(text)
        version = raw.get("version")
        files = raw["files"]
        if version == _OLD_MANIFEST_VERSION:
            files = {path: v[2] for path, v in files.items()}
        elif version != _MANIFEST_VERSION:
            files = {}
        pending = raw.get("pending", {}) if version == _MANIFEST_VERSION else {}
        return _Manifest(_digests(files), _digests(pending), text)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        # A damaged manifest: nothing counts as ours to delete or replace unasked.
        return _Manifest({}, {}, text)


def _digests(raw: object) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise TypeError("not a mapping")
    return {str(path): str(d) for path, d in raw.items() if _is_safe(str(path))}


def _is_safe(relpath: str) -> bool:
    try:
        _check_relpath(relpath)
    except ValueError:
        return False
    return True


def _write_manifest(
    out_dir: Path, files: Mapping[str, str], pending: Mapping[str, str], current: bytes
) -> bytes:
    """Record what feedsmith wrote: only digests, sorted, so that the same content always
    gives the same manifest (stats, which differ per copy, are the caller's to keep)."""
    payload: dict[str, object] = {
        "version": _MANIFEST_VERSION,
        "files": dict(sorted(files.items())),
    }
    if pending:
        payload["pending"] = dict(sorted(pending.items()))
    # Compact: it is rewritten by every publish that changes a file, and read by every one.
    data = (json.dumps(payload, separators=(",", ":"), check_circular=False) + "\n").encode()
    if data != current:
        write_file_atomically(out_dir / MANIFEST_NAME, data)
    return data


def write_file_atomically(target: Path, data: bytes, *, durable: bool = False) -> None:
    """Write one file via a temporary beside it and a rename.

    ``durable``: the file's bytes and then the rename are flushed to the disk before this
    returns (fsync of the file, then of its folder), so a power cut just after cannot undo
    it. For the id ledger, whose loss would change article ids; other files are
    rebuilt by the next publish.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = _stage(target, data, durable=durable)
    try:
        temporary.replace(target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    if durable:
        folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
