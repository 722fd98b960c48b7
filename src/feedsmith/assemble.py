"""Carrying out the plan: every output file of a publish, as bytes, as a ``write.Deferred``
when the plan found it made from the same inputs last time, or as the ``write.Staged`` page a
worker process already wrote.

Every article shown comes from one place, ``Articles``: the records and body HTML rendered in
this run, or those the publish state keeps. So a page or feed is rendered the same way
whether its articles were just loaded or not, and no article file is read again here.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from feedsmith.model import RenderedArticle, Site
from feedsmith.plan import Job
from feedsmith.records import ArticleRecord
from feedsmith.state import Listed
from feedsmith.write import Deferred, Staged

Key = tuple[str, int]
"""An article by its file (path relative to the content folder) and number in it."""


@dataclass
class Articles:
    """The articles a publish shows, decoded only when an output that shows them is rendered.

    ``fresh`` holds the ones rendered in this run; ``stored`` fetches the others' records and
    body HTML from the publish state, many at a time.
    """

    fresh: dict[Key, tuple[ArticleRecord, Callable[[], str]]]
    stored: Callable[[Sequence[Key], bool], Mapping[Key, tuple[ArticleRecord, str]]]
    _done: dict[Key, RenderedArticle] = field(default_factory=dict)  # as lists show them

    def listed(self, members: Sequence[Listed]) -> list[RenderedArticle]:
        """``members`` as lists show them: without body HTML, which no list shows."""
        keys = [(m.relpath, m.number) for m in members]
        missing = [k for k in keys if k not in self._done and k not in self.fresh]
        found = self.stored(missing, False) if missing else {}
        shown = []
        for key in keys:
            done = self._done.get(key)
            if done is not None:
                shown.append(done)
                continue
            record = self.fresh[key][0] if key in self.fresh else found[key][0]
            done = RenderedArticle(record.article, "", record.summary)
            self._done[key] = done
            shown.append(done)
        return shown

    def rendered(self, members: Sequence[Listed]) -> list[RenderedArticle]:
        """``members`` with their body HTML, in the order given.

        Not kept for the next output: archive pages show every article, and a cold publish of
        a large archive must not hold every body at once. An article in several feeds has
        its body read again for each, from the spool or the state.
        """
        keys = [(m.relpath, m.number) for m in members]
        missing = [k for k in keys if k not in self.fresh]
        found = self.stored(missing, True) if missing else {}
        shown = []
        for key in keys:
            if key in self.fresh:
                record, body = self.fresh[key][0], self.fresh[key][1]()
            else:
                record, body = found[key]
            shown.append(RenderedArticle(record.article, body, record.summary))
        return shown


@dataclass
class Counts:
    """What carrying out the plan cost, for the publish report."""

    rendered: int = 0  # output files rendered in this run
    seconds: dict[str, float] = field(default_factory=lambda: {"pages": 0.0, "feeds": 0.0})


def outputs(
    site: Site,
    jobs: Sequence[Job],
    articles: Articles,
    fresh_pages: Mapping[Key, Staged | Callable[[], bytes]],
    read_static: Callable[[str], bytes],
    counts: Counts,
) -> Iterator[tuple[str, bytes | Deferred | Staged]]:
    """Every output as (relative path, bytes, ``Deferred`` or ``Staged``), produced lazily in
    the plan's order. ``fresh_pages`` are the pages rendered in this run, staged by a worker
    or kept to be read back."""
    from feedsmith import feeds, pages

    categories = [job.category for job in jobs if job.kind == "category" and job.category]

    def render(job: Job) -> dict[str, bytes]:
        if job.kind == "static":
            return {job.names[0]: read_static(job.source)}
        started = time.perf_counter()
        if job.kind == "page":
            (member,) = job.members
            page = fresh_pages.get((member.relpath, member.number))
            if callable(page):
                made = {job.names[0]: page()}
            else:
                shown = articles.rendered(job.members)[0]
                made = {job.names[0]: pages.render_article_page(site, shown)}
        elif job.kind == "feeds":
            shown_list = articles.rendered(job.members)
            info = feeds.feed_info(
                site, job.category, shown_list, job.fallback, job.history, job.folder_url
            )
            prefix = job.names[0].rpartition("/")[0]
            prefix = prefix + "/" if prefix else ""
            made = {prefix + n: d for n, d in feeds.render_feeds(site, info, shown_list).items()}
        elif job.kind == "index":
            made = {
                job.names[0]: pages.render_index(site, articles.listed(job.members), categories)
            }
        else:
            assert job.category is not None
            shown_list = articles.listed(job.members)
            made = {job.names[0]: pages.render_category_page(site, job.category, shown_list)}
        counts.rendered += len(made)
        counts.seconds["feeds" if job.kind == "feeds" else "pages"] += time.perf_counter() - started
        return made

    for job in jobs:
        if job.kind == "page":
            member = job.members[0]
            page = fresh_pages.get((member.relpath, member.number))
            if isinstance(page, Staged):
                counts.rendered += 1
                yield job.names[0], page
                continue
        if job.reuse is not None:
            once = _Once(render, job)
            for name, known in zip(job.names, job.reuse, strict=True):
                yield name, Deferred(known, functools.partial(once.pick, name))
            continue
        made = render(job)
        for name in job.names:
            yield name, made[name]


class _Once:
    """A job rendered at most once, however many of its files turn out to need it."""

    __slots__ = ("_job", "_made", "_render")

    def __init__(self, render: Callable[[Job], dict[str, bytes]], job: Job) -> None:
        self._render, self._job = render, job
        self._made: dict[str, bytes] | None = None

    def pick(self, name: str) -> bytes:
        if self._made is None:
            self._made = self._render(self._job)
        return self._made[name]
