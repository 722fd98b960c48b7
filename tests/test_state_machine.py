"""The publish state can cost time, never correctness: a stateful property test.

Hypothesis runs random sequences of what happens to a newsroom's folder between publishes:
articles added, edited (also in place with size and mtime kept), renamed (keeping the slug,
or not, which the ledger refuses for a published article), deleted and touched; inputs dated
back so a cache may trust their stats; a site setting changed; the content folder copied or
moved elsewhere with its state; the state restored from an older publish, damaged or deleted;
and publishes into one of two output folders that share that state.

After every publish the output folder is byte for byte, folder for folder, what a cold
publish of the same content (a copy without the state, its ledger kept) writes into an empty
folder, manifest included; the content folder (its ledger) is the same as after that cold
publish; a publish of valid content never fails, and one the ledger refuses fails as
``check`` does and leaves both output folders exactly as they were.

Examples: ``FEEDSMITH_STATE_EXAMPLES`` sequences of up to 10 steps (default 30: about 5 s of
CPU, 20 s on a busy two-core machine; ``.ci/run`` runs 100: about 16 s of CPU). A failing
sequence is shrunk, printed as the calls that replay it, and kept in hypothesis' database
(``.hypothesis/``, not committed) to be tried first next time.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
)

from feedsmith.errors import ContentErrors
from feedsmith.publish import check
from tests.state_support import (
    CACHE_DIR,
    NOW,
    Story,
    Tree,
    assert_same_tree,
    cold_publish,
    copy_content,
    ledger_ids,
    read_tree,
    rewrite_keeping_stat,
    run_publish,
    settle,
    site_yaml,
    utc,
)

EXAMPLES = int(os.environ.get("FEEDSMITH_STATE_EXAMPLES", "30"))
CATEGORIES = ("Harbour", "Markets", "Hill Roads")
SITE_TITLES = ("The Quayside Courier", "Quayside Courier Weekly")
SNAPSHOTS_KEPT = 4

days = st.integers(min_value=-30, max_value=400)  # before NOW; negative: scheduled


def _when(days_before_now: int) -> str:
    return (NOW - timedelta(days=days_before_now, hours=15)).isoformat()


def _later(published: str, days_later: int | None) -> str | None:
    if days_later is None:
        return None
    return (utc(published) + timedelta(days=days_later)).isoformat()


then_publish = st.sampled_from(["out-a", "out-b", None])
"""Most changes are published at once (into which folder, or not yet): what a publish checks
is what happened since the last one, so the sequences keep publishes frequent."""


def _tree_key(tree: Tree) -> str:
    h = hashlib.sha256()
    for path in sorted(tree.files):
        h.update(f"{path}\0{len(tree.files[path])}\0".encode())
        h.update(tree.files[path])
    for folder in sorted(tree.folders):
        h.update(f"{folder}/\0".encode())
    return h.hexdigest()


class PublishState(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="feedsmith-state-"))
        self.content = self.root / "content"
        self.outs = {name: self.root / name for name in ("out-a", "out-b")}
        self.stories: dict[str, Story] = {}  # file name under articles/ -> what it says
        self.site = (SITE_TITLES[0], 3)
        self.made = 0  # names and titles are never reused: a rename is never a coincidence
        self.folders_made = 0
        self.snapshots: list[Path] = []  # copies of the state folder after earlier publishes
        self.cold: dict[str, tuple[Tree, Tree]] = {}  # content tree -> cold publish of it
        self.published = 0

    def teardown(self) -> None:
        event("publishes checked", self.published)
        shutil.rmtree(self.root, ignore_errors=True)

    # --- the content ------------------------------------------------------------------------

    def _write(self, name: str) -> None:
        path = self.content / "articles" / name
        path.write_text(self.stories[name].yaml(), encoding="utf-8")

    def _new_name(self, story: Story) -> str:
        self.made += 1
        return f"{utc(story.published).date().isoformat()}-story-{self.made}.yaml"

    def _new_title(self) -> str:
        self.made += 1
        return f"Council notes, part {self.made}"

    def _pick(self, index: int) -> str:
        return sorted(self.stories)[index % len(self.stories)]

    def _then(self, into: str | None) -> None:
        if into is not None:
            self.publish(into)

    @initialize(
        first=st.lists(st.tuples(days, st.lists(st.sampled_from(CATEGORIES), max_size=2)),
                       min_size=1, max_size=4),
    )  # fmt: skip
    def make_site(self, first: list[tuple[int, list[str]]]) -> None:
        (self.content / "articles").mkdir(parents=True)
        self._write_site()
        for days_before, categories in first:
            self._add(days_before, tuple(dict.fromkeys(categories)), None, False)

    def _write_site(self) -> None:
        title, feed_limit = self.site
        (self.content / "site.yaml").write_text(site_yaml(title, feed_limit), encoding="utf-8")

    def _add(
        self, days_before: int, categories: tuple[str, ...], updated: int | None, draft: bool
    ) -> None:
        published = _when(days_before)
        story = Story(
            self._new_title(),
            published,
            figure=days_before % 10,
            categories=categories,
            updated=_later(published, updated),
            draft=draft,
        )
        name = self._new_name(story)
        self.stories[name] = story
        self._write(name)

    @precondition(lambda self: len(self.stories) < 7)
    @rule(
        days_before=days,
        categories=st.lists(st.sampled_from(CATEGORIES), unique=True, max_size=2),
        updated=st.none() | st.integers(1, 20),
        draft=st.sampled_from([False, False, False, True]),
        then_publish_into=then_publish,
    )
    def add(
        self,
        days_before: int,
        categories: list[str],
        updated: int | None,
        draft: bool,
        then_publish_into: str | None,
    ) -> None:
        self._add(days_before, tuple(categories), updated, draft)
        self._then(then_publish_into)

    @precondition(lambda self: self.stories)
    @rule(
        index=st.integers(0, 9),
        title=st.booleans(),
        figure=st.none() | st.integers(0, 9),
        categories=st.none() | st.lists(st.sampled_from(CATEGORIES), unique=True, max_size=2),
        days_before=st.none() | days,
        updated=st.none() | st.integers(0, 20),
        draft=st.none() | st.booleans(),
        then_publish_into=then_publish,
    )
    def edit(
        self,
        index: int,
        title: bool,
        figure: int | None,
        categories: list[str] | None,
        days_before: int | None,
        updated: int | None,
        draft: bool | None,
        then_publish_into: str | None,
    ) -> None:
        """Any of the fields changed (None: kept; ``updated=0``: the field removed)."""
        name = self._pick(index)
        story = self.stories[name]
        if title:
            story = replace(story, title=self._new_title())
        if figure is not None:
            story = replace(story, figure=figure)
        if categories is not None:
            story = replace(story, categories=tuple(categories))
        if days_before is not None:
            story = replace(story, published=_when(days_before))
        if updated is not None:
            story = replace(story, updated=_later(story.published, updated or None))
        elif story.updated is not None and utc(story.updated) < utc(story.published):
            story = replace(story, updated=None)  # updated stays after published
        if draft is not None:
            story = replace(story, draft=draft)
        self.stories[name] = story
        self._write(name)
        self._then(then_publish_into)

    @precondition(lambda self: self.stories)
    @rule(index=st.integers(0, 9), figure=st.integers(0, 9), then_publish_into=then_publish)
    def edit_keeping_size_and_mtime(
        self, index: int, figure: int, then_publish_into: str | None
    ) -> None:
        """One digit of the body changed in place; the file's size and mtime as they were."""
        name = self._pick(index)
        story = replace(self.stories[name], figure=figure)
        self.stories[name] = story
        rewrite_keeping_stat(self.content / "articles" / name, story.yaml().encode("utf-8"))
        self._then(then_publish_into)

    @precondition(lambda self: self.stories)
    @rule(index=st.integers(0, 9), keep_slug=st.booleans(), then_publish_into=then_publish)
    def rename(self, index: int, keep_slug: bool, then_publish_into: str | None) -> None:
        """A file renamed; its slug kept with an explicit ``slug:``, or a new one derived from
        the new name. A published article under a new derived slug, same title and published
        time, is refused (the ledger would give subscribers the story twice): then publish
        must fail as ``check`` does, touch no output, and the fix the message names (the old
        ``id:``) makes the content valid again."""
        old_name = self._pick(index)
        story = self.stories.pop(old_name)
        old_slug = story.slug or old_name.removesuffix(".yaml")[len("2025-01-01-") :]
        name = self._new_name(story)
        story = replace(story, slug=old_slug if keep_slug else None)
        self.stories[name] = story
        (self.content / "articles" / old_name).unlink()
        self._write(name)
        ledgered = ledger_ids(self.content).get(old_slug)
        refused = (
            not keep_slug
            and story.id is None
            and ledgered is not None
            and utc(ledgered[1]) == utc(story.published)
            and ledgered[2] == story.title
        )
        event("rename: refused by the ledger" if refused else "rename: accepted")
        if refused:
            assert ledgered is not None
            self._assert_refused(name)
            self.stories[name] = replace(story, id=ledgered[0])
            self._write(name)
        self._then(then_publish_into)

    def _assert_refused(self, name: str) -> None:
        before = [read_tree(out) for out in self.outs.values()]
        with pytest.raises(ContentErrors) as checked:
            check(self.content)
        with pytest.raises(ContentErrors) as published:
            run_publish(self.content, self.outs["out-a"])
        assert [str(e) for e in published.value.errors] == [str(e) for e in checked.value.errors]
        (error,) = published.value.errors
        assert error.path == (self.content / "articles" / name).as_posix(), error
        for out, tree in zip(self.outs.values(), before, strict=True):
            assert_same_tree(read_tree(out), tree, "output after a refused publish")

    @precondition(lambda self: self.stories)
    @rule(index=st.integers(0, 9), then_publish_into=then_publish)
    def delete(self, index: int, then_publish_into: str | None) -> None:
        name = self._pick(index)
        del self.stories[name]
        (self.content / "articles" / name).unlink()
        self._then(then_publish_into)

    @precondition(lambda self: self.stories)
    @rule(index=st.integers(0, 9), then_publish_into=then_publish)
    def touch(self, index: int, then_publish_into: str | None) -> None:
        os.utime(self.content / "articles" / self._pick(index))
        self._then(then_publish_into)

    @rule(then_publish_into=then_publish)
    def settle(self, then_publish_into: str | None) -> None:
        """Every input dated a minute back: old enough for a cache to trust its stat."""
        settle(self.content)
        self._then(then_publish_into)

    @rule(
        title=st.sampled_from(SITE_TITLES),
        feed_limit=st.integers(1, 4),
        then_publish_into=then_publish,
    )
    def change_site(self, title: str, feed_limit: int, then_publish_into: str | None) -> None:
        self.site = (title, feed_limit)
        self._write_site()
        self._then(then_publish_into)

    # --- where the content is, and what its state holds ------------------------------------

    @rule(move=st.booleans(), then_publish_into=then_publish)
    def relocate_content(self, move: bool, then_publish_into: str | None) -> None:
        """The content folder, state and all, copied (``cp -a``: mtimes kept, new inodes) or
        moved (inodes kept too) to another path; publishing goes on from there."""
        self.folders_made += 1
        target = self.root / f"content-{self.folders_made}"
        if move:
            self.content.rename(target)
        else:
            copy_content(self.content, target, with_state=True)
        self.content = target
        self._then(then_publish_into)

    @precondition(lambda self: self.snapshots)
    @rule(index=st.integers(0, SNAPSHOTS_KEPT - 1), then_publish_into=then_publish)
    def restore_older_state(self, index: int, then_publish_into: str | None) -> None:
        """The state folder as an earlier publish left it (a CI cache restored, a backup)."""
        snapshot = self.snapshots[index % len(self.snapshots)]
        shutil.rmtree(self.content / CACHE_DIR, ignore_errors=True)
        shutil.copytree(snapshot, self.content / CACHE_DIR, copy_function=shutil.copy2)
        self._then(then_publish_into)

    @precondition(lambda self: (self.content / CACHE_DIR).is_dir())
    @rule(
        how=st.sampled_from(["truncate", "halve", "garbage", "delete every other file"]),
        then_publish_into=then_publish,
    )
    def damage_state(self, how: str, then_publish_into: str | None) -> None:
        files = sorted(p for p in (self.content / CACHE_DIR).rglob("*") if p.is_file())
        for number, path in enumerate(files):
            size = path.stat().st_size
            if how == "truncate":
                path.write_bytes(b"")
            elif how == "halve":
                path.write_bytes(path.read_bytes()[: size // 2])
            elif how == "garbage":
                path.write_bytes(bytes((i * 7 + 13) % 256 for i in range(max(size, 64))))
            elif number % 2 == 0:
                path.unlink()
        self._then(then_publish_into)

    @precondition(lambda self: (self.content / CACHE_DIR).exists())
    @rule(then_publish_into=then_publish)
    def delete_state(self, then_publish_into: str | None) -> None:
        shutil.rmtree(self.content / CACHE_DIR)
        self._then(then_publish_into)

    # --- publishing -------------------------------------------------------------------------

    def _cold(self, content_tree: Tree) -> tuple[Tree, Tree]:
        """A cold publish of this content; the same content always makes the same output
        (a property of its own test), so each distinct content is published cold once."""
        key = _tree_key(content_tree)
        if key not in self.cold:
            work = Path(tempfile.mkdtemp(prefix="cold-", dir=self.root))
            self.cold[key] = cold_publish(self.content, work)
            shutil.rmtree(work)
        return self.cold[key]

    @rule(into=st.sampled_from(["out-a", "out-b"]))
    def publish(self, into: str) -> None:
        out = self.outs[into]
        expected_out, expected_content = self._cold(read_tree(self.content, skip=CACHE_DIR))
        report = run_publish(self.content, out)  # valid content: it must not fail
        visible = [s for s in self.stories.values() if not s.draft and utc(s.published) <= NOW]
        assert report.articles == len(visible)
        assert_same_tree(read_tree(out), expected_out)
        assert_same_tree(read_tree(self.content, skip=CACHE_DIR), expected_content, "content")
        self._keep_snapshot()
        self.published += 1

    def _keep_snapshot(self) -> None:
        state = self.content / CACHE_DIR
        if not state.is_dir():
            return
        self.folders_made += 1
        snapshot = self.root / f"state-{self.folders_made}"
        shutil.copytree(state, snapshot, copy_function=shutil.copy2)
        self.snapshots.append(snapshot)
        if len(self.snapshots) > SNAPSHOTS_KEPT:
            shutil.rmtree(self.snapshots.pop(0))


PublishState.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=10,
    deadline=None,
    # Not the explain phase: which lines only failing runs cover says little here, and it
    # would double the time a failure takes to report.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TestPublishState = PublishState.TestCase
