"""Which files a publish writes, and what each holds (issue 5): the step between rendering
articles and writing the output, for ``publish.py``.

``make_plan`` settles what readers get (visible articles newest first, grouped by category, and
which of them feeds carry); ``outputs`` then produces every output file lazily, as bytes, as a
``write.Deferred`` when the cache vouches for a page or feed whose inputs did not change (it
is rendered only if the file on disk is not as recorded), or as the ``write.Staged`` page a
worker process wrote. ``Made`` collects what the cache keeps for the next publish.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from feedsmith import archives, cache
from feedsmith.errors import FeedsmithError, InputError
from feedsmith.model import (
    FEED_FILES,
    Category,
    RenderedArticle,
    Site,
    newest_first,
    page_relpath,
)

if TYPE_CHECKING:
    from feedsmith.ledger import LedgerEntry
    from feedsmith.parallel import FreshArticle, RenderContext, SpoolReader
    from feedsmith.publish import PublishReport
    from feedsmith.write import Deferred, Staged


@dataclass
class Loaded:
    """The publication as the incremental path sees it, before selection."""

    site: Site
    ledger: dict[str, LedgerEntry]
    id_base_url: str
    context: RenderContext
    index: cache.Index
    files: dict[str, cache.CachedFile]  # every article file, in load order
    fresh: dict[tuple[str, int], FreshArticle]  # (file, article number) rendered this run
    warnings: list[InputError]


@dataclass
class Plan:
    """What this publish shows: visible articles newest first, grouped by category."""

    rendered: list[RenderedArticle]  # without body HTML except for feed members
    sources: dict[str, tuple[str, int, cache.CachedArticle]]  # id -> (file, number, cached)
    categories: list[tuple[Category, list[RenderedArticle]]]  # listed: retracted left out
    feed_ids: set[str]  # articles some feed carries: their body HTML is needed
    # History (archives.py): the main feed's, then each category's in the order above.
    histories: list[archives.FeedHistory] = field(default_factory=list)


def make_plan(loaded: Loaded, visible_ids: set[str]) -> Plan:
    """What readers get of ``loaded``: the articles whose ids are in ``visible_ids``, newest
    first, grouped by category, and which of them some feed carries."""
    sources: dict[str, tuple[str, int, cache.CachedArticle]] = {}
    light: list[RenderedArticle] = []
    for relpath, entry in loaded.files.items():
        for number, cached in enumerate(entry.articles):
            if cached.article.id in visible_ids:
                sources[cached.article.id] = (relpath, number, cached)
                light.append(RenderedArticle(cached.article, "", cached.summary))
    rendered = newest_first(light)
    categories = _categories(rendered)
    # History: archive pages and tombstones are laid out in archives.py. The body HTML kept
    # is that of the documents a new article changes: the subscription documents and each
    # feed's newest archive page. A full page that must be rendered again (an archived article
    # edited, its file in --out changed) gets the others from their sources (_body_again).
    site = loaded.site
    histories = [archives.plan_history(None, rendered, site.feed_limit, site.archive_size)]
    histories += [
        archives.plan_history(c, members, site.feed_limit, site.archive_size)
        for c, members in categories
    ]
    feed_ids = {r.article.id for h in histories for d in (h.entries, *h.pages[-1:]) for r in d}
    listed = [(c, [r for r in m if r.article.retracted is None]) for c, m in categories]
    return Plan(rendered, sources, listed, feed_ids, histories)


@dataclass
class Made:
    """What the outputs of this publish were made from, for the cache."""

    outputs: dict[str, tuple[str, str]] = field(default_factory=dict)  # inputs, bytes digests
    bodies: dict[str, str] = field(default_factory=dict)  # body HTML of feed members


def outputs(
    plan: Plan,
    loaded: Loaded,
    content_dir: Path,
    reader: SpoolReader,
    made: Made,
    report: PublishReport,
) -> Iterator[tuple[str, bytes | Deferred | Staged]]:
    """Every output file as (relative path, bytes or ``Deferred``), produced lazily.

    Each page or feed set has an inputs digest (what it shows, and the site, feedsmith and
    templates through the context key); when the last publish recorded the same one, the
    writer gets a ``Deferred`` and the page is rendered only if the file on disk changed.
    """
    from feedsmith import feeds, pages
    from feedsmith.load import find_static_files
    from feedsmith.write import Deferred, Staged

    site = loaded.site
    key = loaded.context.page_key
    stages = report.stage_seconds
    known = loaded.index.outputs
    full_articles: dict[str, RenderedArticle] = {}

    def body(article_id: str) -> str:
        """An article's body HTML, rendered in this run or kept by the last one."""
        relpath, number, cached = plan.sources[article_id]
        content = made.bodies.get(cached.digest)
        if content is None:
            fresh = loaded.fresh.get((relpath, number))
            if fresh is not None:
                content = reader.read(fresh.content).decode("utf-8")
            elif cached.digest in loaded.index.bodies:
                content = loaded.index.bodies[cached.digest]
            else:  # history: an article on a full archive page (see make_plan)
                content = _body_again(loaded, content_dir, relpath, number)
            if article_id in plan.feed_ids:  # history: only those are kept (see make_plan)
                made.bodies[cached.digest] = content
        return content

    def full(item: RenderedArticle) -> RenderedArticle:
        """The article with its body HTML, which feeds need."""
        done = full_articles.get(item.article.id)
        if done is None:
            done = RenderedArticle(item.article, body(item.article.id), item.summary)
            if item.article.id in plan.feed_ids:  # history: a cold publish holds no archive
                full_articles[item.article.id] = done
        return done

    def digests(items: Sequence[RenderedArticle], entries_only: bool) -> list[str]:
        sources = plan.sources
        if entries_only:
            return [sources[r.article.id][2].entry_digest for r in items]
        return [sources[r.article.id][2].digest for r in items]

    def emit(
        names: Sequence[str], inputs: str, stage: str, render: Callable[[], dict[str, bytes]]
    ) -> Iterator[tuple[str, bytes | Deferred | Staged]]:
        rendered: dict[str, bytes] = {}

        def rendered_now() -> dict[str, bytes]:
            if not rendered:
                started = time.perf_counter()
                rendered.update(render())
                stages[stage] += time.perf_counter() - started
                report.outputs_rendered += len(rendered)
            return rendered

        if all(known.get(name, ("", ""))[0] == inputs for name in names):
            for name in names:
                made.outputs[name] = known[name]
                yield name, Deferred(known[name][1], functools.partial(_pick, rendered_now, name))
            return
        for name in names:
            data = rendered_now()[name]
            made.outputs[name] = (inputs, cache.digest(data))
            yield name, data

    site_updated = max((r.article.updated for r in plan.rendered), default=None)
    categories = plan.categories

    def feed_set(
        folder: str, info: feeds.FeedInfo, items: Sequence[RenderedArticle]
    ) -> dict[str, bytes]:
        made_feeds = feeds.render_feeds(site, info, [full(r) for r in items])
        return {folder + name: data for name, data in made_feeds.items()}

    def one_page(relpath: str, render: Callable[[], bytes]) -> dict[str, bytes]:
        return {relpath: render()}

    newest = list(plan.histories[0].entries)  # history: was plan.rendered[:limit]
    info = archives.subscription_info(site, plan.histories[0], site_updated)  # history
    yield from emit(
        list(FEED_FILES.values()),
        cache.digest_text("feeds", key, info, digests(newest, False)),
        "feeds",
        functools.partial(feed_set, "", info, newest),
    )
    category_list = [c for c, _ in categories]
    yield from emit(
        ["index.html"],
        cache.digest_text("index", key, category_list, digests(newest, True)),
        "pages",
        functools.partial(
            one_page,
            "index.html",
            functools.partial(pages.render_index, site, newest, category_list),
        ),
    )

    for (category, members), history in zip(categories, plan.histories[1:], strict=True):
        folder = f"categories/{category.slug}/"
        limited = list(history.entries)  # history: was members[:limit]
        category_info = archives.subscription_info(site, history, site_updated)  # history
        yield from emit(
            [folder + name for name in FEED_FILES.values()],
            cache.digest_text("feeds", key, category_info, digests(limited, False)),
            "feeds",
            functools.partial(feed_set, folder, category_info, limited),
        )
        yield from emit(
            [folder + "index.html"],
            cache.digest_text("category", key, category, digests(members, True)),
            "pages",
            functools.partial(
                one_page,
                folder + "index.html",
                functools.partial(pages.render_category_page, site, category, members),
            ),
        )

    # History: every archive page (RFC 5005) of every feed, a feed set like the ones above.
    for history in plan.histories:
        for archived in archives.archive_pages(site, history, site_updated):
            yield from emit(
                [archived.folder + name for name in FEED_FILES.values()],
                cache.digest_text("feeds", key, archived.info, digests(archived.entries, False)),
                "feeds",
                functools.partial(feed_set, archived.folder, archived.info, archived.entries),
            )

    shown: set[tuple[str, int]] = set()  # fresh articles whose page was handed to the writer
    for item in plan.rendered:
        page = page_relpath(item.article)
        if page is None:
            continue  # SPEC: the article lives elsewhere; no page is made
        relpath, number, cached = plan.sources[item.article.id]
        inputs = cache.page_digest(key, cached.digest)
        fresh = loaded.fresh.get((relpath, number))
        if fresh is not None and fresh.page is not None:
            shown.add((relpath, number))
            report.outputs_rendered += 1
            if isinstance(fresh.page, Staged):
                made.outputs[page] = (inputs, fresh.page.digest)
                yield page, fresh.page
                continue
            data = reader.read(fresh.page)
            made.outputs[page] = (inputs, cache.digest(data))
            yield page, data
            continue
        # _render_missing made sure the last publish recorded this page with these inputs.
        made.outputs[page] = known[page]
        again = functools.partial(_render_page_again, loaded, content_dir, relpath, number, cached)
        yield page, Deferred(known[page][1], again)

    # The page of an article readers do not get (a draft, a scheduled one) must not move into
    # --out with the folder it was staged in (write.Staged).
    for made_key, made_fresh in loaded.fresh.items():
        if isinstance(made_fresh.page, Staged) and made_key not in shown:
            _unstage(made_fresh.page)

    # Keep the body HTML of every article a feed carries, also of feeds not rendered this
    # time: the next publish may have to render them.
    for article_id in sorted(plan.feed_ids):
        body(article_id)

    # Links leading outside the content folder were refused by validation (issue 4); the
    # walk skips them again here rather than trusting that nothing changed since.
    for relative, path in find_static_files(content_dir):
        yield relative, path.read_bytes()


def _unstage(staged: Staged) -> None:
    Path(staged.path).unlink()
    with contextlib.suppress(OSError):
        Path(staged.path).parent.rmdir()  # its folder too, empty now


def _pick(render: Callable[[], dict[str, bytes]], name: str) -> bytes:
    return render()[name]


def _render_page_again(
    loaded: Loaded, content_dir: Path, relpath: str, number: int, cached: cache.CachedArticle
) -> bytes:
    """A page the cache vouched for, but whose file in --out was changed or removed."""
    from feedsmith.parallel import process_file

    again = process_file(loaded.context, content_dir, relpath)
    if again.entry is None or again.entry.articles[number].digest != cached.digest:
        raise FeedsmithError(
            f"{(content_dir / relpath).as_posix()}: changed while publishing: publish again"
        )
    page = again.bodies[number][1]
    assert page is not None, "only articles without a link have pages"
    return page


def _body_again(loaded: Loaded, content_dir: Path, relpath: str, number: int) -> str:
    """The body HTML of an article whose body the cache does not keep, from its source."""
    from feedsmith.parallel import process_file

    again = process_file(loaded.context, content_dir, relpath)
    # The file's bytes, not the article's digest: that one also covers the path the file was
    # first read at, and a content folder may have been moved or copied since.
    if again.entry is None or again.entry.digest != loaded.files[relpath].digest:
        raise FeedsmithError(
            f"{(content_dir / relpath).as_posix()}: changed while publishing: publish again"
        )
    return again.bodies[number][0]


def _categories(
    rendered: list[RenderedArticle],
) -> list[tuple[Category, list[RenderedArticle]]]:
    """Each category with its articles (newest first), sorted by category name."""
    members: dict[str, tuple[Category, list[RenderedArticle]]] = {}
    for item in rendered:
        for category in item.article.categories:
            members.setdefault(category.slug, (category, []))[1].append(item)
    return sorted(members.values(), key=lambda pair: (pair[0].name.casefold(), pair[0].slug))
