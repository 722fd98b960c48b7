"""Per-file work of a publish (load, validate, render body and page), in a process pool.

An article file is independent of every other until the cross-article checks, so the expensive
stages run file by file: in this process for a few files, in one worker per core for many. A
worker never writes into ``--out`` (nothing may be written before everything is validated);
the bulky results go to a private temporary folder and only small values travel back. Body
HTML goes to a spool file, read back by the parent to keep in the publish state. Pages are
written in full into a staging tree that mirrors the output (``write.Staged``), which the
writer later moves into ``--out`` by renames: the parent never touches their bytes, and no
process ever holds every rendered page. Where the staging tree cannot be on the output's file
system (a rename would fail), pages go to the spool file too and the parent writes them.

Results travel as plain tuples (see records.py): pickling model dataclasses and
exceptions back from workers is slow or impossible.

Workers end with the publish, however it ends. Killed (SIGKILL, where nothing of the parent
runs any more), Linux's parent-death signal kills them too; elsewhere they notice the closed
pipe to the parent when they next take or return work. Stopped by an exception (a content
error found on the way, SIGTERM or Ctrl-C turned into one), the parent kills them itself
before its ``finally`` blocks remove the spool: they would go on writing into it, and hold the
publish's stdout open (``feedsmith publish | tee log`` would wait for them). Ctrl-C, sent to
the whole process group, is left to the parent: a worker ignores SIGINT.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, NamedTuple

from feedsmith.errors import InputError
from feedsmith.layout import Identity, identity_of, read_with_stat
from feedsmith.load import parse_text
from feedsmith.markup import render_article
from feedsmith.model import Article, Site, page_relpath
from feedsmith.pages import render_article_page
from feedsmith.records import (
    ArticleRecord,
    EncodedFile,
    EncodedWarning,
    FileRecord,
    digest,
    encode_article,
    encode_file,
    encode_warnings,
    shown_digest,
)
from feedsmith.validate import Problems, validate_file
from feedsmith.write import Staged, stage_in_tree

PARALLEL_MIN_FILES = 300
"""Below this many files to render, a pool's start-up (fork, templates compiled once per
worker) costs more than the second core gains."""
_CHUNKS_PER_WORKER = 8
"""Enough chunks that a worker finishing early takes more, few enough that the per-chunk
round trip stays negligible."""
_MAX_CHUNK = 256


@dataclass(frozen=True, slots=True)
class RenderContext:
    """Everything per-file work depends on besides the file itself."""

    site: Site
    id_base_url: str
    pinned: Mapping[str, str]  # slug -> id, from the ledger
    context_key: str  # digest of feedsmith, the site and its templates: part of every key


class Blob(NamedTuple):
    """Bytes in a spool file."""

    spool: str
    offset: int
    length: int


class FreshArticle(NamedTuple):
    """Where one article rendered in this run left its body HTML and page."""

    content: Blob
    page: Blob | Staged | None  # None for an article with an external link


class FileResult(NamedTuple):
    """One article file after load, validate and render, in transportable form."""

    relpath: str
    identity: Identity | None  # None when it could not be read
    entry: EncodedFile | None  # None when the file has errors
    load_errors: tuple[EncodedWarning, ...]
    validate_errors: tuple[EncodedWarning, ...]
    fresh: tuple[FreshArticle, ...]  # in the order of entry's articles
    seconds: tuple[float, float, float, float]  # load, validate, markdown, pages


class Examined(NamedTuple):
    """One article file loaded and validated: its articles, or its errors."""

    identity: Identity | None  # of the bytes read; None when it could not be read
    digest: str
    load_errors: tuple[InputError, ...]
    load_warnings: tuple[InputError, ...]
    validate_errors: tuple[InputError, ...]
    validate_warnings: tuple[InputError, ...]
    articles: tuple[Article, ...]
    seconds: tuple[float, float]  # load, validate


def examine_file(context: RenderContext, content_dir: Path, relpath: str) -> Examined:
    """Load and validate one article file; errors are returned, never raised.

    ``check`` and ``publish`` both judge every file here, so they cannot disagree.
    """
    shown = (content_dir / relpath).as_posix()
    started = time.perf_counter()
    try:
        stat, data = read_with_stat(shown)
    except OSError as exc:
        error = InputError(shown, None, f"cannot read: {exc.strerror}")
        return Examined(None, "", (error,), (), (), (), (), (time.perf_counter() - started, 0.0))
    errors: list[InputError] = []
    load_warnings: list[InputError] = []
    raw = parse_text(data, shown, errors, load_warnings)
    loaded = time.perf_counter()
    problems = Problems()
    articles: list[Article] = []
    if raw is not None:
        articles = validate_file(raw, context.site, context.id_base_url, context.pinned, problems)
    validated = time.perf_counter()
    return Examined(
        identity_of(stat),
        digest(data),
        tuple(errors),
        tuple(load_warnings),
        tuple(problems.errors),
        tuple(problems.warnings),
        tuple(articles),
        (loaded - started, validated - loaded),
    )


class Rendered(NamedTuple):
    """One article file, examined and, when valid, rendered in memory (see ``process_file``)."""

    examined: Examined
    entry: FileRecord | None  # None when the file has errors
    bodies: tuple[tuple[str, bytes | None], ...]  # (body HTML, page bytes) per article
    seconds: tuple[float, float]  # markdown, pages


def process_file(context: RenderContext, content_dir: Path, relpath: str) -> Rendered:
    """Load, validate and render one article file; errors are returned, never raised."""
    examined = examine_file(context, content_dir, relpath)
    if examined.identity is None or examined.load_errors or examined.validate_errors:
        return Rendered(examined, None, (), (0.0, 0.0))
    records: list[ArticleRecord] = []
    bodies: list[tuple[str, bytes | None]] = []
    markdown = pages = 0.0
    for article in examined.articles:
        begun = time.perf_counter()
        rendered = render_article(context.site, article)
        entry_digest = shown_digest(encode_article(article), rendered.summary)
        # Not digest_text: repr() of a long body costs more than hashing its bytes.
        article_digest = digest(f"{entry_digest}\0{rendered.content_html}".encode())
        done = time.perf_counter()
        markdown += done - begun
        page = None if article.link else render_article_page(context.site, rendered)
        pages += time.perf_counter() - done
        records.append(
            ArticleRecord(
                replace(article, body=""),  # the body is 80% of an article's memory
                context.pinned.get(article.slug),
                rendered.summary,
                article_digest,
                entry_digest,
            )
        )
        bodies.append((rendered.content_html, page))
    entry = FileRecord(
        examined.digest, examined.load_warnings, examined.validate_warnings, tuple(records)
    )
    return Rendered(examined, entry, tuple(bodies), (markdown, pages))


class Spool:
    """An append-only file of rendered bytes, one per process, and where pages are staged."""

    def __init__(self, folder: Path, pages_tree: str | None) -> None:
        self.name = f"spool-{os.getpid()}"
        self._handle: IO[bytes] = (folder / self.name).open("ab")
        self._offset = self._handle.tell()
        self._pages_tree = pages_tree

    def put_page(self, relpath: str, data: bytes) -> Blob | Staged:
        if self._pages_tree is None:
            return self.put(data)
        return stage_in_tree(self._pages_tree, relpath, data)

    def put(self, data: bytes) -> Blob:
        blob = Blob(self.name, self._offset, len(data))
        self._handle.write(data)
        self._offset += len(data)
        return blob

    def flush(self) -> None:
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()


class SpoolReader:
    """Reads blobs back from the spool files of every process."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._fds: dict[str, int] = {}

    def read(self, blob: Blob) -> bytes:
        fd = self._fds.get(blob.spool)
        if fd is None:
            fd = os.open(self._folder / blob.spool, os.O_RDONLY)
            self._fds[blob.spool] = fd
        return os.pread(fd, blob.length, blob.offset)

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()


def _process_to_spool(
    context: RenderContext, content_dir: Path, relpath: str, spool: Spool
) -> FileResult:
    rendered = process_file(context, content_dir, relpath)
    examined = rendered.examined
    articles = rendered.entry.articles if rendered.entry is not None else ()
    fresh = tuple(
        FreshArticle(
            spool.put(body.encode("utf-8")),
            None if page is None else spool.put_page(_page_of(record.article), page),
        )
        for (body, page), record in zip(rendered.bodies, articles, strict=True)
    )
    return FileResult(
        relpath,
        examined.identity,
        None if rendered.entry is None else encode_file(rendered.entry),
        encode_warnings(examined.load_errors),
        encode_warnings(examined.validate_errors),
        fresh,
        (*examined.seconds, *rendered.seconds),
    )


def _page_of(article: Article) -> str:
    relpath = page_relpath(article)
    assert relpath is not None, "only articles without a link have pages"
    return relpath


# A worker's state: set once by the pool's initializer (inherited through fork, or pickled once
# per worker elsewhere), never per task.
_worker: tuple[RenderContext, Path, Spool] | None = None


def _start_worker(
    context: RenderContext,
    content_dir: Path,
    spool_dir: Path,
    pages_tree: str | None,
    parent: int,
) -> None:
    global _worker
    _die_with_parent(parent)
    # Handlers the parent installed (SIGTERM raising, see cli.py) are inherited through fork:
    # a worker is simply stopped, and leaves Ctrl-C to the parent.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Forked while the parent held these signals (_signals_held): the mask is inherited.
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    _worker = (context, content_dir, Spool(spool_dir, pages_tree))


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this worker when its parent dies (see the module doc)."""
    if sys.platform != "linux":
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    # The parent may have died between the fork and the prctl: then nothing will come.
    if os.getppid() != parent:
        os._exit(1)


def _render_chunk(relpaths: Sequence[str]) -> list[FileResult]:
    assert _worker is not None, "the pool's initializer did not run"
    context, content_dir, spool = _worker
    results = [_process_to_spool(context, content_dir, r, spool) for r in relpaths]
    spool.flush()  # the parent reads the spool as soon as it has the results
    return results


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def render_files(
    context: RenderContext,
    content_dir: Path,
    relpaths: Sequence[str],
    spool_dir: Path,
    pages_tree: str | None,
    jobs: int,
    advance: Callable[[int], None],
) -> Iterator[FileResult]:
    """Process ``relpaths``; results come in the order given. ``advance(n)`` reports progress.

    Pages are staged under ``pages_tree`` when given, else spooled (see the module doc).

    ``jobs`` is the number of processes; 1, or fewer files than ``PARALLEL_MIN_FILES`` when
    ``jobs`` was not forced, means this process alone.
    """
    if jobs <= 1 or not relpaths:
        spool = Spool(spool_dir, pages_tree)
        try:
            for relpath in relpaths:
                yield _process_to_spool(context, content_dir, relpath, spool)
                advance(1)
        finally:
            spool.close()
        return
    size = max(1, min(_MAX_CHUNK, -(-len(relpaths) // (jobs * _CHUNKS_PER_WORKER))))
    chunks = [relpaths[i : i + size] for i in range(0, len(relpaths), size)]
    # fork: workers inherit the imported libraries and the context instead of rebuilding them.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with _signals_held():
        pool = ProcessPoolExecutor(
            max_workers=min(jobs, len(chunks)),
            mp_context=multiprocessing.get_context(method),
            initializer=_start_worker,
            initargs=(context, content_dir, spool_dir, pages_tree, os.getpid()),
        )
        _running.add(pool)
        # map submits every chunk now, which forks the workers.
        rendered = pool.map(_render_chunk, chunks)
    try:
        for results in rendered:
            yield from results
            advance(len(results))
    except BrokenProcessPool:
        _stop_workers(pool)
        if _stopped_by is not None:
            # The signal handler killed the workers, but its exception was lost: it struck
            # where Python only prints exceptions (inside fork's callbacks): raise it now.
            raise _stopped_by from None
        raise
    except BaseException:
        _stop_workers(pool)
        raise
    pool.shutdown(wait=True)
    _running.discard(pool)


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait while the pool forks its workers and starts its thread: raised
    inside fork's callbacks, their exception would be printed and lost, leaving a pool half
    made. Delivered right after, the handler's exception comes out where it is handled."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


# Pools whose results are still being read. An exception raised in the caller's loop rather
# than in this generator (SIGTERM arriving between two results) leaves the generator to the
# garbage collector; ``stop_workers`` ends those pools all the same (cli.py calls it).
_running: set[ProcessPoolExecutor] = set()


def stop_workers() -> None:
    """Kill every worker of a render still under way (the publish is stopping)."""
    for pool in list(_running):
        _stop_workers(pool)


# What a signal handler stopped the render with (see kill_workers).
_stopped_by: BaseException | None = None


def kill_workers(reason: BaseException) -> None:
    """SIGKILL every worker of a render under way, touching no lock: safe in a signal handler,
    which may have interrupted this process inside the pool's own code. Before the exception
    the handler raises (``reason``) unwinds anything, so no worker writes into a spool being
    removed; ``stop_workers`` (or the render's own cleanup) then reaps them."""
    global _stopped_by
    _stopped_by = reason
    for pool in list(_running):
        # None once the pool has shut down (a second signal, or after its own cleanup).
        for worker in list((getattr(pool, "_processes", None) or {}).values()):
            with contextlib.suppress(OSError, ValueError, AttributeError, TypeError):
                os.kill(worker.pid, signal.SIGKILL)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers now and wait for them: ``shutdown`` alone would let each finish
    the chunks it has (every chunk is submitted at once), writing into a spool about to go."""
    # The pool keeps its processes in a private mapping; there is no public way to stop them
    # before Python 3.14 (``terminate_workers``). Without it, they are only waited for.
    # None once the pool has shut down: stopped already, by the signal handler or the pool.
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.kill()
    for worker in workers:
        worker.join()
    # A worker killed while it sent a result leaves half a message in the result pipe: the
    # pool's thread would wait for the rest forever, and the exit with it (it joins that
    # thread). With the workers gone, this process holds the pipe's last writing end: closed,
    # the thread reads the end of the pipe, takes the pool for broken and ends.
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    with contextlib.suppress(OSError, AttributeError):
        writer.close()  # type: ignore[union-attr]
    _running.discard(pool)
