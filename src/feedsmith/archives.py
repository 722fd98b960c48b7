"""RFC 5005 archived feeds: which articles each document of one feed holds, and its links.

Pure: no I/O, no clock. One feed (the main feed, or one category's) is its articles newest
first. Its *subscription documents* (``rss.xml``, ``atom.xml``, ``feed.json``) carry the newest
``feed_limit`` of them; every older article is on exactly one *archive page*, so walking the
subscription document and then the archive pages from newest to oldest meets every article
once, newest first.

Archive pages are numbered from the oldest article: page 1 holds the oldest ``archive_size``
articles, page 2 the next ones, and so on; each page lists its articles newest first. So an
article keeps its page for good, and a page that is full never changes again: a new article
only moves the oldest article of the subscription documents onto the newest page. That page
is never full: when the archive fills its last page exactly, a next, empty page already
exists, so the full one already links it as ``next-archive`` and stays as it is. URLs are
``archive/<n>/`` under the feed's folder (``categories/<slug>/archive/<n>/``).

Retractions: a retracted article leaves every document but keeps its place (its *slot*) on its
page, so a retraction rewrites only the page that held it, not every later page. While it
would still be among the newest ``feed_limit`` articles, the Atom subscription document
carries its RFC 6721 tombstone.

What moves pages: an edit or correction of an archived article changes only the page that
holds it (and the article's own page). An article dated before others that are already
archived (backdated, or a scheduled one published late), a deleted article file, or a
change of ``feed_limit`` or ``archive_size`` shifts the articles after it, so every page from
its place to the newest is written again; URLs stay the same.

A feed whose every article fits in the subscription documents has no archive pages and says
``fh:complete`` instead. JSON Feed has no archives: ``next_url`` leads from ``feed.json``
through the pages with items, newest to oldest, and the oldest has none.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from feedsmith.model import Category, RenderedArticle, Site, feed_folder_url

if TYPE_CHECKING:
    # Imported where used: a publish with nothing to do never loads feedgen and lxml.
    from feedsmith.feeds import FeedInfo, Tombstone

ARCHIVE_FOLDER = "archive"


@dataclass(frozen=True, slots=True)
class FeedHistory:
    """One feed's documents: the subscription documents' entries and the archive pages."""

    category: Category | None  # None: the main feed
    entries: tuple[RenderedArticle, ...]  # the subscription documents', newest first
    tombstones: tuple[Tombstone, ...]  # retracted articles the subscription would still carry
    pages: tuple[tuple[RenderedArticle, ...], ...]  # pages[n - 1] is page n, newest first

    @property
    def folder(self) -> str:
        """The relative folder of the subscription documents: "" or ``categories/<slug>/``."""
        return "" if self.category is None else f"categories/{self.category.slug}/"

    @property
    def complete(self) -> bool:
        return not self.pages


def plan_history(
    category: Category | None,
    articles: Sequence[RenderedArticle],
    feed_limit: int,
    archive_size: int,
) -> FeedHistory:
    """Lay out one feed: ``articles`` are all its visible ones, newest first (SPEC order),
    retracted ones included."""
    from feedsmith.feeds import Tombstone

    listed = [r for r in articles if r.article.retracted is None]
    entries = tuple(listed[:feed_limit])
    tombstones = tuple(
        Tombstone(r.article.id, r.article.retracted.date, r.article.retracted.reason)
        for r in articles[:feed_limit]
        if r.article.retracted is not None
    )
    if len(listed) <= feed_limit:
        return FeedHistory(category, entries, tombstones, ())
    # Everything older than the subscription's oldest entry is archived, oldest first.
    oldest_entry = entries[-1]
    cut = next(i for i, r in enumerate(articles) if r is oldest_entry) + 1
    slots = list(reversed(articles[cut:]))
    page_count = len(slots) // archive_size + 1  # the newest page is never full (see above)
    pages = tuple(
        tuple(
            r
            for r in reversed(slots[(n - 1) * archive_size : n * archive_size])
            if r.article.retracted is None
        )
        for n in range(1, page_count + 1)
    )
    return FeedHistory(category, entries, tombstones, pages)


def page_folder(history: FeedHistory, number: int) -> str:
    """The relative folder of archive page ``number``: ``[categories/<slug>/]archive/<n>/``."""
    return f"{history.folder}{ARCHIVE_FOLDER}/{number}/"


def _page_url(site: Site, history: FeedHistory, number: int) -> str:
    return site.base_url + page_folder(history, number)


def _json_next(site: Site, history: FeedHistory, below: int) -> str | None:
    """The newest page older than page ``below`` that has items (JSON Feed readers may stop
    at an empty page), or None: the chain ends and so never loops."""
    for number in range(below - 1, 0, -1):
        if history.pages[number - 1]:
            return _page_url(site, history, number)
    return None


def subscription_info(
    site: Site, history: FeedHistory, site_updated: datetime | None
) -> FeedInfo:
    """The subscription documents' own fields: ``prev-archive`` to the newest archive page, or
    ``fh:complete``; tombstones of recent retractions."""
    from feedsmith.feeds import History, feed_info

    count = len(history.pages)
    links = History(
        complete=history.complete,
        prev_archive=_page_url(site, history, count) if count else None,
        json_next=_json_next(site, history, count + 1),
        tombstones=history.tombstones,
    )
    return feed_info(site, history.category, history.entries, site_updated, links)


@dataclass(frozen=True, slots=True)
class ArchivePage:
    """One archive page to write: its folder, its own fields and its entries."""

    folder: str  # relative: ``[categories/<slug>/]archive/<n>/``
    info: FeedInfo
    entries: tuple[RenderedArticle, ...]


def archive_pages(
    site: Site, history: FeedHistory, site_updated: datetime | None
) -> Iterator[ArchivePage]:
    """Every archive page of one feed, oldest first, with ``fh:archive`` and its links.

    A page's updated time is its newest entry's, never the site's: a full page must keep its
    bytes when newer articles arrive. An empty page (the newest one, right after the one
    before it filled up) takes the updated time of the page before it.
    """
    from feedsmith.feeds import History, feed_info

    count = len(history.pages)
    current = feed_folder_url(site, history.category)
    fallback = site_updated
    for number, entries in enumerate(history.pages, start=1):
        links = History(
            archive=True,
            current=current,
            prev_archive=_page_url(site, history, number - 1) if number > 1 else None,
            next_archive=_page_url(site, history, number + 1) if number < count else None,
            json_next=_json_next(site, history, number),
        )
        url = _page_url(site, history, number)
        info = feed_info(site, history.category, entries, fallback, links, folder_url=url)
        fallback = info.updated
        yield ArchivePage(page_folder(history, number), info, entries)
