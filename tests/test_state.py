"""The publish state, the no-change fast path and parallel rendering never change a byte.

Every test compares against a cold publish (no cache) of the same content, whole output trees
at a time. Whether work was reused is observed through the report's counters, never through
timing.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import pytest

import feedsmith
import feedsmith.publish
from feedsmith import pages, records
from feedsmith.errors import ContentErrors
from feedsmith.layout import CACHE_DIR, STATE_FILE
from feedsmith.publish import PublishOptions, PublishReport, check, publish
from tests.state_support import settle

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 6, 1, tzinfo=UTC)
ARTICLES = 40
MANIFEST = ".feedsmith-manifest.json"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated news archive (the benchmark's generator), made once per module."""
    content = tmp_path_factory.mktemp("corpus") / "content"
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "generate.py"), str(ARTICLES), str(content)],
        check=True,
        capture_output=True,
    )
    return content


@pytest.fixture
def content(corpus: Path, tmp_path: Path) -> Path:
    """A private copy of the corpus: publish writes its ledger and cache beside it."""
    copy = tmp_path / "content"
    shutil.copytree(corpus, copy)
    return copy


def tree(out: Path) -> dict[str, bytes]:
    """Every published file; the manifest records mtimes, so it differs between folders."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def cold(content: Path, tmp_path: Path, **options: object) -> dict[str, bytes]:
    """What a publish from nothing writes: a copy of the content without cache, a new --out."""
    fresh = tmp_path / f"cold-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(content, fresh / "content", ignore=shutil.ignore_patterns(".feedsmith-*"))
    out = fresh / "out"
    report = run(fresh / "content", out, **options)
    assert report.articles_rendered == report.articles or options.get("drafts")
    return tree(out)


def run(content: Path, out: Path, **options: object) -> PublishReport:
    return publish(PublishOptions(content, out, options.pop("now", NOW), **options))  # type: ignore[arg-type]


def first_article(content: Path) -> Path:
    return sorted((content / "articles").rglob("*.yaml"))[-1]


def append_to_body(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f" {text}\n", encoding="utf-8")


def test_parallel_and_single_process_publishes_write_the_same_bytes(
    content: Path, tmp_path: Path
) -> None:
    parallel = run(content, tmp_path / "parallel", jobs=2)
    assert parallel.jobs == 2
    assert parallel.articles_rendered == ARTICLES
    assert tree(tmp_path / "parallel") == cold(content, tmp_path, jobs=1)


def folders(out: Path) -> set[str]:
    """Every folder under ``out``, empty ones too (``tree`` sees only files)."""
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_dir()}


def add_hidden_articles(content: Path) -> None:
    """A draft and a scheduled article: rendered by the workers, shown to nobody."""
    source = first_article(content)
    text = source.read_text(encoding="utf-8")
    (source.parent / "zz-draft.yaml").write_text(
        text.replace("title: ", "draft: true\nslug: hidden-draft\ntitle: ", 1), encoding="utf-8"
    )
    (source.parent / "zz-scheduled.yaml").write_text(
        "\n".join(
            "published: 2030-01-01T09:00:00+00:00" if line.startswith("published:") else line
            for line in text.replace("title: ", "slug: hidden-scheduled\ntitle: ", 1).splitlines()
            if not line.startswith("updated:")
        )
        + "\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("jobs", [1, 2])
def test_pages_staged_by_workers_are_those_readers_get_and_no_others(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """Workers stage pages in a tree moved into --out whole (write.Staged): pages of drafts and
    scheduled articles must not travel with it, not even as empty folders; and the bytes are
    those of the other way, pages spooled and written by the parent."""
    add_hidden_articles(content)
    staged = tmp_path / "staged"
    report = run(content, staged, jobs=jobs)
    assert report.articles == ARTICLES
    assert report.articles_rendered == ARTICLES + 2
    assert not (staged / "articles" / "hidden-draft").exists()
    assert not (staged / "articles" / "hidden-scheduled").exists()
    assert len(list((staged / "articles").glob("*/index.html"))) == ARTICLES

    spooled = tmp_path / "spooled"
    shutil.rmtree(content / CACHE_DIR)
    # As where the cache folder and --out are on different file systems.
    publish_module = sys.modules["feedsmith.publish"]  # the package exports the function
    monkeypatch.setattr(publish_module, "_pages_tree", lambda spool_dir, out_dir: None)
    run(content, spooled, jobs=jobs)
    assert tree(staged) == tree(spooled)
    assert folders(staged) == folders(spooled)


def test_a_cached_publish_after_an_edit_writes_what_a_cold_one_does(
    content: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run(content, out)
    append_to_body(first_article(content), "A sentence added [with a link](../elsewhere/).")
    report = run(content, out)
    assert report.articles_rendered == 1
    # The edited page and the feeds carrying it; not the other pages.
    assert 0 < report.outputs_rendered < 20
    assert tree(out) == cold(content, tmp_path)


def test_nothing_changed_is_the_fast_path_and_rewrites_nothing(
    content: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    settle(content)
    first = run(content, out)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    again = run(content, out)
    assert again.fast_path
    assert (again.articles, again.unchanged, again.written) == (first.articles, first.written, 0)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == mtimes


def _state(content: Path) -> Path:
    return content / CACHE_DIR / STATE_FILE


def _sql(content: Path, statement: str, *params: object) -> None:
    with contextlib.closing(sqlite3.connect(_state(content))) as db, db:
        db.execute(statement, params)


def _truncate(content: Path) -> None:
    for path in (content / CACHE_DIR).glob(STATE_FILE + "*"):
        path.write_bytes(path.read_bytes()[:1000])


def _garbage(content: Path) -> None:
    for path in (content / CACHE_DIR).glob(STATE_FILE + "*"):
        path.write_bytes(b"not a database " * 100)


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": _truncate,
    "garbage": _garbage,
    "run report": lambda c: _sql(c, "UPDATE runs SET report = '{'"),
    "run report keys": lambda c: _sql(c, "UPDATE runs SET report = '{}'"),
    "no outputs": lambda c: _sql(c, "DELETE FROM outputs"),
    "output sizes": lambda c: _sql(c, "UPDATE outputs SET size = size + 1"),
    "table dropped": lambda c: _sql(c, "DROP TABLE articles"),
    "records": lambda c: _sql(c, "UPDATE articles SET record = x'00'"),
    "digests": lambda c: _sql(c, "UPDATE articles SET digest = 'x', entry_digest = 'y'"),
    "input digests": lambda c: _sql(c, "UPDATE inputs SET digest = 'x'"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_state_means_a_real_publish_of_the_same_bytes(
    content: Path, tmp_path: Path, damage: str
) -> None:
    out = tmp_path / "out"
    settle(content)
    run(content, out)
    expected = tree(out)
    DAMAGE[damage](content)
    settle(content)  # the ledger the first publish wrote is no longer too new to trust
    again = run(content, out)
    assert tree(out) == expected
    assert again.written == 0 or damage in ("digests",)
    assert run(content, out).fast_path  # and the next one trusts the state it wrote


def test_temporaries_left_in_output_folders_are_removed_though_folders_are_not_all_listed(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a stamped publish, a republish lists only the folders whose mtime moved
    (publish._quiet_folders): those where an interrupted publish could have left a temporary."""
    out = tmp_path / "out"
    settle(content)
    run(content, out)
    expected = tree(out)
    page_folder = next((out / "articles").iterdir())
    planted = [
        out / ".feedsmith-tmp-0123456789ab-atom.xml",
        page_folder / ".feedsmith-tmp-0123456789ab-index.html",
        next((out / "categories").iterdir()) / ".feedsmith-tmp-0123456789ab-rss.xml",
    ]
    for path in planted:
        path.write_bytes(b"<half")
    listed: list[str] = []
    real_scandir = os.scandir

    def scandir(path: str | int) -> Iterator[os.DirEntry[str]]:
        if isinstance(path, str) and path.startswith(os.fspath(out)):
            listed.append(path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    _touch(content)  # a real publish, not the fast path
    assert not run(content, out).fast_path
    assert not any(path.exists() for path in planted)
    assert tree(out) == expected
    folders_in_out = len(folders(out))
    assert str(page_folder) in listed
    assert len(listed) < folders_in_out / 2, (len(listed), folders_in_out)


def _touch(content: Path) -> None:
    path = first_article(content)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))


def _add(content: Path) -> None:
    source = first_article(content)
    shutil.copy(source, source.with_name("2025-12-31-a-late-addition.yaml"))


def _delete(content: Path) -> None:
    first_article(content).unlink()


def _static(content: Path) -> None:
    (content / "static").mkdir(exist_ok=True)
    (content / "static" / "robots.txt").write_text("User-agent: *\n")


def _site(content: Path) -> None:
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("title:", "title: The", 1))


CHANGES: dict[str, Callable[[Path], None]] = {
    "touch an article": _touch,
    "add an article": _add,
    "delete an article": _delete,
    "add a static file": _static,
    "change a site setting": _site,
}


@pytest.mark.parametrize("change", CHANGES)
def test_any_change_to_the_content_is_published(change: str, content: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    settle(content)
    run(content, out)
    CHANGES[change](content)
    report = run(content, out)
    assert not report.fast_path
    if change == "touch an article":
        assert report.articles_rendered == 0  # same bytes: the cache is still good
    if change == "change a site setting":
        assert report.articles_rendered == ARTICLES  # the whole cache is invalid
    assert tree(out) == cold(content, tmp_path)


@pytest.mark.parametrize(
    "options",
    [{"base_url": "https://preview.example.net/"}, {"drafts": True}],
    ids=["base-url", "drafts"],
)
def test_other_options_are_a_real_publish(
    options: dict[str, object], content: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run(content, out)
    report = run(content, out, **options)
    assert not report.fast_path
    assert tree(out) == cold(content, tmp_path, **options)


def test_strict_is_a_real_verdict_not_the_last_publishs(content: Path, tmp_path: Path) -> None:
    """A link to a file the publication lacks is a warning, which --strict makes an error,
    though the same content was just published without it."""
    append_to_body(first_article(content), "![The quay](/images/missing.jpg)")
    out = tmp_path / "out"
    run(content, out)
    before = tree(out)
    with pytest.raises(ContentErrors) as published:
        run(content, out, strict=True)
    with pytest.raises(ContentErrors) as checked:
        check(content, strict=True)
    assert [str(e) for e in published.value.errors] == [str(e) for e in checked.value.errors]
    assert "images/missing.jpg, no file the publish makes" in str(published.value.errors[0])
    assert tree(out) == before


def test_a_scheduled_article_appears_once_now_passes_it(content: Path, tmp_path: Path) -> None:
    scheduled = first_article(content).with_name("2026-07-01-scheduled.yaml")
    shutil.copy(first_article(content), scheduled)
    text = scheduled.read_text(encoding="utf-8")
    lines = [
        "published: 2026-07-01T09:00:00+00:00" if line.startswith("published:") else line
        for line in text.splitlines()
        if not line.startswith("updated:")
    ]
    scheduled.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settle(content)
    out = tmp_path / "out"
    before = run(content, out)
    assert run(content, out, now=datetime(2026, 6, 30, tzinfo=UTC)).fast_path
    after = run(content, out, now=datetime(2026, 7, 2, tzinfo=UTC))
    assert not after.fast_path
    assert after.articles == before.articles + 1
    assert (out / "articles" / "scheduled" / "index.html").is_file()
    assert tree(out) == cold(content, tmp_path, now=datetime(2026, 7, 2, tzinfo=UTC))
    # And back: an earlier --now hides it again rather than trusting the stamp.
    assert run(content, out).articles == before.articles


def test_a_changed_or_removed_output_is_restored(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(content, out)
    expected = tree(out)
    page = next((out / "articles").rglob("index.html"))
    page.write_text("defaced")
    (out / "atom.xml").unlink()
    report = run(content, out)
    assert not report.fast_path
    assert report.written == 2
    assert tree(out) == expected


def test_a_new_feedsmith_version_invalidates_the_cache(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    run(content, out)
    monkeypatch.setattr(feedsmith, "__version__", "99.0.0")
    report = run(content, out)
    assert not report.fast_path
    assert report.articles_rendered == ARTICLES
    assert report.written == 0  # same code, same bytes: only the cache was rebuilt


@pytest.fixture
def changed_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """feedsmith running with an edited copy of its templates, as after an upgrade.

    pages.py renders from the copy, and the build key hashes the copy: the same two things an
    edited installed template changes.
    """
    copy = tmp_path / "templates"
    shutil.copytree(records.TEMPLATES_DIR, copy)
    marker = "<!-- edited template -->"
    base = copy / "base.html"
    text = base.read_text(encoding="utf-8")
    base.write_text(text.replace("</body>", f"{marker}\n</body>", 1), encoding="utf-8")
    assert marker in base.read_text(encoding="utf-8")
    original: Callable[[], jinja2.Environment] = pages._environment
    environment = original().overlay(loader=jinja2.FileSystemLoader(copy))
    monkeypatch.setattr(pages, "_environment", lambda *_: environment)
    monkeypatch.setattr(records, "TEMPLATES_DIR", copy)
    yield marker


def test_a_changed_template_invalidates_the_cache(
    content: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    out = tmp_path / "out"
    run(content, out)
    marker = request.getfixturevalue("changed_templates")
    report = run(content, out)
    assert not report.fast_path
    assert report.articles_rendered == ARTICLES
    html_pages = [p for p in tree(out) if p.endswith(".html")]
    assert report.written == len(html_pages)  # every page, and nothing else
    assert all(marker.encode() in tree(out)[p] for p in html_pages)
    assert tree(out) == cold(content, tmp_path)


def test_errors_are_reported_as_check_reports_them(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(content, out)
    before = tree(out)
    # Two cached, valid files that clash once one of them changes: a cross-article error.
    articles = sorted((content / "articles").rglob("*.yaml"))
    clash = articles[0].read_text(encoding="utf-8")
    articles[1].write_text(clash.replace("title:", "slug: same\ntitle:", 1), encoding="utf-8")
    articles[0].write_text(clash.replace("title:", "slug: same\ntitle:", 1), encoding="utf-8")
    first_article(content).write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentErrors) as published:
        run(content, out)
    with pytest.raises(ContentErrors) as checked:
        check(content)
    assert [str(e) for e in published.value.errors] == [str(e) for e in checked.value.errors]
    assert len(published.value.errors) >= 2
    assert tree(out) == before


def test_a_file_changed_moments_ago_is_not_trusted_to_its_stat(
    content: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    article = first_article(content)
    os.utime(article)  # just edited
    stat = article.stat()
    run(content, out)
    # The same size and mtime, other bytes: what an edit within one mtime tick looks like.
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("title:", "title: X", 1)[:-3] + "\n", encoding="utf-8")
    assert article.stat().st_size == stat.st_size
    os.utime(article, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    report = run(content, out)
    assert not report.fast_path
    assert report.articles_rendered == 1
    assert tree(out) == cold(content, tmp_path)


def test_the_cache_stays_out_of_the_published_folder(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(content, out)
    assert not any(".feedsmith-cache" in p for p in tree(out))
    assert (content / ".feedsmith-cache" / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    shutil.rmtree(content / ".feedsmith-cache")
    report = run(content, out)  # a deleted cache is just a cold start
    assert report.articles_rendered == ARTICLES
    assert report.written == 0


class _Planted:
    """Unpickling this calls ``Path.touch`` on a marker: what a hostile cache file would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path.touch, (str(self.marker),))


def test_a_planted_record_runs_no_code(content: Path, tmp_path: Path) -> None:
    # The state lives in the content folder, which may come from someone else.
    out = tmp_path / "out"
    expected = cold(content, tmp_path)
    run(content, out)
    shutil.rmtree(out)
    marker = tmp_path / "ran"
    _sql(content, "UPDATE articles SET record = ?", pickle.dumps((_Planted(marker),)))
    report = run(content, out)
    assert not marker.exists()
    assert report.articles_rendered == ARTICLES  # refused, so a cold start
    assert tree(out) == expected


def test_one_edit_rewrites_only_its_own_rows(content: Path, tmp_path: Path) -> None:
    """The state keeps what changed, not everything again: after one edit, every other file's
    rows are the rows that were there (SQLite gives a replaced row a new rowid)."""
    out = tmp_path / "out"
    run(content, out)

    def rowids() -> dict[str, int]:
        with contextlib.closing(sqlite3.connect(_state(content))) as db:
            return dict(db.execute("SELECT relpath, rowid FROM files").fetchall())

    before = rowids()
    # Not the last file: SQLite would give its replaced row the rowid it had.
    edited = sorted((content / "articles").rglob("*.yaml"))[0]
    append_to_body(edited, "One sentence more.")
    assert run(content, out).articles_rendered == 1
    after = rowids()
    changed = {r for r in after if after[r] != before.get(r)}
    assert changed == {edited.relative_to(content).as_posix()}
    assert tree(out) == cold(content, tmp_path)


def test_the_state_is_sqlite_with_one_table_per_idea(content: Path, tmp_path: Path) -> None:
    settle(content)  # a run is recorded only when no input is too recent to vouch for itself
    run(content, tmp_path / "out")
    with contextlib.closing(sqlite3.connect(_state(content))) as db:
        tables = {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}  # noqa: S608
    assert tables == {"meta", "inputs", "contexts", "files", "articles", "outputs", "runs"}
    assert counts["articles"] == ARTICLES
    assert counts["runs"] == 1


def test_a_changed_or_removed_ledger_id_is_followed_though_the_file_did_not_change(
    content: Path, tmp_path: Path
) -> None:
    """An article's id comes from the ledger when it has no explicit one: its record in the
    state was made under the ledger's old word and must not be reused."""
    out = tmp_path / "out"
    run(content, out)
    ledger = content / "feedsmith.lock"
    lines = ledger.read_text(encoding="utf-8").splitlines(keepends=True)
    entry = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    slug, old_id, *rest = lines[entry].split("\t")
    lines[entry] = "\t".join([slug, "urn:uuid:00000000-0000-4000-8000-000000000001", *rest])
    ledger.write_text("".join(lines), encoding="utf-8")
    report = run(content, out)
    assert report.articles_rendered == 1
    atom = (out / "atom.xml").read_bytes() + b"".join(
        p.read_bytes() for p in (out / "categories").rglob("atom.xml")
    )
    assert b"urn:uuid:00000000-0000-4000-8000-000000000001" in atom
    assert old_id.encode() not in atom
    assert tree(out) == cold(content, tmp_path)
    # The line removed: the id is derived again, as a cold publish derives it.
    del lines[entry]
    ledger.write_text("".join(lines), encoding="utf-8")
    run(content, out)
    assert tree(out) == cold(content, tmp_path)


def test_one_category_spelt_two_ways_is_an_error_when_only_one_file_changed(
    content: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    articles = sorted((content / "articles").rglob("*.yaml"))
    for path in articles[:2]:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("categories:\n", "categories:\n  - Harbour Works\n", 1))
    run(content, out)
    before = tree(out)
    text = articles[1].read_text(encoding="utf-8")
    articles[1].write_text(text.replace("- Harbour Works", "- harbour works"), encoding="utf-8")
    with pytest.raises(ContentErrors) as published:
        run(content, out)
    with pytest.raises(ContentErrors) as checked:
        check(content)
    assert [str(e) for e in published.value.errors] == [str(e) for e in checked.value.errors]
    assert "both become categories/harbour-works/" in str(published.value.errors[0])
    assert tree(out) == before


def test_a_state_that_cannot_be_kept_costs_time_and_one_warning_not_the_publish(
    content: Path, tmp_path: Path
) -> None:
    """Where the state folder cannot be made (here a file stands in its way; a full or
    read-only disk is the same to it), publish goes on with a state in memory."""
    (content / CACHE_DIR).write_text("in the way\n", encoding="utf-8")
    out = tmp_path / "out"
    report = run(content, out)
    notes = [w for w in report.warnings if "cannot keep the publish state" in w.message]
    assert len(notes) == 1, report.warnings
    assert tree(out) == cold(content, tmp_path)
    assert not run(content, out).fast_path  # nothing was kept, so nothing is trusted


def test_a_state_that_cannot_be_saved_leaves_a_complete_output(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    state_module = sys.modules["feedsmith.state"]

    def full_disk(*_args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(state_module.State, "_insert_file", full_disk)
    report = run(content, out)
    assert any("cannot save the publish state" in w.message for w in report.warnings)
    assert tree(out) == cold(content, tmp_path)
    monkeypatch.undo()
    assert run(content, out).written == 0  # the next publish starts over and finds all done


def test_a_preview_and_the_real_publish_do_not_render_each_others_articles_again(
    content: Path, tmp_path: Path
) -> None:
    """A preview publishes with another base_url (serve's local address): other bodies and
    pages, so other records. Both are kept, so switching between them renders nothing again;
    only a few contexts are kept, so the state does not grow with every port ever used."""
    run(content, tmp_path / "out")
    preview = {"base_url": "http://127.0.0.1:8000/"}
    assert run(content, tmp_path / "preview", **preview).articles_rendered == ARTICLES
    assert run(content, tmp_path / "out").articles_rendered == 0
    assert run(content, tmp_path / "preview", **preview).articles_rendered == 0
    for port in (8001, 8002, 8003):
        run(content, tmp_path / f"p{port}", base_url=f"http://127.0.0.1:{port}/")
    with contextlib.closing(sqlite3.connect(_state(content))) as db:
        (contexts,) = db.execute("SELECT count(DISTINCT context) FROM files").fetchone()
    assert contexts == 3
    assert tree(tmp_path / "out") == cold(content, tmp_path)


def test_records_read_back_in_chunks_keep_their_bodies(tmp_path: Path) -> None:
    """The state fetches records 400 at a time (SQLite's parameter limit): a category page of
    a large archive asks for thousands at once, and every one must come back whole."""
    from feedsmith.model import Article, BodyFormat, Source
    from feedsmith.records import ArticleRecord, FileRecord, build_key
    from feedsmith.state import Change, State

    state = State.open(tmp_path, build_key())
    when = datetime(2026, 1, 1, tzinfo=UTC)
    files = {
        f"articles/a{i}.yaml": FileRecord(
            f"d{i}", (), (),
            (ArticleRecord(
                Article(f"urn:a:{i}", f"a{i}", f"A {i}", when, when, "", BodyFormat.MARKDOWN,
                        Source(f"{tmp_path}/articles/a{i}.yaml", 1)),
                None, f"summary {i}", f"x{i}", f"y{i}",
            ),),
        )
        for i in range(1000)
    }  # fmt: skip
    change = Change(
        "out", "ctx", {}, set(), time.time_ns(), [], files,
        lambda relpath, number: f"<p>{relpath} {number}</p>", [], {}, [], None,
    )  # fmt: skip
    assert state.save(change) is None
    found = state.records("ctx", [(relpath, 0) for relpath in files])
    assert len(found) == 1000
    assert all(body == f"<p>{key[0]} 0</p>" for key, (_, body) in found.items())
    assert found[("articles/a999.yaml", 0)][0].summary == "summary 999"
    state.close()

