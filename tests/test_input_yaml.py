"""Issue 4: YAML that does not parse, empty and non-UTF-8 files, BOM/CRLF, tags, alias bombs.

Every refusal names the file and line, exits 1 and leaves the previous output byte- and
mtime-identical.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.input_support import (
    ARTICLE_YAML,
    add_article,
    assert_refused,
    atom_titles,
    check_cli,
    publish_cli,
    published,
    snapshot,
    write_site,
)

SYNTAX_HINT = "(check indentation, quotes and colons on this line or the one above)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "title: x\n  published: 2025-01-01\nbody: y\n",
            f"2: YAML syntax error: mapping values are not allowed in this context {SYNTAX_HINT}",
            id="bad-indentation",
        ),
        pytest.param(
            "title: x\n\tpublished: 2025-01-01\nbody: y\n",
            "2: a tab in the indentation: YAML indents with spaces only; replace the tab with"
            " spaces (two for each level)",
            id="tab",
        ),
        pytest.param(
            'title: "x\npublished: 2025-01-01\nbody: y\n',
            "4: YAML syntax error: found unexpected end of stream while scanning a quoted"
            f" scalar {SYNTAX_HINT}",
            id="unclosed-quote",
        ),
        pytest.param("", "1: empty file: write an article (title, published, body)", id="empty"),
        pytest.param(
            "# only a comment\n\n",
            "1: empty file: write an article (title, published, body)",
            id="comment-only",
        ),
        pytest.param(
            b"title: ok\nbody: caf\xe9\npublished: 2025-01-01\n",
            "2: not UTF-8 text (byte 0xe9): save the file as UTF-8",
            id="latin-1",
        ),
        pytest.param(
            "title: x\ntitle: y\npublished: 2025-01-01\nbody: z\n",
            "2: title: given twice (first on line 1): keep one",
            id="duplicate-key",
        ),
        pytest.param(
            "base: &b {title: x}\n<<: *b\npublished: 2025-01-01\nbody: z\n",
            "2: merge keys (<<) are not supported: write the keys out",
            id="merge-key",
        ),
        pytest.param(
            "title: !!binary aGVsbG8=\npublished: 2025-01-01\nbody: y\n",
            "1: unsupported YAML tag 'tag:yaml.org,2002:binary': feedsmith reads plain YAML"
            " only (remove the tag)",
            id="binary-tag",
        ),
        pytest.param(
            "- just a list\n",
            "1: an article must be a mapping of keys (title:, published:, body:), not text",
            id="list-of-strings",
        ),
    ],
)
def test_unparsable_article_is_refused_and_output_kept(
    tmp_path: Path, text: str | bytes, message: str
) -> None:
    content, out, before = published(tmp_path)
    shown = add_article(content, "2025-06-02-broken.yaml", text)
    result = publish_cli(content, out)
    assert_refused(result, f"{shown}:{message}", "1 error: nothing was written.")
    assert snapshot(out) == before


def test_every_error_of_every_file_is_reported_and_check_prints_the_same(
    tmp_path: Path,
) -> None:
    content, out, before = published(tmp_path)
    first = add_article(content, "a.yaml", "title: [x]\npublished: 2020-13-45\nbody: y\n")
    second = add_article(content, "b.yaml", 'title: "open\n')
    expected = [
        f"{first}:1: title: must be text, not a list: ['x'] (put it in quotes)",
        f"{first}:2: published: not a date: '2020-13-45'"
        " (write 2024-03-12 or 2024-03-12T09:00:00+08:00)",
        f"{second}:2: YAML syntax error: found unexpected end of stream while scanning a"
        f" quoted scalar {SYNTAX_HINT}",
        "3 errors: nothing was written.",
    ]
    result = publish_cli(content, out)
    assert_refused(result)
    assert sorted(result.stderr.splitlines()) == sorted(expected)
    assert snapshot(out) == before
    checked = check_cli(content)
    assert_refused(checked)
    # The same errors, then what check did (it never writes) instead of publish's closing line.
    assert checked.stderr.splitlines()[:-1] == result.stderr.splitlines()[:-1]
    assert checked.stderr.splitlines()[-1] == f"Checked {content}: 3 errors, no warnings."


def test_empty_site_yaml_is_an_error_naming_it(tmp_path: Path) -> None:
    content = write_site(tmp_path, site="")
    result = publish_cli(content, tmp_path / "out")
    assert_refused(
        result,
        f"{(content / 'site.yaml').as_posix()}:1: empty file: write title:, base_url: and"
        " description:",
    )
    assert not (tmp_path / "out").exists()


def test_bom_and_crlf_work(tmp_path: Path) -> None:
    site = "\ufefftitle: Gazette\r\nbase_url: https://news.example.org/\r\ndescription: d\r\n"
    article = "\ufefftitle: Crlf and BOM\r\npublished: 2025-06-01\r\nbody: |\r\n  Hi\r\n  there\r\n"
    content = write_site(
        tmp_path, {"x.yaml": article.encode("utf-8")}, site=site.encode("utf-8")
    )
    out = tmp_path / "out"
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert atom_titles(out / "atom.xml") == ["Crlf and BOM"]
    assert "<title>Gazette</title>" in (out / "atom.xml").read_text(encoding="utf-8")
    assert "\r" not in (out / "articles" / "x" / "index.html").read_text(encoding="utf-8")


def test_python_tags_are_refused_without_running_anything(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    content, out, before = published(tmp_path)
    payloads = {
        "apply.yaml": f"title: !!python/object/apply:os.system ['touch {marker}']\n",
        "new.yaml": f"title: !!python/object/new:os.system ['touch {marker}']\n",
        "name.yaml": "title: !!python/name:os.system\n",
        "module.yaml": "title: !!python/module:os\n",
    }
    expected = []
    for name, text in payloads.items():
        shown = add_article(content, name, text + "published: 2025-01-01\nbody: y\n")
        tag = text.split()[1][2:]
        expected.append(
            f"{shown}:1: unsupported YAML tag 'tag:yaml.org,2002:{tag}': feedsmith reads plain"
            " YAML only (remove the tag)"
        )
    result = publish_cli(content, out)
    assert_refused(result, *expected, "4 errors: nothing was written.")
    assert not marker.exists()
    assert snapshot(out) == before


def alias_bomb(levels: int = 9) -> str:
    """The 'billion laughs': each level a list of nine aliases of the one before."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_at_the_value_that_explodes(tmp_path: Path) -> None:
    content, out, before = published(tmp_path)
    shown = add_article(content, "bomb.yaml", alias_bomb())
    result = publish_cli(content, out)
    # 9**7 = 4.8 million values: a6 on line 7 is the first past the 1,000,000 limit.
    assert_refused(
        result,
        f"{shown}:7: this value expands to more than 1,000,000 values (an alias bomb?): write"
        " the values out instead of using anchors and aliases",
        "1 error: nothing was written.",
    )
    assert snapshot(out) == before


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    content, out, before = published(tmp_path)
    shown = add_article(content, "loop.yaml", "title: x\ncategories: &c [a, *c]\n")
    result = publish_cli(content, out)
    assert_refused(result, f"{shown}:2: nested more than 50 levels deep: flatten this value")
    assert snapshot(out) == before


def test_modest_aliases_still_work(tmp_path: Path) -> None:
    shared = "authors: &who [{name: Ann}]\n"
    content = write_site(
        tmp_path,
        {"x.yaml": shared + ARTICLE_YAML + "categories: &c [Port]\n"},
    )
    out = tmp_path / "out"
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    # The unknown top-level key that only holds the anchor is a warning, not an error.
    assert "warning: authors" not in result.stderr
    assert (out / "categories" / "port" / "atom.xml").is_file()
