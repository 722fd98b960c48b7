"""The pipeline: load -> model -> render -> write, carrying out what ``plan.py`` decides with
what ``state.py`` remembers.

``publish`` validates everything first and writes nothing at all if any file has an error
(SPEC: exit 1, nothing written). ``check`` judges the content the same way, file by file
(``parallel.examine_file``) and then across files (``verdict``), without rendering or writing:
the two cannot disagree.

A publish does only the work that changed:

- Every input's identity (size, mtime, ctime, inode) is compared with the state's record; an
  input whose identity cannot vouch for its bytes is read and its digest compared instead.
- Nothing changed since the last complete publish into the same ``--out``, and every output
  is still as it left it: publish returns without loading anything, and without importing
  the heavy libraries (PyYAML, cmark, nh3, jinja2, feedgen, lxml) at all.
- Article files the state holds with the same bytes, under the same feedsmith, site and
  templates, are neither parsed nor rendered again; the others are loaded, validated and
  rendered file by file (``parallel.py``), in a process pool when there are many.
- The plan compares every output's inputs with those recorded for this ``--out``: outputs
  made from the same inputs are kept on disk when still as recorded; the others are
  rendered from the articles' records and body HTML.

The result is byte for byte what a cold publish writes, whatever the state holds.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from feedsmith import locks, plan
from feedsmith.errors import FeedsmithError, InputError
from feedsmith.layout import (
    ARTICLES_DIR,
    CACHE_DIR,
    FOLDER,
    LEDGER_FILE,
    MISSING,
    SPOOL_PREFIX,
    STATIC_DIR,
    Identity,
    identity_of,
    read_with_stat,
    scan_inputs,
)
from feedsmith.model import Site
from feedsmith.progress import Progress
from feedsmith.records import (
    ArticleDecoder,
    ArticleRecord,
    FileRecord,
    build_key,
    digest,
    digest_text,
)
from feedsmith.state import (
    TICK_NS,
    Change,
    Damaged,
    Listed,
    OutputRecord,
    Run,
    State,
    StoredFile,
    racy,
)
from feedsmith.verdict import (
    Judged,
    Publication,
    SitePart,
    check,
    load_site,
    reject_site,
    require_content_dir,
    verdict,
)

__all__ = ["STAGES", "Publication", "PublishOptions", "PublishReport", "check", "publish"]

if TYPE_CHECKING:
    from feedsmith.ledger import LedgerEntry
    from feedsmith.parallel import Blob, RenderContext, SpoolReader
    from feedsmith.write import Deferred, Staged, WriteReport

STAGES = ("load", "validate", "markdown", "pages", "feeds", "write")


@dataclass(frozen=True, slots=True)
class PublishOptions:
    """The options of ``feedsmith publish``; ``now`` without an offset is in the site time zone.

    ``jobs`` is how many processes render: None chooses by the cores and the amount of work,
    1 renders in this process (tests and the preview server force it).
    """

    content_dir: Path
    out_dir: Path
    now: datetime
    base_url: str | None = None
    drafts: bool = False
    strict: bool = False
    jobs: int | None = None
    force: bool = False  # --force: take over files in --out that feedsmith did not write


@dataclass
class PublishReport:
    """What a publish did. Stage seconds are wall-clock shares: work done in N worker
    processes counts its total divided by N, so the stages add up to about the elapsed time."""

    articles: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    changed: list[str] = field(default_factory=list)  # outputs written or removed, sorted
    drafts: int = 0  # articles left out as drafts
    scheduled: int = 0  # articles left out because they are published after --now
    next_scheduled: datetime | None = None  # the earliest of those, in the site's time zone
    written_paths: tuple[str, ...] = ()  # the files written, for --verbose
    warnings: list[InputError] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    articles_rendered: int = 0  # articles loaded and rendered in this run, not taken from state
    outputs_rendered: int = 0  # pages and feeds rendered in this run; the rest were reused
    jobs: int = 1  # processes that rendered articles
    fast_path: bool = False  # nothing changed since the last publish: nothing was even loaded


# --- publish -----------------------------------------------------------------------------------


def publish(options: PublishOptions) -> PublishReport:
    """Validate, render and write the publication; see the module doc."""
    require_content_dir(options.content_dir)
    # One publish at a time per content folder and per --out (locks.py).
    with locks.publishing(options.content_dir, options.out_dir):
        return _publish_with_state(options)


def _publish_with_state(options: PublishOptions) -> PublishReport:
    build = build_key()
    state = State.open(options.content_dir, build)
    try:
        try:
            return _publish(options, state)
        except Damaged:
            # A record the state listed could not be read back: nothing is written yet
            # (records are read before any output is), so start again from nothing.
            state.close()
            _remove_state(options.content_dir)
            state = State.open(options.content_dir, build)
            return _publish(options, state)
    finally:
        state.close()


def _remove_state(content_dir: Path) -> None:
    from feedsmith.layout import STATE_FILE

    for stale in (content_dir / CACHE_DIR).glob(STATE_FILE + "*"):
        with contextlib.suppress(OSError):
            stale.unlink()


def _publish(options: PublishOptions, state: State) -> PublishReport:
    report = PublishReport()
    content_dir = options.content_dir
    started = time.perf_counter()
    out = str(options.out_dir.resolve())
    # When the inputs were read: a file changed within a clock tick before it may change
    # again within that tick without its identity showing it (state.racy).
    scanned_ns = time.time_ns()
    scanned = scan_inputs(content_dir)
    run = state.run(out)
    if run is not None and _unchanged_since(run, options, _run_key(options, scanned), state):
        _report_from_run(report, run)
        report.stage_seconds["load"] = time.perf_counter() - started
        return report
    known = state.identities()
    digests = _trusted_digests(scanned, known)
    if state.note is not None:
        report.warnings.append(InputError(content_dir.as_posix(), None, state.note))
    # From here on an interrupted publish must not leave a record saying all is done.
    state.forget_run(out)
    # The small inputs every publish needs in full; article files are read by the workers.
    for relpath, identity in scanned.items():
        small = not relpath.startswith(ARTICLES_DIR + "/")
        if small and relpath not in digests and identity not in (FOLDER, MISSING):
            digests[relpath] = _digest_file(content_dir, relpath, scanned)
    site_part = load_site(content_dir, options.base_url)
    if site_part.context is None:
        reject_site(content_dir, site_part, options.strict)
    context = site_part.context
    stored = state.files(context.context_key)
    reused, misses = _reusable_files(site_part, stored, digests, scanned, content_dir)
    report.stage_seconds["load"] += time.perf_counter() - started

    from feedsmith.parallel import SpoolReader
    from feedsmith.write import check_out_dir

    with _spool_dir(content_dir) as spool_dir, contextlib.closing(SpoolReader(spool_dir)) as reader:
        fresh = _render_files(context, options, content_dir, misses, spool_dir, reader, report)
        for relpath, identity, file_digest in fresh.identities:
            scanned[relpath] = identity
            digests[relpath] = file_digest
        started = time.perf_counter()
        judged = [
            fresh.judged[relpath] if relpath in fresh.judged else _judged(reused[relpath])
            for relpath in site_part.relpaths
        ]
        warnings = verdict(site_part, judged, options.strict)
        report.warnings.extend(warnings)
        check_out_dir(options.out_dir)
        site = context.site
        now = options.now
        if now.tzinfo is None:
            now = now.replace(tzinfo=ZoneInfo(site.timezone))
        listed = [a for one in judged for a in one.articles]
        selection = plan.select(listed, now, options.drafts)
        remembered = state.outputs(out)
        static = _static_files(content_dir, digests)
        jobs = plan.plan_outputs(
            context.context_key, site.base_url, site.feed_limit, site.archive_size,
            selection.visible, static, remembered,
        )  # fmt: skip
        report.stage_seconds["validate"] += time.perf_counter() - started
        report.articles = len(selection.visible)
        report.drafts, report.scheduled = selection.drafts, selection.scheduled
        if selection.next_scheduled is not None:
            report.next_scheduled = selection.next_scheduled.astimezone(ZoneInfo(site.timezone))

        written = _write_outputs(
            context.context_key, options, site, jobs, selection, fresh, state, remembered, report
        )
        report.changed = sorted([*written.written, *written.removed])  # what --ping tells
        _count(report, written)

        started = time.perf_counter()
        ledgered = [a for a in selection.visible if not a.draft]
        ledger_written = _write_ledger(
            content_dir / LEDGER_FILE, site_part.ledger, ledgered, report
        )
        if ledger_written:
            with contextlib.suppress(OSError):
                stat, data = read_with_stat((content_dir / LEDGER_FILE).as_posix())
                scanned[LEDGER_FILE] = identity_of(stat)
                digests[LEDGER_FILE] = digest(data)
        change = _change(
            out, context.context_key, scanned, digests, known, stored, reused, fresh,
            jobs, remembered, written, options, site, selection, report, ledger_written, scanned_ns,
        )  # fmt: skip
        # Files someone changed in --out, replaced all the same: said by this publish only,
        # not replayed by the next one with nothing to do.
        report.warnings.extend(written.warnings)
        note = state.save(change)
        if note is not None:
            report.warnings.append(InputError(content_dir.as_posix(), None, note))
        report.stage_seconds["write"] += time.perf_counter() - started
    return report


def _trusted_digests(
    scanned: Mapping[str, Identity], known: Mapping[str, tuple[Identity, str]]
) -> dict[str, str]:
    """The digest of every input whose identity is as recorded: its bytes are as they were."""
    trusted: dict[str, str] = {}
    for relpath, identity in scanned.items():
        seen = known.get(relpath)
        if seen is not None and seen[0] == identity and identity.size >= 0:
            trusted[relpath] = seen[1]
    return trusted


def _digest_file(content_dir: Path, relpath: str, scanned: dict[str, Identity]) -> str:
    """An input's digest, read now; its identity is updated to the one read with it."""
    try:
        stat, data = read_with_stat((content_dir / relpath).as_posix())
    except OSError:
        scanned[relpath] = MISSING
        return ""
    scanned[relpath] = identity_of(stat)
    return digest(data)


def _run_key(options: PublishOptions, scanned: Mapping[str, Identity]) -> str:
    """Everything a publish into one folder depends on: feedsmith, the options, and every
    input's identity (``--now`` aside: the run records the range of it that shows the same
    articles). Recorded only when no identity was too recent to vouch for its bytes."""
    inputs = tuple(sorted(scanned.items()))
    return digest_text(build_key(), options.base_url, options.drafts, options.strict, inputs)


def _unchanged_since(run: Run, options: PublishOptions, key: str, state: State) -> bool:
    """The fast path: the last publish into ``--out`` saw these inputs and options, ``now``
    selects the same articles, and every file it wrote is still as it left it."""
    if run.key != key:
        return False
    report = run.report
    now = options.now
    if now.tzinfo is None:
        now = now.replace(tzinfo=ZoneInfo(str(report["timezone"])))
    visible_from, visible_until = report.get("visible_from"), report.get("visible_until")
    if visible_from is not None and now < datetime.fromisoformat(visible_from):
        return False  # an article visible then would now be in the future
    if visible_until is not None and now >= datetime.fromisoformat(visible_until):
        return False  # a scheduled article is due
    return _outputs_intact(options.out_dir, state.output_stats(str(options.out_dir.resolve())))


def _outputs_intact(out_dir: Path, outputs: Sequence[tuple[str, int, int, bool]]) -> bool:
    """Whether every output file and folder is still as the last publish left it: a folder's
    mtime moves when a file appears in it (a temporary left by an interrupted publish)."""
    root = os.fspath(out_dir)
    if not outputs:
        return False
    for relpath, size, mtime_ns, folder in outputs:
        try:
            stat = os.stat(f"{root}/{relpath}" if relpath else root)  # noqa: PTH116 - hot loop
        except OSError:
            return False
        if stat.st_mtime_ns != mtime_ns or (not folder and stat.st_size != size):
            return False
    return True


def _report_from_run(report: PublishReport, run: Run) -> None:
    saved = run.report
    report.fast_path = True
    report.articles = int(saved["articles"])
    report.unchanged = int(saved["files"])
    report.drafts = int(saved["drafts"])
    report.scheduled = int(saved["scheduled"])
    following = saved.get("next_scheduled")
    report.next_scheduled = datetime.fromisoformat(following) if following else None
    report.warnings = [InputError(p, line, m) for p, line, m in saved["warnings"]]


def _reusable_files(
    site_part: SitePart,
    stored: Mapping[str, StoredFile],
    digests: dict[str, str],
    scanned: dict[str, Identity],
    content_dir: Path,
) -> tuple[dict[str, StoredFile], list[str]]:
    """Split the article files into those the state describes as they are now, and the rest
    (to load, validate and render again)."""
    assert site_part.context is not None
    pinned = site_part.context.pinned
    reused: dict[str, StoredFile] = {}
    misses: list[str] = []
    for relpath in site_part.relpaths:
        entry = stored.get(relpath)
        if entry is None or not all(
            plan.reusable(a.pinned, a.id, pinned.get(a.slug)) for a in entry.articles
        ):
            misses.append(relpath)
            continue
        if relpath not in digests:
            # Touched, copied, restored or recorded too soon after a change: the identity
            # cannot tell, the bytes decide.
            digests[relpath] = _digest_file(content_dir, relpath, scanned)
        if digests[relpath] == entry.digest:
            reused[relpath] = entry
        else:
            misses.append(relpath)
    return reused, misses


def _judged(entry: StoredFile) -> Judged:
    return Judged((), entry.load_warnings, (), entry.validate_warnings, entry.articles)


@dataclass
class _Fresh:
    """The article files loaded, validated and rendered in this run."""

    reader: SpoolReader
    judged: dict[str, Judged] = field(default_factory=dict)
    identities: list[tuple[str, Identity, str]] = field(default_factory=list)
    records: dict[str, FileRecord] = field(default_factory=dict)
    bodies: dict[tuple[str, int], Blob] = field(default_factory=dict)
    pages: dict[tuple[str, int], Blob | Staged] = field(default_factory=dict)

    def body(self, relpath: str, number: int) -> str:
        """The body HTML of one article rendered in this run, read back from the spool."""
        return str(self.reader.read(self.bodies[(relpath, number)]).decode("utf-8"))


def _render_files(
    context: RenderContext,
    options: PublishOptions,
    content_dir: Path,
    relpaths: Sequence[str],
    spool_dir: Path,
    reader: SpoolReader,
    report: PublishReport,
) -> _Fresh:
    """Load, validate and render ``relpaths`` (see parallel.py)."""
    from feedsmith.parallel import PARALLEL_MIN_FILES, default_jobs, render_files
    from feedsmith.records import decode_warnings

    fresh = _Fresh(reader=reader)
    if not relpaths:
        return fresh
    jobs = options.jobs
    if jobs is None:
        jobs = default_jobs() if len(relpaths) >= PARALLEL_MIN_FILES else 1
    jobs = max(1, min(jobs, len(relpaths)))
    report.jobs = max(report.jobs, jobs)
    progress = Progress("rendering", len(relpaths))
    decoder = ArticleDecoder()
    totals = [0.0, 0.0, 0.0, 0.0]
    try:
        results = render_files(
            context,
            content_dir,
            relpaths,
            spool_dir,
            _pages_tree(spool_dir, options.out_dir),
            jobs,
            progress.advance,
        )
        for result in results:
            for i, seconds in enumerate(result.seconds):
                totals[i] += seconds
            if result.entry is None:
                fresh.judged[result.relpath] = Judged(
                    decode_warnings(result.load_errors), (),
                    decode_warnings(result.validate_errors), (), (),
                )  # fmt: skip
                continue
            record = decoder.file(result.entry)
            assert result.identity is not None
            fresh.identities.append((result.relpath, result.identity, record.digest))
            fresh.records[result.relpath] = record
            listed = tuple(_listed(result.relpath, n, a) for n, a in enumerate(record.articles))
            fresh.judged[result.relpath] = Judged(
                (), record.load_warnings, (), record.validate_warnings, listed
            )
            for number, made in enumerate(result.fresh):
                fresh.bodies[(result.relpath, number)] = made.content
                if made.page is not None:
                    fresh.pages[(result.relpath, number)] = made.page
            report.articles_rendered += len(record.articles)
    except OSError as exc:
        # Rendered pages and bodies could not be put aside (a full disk): as in the writer,
        # nothing in --out has changed yet.
        raise FeedsmithError(
            f"{exc.filename or spool_dir}: cannot write: {exc.strerror}; nothing was changed"
        ) from exc
    finally:
        progress.close()
    # Work done side by side in ``jobs`` processes: its wall-clock share (see PublishReport).
    for stage, seconds in zip(("load", "validate", "markdown", "pages"), totals, strict=True):
        report.stage_seconds[stage] += seconds / jobs
    return fresh


def _listed(relpath: str, number: int, record: ArticleRecord) -> Listed:
    a = record.article
    return Listed(
        relpath, number, a.id, a.slug, a.title, a.published, a.updated, a.draft,
        a.has_page, a.retracted, a.categories, a.references, a.source, record.pinned,
        record.digest,
        record.entry_digest,
    )  # fmt: skip


def _static_files(content_dir: Path, digests: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(output path, input path, digest) of every file copied as it is."""
    from feedsmith.load import find_static_files

    # Links leading outside the content folder were refused by validation; the walk skips
    # them again here rather than trusting that nothing changed since.
    found = []
    for relative, _path in find_static_files(content_dir):
        source = f"{STATIC_DIR}/{relative}"
        found.append((relative, source, digests.get(source, "")))
    return found


def _pages_tree(spool_dir: Path, out_dir: Path) -> str | None:
    """Where workers stage whole pages (write.Staged): in the spool folder when a rename from
    there into --out works, that is on the same file system; else None (see parallel.py)."""
    probe = out_dir
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        same = spool_dir.stat().st_dev == probe.stat().st_dev
    except OSError:
        return None
    return (spool_dir / "pages").as_posix() if same else None


@contextlib.contextmanager
def _spool_dir(content_dir: Path) -> Iterator[Path]:
    """A private folder for rendered pages waiting to be written (see parallel.py).

    In the cache folder when it is writable, so a large archive's pages are not held in a
    memory-backed /tmp; removed at the end whatever happens. Ones left by a killed publish are
    removed by the next one, which holds the content folder's lock (locks.sweep_spools).
    """
    folder = content_dir / CACHE_DIR
    try:
        made = tempfile.mkdtemp(prefix=SPOOL_PREFIX, dir=folder if folder.is_dir() else None)
    except OSError:
        made = tempfile.mkdtemp(prefix=SPOOL_PREFIX)
    try:
        yield Path(made)
    finally:
        shutil.rmtree(made, ignore_errors=True)


def _write_outputs(
    context_key: str,
    options: PublishOptions,
    site: Site,
    jobs: Sequence[plan.Job],
    selection: plan.Selection,
    fresh: _Fresh,
    state: State,
    remembered: Mapping[str, OutputRecord],
    report: PublishReport,
) -> WriteReport:
    from feedsmith import assemble
    from feedsmith.write import Staged

    reader = fresh.reader
    started = time.perf_counter()

    articles = assemble.Articles(
        {
            (relpath, number): (record, functools.partial(fresh.body, relpath, number))
            for relpath, file_record in fresh.records.items()
            for number, record in enumerate(file_record.articles)
        },
        functools.partial(state.records, context_key),
    )
    pages: dict[tuple[str, int], Staged | Callable[[], bytes]] = {}
    for key, page in fresh.pages.items():
        pages[key] = page if isinstance(page, Staged) else functools.partial(reader.read, page)
    counts = assemble.Counts()
    content_dir = options.content_dir
    stream = assemble.outputs(
        site,
        jobs,
        articles,
        pages,
        lambda source: (content_dir / source).read_bytes(),
        counts,
    )
    shown_pages = {(j.members[0].relpath, j.members[0].number) for j in jobs if j.kind == "page"}
    # The page of an article readers do not get (a draft, a scheduled one) must not stay in
    # a staging tree that moves into --out whole (write.Staged).
    for key, page in fresh.pages.items():
        if isinstance(page, Staged) and key not in shown_pages:
            staged = Path(page.path)
            staged.unlink()
            with contextlib.suppress(OSError):
                staged.parent.rmdir()  # its folder too, empty now
    quiet = _quiet_folders(options.out_dir, remembered)
    # Outputs still as the last publish left them are trusted to their recorded digests.
    stats = {r: (o.size, o.mtime_ns) for r, o in remembered.items() if o.digest is not None}
    written = _write(options.out_dir, stream, quiet, len(jobs), stats, options.force)
    report.outputs_rendered = counts.rendered
    for stage, seconds in counts.seconds.items():
        report.stage_seconds[stage] += seconds
    report.stage_seconds["write"] += time.perf_counter() - started - sum(counts.seconds.values())
    return written


def _quiet_folders(out_dir: Path, remembered: Mapping[str, OutputRecord]) -> dict[str, list[str]]:
    """The output folders in which no entry appeared or vanished since the last publish, each
    with its subfolders that publish knew of (see write.remove_stale_temporaries).

    The state keeps folders only after a publish that completed, leaving no temporary file,
    and a file appearing in a folder changes the folder's mtime: a folder with its recorded
    mtime holds no temporary. One stat per folder replaces listing it.
    """
    root = os.fspath(out_dir)
    folders = [relpath for relpath, record in remembered.items() if record.digest is None]
    quiet: dict[str, list[str]] = {}
    for relpath in folders:
        try:
            stat = os.stat(f"{root}/{relpath}" if relpath else root)  # noqa: PTH116 - hot loop
        except OSError:
            continue
        if stat.st_mtime_ns == remembered[relpath].mtime_ns:
            quiet[relpath] = []
    for folder in folders:
        parent = folder.rpartition("/")[0]
        if folder and parent in quiet:
            quiet[parent].append(folder)
    return quiet


def _write(
    out_dir: Path,
    outputs: Iterable[tuple[str, bytes | Deferred | Staged]],
    quiet: dict[str, list[str]],
    expected: int,
    stats: Mapping[str, tuple[int, int]],
    force: bool,
) -> WriteReport:
    from feedsmith.write import write_outputs

    progress = Progress("writing", expected)

    def counted() -> Iterator[tuple[str, bytes | Deferred | Staged]]:
        for item in outputs:
            yield item
            progress.advance()

    try:
        return write_outputs(out_dir, counted(), quiet, stats=stats, force=force)
    finally:
        progress.close()


def _count(report: PublishReport, written: WriteReport) -> None:
    report.written = len(written.written)
    report.written_paths = tuple(written.written)
    report.unchanged = written.unchanged
    report.removed = len(written.removed)


def _write_ledger(
    path: Path, ledger: dict[str, LedgerEntry], published: Sequence[Listed], report: PublishReport
) -> bool | None:
    """Record new ids: True when written, None when nothing new, False when it could not be
    written (a warning says so)."""
    from feedsmith.ledger import record, render_ledger
    from feedsmith.write import write_file_atomically

    updated = record(ledger, published)
    if updated == ledger and path.exists():
        return None
    try:
        # Durable: the one file whose loss changes article ids (synced with its folder).
        write_file_atomically(path, render_ledger(updated).encode("utf-8"), durable=True)
    except OSError as exc:
        # A read-only content folder (a CI checkout, a mounted volume) must not fail a publish.
        report.warnings.append(
            InputError(
                path.as_posix(),
                None,
                f"cannot update the id ledger ({exc.strerror}): ids of new articles are not"
                " pinned yet; publish from a writable checkout and commit the file",
            )
        )
        return False
    return True


def _change(
    out: str,
    context_key: str,
    scanned: Mapping[str, Identity],
    digests: Mapping[str, str],
    known: Mapping[str, tuple[Identity, str]],
    stored: Mapping[str, StoredFile],
    reused: Mapping[str, StoredFile],
    fresh: _Fresh,
    jobs: Sequence[plan.Job],
    remembered: Mapping[str, OutputRecord],
    written: WriteReport,
    options: PublishOptions,
    site: Site,
    selection: plan.Selection,
    report: PublishReport,
    ledger_written: bool | None,
    scanned_ns: int,
) -> Change:
    """What this publish teaches the state: only what differs from what it held."""

    inputs = {
        relpath: (identity, digests[relpath])
        for relpath, identity in scanned.items()
        if relpath in digests
        and digests[relpath]
        and known.get(relpath) != (identity, digests[relpath])
    }
    gone_inputs = [relpath for relpath in known if relpath not in scanned]
    files = fresh.records
    gone_files = [relpath for relpath in stored if relpath not in reused and relpath not in files]
    inputs_of = {name: job.inputs for job in jobs for name in job.names}
    outputs: dict[str, OutputRecord] = {}
    for relpath, (size, mtime_ns) in written.files.items():
        made = OutputRecord(inputs_of.get(relpath), written.digests[relpath], size, mtime_ns)
        if remembered.get(relpath) != made:
            outputs[relpath] = made
    for folder, stat in _folder_stats(options.out_dir, written).items():
        made = OutputRecord(None, None, stat.st_size, stat.st_mtime_ns)
        if remembered.get(folder) != made:
            outputs[folder] = made
    folders = _folders_of(written.files)
    gone_outputs = [r for r in remembered if r not in written.files and r not in folders]
    # A ledger that could not be written: the next publish must try (and warn) again. An
    # identity too recent to vouch for its bytes cannot vouch for the whole run either.
    own = {LEDGER_FILE} if ledger_written else set()
    recent = any(racy(i, scanned_ns) for r, i in scanned.items() if r not in own)
    run = (
        None
        if ledger_written is False or recent
        else Run(
            _run_key(options, scanned),
            {
                "timezone": site.timezone,
                "visible_from": _iso(selection.visible_from),
                "visible_until": _iso(selection.visible_until),
                "articles": report.articles,
                "files": report.written + report.unchanged,
                "drafts": report.drafts,
                "scheduled": report.scheduled,
                "next_scheduled": _iso(selection.next_scheduled),
                "warnings": [[w.path, w.line, w.message] for w in report.warnings],
            },
        )
    )
    return Change(
        out, context_key, inputs, own, scanned_ns, gone_inputs, files, fresh.body, gone_files,
        outputs, gone_outputs, run,
    )  # fmt: skip


def _folders_of(relpaths: Iterable[str]) -> set[str]:
    """Every folder holding one of ``relpaths``, at any depth, and the root ("")."""
    folders = {""}
    for relpath in relpaths:
        folder = relpath.rpartition("/")[0]
        while folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def _folder_stats(out_dir: Path, written: WriteReport) -> dict[str, os.stat_result]:
    """The stat of every folder holding an output, once its mtime can vouch for it.

    A file appearing in a folder moves the folder's mtime, unless it appears within the same
    tick of the kernel's file-time clock as the last change this publish made there. Waiting
    out that tick (only after a publish that changed something) makes a temporary left later,
    by an interrupted publish, always visible (see _quiet_folders).
    """
    root = os.fspath(out_dir)
    folders = sorted(_folders_of(written.files))
    if written.written or written.removed:
        time.sleep(TICK_NS / 1e9)
    stats: dict[str, os.stat_result] = {}
    for folder in folders:
        with contextlib.suppress(OSError):
            stats[folder] = os.stat(f"{root}/{folder}" if folder else root)  # noqa: PTH116
    return stats


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat() if instant is not None else None
