"""The cache, the no-change fast path and parallel rendering never change a byte (issue 5).

Every test compares against a cold publish (no cache) of the same content, whole output trees
at a time. Whether work was reused is observed through the report's counters, never through
timing.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import pytest

import feedsmith
import feedsmith.publish
from feedsmith import cache, pages
from feedsmith.errors import ContentErrors
from feedsmith.publish import PublishOptions, PublishReport, check, publish

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


def settle(content: Path) -> None:
    """Date every input a minute back: a file changed within the last moments might change
    again within the same mtime tick, so the fast path does not trust it yet (see cache.py).
    """
    for path in content.rglob("*"):
        if path.is_file() and ".feedsmith-cache" not in path.parts:
            stat = path.stat()
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 60 * 10**9))


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
    shutil.rmtree(content / cache.CACHE_DIR_NAME)
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


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw | {"outputs": 7},
        lambda raw: raw | {"outputs": raw["outputs"][:2]},
        lambda raw: (
            raw | {"outputs": [raw["outputs"][0], raw["outputs"][1][:-1], raw["outputs"][2]]}
        ),
        lambda raw: raw | {"outputs": [["x"], ["big"], [1]]},
        lambda raw: {"key": raw["key"]},
    ],
)
def test_a_damaged_stamp_means_a_real_publish(
    content: Path, tmp_path: Path, damage: Callable[[dict[str, object]], dict[str, object]]
) -> None:
    out = tmp_path / "out"
    settle(content)
    run(content, out)
    expected = tree(out)
    (stamp,) = (content / cache.CACHE_DIR_NAME).glob("stamp-*.json")
    stamp.write_text(json.dumps(damage(json.loads(stamp.read_bytes()))))
    settle(content)  # the ledger the first publish wrote is no longer too new to stamp
    again = run(content, out)
    assert not again.fast_path
    assert again.written == 0
    assert tree(out) == expected
    assert run(content, out).fast_path  # and the next one trusts the stamp it wrote


def test_temporaries_left_in_output_folders_are_removed_though_folders_are_not_all_listed(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a stamped publish, a republish lists only the folders whose mtime moved
    (cache.quiet_folders): those where an interrupted publish could have left a temporary."""
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
    [{"base_url": "https://preview.example.net/"}, {"drafts": True}, {"strict": True}],
    ids=["base-url", "drafts", "strict"],
)
def test_other_options_are_a_real_publish(
    options: dict[str, object], content: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run(content, out)
    report = run(content, out, **options)
    assert not report.fast_path
    assert tree(out) == cold(content, tmp_path, **options)


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

    pages.py renders from the copy, and the cache key hashes the copy: the same two things an
    edited installed template changes.
    """
    copy = tmp_path / "templates"
    shutil.copytree(cache.TEMPLATES_DIR, copy)
    marker = "<!-- edited template -->"
    base = copy / "base.html"
    text = base.read_text(encoding="utf-8")
    base.write_text(text.replace("</body>", f"{marker}\n</body>", 1), encoding="utf-8")
    assert marker in base.read_text(encoding="utf-8")
    original: Callable[[], jinja2.Environment] = pages._environment
    environment = original().overlay(loader=jinja2.FileSystemLoader(copy))
    monkeypatch.setattr(pages, "_environment", lambda *_: environment)
    monkeypatch.setattr(cache, "TEMPLATES_DIR", copy)
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


def test_a_planted_cache_file_runs_no_code(content: Path, tmp_path: Path) -> None:
    # The cache lives in the content folder, which may come from someone else (issue 4).
    out = tmp_path / "out"
    expected = cold(content, tmp_path)
    marker = tmp_path / "ran"
    folder = cache.make_cache_dir(content)
    (folder / "index.pickle").write_bytes(pickle.dumps((_Planted(marker),)))
    report = run(content, out)
    assert not marker.exists()
    assert report.articles_rendered == ARTICLES  # refused, so a cold start
    assert tree(out) == expected


def test_a_planted_index_delta_runs_no_code(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(content, out)
    marker = tmp_path / "ran"
    folder = cache.cache_dir(content)
    (folder / "index-delta.pickle").write_bytes(pickle.dumps((_Planted(marker),)))
    append_to_body(first_article(content), "An edit after the delta was planted.")
    report = run(content, out)
    assert not marker.exists()
    assert report.articles_rendered == 1  # the base alone still serves the other articles
    assert tree(out) == cold(content, tmp_path)


def test_small_changes_go_to_a_delta_that_reads_back_as_the_whole_index(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After one edit only index-delta.pickle is written; loaded, base + delta hold what a
    whole index written from scratch holds; many changes fold everything into a new base."""
    out = tmp_path / "out"
    run(content, out)
    folder = cache.cache_dir(content)
    base_bytes = (folder / "index.pickle").read_bytes()
    append_to_body(first_article(content), "One sentence more.")
    assert run(content, out).articles_rendered == 1
    assert (folder / "index.pickle").read_bytes() == base_bytes
    assert (folder / "index-delta.pickle").is_file()

    key = str(cache._load(folder / "index.pickle")[1])  # type: ignore[index]
    amended = cache.load_index(content, key)
    assert amended.base is not None
    assert len(amended.files) == ARTICLES
    files, outputs, bodies = dict(amended.files), dict(amended.outputs), dict(amended.bodies)
    cache.save_index(content, cache.Index(key, files, outputs, bodies))  # no base: whole
    assert not (folder / "index-delta.pickle").exists()
    again = cache.load_index(content, key)
    assert (again.files, again.outputs, again.bodies) == (files, outputs, bodies)

    # A change bigger than a delta may hold (an eighth of the index) writes a new base.
    monkeypatch.setattr(cache, "_DELTA_MIN", 1)
    base_bytes = (folder / "index.pickle").read_bytes()
    for path in sorted((content / "articles").rglob("*.yaml"))[: ARTICLES // 2]:
        append_to_body(path, "Edited in bulk.")
    assert run(content, out).articles_rendered == ARTICLES // 2
    assert (folder / "index.pickle").read_bytes() != base_bytes
    assert not (folder / "index-delta.pickle").exists()
    assert tree(out) == cold(content, tmp_path)
