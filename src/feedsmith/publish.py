"""The pipeline: load -> model -> render -> write, and the one place that does file I/O for it.

``publish`` validates everything first and writes nothing at all if any file has an error
(SPEC: exit 1, nothing written). ``check`` is the same without rendering or writing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from feedsmith import feeds, pages
from feedsmith.errors import ContentErrors, FeedsmithError, InputError
from feedsmith.ledger import (
    LEDGER_NAME,
    LedgerEntry,
    find_renames,
    parse_ledger,
    record,
    render_ledger,
)
from feedsmith.load import load_content
from feedsmith.markup import render_article
from feedsmith.model import Article, Category, RenderedArticle, Site, newest_first
from feedsmith.validate import Problems, validate_articles, validate_site
from feedsmith.write import WriteReport, check_out_dir, write_file_atomically, write_outputs

STATIC_DIR = "static"
STAGES = ("load", "validate", "markdown", "pages", "feeds", "write")


@dataclass(frozen=True, slots=True)
class PublishOptions:
    """The options of ``feedsmith publish``; ``now`` without an offset is in the site time zone."""

    content_dir: Path
    out_dir: Path
    now: datetime
    base_url: str | None = None
    drafts: bool = False
    strict: bool = False


@dataclass
class PublishReport:
    articles: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    warnings: list[InputError] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))


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


def _validated(
    content_dir: Path, base_url: str | None, strict: bool, report: PublishReport
) -> Publication:
    if not content_dir.is_dir():
        raise FeedsmithError(
            f"{content_dir}: no such content folder: run from the folder that holds it or"
            " pass --content DIR"
        )
    started = time.perf_counter()
    loaded = load_content(content_dir)
    ledger, ledger_errors = _read_ledger(content_dir)
    report.stage_seconds["load"] = time.perf_counter() - started

    started = time.perf_counter()
    problems = Problems(list(loaded.errors) + ledger_errors, list(loaded.warnings))
    site = validate_site(loaded.site, base_url, problems)
    articles: list[Article] = []
    id_base_url = ""
    if site is not None:
        # Derived ids use site.yaml's base_url, never --base-url (a preview must not mint ids).
        id_base_url = _declared_base_url(loaded.site, site) if base_url else site.base_url
        pinned = {slug: entry.id for slug, entry in ledger.items()}
        articles = validate_articles(loaded.articles, site, id_base_url, pinned, problems)
    if strict and problems.warnings:
        problems.errors.extend(problems.warnings)
        problems.warnings = []
    report.stage_seconds["validate"] = time.perf_counter() - started
    if problems.errors or site is None:
        raise ContentErrors(problems.errors, problems.warnings)
    return Publication(site, tuple(articles), ledger, id_base_url, tuple(problems.warnings))


def _declared_base_url(raw_site: object, site: Site) -> str:
    from feedsmith.load import RawFile

    assert isinstance(raw_site, RawFile)
    document = raw_site.documents[0].value
    assert isinstance(document, dict)
    declared = document["base_url"].value
    assert isinstance(declared, str)
    text = declared.strip()
    return text if text.endswith("/") else text + "/"


def _read_ledger(content_dir: Path) -> tuple[dict[str, LedgerEntry], list[InputError]]:
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
    publication = _validated(options.content_dir, options.base_url, options.strict, report)
    site = publication.site
    report.warnings = list(publication.warnings)
    check_out_dir(options.out_dir)
    now = options.now
    if now.tzinfo is None:
        now = now.replace(tzinfo=ZoneInfo(site.timezone))

    visible = select_published(publication.articles, now, options.drafts)
    ledger_path = options.content_dir / LEDGER_NAME
    renames = find_renames(
        publication.ledger, publication.articles, publication.id_base_url, ledger_path.as_posix()
    )
    if renames:
        raise ContentErrors(renames, list(publication.warnings))

    started = time.perf_counter()
    rendered = newest_first([render_article(site, article) for article in visible])
    report.stage_seconds["markdown"] = time.perf_counter() - started
    report.articles = len(rendered)

    started = time.perf_counter()
    outputs = _outputs(site, rendered, publication, options.content_dir, report)
    written = write_outputs(options.out_dir, outputs)
    spent = sum(report.stage_seconds[s] for s in ("pages", "feeds"))
    report.stage_seconds["write"] = time.perf_counter() - started - spent
    _count(report, written)

    ledgered = [r.article for r in rendered if not r.article.draft]
    _write_ledger(ledger_path, publication.ledger, ledgered, report)
    return report


def _count(report: PublishReport, written: WriteReport) -> None:
    report.written = len(written.written)
    report.unchanged = written.unchanged
    report.removed = len(written.removed)


def _write_ledger(
    path: Path, ledger: dict[str, LedgerEntry], published: list[Article], report: PublishReport
) -> None:
    updated = record(ledger, published)
    if updated == ledger and path.exists():
        return
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


def _outputs(
    site: Site,
    rendered: list[RenderedArticle],
    publication: Publication,
    content_dir: Path,
    report: PublishReport,
) -> Iterator[tuple[str, bytes]]:
    """Every output file as (relative path, bytes), produced lazily (see write.write_outputs)."""
    stages = report.stage_seconds
    site_updated = max((r.article.updated for r in rendered), default=None)
    categories = _categories(rendered)

    started = time.perf_counter()
    newest = rendered[: site.feed_limit]
    main_info = feeds.feed_info(site, None, newest, site_updated)
    main_feeds = feeds.render_feeds(site, main_info, newest)
    stages["feeds"] += time.perf_counter() - started
    yield from main_feeds.items()

    started = time.perf_counter()
    index = pages.render_index(site, newest, [c for c, _ in categories])
    stages["pages"] += time.perf_counter() - started
    yield "index.html", index

    for category, members in categories:
        folder = f"categories/{category.slug}/"
        started = time.perf_counter()
        limited = members[: site.feed_limit]
        info = feeds.feed_info(site, category, limited, site_updated)
        category_feeds = feeds.render_feeds(site, info, limited)
        stages["feeds"] += time.perf_counter() - started
        for name, data in category_feeds.items():
            yield folder + name, data
        started = time.perf_counter()
        page = pages.render_category_page(site, category, members)
        stages["pages"] += time.perf_counter() - started
        yield folder + "index.html", page

    for item in rendered:
        if item.article.link:
            continue  # SPEC: the article lives elsewhere; no page is made
        started = time.perf_counter()
        page = pages.render_article_page(site, item)
        stages["pages"] += time.perf_counter() - started
        yield f"articles/{item.article.slug}/index.html", page

    yield from _static_files(content_dir)


def _categories(
    rendered: list[RenderedArticle],
) -> list[tuple[Category, list[RenderedArticle]]]:
    """Each category with its articles (newest first), sorted by category name."""
    members: dict[str, tuple[Category, list[RenderedArticle]]] = {}
    for item in rendered:
        for category in item.article.categories:
            members.setdefault(category.slug, (category, []))[1].append(item)
    return sorted(members.values(), key=lambda pair: (pair[0].name.casefold(), pair[0].slug))


def _static_files(content_dir: Path) -> Iterator[tuple[str, bytes]]:
    """Files under ``content/static/`` are copied as they are (images, icons, audio)."""
    root = content_dir / STATIC_DIR
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            yield relative.as_posix(), path.read_bytes()
