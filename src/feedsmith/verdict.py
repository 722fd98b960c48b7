"""The verdict on a publication, shared by ``check`` and ``publish``: every file judged on its
own (``parallel.examine_file``), then the checks across files, in one order.

``check`` judges every file here; ``publish`` judges the files it loads again the same way and
takes the state's record for the others, whose verdict was given when they were loaded. Both
end in ``verdict``, so they cannot disagree on whether content is valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from feedsmith.errors import ContentErrors, FeedsmithError, InputError
from feedsmith.layout import LEDGER_FILE, SITE_FILE
from feedsmith.model import Article, Site
from feedsmith.records import build_key, digest_text

if TYPE_CHECKING:
    from feedsmith.ledger import LedgerEntry
    from feedsmith.load import RawFile
    from feedsmith.parallel import RenderContext
    from feedsmith.validate import Problems


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
    from feedsmith.parallel import examine_file

    require_content_dir(content_dir)
    site_part = load_site(content_dir, base_url)
    judged: list[Judged] = []
    if site_part.context is not None:
        for relpath in site_part.relpaths:
            examined = examine_file(site_part.context, content_dir, relpath)
            judged.append(
                Judged(
                    examined.load_errors,
                    examined.load_warnings,
                    examined.validate_errors,
                    examined.validate_warnings,
                    examined.articles,
                )
            )
    else:
        reject_site(content_dir, site_part, strict)
    warnings = verdict(site_part, judged, strict)
    assert site_part.site is not None  # verdict raised otherwise
    articles = tuple(a for j in judged for a in j.articles if isinstance(a, Article))
    return Publication(
        site_part.site, articles, site_part.ledger, site_part.id_base_url, tuple(warnings)
    )


def require_content_dir(content_dir: Path) -> None:
    if not content_dir.is_dir():
        raise FeedsmithError(
            f"{content_dir}: no such content folder: run from the folder that holds it or"
            " pass --content DIR"
        )


@dataclass(frozen=True, slots=True)
class SitePart:
    """The publication's site-wide inputs, loaded and validated: what every file is judged by."""

    site: Site | None
    id_base_url: str
    ledger: dict[str, LedgerEntry]
    context: RenderContext | None  # None when the site has errors
    relpaths: tuple[str, ...]  # article files, in load order
    static: tuple[str, ...]  # files under static/, as published at the site's root
    site_shown: str
    load_errors: tuple[InputError, ...]  # site.yaml and links leading outside
    load_warnings: tuple[InputError, ...]
    ledger_errors: tuple[InputError, ...]
    ledger_shown: str
    site_errors: tuple[InputError, ...]
    site_warnings: tuple[InputError, ...]


@dataclass(frozen=True, slots=True)
class Judged:
    """One article file's verdict: its problems and its articles (or the state's records)."""

    load_errors: tuple[InputError, ...]
    load_warnings: tuple[InputError, ...]
    validate_errors: tuple[InputError, ...]
    validate_warnings: tuple[InputError, ...]
    articles: tuple[Any, ...]  # Article or state.Listed: see validate.Identified


def load_site(content_dir: Path, base_url: str | None) -> SitePart:
    """site.yaml, the ledger, the publication's own templates and where its files are.

    A template that cannot be compiled raises ``ContentErrors`` naming its file and line.
    """
    from feedsmith.load import find_article_relpaths, find_static_files, load_file
    from feedsmith.pages import templates_key
    from feedsmith.parallel import RenderContext
    from feedsmith.validate import Problems

    errors: list[InputError] = []
    warnings: list[InputError] = []
    site_path = content_dir / SITE_FILE
    raw_site: RawFile | None = None
    if site_path.is_file():
        raw_site = load_file(site_path, site_path.as_posix(), errors, warnings)
    else:
        errors.append(
            InputError(
                site_path.as_posix(),
                None,
                "missing: every publication needs a site.yaml with title, base_url and description",
            )
        )
    static = tuple(relative for relative, _ in find_static_files(content_dir, errors))
    relpaths = tuple(find_article_relpaths(content_dir, errors))
    ledger, ledger_errors = read_ledger(content_dir)
    problems = Problems()
    site, id_base_url = validated_site(raw_site, base_url, problems)
    context = None
    if site is not None:
        pinned = {slug: entry.id for slug, entry in ledger.items()}
        # The publication's own templates are part of every page's key.
        context_key = digest_text(build_key(), site, id_base_url, templates_key(content_dir))
        context = RenderContext(site, id_base_url, pinned, context_key)
    return SitePart(
        site,
        id_base_url,
        ledger,
        context,
        relpaths,
        static,
        site_path.as_posix(),
        tuple(errors),
        tuple(warnings),
        tuple(ledger_errors),
        (content_dir / LEDGER_FILE).as_posix(),
        tuple(problems.errors),
        tuple(problems.warnings),
    )


def reject_site(content_dir: Path, site_part: SitePart, strict: bool) -> NoReturn:
    """A site too broken to validate articles by: report it, and each article file's load
    problems, as every verdict is reported (raises ``ContentErrors``)."""
    from feedsmith.load import load_file

    judged = []
    for relpath in site_part.relpaths:
        errors: list[InputError] = []
        warnings: list[InputError] = []
        path = content_dir / relpath
        load_file(path, path.as_posix(), errors, warnings)
        judged.append(Judged(tuple(errors), tuple(warnings), (), (), ()))
    verdict(site_part, judged, strict)
    raise AssertionError("a publication without a valid site passed validation")


def verdict(site_part: SitePart, judged: Sequence[Judged], strict: bool) -> list[InputError]:
    """Every problem of the publication in check's order; raises ``ContentErrors`` if any is
    an error, else returns the warnings.

    The order is load problems first (site, links, every article file, the ledger), then
    validation (site, every article file), then the checks across articles.
    """
    from feedsmith.ledger import find_renames
    from feedsmith.validate import Problems, check_unique, find_broken_references

    problems = Problems(list(site_part.load_errors), [])
    for one in judged:
        problems.errors.extend(one.load_errors)
    problems.errors.extend(site_part.ledger_errors)
    problems.warnings.extend(site_part.load_warnings)
    for one in judged:
        problems.warnings.extend(one.load_warnings)
    problems.errors.extend(site_part.site_errors)
    problems.warnings.extend(site_part.site_warnings)
    if site_part.site is not None:
        for one in judged:
            problems.errors.extend(one.validate_errors)
            problems.warnings.extend(one.validate_warnings)
        articles = [a for one in judged for a in one.articles]
        check_unique(articles, problems)
        # Across articles too: a link to another article's page, or to a static file, which
        # may have gone while the linking file did not change.
        problems.warnings.extend(
            find_broken_references(site_part.site, site_part.site_shown, articles, site_part.static)
        )
        if not problems.errors:
            # A renamed article is reported as publish would refuse it.
            problems.errors.extend(
                find_renames(
                    site_part.ledger, articles, site_part.id_base_url, site_part.ledger_shown
                )
            )
    if strict and problems.warnings:
        problems.errors.extend(problems.warnings)
        problems.warnings = []
    if problems.errors or site_part.site is None:
        raise ContentErrors(problems.errors, problems.warnings)
    return problems.warnings


def validated_site(
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


def read_ledger(content_dir: Path) -> tuple[dict[str, LedgerEntry], list[InputError]]:
    from feedsmith.ledger import parse_ledger

    path = content_dir / LEDGER_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [InputError(path.as_posix(), None, f"cannot read the id ledger: {exc}")]
    return parse_ledger(text, path.as_posix())
