"""Issue 4: missing and mistyped keys, wrong types, unknown keys (a warning; --strict: error)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.input_support import (
    add_article,
    assert_refused,
    check_cli,
    publish_cli,
    published,
    snapshot,
    write_site,
)

GOOD_REST = "published: 2025-06-02\nbody: y\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "title: [a, b]\n" + GOOD_REST,
            "1: title: must be text, not a list: ['a', 'b'] (put it in quotes)",
            id="list-title",
        ),
        pytest.param(
            "title: 42\n" + GOOD_REST,
            "1: title: must be text, not a number: 42 (put it in quotes)",
            id="number-title",
        ),
        pytest.param(
            "title: yes\n" + GOOD_REST,
            "1: title: must be text, not true/false: True (put it in quotes)",
            id="bool-title",
        ),
        pytest.param(
            "title: {a: 1}\n" + GOOD_REST,
            "1: title: must be text, not a mapping: {'a': 1} (put it in quotes)",
            id="mapping-title",
        ),
        pytest.param(
            "title:\n" + GOOD_REST,
            "1: title: missing: this key is required",
            id="empty-title",
        ),
        pytest.param(
            'title: "   "\n' + GOOD_REST,
            "1: title: is empty: write some text",
            id="blank-title",
        ),
        pytest.param(
            "published: 2025-06-02\nbody: y\n",
            "1: title: missing: this key is required",
            id="missing-title",
        ),
        pytest.param(
            "title: x\nbody: y\n",
            "1: published: missing: this key is required"
            " (write 2024-03-12 or 2024-03-12T09:00:00+08:00)",
            id="missing-published",
        ),
        pytest.param(
            "title: x\npublished: 2025-06-02\n",
            "1: body: missing: this key is required",
            id="missing-body",
        ),
        pytest.param(
            "title: x\n" + GOOD_REST + "categories: Port\n",
            "4: categories: must be a list: write [Port] or one per line with -",
            id="categories-string",
        ),
        pytest.param(
            "title: x\n" + GOOD_REST + "categories: [[a]]\n",
            "4: categories: each must be a name in text, not ['a']",
            id="categories-nested",
        ),
        pytest.param(
            "title: x\n" + GOOD_REST + "draft: 'no'\n",
            "4: draft: must be true or false, not 'no'",
            id="draft-text",
        ),
        pytest.param(
            "title: x\n" + GOOD_REST + "format: latex\n",
            "4: format: must be markdown or html, not 'latex'",
            id="format",
        ),
        pytest.param(
            "title: x\n" + GOOD_REST + "author: {email: a@b.org}\n",
            "4: name: missing: this key is required",
            id="author-without-name",
        ),
        pytest.param(
            "title: x\n" + GOOD_REST + "enclosures: [{url: a.mp3, type: audio/mpeg}]\n",
            "4: length: missing: the file's size in bytes (RSS requires it)",
            id="enclosure-length",
        ),
        pytest.param(
            "title: x\n" + GOOD_REST + f"title2: {'z' * 200}\nsummary: [{'w' * 100}]\n",
            "5: summary: must be text, not a list: ['" + "w" * 57 + "… (put it in quotes)",
            id="long-value-shortened",
        ),
    ],
)
def test_wrong_type_or_missing_key_is_refused(tmp_path: Path, text: str, message: str) -> None:
    content, out, before = published(tmp_path)
    shown = add_article(content, "2025-06-02-typed.yaml", text)
    result = publish_cli(content, out)
    assert_refused(result, f"{shown}:{message}")
    assert snapshot(out) == before


def test_site_yaml_types_are_checked(tmp_path: Path) -> None:
    site = "title: 7\nbase_url: https://news.example.org/\ndescription: d\nfeed_limit: many\n"
    content = write_site(tmp_path, site=site)
    shown = (content / "site.yaml").as_posix()
    result = publish_cli(content, tmp_path / "out")
    assert_refused(
        result,
        f"{shown}:1: title: must be text, not a number: 7 (put it in quotes)",
        f"{shown}:4: feed_limit: must be a whole number, not 'many'",
        "2 errors: nothing was written.",
    )
    assert not (tmp_path / "out").exists()


def test_missing_site_keys_are_all_named(tmp_path: Path) -> None:
    content = write_site(tmp_path, site="language: en\n")
    shown = (content / "site.yaml").as_posix()
    result = check_cli(content)
    assert_refused(
        result,
        f"{shown}:1: title: missing: this key is required",
        f"{shown}:1: description: missing: this key is required",
        f"{shown}:1: base_url: missing: this key is required",
        f"Checked {content}: 3 errors, no warnings.",
    )


def test_unknown_key_is_a_warning_with_the_closest_known_key(tmp_path: Path) -> None:
    content = write_site(
        tmp_path,
        {"x.yaml": "titel: typo\ntitle: x\npublished: 2025-06-02\nbody: y\nfoo: 1\n"},
    )
    shown = (content / "articles" / "x.yaml").as_posix()
    out = tmp_path / "out"
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{shown}:1: warning: titel: unknown key, ignored (did you mean title?)",
        f"{shown}:5: warning: foo: unknown key, ignored (article keys: title, published,"
        " updated, body, format, summary, author, authors, categories, slug, id, link, image,"
        " enclosures, draft, language, corrections, retracted)",
    ]
    assert (out / "atom.xml").is_file()


def test_unknown_key_is_an_error_under_strict(tmp_path: Path) -> None:
    content, out, before = published(tmp_path)
    shown = add_article(content, "y.yaml", "title: x\npublished: 2025-06-02\nbody: y\nslgu: z\n")
    result = publish_cli(content, out, "--strict")
    assert_refused(
        result,
        f"{shown}:4: slgu: unknown key, ignored (did you mean slug?)",
        "1 error: nothing was written.",
    )
    assert snapshot(out) == before
    assert_refused(check_cli(content, "--strict"), f"Checked {content}: 1 error, no warnings.")
    assert check_cli(content).exit_code == 0
