"""Stage 4, write: rendered files -> the output folder, all or nothing, rewriting only changes.

Two phases. First every changed file is written beside its target as ``.feedsmith-tmp-*``;
if that fails (a full disk, a permission), the temporary files are removed and the output
folder is exactly as it was. Then each is renamed over its target, which is atomic on POSIX,
so even a publish killed half-way leaves every file either old or new, never partial (issues
2 and 4). A manifest of what feedsmith wrote lets it remove its own stale files and nothing
else, and lets it skip unchanged files without reading them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from feedsmith.errors import FeedsmithError

TMP_PREFIX = ".feedsmith-tmp-"
MANIFEST_NAME = ".feedsmith-manifest.json"
_MANIFEST_VERSION = 1


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


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


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
    path = PurePosixPath(relpath)
    if path.is_absolute() or ".." in path.parts or not path.parts or relpath != path.as_posix():
        raise ValueError(f"refusing to write outside the output folder: {relpath!r}")
    return path


def remove_stale_temporaries(out_dir: Path) -> int:
    """Delete ``.feedsmith-tmp-*`` files an interrupted publish left behind (SPEC)."""
    removed = 0
    if not out_dir.is_dir():
        return 0
    for folder, _dirs, files in os.walk(out_dir):
        for name in files:
            if name.startswith(TMP_PREFIX):
                with contextlib.suppress(FileNotFoundError):
                    Path(folder, name).unlink()
                    removed += 1
    return removed


def write_outputs(out_dir: Path, outputs: Iterable[tuple[str, bytes | Deferred]]) -> WriteReport:
    """Write every (relative path, bytes) into ``out_dir``; see the module doc for guarantees.

    ``outputs`` may be a generator: files are staged as they come, so rendered pages need not
    all be held in memory at once. A path given twice is a bug in the caller and is refused.
    A ``Deferred`` in place of bytes is rendered only if the file is not already as recorded.
    """
    check_out_dir(out_dir)
    remove_stale_temporaries(out_dir)
    recorded = _read_manifest(out_dir)
    report = WriteReport()
    manifest: dict[str, _Recorded] = {}
    staged: list[tuple[Path, Path, str, str]] = []  # (temporary, target, relpath, digest)
    try:
        for relpath, data in outputs:
            if relpath in manifest:
                raise FeedsmithError(
                    f"{relpath}: two outputs want this path (does a file in content/static/"
                    " clash with a generated page?): rename one; nothing was changed"
                )
            target = out_dir / safe_relpath(relpath)
            if target.is_dir() and not target.is_symlink():
                # Found now, while nothing is replaced yet, not half-way through the renames.
                raise FeedsmithError(
                    f"{target}: is a folder, but feedsmith writes a file there: move the folder"
                    " away; nothing was changed"
                )
            if isinstance(data, Deferred):
                known = recorded.get(relpath)
                if known and known.digest == data.digest and _as_recorded(target, known):
                    manifest[relpath] = known
                    report.unchanged += 1
                    continue
                data = data.render()
            data_digest = digest(data)
            if _unchanged(target, data, data_digest, recorded.get(relpath)):
                manifest[relpath] = _stat_record(target, data_digest)
                report.unchanged += 1
                continue
            try:
                temporary = _stage(target, data)
            except OSError as exc:
                # A failed write() (ENOSPC, EDQUOT) carries no file name: name the target.
                exc.filename = exc.filename or str(target)
                raise
            staged.append((temporary, target, relpath, data_digest))
            manifest[relpath] = _Recorded(len(data), 0, data_digest)
    except OSError as exc:
        _discard(staged)
        raise FeedsmithError(
            f"{exc.filename or out_dir}: cannot write: {exc.strerror}; nothing was changed"
        ) from exc
    except BaseException:
        _discard(staged)
        raise

    for done, (temporary, target, relpath, data_digest) in enumerate(staged):
        try:
            temporary.replace(target)
        except OSError as exc:
            # Renames within one folder do not fail on a sound disk; if one does, every file
            # is still whole (old or new), and publishing again finishes the job.
            _discard(staged[done:])
            raise FeedsmithError(
                f"{target}: cannot replace: {exc.strerror}; {done} of {len(staged)} changed"
                " files were updated, the rest are as before: fix this and publish again"
            ) from exc
        manifest[relpath] = _stat_record(target, data_digest)
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
    return report


def _unchanged(target: Path, data: bytes, data_digest: str, recorded: _Recorded | None) -> bool:
    try:
        stat = target.stat()
    except FileNotFoundError:
        return False
    if stat.st_size != len(data):
        return False
    if (
        recorded is not None
        and recorded.size == stat.st_size
        and recorded.mtime_ns == stat.st_mtime_ns
    ):
        # The file is as we left it; comparing digests spares reading it.
        return recorded.digest == data_digest
    return target.read_bytes() == data


def _as_recorded(target: Path, recorded: _Recorded) -> bool:
    try:
        stat = target.stat()
    except FileNotFoundError:
        return False
    return stat.st_size == recorded.size and stat.st_mtime_ns == recorded.mtime_ns


def _stat_record(target: Path, data_digest: str) -> _Recorded:
    stat = target.stat()
    return _Recorded(stat.st_size, stat.st_mtime_ns, data_digest)


def _stage(target: Path, data: bytes) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f"{TMP_PREFIX}{secrets.token_hex(6)}-{target.name}")
    try:
        with temporary.open("xb") as handle:
            handle.write(data)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    # Pages are world-readable on a web host; mkstemp-style 0600 would break that.
    temporary.chmod(0o644)
    return temporary


def _discard(staged: list[tuple[Path, Path, str, str]]) -> None:
    for temporary, *_ in staged:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


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
        safe_relpath(relpath)
    except ValueError:
        return False
    return True


def _write_manifest(out_dir: Path, manifest: dict[str, _Recorded]) -> None:
    payload = {
        "version": _MANIFEST_VERSION,
        "files": {p: [r.size, r.mtime_ns, r.digest] for p, r in sorted(manifest.items())},
    }
    write_file_atomically(
        out_dir / MANIFEST_NAME, (json.dumps(payload, indent=0) + "\n").encode("utf-8")
    )


def write_file_atomically(target: Path, data: bytes) -> None:
    """Write one file via a temporary beside it and a rename."""
    temporary = _stage(target, data)
    try:
        temporary.replace(target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
