"""The decision of a publish is pure: these call ``plan.py`` with values, no files, no clock.

Each rule has a test here that fails when the rule is deleted; the whole-publication tests
(test_state.py, test_state_machine.py) show the same rules from outside.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from feedsmith import plan
from feedsmith.model import Category, Source
from feedsmith.state import Listed, OutputRecord

T0 = datetime(2026, 1, 1, tzinfo=UTC)
HARBOUR = Category("Harbour", "harbour")


def listed(
    slug: str,
    hours: int,
    *,
    draft: bool = False,
    categories: tuple[Category, ...] = (),
    digest: str | None = None,
    has_page: bool = True,
) -> Listed:
    published = T0 + timedelta(hours=hours)
    return Listed(
        f"articles/{slug}.yaml", 0, f"tag:example.org,2026:{slug}", slug, slug.title(),
        published, published, draft, has_page, None, categories, (),
        Source(f"content/articles/{slug}.yaml", 1), None, digest or f"d-{slug}", f"e-{slug}",
    )  # fmt: skip


def test_select_keeps_out_scheduled_articles_and_drafts() -> None:
    articles = [listed("old", 0), listed("draft", 1, draft=True), listed("later", 10)]
    chosen = plan.select(articles, T0 + timedelta(hours=5), drafts=False)
    assert [a.slug for a in chosen.visible] == ["old"]
    assert (chosen.drafts, chosen.scheduled) == (1, 1)
    assert chosen.next_scheduled == T0 + timedelta(hours=10)
    with_drafts = plan.select(articles, T0 + timedelta(hours=5), drafts=True)
    assert [a.slug for a in with_drafts.visible] == ["draft", "old"]  # newest first
    assert with_drafts.scheduled == 1  # --drafts adds drafts, never scheduled articles


def test_an_earlier_now_hides_what_a_later_one_showed() -> None:
    """What the fast path relies on: the visible range it records. A --now before the
    newest visible article's published time would hide it, so the range starts there."""
    articles = [listed("a", 0), listed("b", 3)]
    later = plan.select(articles, T0 + timedelta(hours=5), drafts=False)
    assert later.visible_from == T0 + timedelta(hours=3)
    earlier = plan.select(articles, T0 + timedelta(hours=2), drafts=False)
    assert [a.slug for a in earlier.visible] == ["a"]
    assert earlier.visible_until == T0 + timedelta(hours=3)


def test_ties_are_broken_by_id() -> None:
    same = [listed("b", 1), listed("a", 1), listed("c", 2)]
    assert [a.slug for a in plan.select(same, T0 + timedelta(days=1), False).visible] == [
        "c",
        "a",
        "b",
    ]


def test_a_ledger_id_that_changed_or_vanished_invalidates_a_record() -> None:
    article_id = "tag:example.org,2026:a"
    assert plan.reusable(None, article_id, None)  # never ledgered, still not
    assert plan.reusable(None, article_id, article_id)  # first publish ledgered its own id
    assert plan.reusable(article_id, article_id, article_id)
    assert not plan.reusable(article_id, article_id, "urn:uuid:another")  # ledger changed
    assert not plan.reusable(article_id, article_id, None)  # ledger line removed
    assert not plan.reusable(None, article_id, "urn:uuid:another")  # a new ledger line


def _jobs(visible: list[Listed], remembered: dict[str, OutputRecord]) -> list[plan.Job]:
    chosen = plan.select(visible, T0 + timedelta(days=1), drafts=False).visible
    static = [("robots.txt", "static/robots.txt", "s")]
    return plan.plan_outputs("context", "https://example.org/", 2, 50, chosen, static, remembered)


def _remember(jobs: list[plan.Job]) -> dict[str, OutputRecord]:
    return {
        name: OutputRecord(job.inputs, f"bytes-{name}", 1, 1) for job in jobs for name in job.names
    }


def test_every_output_is_planned_once() -> None:
    articles = [
        listed("a", 0, categories=(HARBOUR,)),
        listed("b", 1),
        listed("x", 2, has_page=False),
    ]
    names = [name for job in _jobs(articles, {}) for name in job.names]
    assert len(names) == len(set(names))
    assert set(names) == {
        "rss.xml", "atom.xml", "feed.json", "index.html",
        "categories/harbour/rss.xml", "categories/harbour/atom.xml",
        "categories/harbour/feed.json", "categories/harbour/index.html",
        "articles/a/index.html", "articles/b/index.html", "robots.txt",
        # Three articles, two in the feeds: the oldest is on the first archive page, and an
        # empty second page gives it an archive page to link (RFC 5005, as the validator
        # checks); it fills before any other is made.
        "archive/1/rss.xml", "archive/1/atom.xml", "archive/1/feed.json",
        "archive/2/rss.xml", "archive/2/atom.xml", "archive/2/feed.json",
    }  # fmt: skip


def test_outputs_made_from_the_same_inputs_are_reused_and_only_those() -> None:
    articles = [listed("a", 0, categories=(HARBOUR,)), listed("b", 1), listed("c", 2)]
    remembered = _remember(_jobs(articles, {}))
    again = _jobs(articles, remembered)
    assert all(job.reuse is not None for job in again)

    # An edit of the oldest article: its page, its category's feeds and the archive page
    # that holds it change; the main feeds carry the newest two only (feed_limit 2), so
    # they stay; the index too.
    edited = [listed("a", 0, categories=(HARBOUR,), digest="edited"), *articles[1:]]
    changed = {name for job in _jobs(edited, remembered) if job.reuse is None for name in job.names}
    assert changed == {
        "articles/a/index.html",
        "categories/harbour/rss.xml",
        "categories/harbour/atom.xml",
        "categories/harbour/feed.json",
        "archive/1/rss.xml",
        "archive/1/atom.xml",
        "archive/1/feed.json",
    }


def test_a_new_article_changes_the_feeds_and_lists_it_enters() -> None:
    articles = [listed("a", 0), listed("b", 1)]
    remembered = _remember(_jobs(articles, {}))
    changed = {
        name
        for job in _jobs([*articles, listed("n", 5)], remembered)
        if job.reuse is None
        for name in job.names
    }
    # a leaves the feeds for the first archive page, which the feeds now link.
    assert changed == {
        "rss.xml", "atom.xml", "feed.json", "index.html", "articles/n/index.html",
        "archive/1/rss.xml", "archive/1/atom.xml", "archive/1/feed.json",
        "archive/2/rss.xml", "archive/2/atom.xml", "archive/2/feed.json",
    }  # fmt: skip


def test_a_static_file_is_copied_under_its_own_digest() -> None:
    (static,) = [job for job in _jobs([listed("a", 0)], {}) if job.kind == "static"]
    assert static.reuse == ("s",) and static.source == "static/robots.txt"
