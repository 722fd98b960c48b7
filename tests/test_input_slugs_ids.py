"""Issue 4: colliding slugs and ids, unsafe slugs, odd file names, and links out of content/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.input_support import (
    ARTICLE_YAML,
    add_article,
    assert_refused,
    publish_cli,
    published,
    snapshot,
    write_site,
)

SLUG_RULE = "slug: must be lower-case letters, digits and - only (at most 200), not"


@pytest.mark.parametrize(
    "slug", ["a/b", "..", "../../etc", "/abs", "Upper", "a b", "café", "a\\\\b", "x" * 201]
)
def test_unsafe_slug_is_refused(tmp_path: Path, slug: str) -> None:
    content, out, before = published(tmp_path)
    shown = add_article(content, "s.yaml", ARTICLE_YAML + f'slug: "{slug}"\n')
    result = publish_cli(content, out)
    value = slug.replace("\\\\", "\\")
    quoted = repr(value) if len(repr(value)) <= 60 else repr(value)[:59] + "…"
    assert_refused(result, f"{shown}:5: {SLUG_RULE} {quoted}", "1 error: nothing was written.")
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "public"]


def test_colliding_slugs_and_ids_name_both_files(tmp_path: Path) -> None:
    content, out, before = published(tmp_path)
    first = (content / "articles" / "2025-06-01-good.yaml").as_posix()
    same_stem = add_article(content, "sub/good.yaml", ARTICLE_YAML)
    explicit = add_article(content, "other.yaml", ARTICLE_YAML + "slug: good\n")
    one = add_article(content, "one.yaml", ARTICLE_YAML + "id: tag:example.org,2025:1\n")
    two = add_article(content, "two.yaml", ARTICLE_YAML + "id: tag:example.org,2025:1\n")
    result = publish_cli(content, out)
    assert_refused(
        result,
        f"{explicit}:1: slug: 'good' is already used by {first}:1: give one of them another slug",
        f"{same_stem}:1: slug: 'good' is already used by {first}:1: give one of them another"
        " slug",
        f"{two}:1: id: 'tag:example.org,2025:1' is already used by {one}:1: give one of them"
        " another id",
        # A slug clash is not reported a second time as the clash of the ids derived from it.
        "3 errors: nothing was written.",
    )
    assert snapshot(out) == before


@pytest.mark.parametrize("value", ["abc", "12345", "/articles/x", "urn uuid", "://x"])
def test_id_that_is_not_an_absolute_uri_is_refused(tmp_path: Path, value: str) -> None:
    content, out, before = published(tmp_path)
    shown = add_article(content, "i.yaml", ARTICLE_YAML + f'id: "{value}"\n')
    result = publish_cli(content, out)
    assert_refused(
        result,
        f"{shown}:5: id: not an absolute URI: {value!r}"
        " (e.g. urn:uuid:…, tag:example.org,2024:slug or https://…)",
    )
    assert snapshot(out) == before


def test_file_names_that_slugify_oddly(tmp_path: Path) -> None:
    names = {
        "Weird Name!!.yaml": "weird-name",
        "ÜBER café.yml": "uber-cafe",
        "2025-01-01-Dated  Title.yaml": "dated-title",
        "北京.yaml": "beijing",
    }
    content = write_site(tmp_path, dict.fromkeys(names, ARTICLE_YAML))
    # Hidden files are editors' swap files: never articles.
    add_article(content, ".#draft.yaml", "not: [valid")
    out = tmp_path / "out"
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "articles").iterdir()) == sorted(names.values())


def test_file_name_without_letters_needs_a_slug(tmp_path: Path) -> None:
    content, out, before = published(tmp_path)
    shown = add_article(content, "2025-01-01-!!.yaml", ARTICLE_YAML)
    result = publish_cli(content, out)
    assert_refused(
        result,
        f"{shown}:1: slug: the file name gives no usable slug: rename the file or add slug:",
    )
    assert snapshot(out) == before


LINK_ERROR = (
    "symbolic link to outside the content folder, not followed: copy the file into the"
    " content folder instead"
)


def test_static_links_out_of_content_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    content, out, before = published(tmp_path)
    static = content / "static"
    static.mkdir()
    (static / "ok.txt").write_text("fine", encoding="utf-8")
    (static / "leak.txt").symlink_to(secret)
    (static / "home").symlink_to(tmp_path, target_is_directory=True)
    result = publish_cli(content, out)
    assert_refused(
        result,
        f"{(static / 'home').as_posix()}: {LINK_ERROR}",
        f"{(static / 'leak.txt').as_posix()}: {LINK_ERROR}",
        "2 errors: nothing was written.",
    )
    assert snapshot(out) == before


def test_article_link_out_of_content_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(ARTICLE_YAML, encoding="utf-8")
    content, out, before = published(tmp_path)
    link = content / "articles" / "linked.yaml"
    link.symlink_to(outside)
    result = publish_cli(content, out)
    assert_refused(result, f"{link.as_posix()}: {LINK_ERROR}")
    assert snapshot(out) == before


def test_links_inside_content_are_followed(tmp_path: Path) -> None:
    content = write_site(tmp_path)
    (content / "media").mkdir()
    (content / "media" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    (content / "static").mkdir()
    (content / "static" / "logo.svg").symlink_to(Path("..", "media", "logo.svg"))
    # A loop of folder links is walked once, not forever.
    (content / "static" / "again").symlink_to(Path(), target_is_directory=True)
    out = tmp_path / "out"
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    assert (out / "logo.svg").read_text(encoding="utf-8") == "<svg/>"
    assert not (out / "logo.svg").is_symlink()
    assert not (out / "again").exists()
