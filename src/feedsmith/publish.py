"""The pipeline: load -> model -> render -> write, and the one place that does file I/O for it.

``publish`` validates everything first and writes nothing at all if any file has an error
(SPEC: exit 1, nothing written). ``check`` is the same without rendering or writing.

At archive scale (issue 5) publish does only the work that changed:

- Nothing changed: every input is stat'ed and compared with the stamp of the last publish
  into the same ``--out`` (``cache.py``); then publish returns without loading anything, and
  without importing the heavy libraries (PyYAML, cmark, nh3, jinja2, feedgen, lxml) at all.
- Article files the cache has seen with the same bytes are neither parsed nor rendered again;
  the others are loaded, validated and rendered file by file (``parallel.py``), in a process
  pool when there are many.
- Pages and feeds whose inputs did not change are not rendered: the writer is told the digest
  they will have (``write.Deferred``) and keeps the file on disk when it matches. Which files
  a publish writes, and how each is made, is ``assemble.py``'s part.
- Streaming: articles are kept without their bodies; body HTML only for the articles feeds
  carry; worker processes write whole pages into a staging tree that renames move into the
  output (a new folder such as a cold publish's ``articles/`` in one rename).

The result is byte for byte what a cold publish writes. Validation gives the same verdict as
``check``: a file's validation depends only on its bytes, the site and the ledger's id for its
slug, all part of the cache key; and as soon as anything is wrong, the plain path
(``_validated``) runs to report every problem in the same words and order as ``check``.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from feedsmith import assemble, cache
from feedsmith.errors import ContentErrors, FeedsmithError, InputError
from feedsmith.model import (
    Article,
    Site,
    page_relpath,
)
from feedsmith.progress import Progress

if TYPE_CHECKING:
    from feedsmith.ledger import LedgerEntry
    from feedsmith.load import RawFile
    from feedsmith.parallel import FreshArticle, RenderContext
    from feedsmith.validate import Problems
    from feedsmith.write import Deferred, Staged, WriteReport

STATIC_DIR = "static"
LEDGER_NAME = "feedsmith.lock"
STAGES = ("load", "validate", "markdown", "pages", "feeds", "write")
_SPOOL_PREFIX = "spool-"
_STALE_SPOOL_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class PublishOptions:
    """The options of ``feedsmith publish``; ``now`` without an offset is in the site time zone.

    ``jobs`` is how many processes render: None chooses by the cores and the amount of work,
    1 renders in this process (tests force either).
    """

    content_dir: Path
    out_dir: Path
    now: datetime
    base_url: str | None = None
    drafts: bool = False
    strict: bool = False
    jobs: int | None = None


@dataclass
class PublishReport:
    """What a publish did. Stage seconds are wall-clock shares: work done in N worker
    processes counts its total divided by N, so the stages add up to about the elapsed time."""

    articles: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    warnings: list[InputError] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    articles_rendered: int = 0  # articles loaded and rendered in this run, not taken from cache
    outputs_rendered: int = 0  # pages and feeds rendered in this run; the rest were reused
    jobs: int = 1  # processes that rendered articles
    fast_path: bool = False  # nothing changed since the last publish: nothing was even loaded
    changed: list[str] = field(default_factory=list)  # relpaths written or removed, sorted


@dataclass(frozen=True, slots=True)
class Publication:
    """A validated publication: the site, every article, and the ledger as read."""

    site: Site
    articles: tuple[Article, ...]
    ledger: dict[str, LedgerEntry]
    id_base_url: str
    warnings: tuple[InputError, ...]


def check(content_dir: Path, *, strict: bool = False, base_url: str | None = None) -> Publication:
    """Validate the content folder; raises ``ContentErrors`` listing every problem. No writes."""
    return _validated(content_dir, base_url, strict, PublishReport())


def _require_content_dir(content_dir: Path) -> None:
    if not content_dir.is_dir():
        raise FeedsmithError(
            f"{content_dir}: no such content folder: run from the folder that holds it or"
            " pass --content DIR"
        )


def _validated(
    content_dir: Path, base_url: str | None, strict: bool, report: PublishReport
) -> Publication:
    from feedsmith.ledger import find_renames
    from feedsmith.load import load_content
    from feedsmith.validate import Problems, validate_articles

    _require_content_dir(content_dir)
    started = time.perf_counter()
    loaded = load_content(content_dir)
    ledger, ledger_errors = _read_ledger(content_dir)
    report.stage_seconds["load"] = time.perf_counter() - started

    started = time.perf_counter()
    problems = Problems(list(loaded.errors) + ledger_errors, list(loaded.warnings))
    site, id_base_url = _validated_site(loaded.site, base_url, problems)
    articles: list[Article] = []
    if site is not None:
        pinned = {slug: entry.id for slug, entry in ledger.items()}
        articles = validate_articles(loaded.articles, site, id_base_url, pinned, problems)
        if not problems.errors:
            # check reports a renamed article as publish would refuse it (issue 3).
            ledger_path = (content_dir / LEDGER_NAME).as_posix()
            problems.errors.extend(find_renames(ledger, articles, id_base_url, ledger_path))
    if strict and problems.warnings:
        problems.errors.extend(problems.warnings)
        problems.warnings = []
    report.stage_seconds["validate"] = time.perf_counter() - started
    if problems.errors or site is None:
        raise ContentErrors(problems.errors, problems.warnings)
    return Publication(site, tuple(articles), ledger, id_base_url, tuple(problems.warnings))


def _validated_site(
    raw_site: RawFile | None, base_url: str | None, problems: Problems
) -> tuple[Site | None, str]:
    """The site with ``--base-url`` applied, and the base URL that derived ids start from.

    Ids derive from site.yaml's own base_url, never from ``--base-url``: a preview publish must
    not mint ids that a later real publish would disagree with.
    """
    from feedsmith.validate import Problems, validate_site

    declared = validate_site(raw_site, None, problems)
    if declared is None or base_url is None:
        return declared, declared.base_url if declared else ""
    # Validated again only to resolve icon and logo against the override; problems are known.
    return validate_site(raw_site, base_url, Problems()), declared.base_url


def _read_ledger(content_dir: Path) -> tuple[dict[str, LedgerEntry], list[InputError]]:
    from feedsmith.ledger import parse_ledger

    path = content_dir / LEDGER_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [InputError(path.as_posix(), None, f"cannot read the id ledger: {exc}")]
    return parse_ledger(text, path.as_posix())


def select_published(
    articles: Sequence[Article], now: datetime, drafts: bool
) -> list[Article]:
    """What readers get: no scheduled (future) articles, and drafts only with ``--drafts``."""
    return [a for a in articles if a.published <= now and (drafts or not a.draft)]


def publish(options: PublishOptions) -> PublishReport:
    """Validate, render and write the publication; see the module doc."""
    report = PublishReport()
    _require_content_dir(options.content_dir)
    started = time.perf_counter()
    build = cache.build_key()
    inputs = cache.scan_inputs(options.content_dir)
    key = cache.run_key(build, _options_key(options), inputs)
    stamp = cache.read_stamp(options.content_dir, options.out_dir)
    if _unchanged_since_last_publish(options, key, stamp, report):
        report.stage_seconds["load"] = time.perf_counter() - started
        return report
    # What the last publish left as it was spares listing those folders for temporaries.
    quiet = cache.quiet_folders(options.out_dir, stamp)
    # From here on an interrupted publish must not leave a stamp saying all is done.
    cache.remove_stamp(options.content_dir, options.out_dir)
    report.stage_seconds["load"] = time.perf_counter() - started
    with _spool_dir(options.content_dir) as spool_dir:
        return _publish(options, build, inputs, spool_dir, quiet, report)


def _options_key(options: PublishOptions) -> tuple[object, ...]:
    # --now is not here: the stamp records the range of --now that selects the same articles.
    return (str(options.out_dir.resolve()), options.base_url, options.drafts, options.strict)


def _unchanged_since_last_publish(
    options: PublishOptions, key: str, stamp: cache.Stamp | None, report: PublishReport
) -> bool:
    """The fast path: the last publish into ``--out`` saw these inputs and options, ``now``
    selects the same articles, and every file it wrote is still as it left it."""
    if stamp is None or stamp.key != key:
        return False
    now = options.now
    if now.tzinfo is None:
        now = now.replace(tzinfo=ZoneInfo(stamp.timezone))
    if stamp.visible_from is not None and now < stamp.visible_from:
        return False  # an article visible then would now be in the future
    if stamp.visible_until is not None and now >= stamp.visible_until:
        return False  # a scheduled article is due
    if not cache.outputs_intact(options.out_dir, stamp.outputs):
        return False
    report.articles = stamp.articles
    report.unchanged = stamp.files
    report.warnings = list(stamp.warnings)
    report.fast_path = True
    return True


@contextlib.contextmanager
def _spool_dir(content_dir: Path) -> Iterator[Path]:
    """A private folder for rendered pages waiting to be written (see parallel.py).

    In the cache folder when it is writable, so a large archive's pages are not held in a
    memory-backed /tmp; removed at the end whatever happens. Ones left by a killed publish are
    removed a day later (a publish running beside this one may still use a recent one).
    """
    parent: Path | None = None
    with contextlib.suppress(OSError):
        folder = cache.make_cache_dir(content_dir)
        for stale in folder.glob(_SPOOL_PREFIX + "*"):
            if time.time() - stale.stat().st_mtime > _STALE_SPOOL_SECONDS:
                shutil.rmtree(stale, ignore_errors=True)
        parent = folder
    try:
        made = tempfile.mkdtemp(prefix=_SPOOL_PREFIX, dir=parent)
    except OSError:
        made = tempfile.mkdtemp(prefix=_SPOOL_PREFIX)
    try:
        yield Path(made)
    finally:
        shutil.rmtree(made, ignore_errors=True)


def _publish(
    options: PublishOptions,
    build: str,
    inputs: dict[str, cache.Stat],
    spool_dir: Path,
    quiet: dict[str, list[str]],
    report: PublishReport,
) -> PublishReport:
    from feedsmith.ledger import find_renames
    from feedsmith.parallel import SpoolReader
    from feedsmith.write import check_out_dir

    content_dir = options.content_dir
    loaded = _load_incrementally(options, build, inputs, spool_dir, report)
    site = loaded.site
    report.warnings = list(loaded.warnings)
    check_out_dir(options.out_dir)
    now = options.now
    if now.tzinfo is None:
        now = now.replace(tzinfo=ZoneInfo(site.timezone))

    started = time.perf_counter()
    articles = [c.article for entry in loaded.files.values() for c in entry.articles]
    ledger_path = content_dir / LEDGER_NAME
    renames = find_renames(loaded.ledger, articles, loaded.id_base_url, ledger_path.as_posix())
    if renames:
        raise ContentErrors(renames, list(loaded.warnings))
    visible_ids = {a.id for a in select_published(articles, now, options.drafts)}
    plan = assemble.make_plan(loaded, visible_ids)
    report.stage_seconds["validate"] += time.perf_counter() - started
    _render_missing(plan, loaded, options, content_dir, spool_dir, report)
    report.articles = len(plan.rendered)

    reader = SpoolReader(spool_dir)
    try:
        started = time.perf_counter()
        # Pages and feeds are rendered while writing; their time is theirs, not the writer's.
        before = sum(report.stage_seconds[s] for s in ("pages", "feeds"))
        made = assemble.Made()
        outputs = assemble.outputs(plan, loaded, content_dir, reader, made, report)
        written = _write(options.out_dir, outputs, quiet, len(plan.rendered))
        spent = sum(report.stage_seconds[s] for s in ("pages", "feeds")) - before
    finally:
        reader.close()
    _count(report, written)

    ledgered = [r.article for r in plan.rendered if not r.article.draft]
    ledger_written = _write_ledger(ledger_path, loaded.ledger, ledgered, report)
    _save_cache(
        options, loaded, plan, made, written, build, inputs, articles, now, ledger_written, report
    )
    report.stage_seconds["write"] = time.perf_counter() - started - spent
    return report


def _load_incrementally(
    options: PublishOptions,
    build: str,
    inputs: dict[str, cache.Stat],
    spool_dir: Path,
    report: PublishReport,
) -> assemble.Loaded:
    """Load, validate and render what the cache does not already hold; see the module doc.

    Raises ``ContentErrors`` exactly as ``check`` would when anything is wrong.
    """
    from feedsmith.load import find_article_relpaths, find_static_files, load_file
    from feedsmith.parallel import RenderContext
    from feedsmith.validate import Problems

    content_dir = options.content_dir
    started = time.perf_counter()
    errors: list[InputError] = []
    site_warnings: list[InputError] = []
    site_path = content_dir / "site.yaml"
    site_raw = (
        load_file(site_path, site_path.as_posix(), errors, site_warnings)
        if site_path.is_file()
        else None
    )
    find_static_files(content_dir, errors)  # only to report links leading outside, as load does
    relpaths = find_article_relpaths(content_dir, errors)
    ledger, ledger_errors = _read_ledger(content_dir)
    problems = Problems()
    site, id_base_url = _validated_site(site_raw, options.base_url, problems)
    if site is None or site_raw is None or errors or ledger_errors or problems.errors:
        _fail_as_check(options)
    assert site is not None
    context_key = cache.digest_text(build, site, id_base_url)
    pinned = {slug: entry.id for slug, entry in ledger.items()}
    context = RenderContext(site, id_base_url, pinned, context_key)
    index = cache.load_index(content_dir, context_key)

    files: dict[str, cache.CachedFile | None] = {}
    misses: list[str] = []
    for relpath in relpaths:
        reused = _reusable(index.files.get(relpath), content_dir, relpath, inputs, pinned)
        files[relpath] = reused
        if reused is None:
            misses.append(relpath)
    report.stage_seconds["load"] += time.perf_counter() - started

    fresh: dict[tuple[str, int], FreshArticle] = {}
    failed = _render_files(context, options, content_dir, misses, spool_dir, files, fresh, report)
    if failed:
        _fail_as_check(options)

    started = time.perf_counter()
    entries = {relpath: entry for relpath, entry in files.items() if entry is not None}
    warnings = (
        site_warnings
        + [w for e in entries.values() for w in e.load_warnings]
        + problems.warnings
        + [w for e in entries.values() for w in e.validate_warnings]
    )
    all_articles = [c.article for e in entries.values() for c in e.articles]
    if _conflicts(all_articles) or (options.strict and warnings):
        _fail_as_check(options)
    report.stage_seconds["validate"] += time.perf_counter() - started
    return assemble.Loaded(site, ledger, id_base_url, context, index, entries, fresh, warnings)


def _reusable(
    entry: cache.CachedFile | None,
    content_dir: Path,
    relpath: str,
    inputs: dict[str, cache.Stat],
    pinned: dict[str, str],
) -> cache.CachedFile | None:
    """The cache's entry for a file if it still describes it, else None (load it again)."""
    if entry is None:
        return None
    for cached in entry.articles:
        # An article's id is its explicit id, else the ledger's for its slug, else derived.
        # The first publish adds every new slug to the ledger with the id it already had:
        # that must not invalidate anything. A different or removed ledger id might.
        seen = pinned.get(cached.article.slug)
        if seen != cached.article.id and (seen is not None or cached.pinned is not None):
            return None
    if entry.stat == inputs.get(relpath) and not entry.racy:
        return entry
    # Touched, copied or recorded too soon after a change: trust the bytes, not the stat.
    try:
        stat, data = cache.read_with_stat((content_dir / relpath).as_posix())
    except OSError:
        return None
    if cache.digest(data) != entry.digest:
        return None
    return cache.CachedFile(
        cache.stat_of(stat),
        entry.digest,
        cache.is_racy(stat.st_mtime_ns),
        entry.load_warnings,
        entry.validate_warnings,
        entry.articles,
    )


def _render_files(
    context: RenderContext,
    options: PublishOptions,
    content_dir: Path,
    relpaths: Sequence[str],
    spool_dir: Path,
    files: dict[str, cache.CachedFile | None],
    fresh: dict[tuple[str, int], FreshArticle],
    report: PublishReport,
) -> bool:
    """Load, validate and render ``relpaths`` into ``files``/``fresh``; True if any failed."""
    from feedsmith.parallel import PARALLEL_MIN_FILES, default_jobs, render_files

    if not relpaths:
        return False
    jobs = options.jobs
    if jobs is None:
        jobs = default_jobs() if len(relpaths) >= PARALLEL_MIN_FILES else 1
    jobs = max(1, min(jobs, len(relpaths)))
    report.jobs = max(report.jobs, jobs)
    progress = Progress("rendering", len(relpaths))
    decoder = cache.ArticleDecoder()
    failed = False
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
                failed = True
                continue
            entry = decoder.file(result.entry)
            files[result.relpath] = entry
            for number, made in enumerate(result.fresh):
                fresh[(result.relpath, number)] = made
            report.articles_rendered += len(entry.articles)
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
    return failed


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


def _fail_as_check(options: PublishOptions) -> None:
    """Something is wrong: report it exactly as ``check`` does (raises ``ContentErrors``)."""
    _validated(options.content_dir, options.base_url, options.strict, PublishReport())
    raise AssertionError("publish found a problem that check does not: a bug in feedsmith")


def _conflicts(articles: Sequence[Article]) -> bool:
    """Whether validate's checks across articles would find anything (two files can be
    fine alone and clash together: a slug or id used twice, one category spelt two ways)."""
    slugs: set[str] = set()
    ids: set[str] = set()
    names: dict[str, str] = {}
    for article in articles:
        if article.slug in slugs or article.id in ids:
            return True
        slugs.add(article.slug)
        ids.add(article.id)
        for category in article.categories:
            if names.setdefault(category.slug, category.name) != category.name:
                return True
    return False


def _render_missing(
    plan: assemble.Plan,
    loaded: assemble.Loaded,
    options: PublishOptions,
    content_dir: Path,
    spool_dir: Path,
    report: PublishReport,
) -> None:
    """Render again the cached articles whose output cannot be reused: a feed now carries
    one whose body HTML is not kept, or a page was never made (a draft, a scheduled article).
    """
    context_key = loaded.context.page_key
    wanted: set[str] = set()
    for article_id, (relpath, number, cached) in plan.sources.items():
        if (relpath, number) in loaded.fresh:
            continue
        needs_body = article_id in plan.feed_ids and cached.digest not in loaded.index.bodies
        page = page_relpath(cached.article)
        needs_page = page is not None and loaded.index.outputs.get(page, ("", ""))[0] != (
            cache.page_digest(context_key, cached.digest)
        )
        if needs_body or needs_page:
            wanted.add(relpath)
    if not wanted:
        return
    files: dict[str, cache.CachedFile | None] = {}
    relpaths = sorted(wanted)
    failed = _render_files(
        loaded.context, options, content_dir, relpaths, spool_dir, files, loaded.fresh, report
    )
    for relpath in relpaths:
        again = files.get(relpath)
        before = loaded.files[relpath]
        if failed or again is None or again.digest != before.digest:
            raise FeedsmithError(
                f"{(content_dir / relpath).as_posix()}: changed while publishing: publish again"
            )
        loaded.files[relpath] = again


def _write(
    out_dir: Path,
    outputs: Iterable[tuple[str, bytes | Deferred | Staged]],
    quiet: dict[str, list[str]],
    expected: int,
) -> WriteReport:
    from feedsmith.write import write_outputs

    progress = Progress("writing", expected)

    def counted() -> Iterator[tuple[str, bytes | Deferred | Staged]]:
        for item in outputs:
            yield item
            progress.advance()

    try:
        return write_outputs(out_dir, counted(), quiet)
    finally:
        progress.close()


def _count(report: PublishReport, written: WriteReport) -> None:
    report.written = len(written.written)
    report.unchanged = written.unchanged
    report.removed = len(written.removed)
    report.changed = sorted(written.written + written.removed)  # what --ping tells the hub


def _write_ledger(
    path: Path, ledger: dict[str, LedgerEntry], published: list[Article], report: PublishReport
) -> bool:
    """Record new ids; False when the ledger could not be written (a warning says so)."""
    from feedsmith.ledger import record, render_ledger
    from feedsmith.write import write_file_atomically

    updated = record(ledger, published)
    if updated == ledger and path.exists():
        return True
    try:
        write_file_atomically(path, render_ledger(updated).encode("utf-8"))
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


def _save_cache(
    options: PublishOptions,
    loaded: assemble.Loaded,
    plan: assemble.Plan,
    made: assemble.Made,
    written: WriteReport,
    build: str,
    inputs: dict[str, cache.Stat],
    articles: Sequence[Article],
    now: datetime,
    ledger_written: bool,
    report: PublishReport,
) -> None:
    """Keep what the next publish can reuse, and the stamp that lets it skip everything."""
    content_dir = options.content_dir
    index = loaded.index
    now_ns = time.time_ns()
    files = {relpath: entry.recorded_at(now_ns) for relpath, entry in loaded.files.items()}
    if files != index.files or made.outputs != index.outputs or made.bodies != index.bodies:
        index.files, index.outputs, index.bodies = files, made.outputs, made.bodies
        cache.save_index(content_dir, index)
    if not ledger_written:
        return  # the next publish must try (and warn) again
    # The ledger is an input that this publish may just have written: stamp its new stat.
    stamped = dict(inputs)
    with contextlib.suppress(OSError):
        stat = (content_dir / LEDGER_NAME).stat()
        stamped[LEDGER_NAME] = cache.stat_of(stat)
    if any(cache.is_racy(stat[1], now_ns) for stat in inputs.values()):
        # A file changed within the last moments could change again within the same mtime
        # tick, keeping its stat: the stamp would then hide the change. The next publish is
        # a real one instead (cheap: the cache re-reads just those files). The ledger this
        # publish wrote itself is not such a change, hence ``inputs``, not ``stamped``.
        return
    visible = {r.article.id for r in plan.rendered}
    shown = [a.published for a in articles if a.id in visible]
    # The earliest article that --now alone keeps out (drafts stay out whatever the time).
    scheduled = [
        a.published
        for a in articles
        if a.id not in visible and (options.drafts or not a.draft) and a.published > now
    ]
    stamp = cache.Stamp(
        key=cache.run_key(build, _options_key(options), dict(sorted(stamped.items()))),
        timezone=loaded.site.timezone,
        visible_from=max(shown, default=None),
        visible_until=min(scheduled, default=None),
        articles=report.articles,
        files=report.written + report.unchanged,
        warnings=tuple(report.warnings),
        outputs=cache.stat_outputs(options.out_dir, written.files),
    )
    cache.write_stamp(content_dir, options.out_dir, stamp)
