"""What the publish state must never do, each tried from outside as a user or CI job meets it.

A copied content folder publishes; the same content gives the same output folder, manifest
included; an earlier ``--now``, a changed ledger and a category spelt two ways are seen
however much of the publication the state remembers; an edit that keeps a file's size and
mtime is published, and is refused like ``check`` refuses it when it breaks the file.
Every output is compared with a cold publish (a copy of the content without its state, into
an empty folder), whole trees at a time; feeds are read back with feedparser.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner, Result
from lxml import html

from feedsmith.cli import main
from feedsmith.errors import ContentErrors
from feedsmith.publish import check
from tests.state_support import (
    BASE_URL,
    CACHE_DIR,
    LEDGER,
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
    without_manifest,
    write_content,
    write_ledger_line,
)

STORIES = {
    "2025-01-10-ferry-timetable.yaml": Story(
        "Ferry timetable under review", "2025-01-10T08:00:00+00:00", categories=("Harbour",)
    ),
    "2025-02-14-market-hall.yaml": Story(
        "Market hall reopens", "2025-02-14T09:30:00+00:00", figure=5, categories=("Markets",)
    ),
    "2025-03-20-hill-road.yaml": Story(
        "Hill road closed after landslip",
        "2025-03-20T17:45:00+01:00",
        figure=8,
        updated="2025-03-22T10:00:00+00:00",
    ),
}


def _feeds(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.name in ("rss.xml", "atom.xml", "feed.json"))


def _ids_by_link(out: Path) -> dict[str, set[str]]:
    """Article URL -> every id it has in every feed (RSS, Atom parsed by feedparser; JSON)."""
    found: dict[str, set[str]] = {}
    for path in _feeds(out):
        if path.suffix == ".json":
            items = [(i["url"], i["id"]) for i in json.loads(path.read_bytes())["items"]]
        else:
            parsed = feedparser.parse(path.read_bytes())
            assert not parsed.bozo, (path, parsed.get("bozo_exception"))
            items = [(e.link, e.id) for e in parsed.entries]
        for link, article_id in items:
            found.setdefault(link, set()).add(article_id)
    return found


def _page_url(slug: str) -> str:
    return f"{BASE_URL}articles/{slug}/"


def _make(tmp_path: Path, stories: dict[str, Story] = STORIES) -> Path:
    return write_content(tmp_path / "site", stories)


def _assert_cold(
    out: Path, content: Path, work: Path, now: datetime = NOW, *, manifest: bool = True
) -> None:
    """``out`` is what a cold publish of ``content`` writes, and so is ``content``'s ledger.

    ``manifest=False`` leaves the manifest out: for the tests of one rule, whose subject is
    what readers get; that the manifest is the same too is the subject of its own tests.
    """
    expected_out, expected_content = cold_publish(content, work, now)
    if manifest:
        assert_same_tree(read_tree(out), expected_out)
    else:
        assert_same_tree(without_manifest(read_tree(out)), without_manifest(expected_out))
    assert_same_tree(read_tree(content, skip=CACHE_DIR), expected_content, "content folder")


# --- A moved or copied content folder --------------------------------------------------------


def _cp_a(source: Path, target: Path) -> None:
    subprocess.run(["cp", "-a", str(source), str(target)], check=True)


def _copytree(source: Path, target: Path) -> None:
    copy_content(source, target, with_state=True)


def _mv(source: Path, target: Path) -> None:
    source.rename(target)  # inodes and mtimes kept: only the path is new


@pytest.mark.parametrize("copy", [_cp_a, _copytree, _mv], ids=["cp -a", "copytree", "mv"])
def test_a_content_folder_copied_or_moved_with_its_state_publishes_as_a_cold_one(
    tmp_path: Path, copy: Callable[[Path, Path], None]
) -> None:
    content = _make(tmp_path)
    settle(content)
    run_publish(content, tmp_path / "out")
    assert (content / CACHE_DIR).is_dir()
    elsewhere = tmp_path / "elsewhere"
    copy(content, elsewhere)
    assert (elsewhere / CACHE_DIR).is_dir()
    run_publish(elsewhere, tmp_path / "out2")
    _assert_cold(tmp_path / "out2", elsewhere, tmp_path / "cold")
    # And the first output folder, now published from the copy, is the same again.
    run_publish(elsewhere, tmp_path / "out")
    assert_same_tree(read_tree(tmp_path / "out"), read_tree(tmp_path / "out2"))


# --- The same content, the same output folder ------------------------------------------------


def test_two_copies_of_the_content_publish_into_two_identical_folders(tmp_path: Path) -> None:
    content = _make(tmp_path)
    first = copy_content(content, tmp_path / "first", with_state=False)
    second = copy_content(content, tmp_path / "second", with_state=False)
    run_publish(first, tmp_path / "out1")
    run_publish(second, tmp_path / "out2")
    one, two = read_tree(tmp_path / "out1"), read_tree(tmp_path / "out2")
    assert ".feedsmith-manifest.json" in one.files
    assert_same_tree(two, one)


def test_one_content_folder_publishes_into_two_identical_folders_whatever_its_state(
    tmp_path: Path,
) -> None:
    content = _make(tmp_path)
    run_publish(content, tmp_path / "out1")
    settle(content)
    run_publish(content, tmp_path / "out2")  # with everything the first publish kept
    assert_same_tree(read_tree(tmp_path / "out2"), read_tree(tmp_path / "out1"))


# --- An earlier --now hides what is then in the future ---------------------------------------


def test_an_earlier_now_than_the_last_publish_hides_the_articles_then_in_the_future(
    tmp_path: Path,
) -> None:
    between = "2026-03-01-harbour-dredging.yaml"
    stories = STORIES | {
        between: Story("Dredging starts in the harbour", "2026-03-01T07:00:00+00:00",
                       categories=("Harbour",)),
    }  # fmt: skip
    content = _make(tmp_path, stories)
    settle(content)  # nothing changed since: a state that trusts stats may skip everything
    out = tmp_path / "out"
    later = run_publish(content, out, NOW)
    assert later.articles == 4
    assert _page_url("harbour-dredging") in _ids_by_link(out)

    earlier = datetime(2026, 2, 1, tzinfo=UTC)
    report = run_publish(content, out, earlier)
    assert report.articles == 3
    assert _page_url("harbour-dredging") not in _ids_by_link(out)
    assert not (out / "articles" / "harbour-dredging").exists()
    _assert_cold(out, content, tmp_path / "cold", earlier, manifest=False)


# --- A changed or removed ledger id -----------------------------------------------------------


CHOSEN_ID = "urn:uuid:6f1c2b9e-5d3a-4e8f-9a7b-0c1d2e3f4a5b"


def test_a_changed_ledger_id_reaches_the_cached_article(tmp_path: Path) -> None:
    content = _make(tmp_path)
    out = tmp_path / "out"
    settle(content)
    run_publish(content, out)
    derived = ledger_ids(content)["market-hall"][0]
    assert _ids_by_link(out)[_page_url("market-hall")] == {derived} != {CHOSEN_ID}
    write_ledger_line(content, "market-hall", CHOSEN_ID)
    run_publish(content, out)
    assert _ids_by_link(out)[_page_url("market-hall")] == {CHOSEN_ID}
    _assert_cold(out, content, tmp_path / "cold", manifest=False)


def test_a_removed_ledger_id_reaches_the_cached_article(tmp_path: Path) -> None:
    """The state first learns the article with an id the ledger gave it; the line goes; the
    article takes its derived id again, as a cold publish gives it, and the ledger records it."""
    content = _make(tmp_path)
    run_publish(content, tmp_path / "first")  # only to have the ledger written
    derived = ledger_ids(content)["market-hall"][0]
    write_ledger_line(content, "market-hall", CHOSEN_ID)
    shutil.rmtree(content / CACHE_DIR)
    settle(content)
    out = tmp_path / "out"
    run_publish(content, out)
    assert _ids_by_link(out)[_page_url("market-hall")] == {CHOSEN_ID}
    write_ledger_line(content, "market-hall", None)
    run_publish(content, out)
    assert _ids_by_link(out)[_page_url("market-hall")] == {derived}
    assert ledger_ids(content)["market-hall"][0] == derived
    _assert_cold(out, content, tmp_path / "cold", manifest=False)


# --- One category spelt two ways ---------------------------------------------------------------


def _respell(content: Path, name: str, category: str) -> None:
    path = content / "articles" / name
    story = STORIES[name]
    path.write_text(
        Story(story.title, story.published, story.figure, (category,), story.updated).yaml(),
        encoding="utf-8",
    )


def _assert_refused_as_check_refuses(content: Path, out: Path, *, expected: str) -> None:
    before = read_tree(out)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    with pytest.raises(ContentErrors) as published:
        run_publish(content, out)
    with pytest.raises(ContentErrors) as checked:
        check(content)
    assert [str(e) for e in published.value.errors] == [str(e) for e in checked.value.errors]
    assert any(expected in str(e) for e in published.value.errors), published.value.errors
    assert_same_tree(read_tree(out), before, "output after a refused publish")
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == mtimes


def test_one_category_spelt_two_ways_is_an_error_on_a_cold_publish(tmp_path: Path) -> None:
    content = _make(tmp_path)
    _respell(content, "2025-02-14-market-hall.yaml", "harbour")
    _assert_refused_as_check_refuses(
        content, tmp_path / "out", expected="both become categories/harbour/"
    )
    assert not (tmp_path / "out").exists()
    assert not (content / LEDGER).exists()


@pytest.mark.parametrize(
    "edited", ["2025-01-10-ferry-timetable.yaml", "2025-02-14-market-hall.yaml"]
)
def test_one_category_spelt_two_ways_is_an_error_when_only_one_file_changed(
    tmp_path: Path, edited: str
) -> None:
    """One file keeps "Harbour" (its article as the state remembers it), the other changes to
    the other spelling: the clash is between a remembered article and a fresh one."""
    content = _make(tmp_path)
    _respell(content, "2025-02-14-market-hall.yaml", "Harbour")
    out = tmp_path / "out"
    settle(content)
    run_publish(content, out)
    if edited == "2025-02-14-market-hall.yaml":
        _respell(content, edited, "harbour")
    else:
        _respell(content, edited, "HARBOUR")
    _assert_refused_as_check_refuses(content, out, expected="both become categories/harbour/")


# --- An edit that keeps the file's size and mtime ---------------------------------------------


def _same_size_edit(path: Path, old: str, new: str) -> None:
    data = path.read_bytes()
    assert len(old) == len(new) and data.count(old.encode()) == 1
    rewrite_keeping_stat(path, data.replace(old.encode(), new.encode()))


def test_an_edit_that_keeps_size_and_mtime_is_published(tmp_path: Path) -> None:
    content = _make(tmp_path)
    out = tmp_path / "out"
    settle(content)
    run_publish(content, out)
    # No settle() here: the edit must keep the stat the last publish saw.
    _same_size_edit(
        content / "articles" / "2025-03-20-hill-road.yaml", "counted 8 late", "counted 9 late"
    )
    for folder in (out, tmp_path / "fresh-out"):  # the same --out, then a new one
        run_publish(content, folder)
        atom = feedparser.parse((folder / "atom.xml").read_bytes())
        (entry,) = [e for e in atom.entries if e.link == _page_url("hill-road")]
        assert "counted 9 late sailings" in entry.content[0].value
        page = html.fromstring((folder / "articles" / "hill-road" / "index.html").read_bytes())
        text = " ".join("".join(str(t) for t in page.itertext()).split())
        assert "counted 9 late sailings" in text
        _assert_cold(folder, content, tmp_path / f"cold-{folder.name}", manifest=False)


def _cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_an_edit_that_keeps_size_and_mtime_and_breaks_a_date_fails_as_check_does(
    tmp_path: Path,
) -> None:
    content = _make(tmp_path)
    out = tmp_path / "out"
    settle(content)
    run_publish(content, out)
    before = read_tree(out)
    path = content / "articles" / "2025-03-20-hill-road.yaml"
    _same_size_edit(path, "published: 2025-03-20", "published: 2025-13-20")
    checked = _cli("check", "--content", str(content))
    published = _cli(
        "publish", "--content", str(content), "--out", str(out), "--now", NOW.isoformat()
    )
    assert checked.exit_code == 1, checked.output
    assert published.exit_code == 1, published.output
    assert "Traceback" not in published.output
    (line,) = [ln for ln in checked.stderr.splitlines() if ln.startswith(path.as_posix())]
    assert "published" in line
    # Every problem in the same words and order; only the closing count line is each
    # command's own ("nothing was written" is publish's, "Checked …" check's).
    assert published.stderr.splitlines()[:-1] == checked.stderr.splitlines()[:-1]
    assert_same_tree(read_tree(out), before, "output after a refused publish")


def test_the_helpers_see_a_difference_in_any_file_or_folder(tmp_path: Path) -> None:
    """The tree comparison itself: a changed manifest byte or an extra empty folder counts."""
    content = _make(tmp_path)
    run_publish(content, tmp_path / "out")
    shutil.copytree(tmp_path / "out", tmp_path / "same")
    reference: Tree = read_tree(tmp_path / "out")
    assert_same_tree(read_tree(tmp_path / "same"), reference)
    (tmp_path / "same" / "categories" / "nothing-here").mkdir()
    with pytest.raises(AssertionError, match="extra folder categories/nothing-here"):
        assert_same_tree(read_tree(tmp_path / "same"), reference)
    (tmp_path / "same" / "categories" / "nothing-here").rmdir()
    manifest = tmp_path / "same" / ".feedsmith-manifest.json"
    manifest.write_bytes(manifest.read_bytes() + b" ")
    with pytest.raises(AssertionError, match=re.escape("different bytes .feedsmith-manifest.json")):
        assert_same_tree(read_tree(tmp_path / "same"), reference)
