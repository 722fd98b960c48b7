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
exists, so the full one already links it as ``next-archive`` and stays as it is. A feed with
an archive has at least two pages, so every page links another. URLs are
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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from feedsmith.model import Category, Retraction

ARCHIVE_FOLDER = "archive"


@dataclass(frozen=True, slots=True)
class Tombstone:
    """RFC 6721 ``at:deleted-entry``: an entry readers should remove (a retracted article)."""

    ref: str  # the entry's id
    when: datetime
    comment: str | None


@dataclass(frozen=True, slots=True)
class History:
    """Where one feed document stands in its feed's history (RFC 5005), by folder URLs.

    The default says nothing: no ``fh:`` element, no archive links.
    """

    complete: bool = False  # fh:complete: this document holds every entry of the feed
    archive: bool = False  # fh:archive: an archive page, whose entries never change
    current: str | None = None  # the subscription documents' folder (archive pages)
    prev_archive: str | None = None  # the next older archive page's folder
    next_archive: str | None = None  # the next newer archive page's folder
    json_next: str | None = None  # JSON Feed next_url's folder: the next older page with items
    tombstones: tuple[Tombstone, ...] = ()


NO_HISTORY = History()
"""A document that says nothing of history: no ``fh:`` element, no archive links."""


class Placed(Protocol):
    """What the layout looks at of an article: the plan's row of one."""

    @property
    def id(self) -> str: ...
    @property
    def retracted(self) -> Retraction | None: ...


_Item = TypeVar("_Item", bound=Placed)


@dataclass(frozen=True, slots=True)
class FeedHistory(Generic[_Item]):
    """One feed's documents: the subscription documents' entries and the archive pages."""

    category: Category | None  # None: the main feed
    entries: tuple[_Item, ...]  # the subscription documents', newest first
    tombstones: tuple[Tombstone, ...]  # retracted articles the subscription would still carry
    pages: tuple[tuple[_Item, ...], ...]  # pages[n - 1] is page n, newest first

    @property
    def folder(self) -> str:
        """The relative folder of the subscription documents: "" or ``categories/<slug>/``."""
        return "" if self.category is None else f"categories/{self.category.slug}/"

    @property
    def complete(self) -> bool:
        return not self.pages


def plan_history(
    category: Category | None,
    articles: Sequence[_Item],
    feed_limit: int,
    archive_size: int,
) -> FeedHistory[_Item]:
    """Lay out one feed: ``articles`` are all its visible ones, newest first (SPEC order),
    retracted ones included."""
    listed = [a for a in articles if a.retracted is None]
    entries = tuple(listed[:feed_limit])
    tombstones = tuple(
        Tombstone(a.id, a.retracted.date, a.retracted.reason)
        for a in articles[:feed_limit]
        if a.retracted is not None
    )
    if len(listed) <= feed_limit:
        return FeedHistory(category, entries, tombstones, ())
    # Everything older than the subscription's oldest entry is archived, oldest first.
    oldest_entry = entries[-1]
    cut = next(i for i, a in enumerate(articles) if a is oldest_entry) + 1
    slots = list(reversed(articles[cut:]))
    # The newest page is never full (see above), and there are always two: a lone page would
    # link no other archive page, which RFC 5005 readers (and the W3C validator) expect of
    # an archive document that is not complete. Page 1's links so never change either.
    page_count = max(2, len(slots) // archive_size + 1)
    pages = tuple(
        tuple(
            a
            for a in reversed(slots[(n - 1) * archive_size : n * archive_size])
            if a.retracted is None
        )
        for n in range(1, page_count + 1)
    )
    return FeedHistory(category, entries, tombstones, pages)


def page_folder(history: FeedHistory[_Item], number: int) -> str:
    """The relative folder of archive page ``number``: ``[categories/<slug>/]archive/<n>/``."""
    return f"{history.folder}{ARCHIVE_FOLDER}/{number}/"


def _page_url(base_url: str, history: FeedHistory[_Item], number: int) -> str:
    return base_url + page_folder(history, number)


def _json_next(base_url: str, history: FeedHistory[_Item], below: int) -> str | None:
    """The newest page older than page ``below`` that has items (JSON Feed readers may stop
    at an empty page), or None: the chain ends and so never loops."""
    for number in range(below - 1, 0, -1):
        if history.pages[number - 1]:
            return _page_url(base_url, history, number)
    return None


def subscription_history(base_url: str, history: FeedHistory[_Item]) -> History:
    """The subscription documents' links: ``prev-archive`` to the newest archive page, or
    ``fh:complete``; tombstones of recent retractions."""
    count = len(history.pages)
    return History(
        complete=history.complete,
        prev_archive=_page_url(base_url, history, count) if count else None,
        json_next=_json_next(base_url, history, count + 1),
        tombstones=history.tombstones,
    )


def page_history(base_url: str, history: FeedHistory[_Item], number: int) -> History:
    """Archive page ``number``'s ``fh:archive`` and links (RFC 5005 section 4)."""
    count = len(history.pages)
    current = base_url + history.folder
    return History(
        archive=True,
        current=current,
        prev_archive=_page_url(base_url, history, number - 1) if number > 1 else None,
        next_archive=_page_url(base_url, history, number + 1) if number < count else None,
        json_next=_json_next(base_url, history, number),
    )


def page_url(base_url: str, history: FeedHistory[_Item], number: int) -> str:
    """Where archive page ``number``'s documents are: their self links' folder."""
    return _page_url(base_url, history, number)
