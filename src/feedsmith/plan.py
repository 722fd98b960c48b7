"""The decision of a publish, pure: from what the inputs are now and what the state remembers
of the last publish into the same folder, which output files to render and which to reuse.

Nothing here reads a file, a database or the clock; ``publish.py`` gathers the values, and
``assemble.py`` carries the jobs out. Like the update ``Decider`` of lemon24/reader, it only
processes data, so every rule can be tested by calling it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NamedTuple

from feedsmith import archives
from feedsmith.archives import NO_HISTORY, History
from feedsmith.model import FEED_FILES, Category
from feedsmith.records import digest_text, page_digest
from feedsmith.state import Listed, OutputRecord

JobKind = Literal["feeds", "index", "category", "page", "static"]


class Job(NamedTuple):
    """One output file, or the files one rendering makes together (a feed set).

    ``reuse`` holds the bytes digests the last publish recorded for ``names`` when it made
    them from the same inputs: then the writer keeps each file that is still as recorded,
    and renders only if one is not (``write.Deferred``).
    """

    kind: JobKind
    names: tuple[str, ...]
    inputs: str  # digest of everything the files show and how they are rendered
    reuse: tuple[str, ...] | None
    category: Category | None = None
    members: tuple[Listed, ...] = ()  # the articles shown, newest first
    source: str = ""  # for a static file: its path relative to the content folder
    # A feed document's place in its feed's history (RFC 5005): its links, and for an archive
    # page where it is; ``fallback`` is its updated time should it have no entries.
    history: History = NO_HISTORY
    folder_url: str | None = None
    fallback: datetime | None = None


@dataclass(frozen=True, slots=True)
class Selection:
    """What readers get as of ``now``: visible articles newest first, and what was left out."""

    visible: tuple[Listed, ...]
    drafts: int  # left out as drafts
    scheduled: int  # left out because ``published`` is after ``now``
    next_scheduled: datetime | None
    visible_from: datetime | None  # an earlier ``now`` would hide a visible article
    visible_until: datetime | None  # ``now`` from here on shows a scheduled article


def select(articles: Iterable[Listed], now: datetime, drafts: bool) -> Selection:
    """SPEC: no scheduled (future) articles; drafts only with ``--drafts``; newest first by
    ``published``, ties broken by id."""
    visible: list[Listed] = []
    left_as_drafts = 0
    scheduled: list[datetime] = []
    for article in articles:
        if article.draft and not drafts:
            left_as_drafts += 1
        elif article.published > now:
            scheduled.append(article.published)
        else:
            visible.append(article)
    # Two stable sorts: id ascending, then published descending keeps ids ascending on ties.
    visible.sort(key=lambda a: a.id)
    visible.sort(key=lambda a: a.published, reverse=True)
    return Selection(
        tuple(visible),
        left_as_drafts,
        len(scheduled),
        min(scheduled, default=None),
        visible[0].published if visible else None,
        min(scheduled, default=None),
    )


def latest_update(visible: Sequence[Listed]) -> datetime | None:
    """The latest ``updated`` of the visible articles: an empty feed's own updated time."""
    return max((a.updated for a in visible), default=None)


def by_category(visible: Sequence[Listed]) -> list[tuple[Category, tuple[Listed, ...]]]:
    """Each category with its articles (newest first), sorted by category name."""
    members: dict[str, tuple[Category, list[Listed]]] = {}
    for article in visible:
        for category in article.categories:
            members.setdefault(category.slug, (category, []))[1].append(article)
    ordered = sorted(members.values(), key=lambda pair: (pair[0].name.casefold(), pair[0].slug))
    return [(category, tuple(listed)) for category, listed in ordered]


def plan_outputs(
    context_key: str,
    base_url: str,
    feed_limit: int,
    archive_size: int,
    visible: Sequence[Listed],
    static: Sequence[tuple[str, str, str]],
    remembered: Mapping[str, OutputRecord],
) -> list[Job]:
    """Every output file of the publication, as jobs in the order they are written.

    ``visible`` holds retracted articles too: they keep their pages, and their places on
    archive pages (archives.py). ``static`` lists (output path, input path, digest) of the
    files copied as they are.
    """
    jobs: list[Job] = []

    def job(
        kind: JobKind,
        names: tuple[str, ...],
        inputs: str,
        category: Category | None = None,
        members: tuple[Listed, ...] = (),
        *,
        history: History = NO_HISTORY,
        folder_url: str | None = None,
        fallback: datetime | None = None,
    ) -> None:
        known = [remembered.get(name) for name in names]
        reuse: tuple[str, ...] | None = None
        if all(k is not None and k.inputs == inputs and k.digest for k in known):
            reuse = tuple(str(k.digest) for k in known if k is not None)
        jobs.append(
            Job(kind, names, inputs, reuse, category, members, "", history, folder_url, fallback)
        )

    # An empty feed's updated time is the site's latest (SPEC), so every feed depends on it.
    site_updated = latest_update(visible)
    categories = by_category(visible)
    histories = [archives.plan_history(None, visible, feed_limit, archive_size)]
    histories += [
        archives.plan_history(category, members, feed_limit, archive_size)
        for category, members in categories
    ]
    category_list = [category for category, _ in categories]
    main = histories[0]
    for history in histories:
        feed_set(job, context_key, base_url, history, site_updated)
        if history.category is None:
            job(
                "index",
                ("index.html",),
                digest_text(
                    "index", context_key, category_list, [a.entry_digest for a in main.entries]
                ),
                None,
                main.entries,
            )
    for category, members in categories:
        # Category pages list what readers get: retracted articles leave every list.
        shown = tuple(a for a in members if a.retracted is None)
        job(
            "category",
            (f"categories/{category.slug}/index.html",),
            digest_text("category", context_key, category, [a.entry_digest for a in shown]),
            category,
            shown,
        )
    for history in histories:
        archive_pages(job, context_key, base_url, history, site_updated)
    for article in visible:
        if article.has_page:
            job(
                "page",
                (f"articles/{article.slug}/index.html",),
                page_digest(context_key, article.digest),
                None,
                (article,),
            )
    for name, source, file_digest in static:
        # Copied as they are: their bytes digest is the input's, whatever was recorded.
        jobs.append(Job("static", (name,), file_digest, (file_digest,), None, (), source))
    return jobs


def feed_set(
    job: Callable[..., None],
    context_key: str,
    base_url: str,
    history: archives.FeedHistory[Listed],
    site_updated: datetime | None,
) -> None:
    """The subscription documents of one feed: its newest articles and its history's links."""
    links = archives.subscription_history(base_url, history)
    entries = history.entries
    folder = history.folder
    job(
        "feeds",
        tuple(folder + name for name in FEED_FILES.values()),
        digest_text(
            "feeds", context_key, history.category, links,
            _empty(entries, site_updated), _digests(entries),
        ),
        history.category,
        entries,
        history=links,
        fallback=site_updated,
    )  # fmt: skip


def archive_pages(
    job: Callable[..., None],
    context_key: str,
    base_url: str,
    history: archives.FeedHistory[Listed],
    site_updated: datetime | None,
) -> None:
    """Every archive page of one feed, oldest first.

    A page's updated time is its newest entry's, never the site's: a full page must keep its
    bytes when newer articles arrive. An empty page (the newest one, right after the one
    before it filled up) takes the updated time of the page before it.
    """
    fallback = site_updated
    for number, entries in enumerate(history.pages, start=1):
        links = archives.page_history(base_url, history, number)
        folder = archives.page_folder(history, number)
        job(
            "feeds",
            tuple(folder + name for name in FEED_FILES.values()),
            digest_text(
                "archive", context_key, history.category, number, links,
                _empty(entries, fallback), _digests(entries),
            ),
            history.category,
            entries,
            history=links,
            folder_url=archives.page_url(base_url, history, number),
            fallback=fallback,
        )  # fmt: skip
        fallback = max((a.updated for a in entries), default=fallback)


def _digests(members: Sequence[Listed]) -> list[str]:
    return [a.digest for a in members]


def _empty(members: Sequence[Listed], site_updated: datetime | None) -> datetime | None:
    # A feed's updated time is its newest entry's; only an empty one takes the site's latest.
    return None if members else site_updated


def reusable(stored_pinned: str | None, article_id: str, pinned_now: str | None) -> bool:
    """Whether an article validated when the ledger said ``stored_pinned`` for its slug is
    still what validating it now would give, the ledger saying ``pinned_now``.

    An article's id is its explicit id, else the ledger's for its slug, else derived. The
    first publish adds every new slug to the ledger with the id it already had: that must not
    invalidate anything. A different or removed ledger id might.
    """
    return pinned_now == article_id or (pinned_now is None and stored_pinned is None)
