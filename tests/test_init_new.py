"""``feedsmith init`` and ``feedsmith new``: a publication started from nothing publishes.

Driven through the command line (click's runner) in a temporary folder, then read back with
PyYAML, feedsmith's own loader and validator, and the published feeds with feedparser.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from feedsmith import scaffold
from feedsmith.cli import main
from feedsmith.errors import InputError
from feedsmith.load import parse_text
from feedsmith.model import Site
from feedsmith.validate import SITE_KEYS, Problems, validate_articles

# SPEC's site.yaml table; archive_size is not yet a key the validator knows.
SPEC_SITE_KEYS = (*SITE_KEYS, "archive_size")
SLUG = re.compile(r"[a-z0-9-]+")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def new_article(content: Path, title: str, *extra: str) -> Path:
    result = run("new", "--content", str(content), *extra, "--", title)
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path.is_file()
    return path


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    """A publication made by ``feedsmith init``; returns its content folder."""
    result = run("init", str(tmp_path / "paper"))
    assert result.exit_code == 0, result.output
    return tmp_path / "paper" / "content"


def test_init_writes_a_publication_that_publishes(paper: Path) -> None:
    folder = paper.parent
    files = sorted(tree(folder))
    assert files[0] == ".gitignore"
    assert files[2:] == ["content/site.yaml", "content/static/.gitkeep"]
    assert re.fullmatch(
        r"content/articles/\d{4}-\d{2}-\d{2}-gull-point-lighthouse-reopens-after-twenty-years\.yaml",
        files[1],
    )
    ignored = (folder / ".gitignore").read_text("utf-8").splitlines()
    assert "/public/" in ignored and ".feedsmith-cache/" in ignored
    result = run("publish", "--content", str(paper), "--out", str(folder / "public"))
    assert result.exit_code == 0, result.output
    feed = feedparser.parse((folder / "public" / "atom.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["Gull Point lighthouse reopens after twenty years"]
    assert feed.entries[0].link == (
        "https://example.org/news/articles/gull-point-lighthouse-reopens-after-twenty-years/"
    )
    assert feed.entries[0].id.startswith("urn:uuid:")


def test_site_yaml_sets_the_required_keys_and_explains_every_other(paper: Path) -> None:
    text = (paper / "site.yaml").read_text("utf-8")
    site = yaml.safe_load(text)
    assert site == {
        "title": "My Publication",
        "base_url": "https://example.org/news/",
        "description": "News and notes from our corner of the world.",
        "language": "en",
        "timezone": "UTC",
    }
    commented = {m.group(1) for m in re.finditer(r"^# ([a-z_]+):", text, re.MULTILINE)}
    assert set(SPEC_SITE_KEYS) == set(site) | commented
    # Each key is preceded by its explanation, naming the default (or saying it is required).
    for key in SPEC_SITE_KEYS:
        before = text[: re.search(rf"^(# )?{key}:", text, re.MULTILINE).start()]  # type: ignore[union-attr]
        explanation = before.rstrip("\n").rpartition("\n\n")[2]
        assert "Default:" in explanation or "Required." in explanation, key
    # The commented keys are written so that uncommenting them gives a valid site.
    uncommented = re.sub(r"^# (?=[a-z_]+:|  )", "", text, flags=re.MULTILINE)
    site_all = yaml.safe_load(uncommented)
    assert set(site_all) == set(SPEC_SITE_KEYS)
    (paper / "site.yaml").write_text(uncommented.replace("archive_size: 50", ""), encoding="utf-8")
    # The icon and logo it names are the editor's to add (check says so until they are).
    for name in ("icon.png", "logo.png"):
        (paper / "static" / "images").mkdir(parents=True, exist_ok=True)
        (paper / "static" / "images" / name).write_bytes(b"\x89PNG\r\n\x1a\n")
    result = run("check", "--content", str(paper), "--strict")
    assert result.exit_code == 0, result.output


def test_new_article_validates_and_publishes_only_without_draft(paper: Path) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    ready = new_article(paper, "Harbour ferry timetable changes in March", "--publish")
    draft = new_article(paper, "Notes for a later story")
    after = datetime.now(UTC)
    assert ready.parent == paper / "articles"
    assert re.fullmatch(
        r"\d{4}-\d{2}-\d{2}-harbour-ferry-timetable-changes-in-march\.yaml", ready.name
    )
    written = yaml.safe_load(ready.read_text("utf-8"))
    assert set(written) == {"title", "id", "published", "body"}
    assert written["title"] == "Harbour ferry timetable changes in March"
    assert uuid.UUID(written["id"].removeprefix("urn:uuid:")).version == 4
    assert written["id"].startswith("urn:uuid:")
    assert before <= written["published"] <= after
    assert written["body"].strip()
    assert yaml.safe_load(draft.read_text("utf-8"))["draft"] is True

    out = paper.parent / "public"
    result = run("publish", "--content", str(paper), "--out", str(out), "--strict")
    assert result.exit_code == 0, result.output
    rss = feedparser.parse((out / "rss.xml").read_bytes())
    titles = [e.title for e in rss.entries]
    assert "Harbour ferry timetable changes in March" in titles
    assert "Notes for a later story" not in titles
    ids = {e.title: e.id for e in rss.entries}
    assert ids["Harbour ferry timetable changes in March"] == written["id"]
    feed_json = json.loads((out / "feed.json").read_bytes())
    assert written["id"] in [item["id"] for item in feed_json["items"]]
    assert (out / "articles" / "harbour-ferry-timetable-changes-in-march" / "index.html").is_file()
    assert not (out / "articles" / "notes-for-a-later-story").exists()

    result = run("publish", "--content", str(paper), "--out", str(out), "--drafts")
    assert result.exit_code == 0, result.output
    rss = feedparser.parse((out / "rss.xml").read_bytes())
    assert "Notes for a later story" in [e.title for e in rss.entries]


def test_new_dates_the_article_in_the_site_time_zone(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "site.yaml").write_text(
        'title: "T"\nbase_url: "https://example.org/"\ndescription: "D"\n'
        "timezone: Asia/Hong_Kong\n",
        encoding="utf-8",
    )
    # 20:30 UTC is already the next morning in Hong Kong: the date and the offset say so.
    now = datetime(2026, 3, 1, 20, 30, 15, 123456, tzinfo=UTC)
    path = scaffold.create_article(content, "Night ferry", now, "urn:uuid:x", draft=True)
    assert path == content / "articles" / "2026-03-02-night-ferry.yaml"
    assert "\npublished: 2026-03-02T04:30:15+08:00\n" in path.read_text("utf-8")


def test_new_never_overwrites_and_avoids_taken_slugs(paper: Path) -> None:
    first = new_article(paper, "Tide tables")
    second = new_article(paper, "Tide tables")
    assert second.name == first.name.replace("tide-tables", "tide-tables-2")
    # Another date's file with the slug, and a slug only the ledger remembers (its file gone).
    (paper / "articles" / "2020-01-01-tide-tables-3.yaml").write_text("title: x\n", "utf-8")
    (paper / "feedsmith.lock").write_text(
        "tide-tables-4\turn:uuid:1\t2020-01-01T00:00:00Z\tOld\n", encoding="utf-8"
    )
    third = new_article(paper, "Tide tables")
    assert third.name.endswith("-tide-tables-5.yaml")
    assert yaml.safe_load(first.read_text("utf-8"))["title"] == "Tide tables"


def test_new_writes_a_usable_slug_for_any_script(paper: Path) -> None:
    cjk = new_article(paper, "台北市議會通過預算", "--publish")
    assert cjk.name.endswith("-tai-bei-shi-yi-hui-tong-guo-yu-suan.yaml")
    symbols = new_article(paper, "¡¿!!!?", "--publish")
    assert symbols.name.endswith("-article.yaml")
    out = paper.parent / "public"
    result = run("publish", "--content", str(paper), "--out", str(out), "--strict")
    assert result.exit_code == 0, result.output
    page = out / "articles" / "tai-bei-shi-yi-hui-tong-guo-yu-suan" / "index.html"
    assert "台北市議會通過預算" in page.read_text("utf-8")


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Ünïcödé café reopens", "unicode-cafe-reopens"),
        ("Привет, мир", "privet-mir"),
        ("東京 Olympics 2026", "dong-jing-olympics-2026"),
        ("  --Why <b>bold</b> claims & data differ--  ", "why-b-bold-b-claims-data-differ"),
        ("😀", "grinning"),
        ("", "article"),
        ("a" * 70, "a" * 60),
        ("word " * 20, "-".join(["word"] * 12)),
    ],
)
def test_slug_for_title(title: str, slug: str) -> None:
    assert scaffold.slug_for_title(title) == slug
    assert SLUG.fullmatch(scaffold.slug_for_title(title))


SITE = Site(title="T", base_url="https://example.org/", description="D")


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1))
def test_any_title_reads_back_as_itself(title: str) -> None:
    """Whatever the editor types, the file reads back with exactly the title written."""
    written = scaffold.clean_title(title)
    assume(written)  # an empty title is refused before anything is written (test below)
    text = scaffold.article_text(
        written, datetime(2026, 1, 1, tzinfo=UTC), "urn:uuid:1", draft=False
    )
    errors: list[InputError] = []
    warnings: list[InputError] = []
    raw = parse_text(text.encode("utf-8"), "x.yaml", errors, warnings)
    assert raw is not None and errors == [] and warnings == []
    problems = Problems()
    articles = validate_articles([raw], SITE, SITE.base_url, {}, problems)
    assert problems.errors == [] and problems.warnings == []
    assert [a.title for a in articles] == [written]


@pytest.mark.parametrize(
    "title",
    [
        'Ferry: "changes" # March',
        "- a leading dash",
        "yes",
        "null",
        "'quoted'",
        "Why <b>bold</b> claims & data differ",
        "line\u2028separator and paragraph\u2029separator",
        "tab\tand\nnewline",
        "{braces} [brackets] &anchor *alias !tag %percent @at `tick`",
        "a\\backslash",
    ],
)
def test_tricky_titles_read_back_as_themselves(paper: Path, title: str) -> None:
    path = new_article(paper, title, "--publish")
    errors: list[InputError] = []
    warnings: list[InputError] = []
    raw = parse_text(path.read_bytes(), path.as_posix(), errors, warnings)
    assert raw is not None and errors == [] and warnings == []
    problems = Problems()
    articles = validate_articles([raw], SITE, SITE.base_url, {}, problems)
    assert problems.errors == [] and problems.warnings == []
    assert [a.title for a in articles] == [scaffold.clean_title(title)]


def test_new_refuses_an_empty_title_and_a_missing_publication(paper: Path) -> None:
    result = CliRunner().invoke(main, ["new", " \t", "--content", str(paper)])
    assert result.exit_code == 2
    assert result.stderr == 'error: the title is empty: write feedsmith new "The headline"\n'
    missing = paper.parent / "nowhere"
    result = CliRunner().invoke(main, ["new", "T", "--content", str(missing)])
    assert result.exit_code == 2
    # The usage error every command gives for --content.
    assert f"Invalid value for '--content': {missing}: no such content folder:" in result.stderr
    assert "Traceback" not in result.output
    (paper / "site.yaml").write_text("title: [\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["new", "T", "--content", str(paper)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{paper.as_posix()}/site.yaml:")
    assert list((paper / "articles").glob("*-t.yaml")) == []


def test_init_refuses_to_overwrite_anything(paper: Path) -> None:
    folder = paper.parent
    (paper / "site.yaml").write_text("title: mine\n", encoding="utf-8")
    before = tree(folder)
    result = CliRunner().invoke(main, ["init", str(folder)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {folder / '.gitignore'}: already exists, and init never overwrites anything:"
        " choose a new or empty folder (feedsmith init DIR)\n"
    )
    assert tree(folder) == before


def test_init_in_a_repository_with_its_own_gitignore_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.pyc\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert tree(tmp_path) == {".gitignore": b"*.pyc\n"}
    assert not (tmp_path / "content").exists()


def test_init_templates_copies_the_shipped_ones(tmp_path: Path) -> None:
    shipped = Path(scaffold.__file__).parent / "templates"
    result = run("init", str(tmp_path), "--templates")
    assert result.exit_code == 0, result.output
    copied = tree(tmp_path / "content" / "templates")
    assert copied == tree(shipped) and "base.html" in copied
    # Later, in the existing publication: a second copy would overwrite them, so it refuses...
    result = CliRunner().invoke(main, ["init", str(tmp_path), "--templates"])
    assert result.exit_code == 2 and "already exists" in result.stderr
    # ...and once they are moved aside, copies only the templates, leaving the rest alone.
    (tmp_path / "content" / "templates").rename(tmp_path / "old-templates")
    before = tree(tmp_path / "content")
    result = run("init", str(tmp_path), "--templates")
    assert result.exit_code == 0, result.output
    assert tree(tmp_path / "content") == before | {
        f"templates/{name}": data for name, data in copied.items()
    }


@pytest.mark.parametrize("command", ["init", "new", "serve", "publish", "check"])
def test_every_command_help_has_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    examples = result.output.partition("Examples:\n")[2]
    assert re.search(rf"^ +feedsmith {command}\b", examples, re.MULTILINE), result.output


def test_version() -> None:
    from feedsmith import __version__

    result = run("--version")
    assert result.output == f"feedsmith, version {__version__}\n"
