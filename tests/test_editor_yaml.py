"""The YAML mistakes editors make, each reported where it is with what to write instead.

YAML itself reports them in its own terms and often elsewhere: an unindented block at the
last line of the file, a tab as "a character that cannot start any token".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.input_support import add_article, check_cli, publish_cli, published, snapshot

TAB_MESSAGE = (
    "a tab in the indentation: YAML indents with spaces only; replace the tab with spaces"
    " (two for each level)"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            'title: "Harbour news"\npublished: 2025-06-01\nbody: |\nThe first paragraph.\n\n'
            "The second paragraph.\nIts second line.\nThe last line of the file.\n",
            "3: body: the text under 'body: |' must be indented: put two spaces before each of"
            " its lines",
            id="unindented-block",
        ),
        pytest.param(
            'title: "Harbour news"\npublished: 2025-06-01\nbody: |-\nA line.\nNote: a colon.\n'
            "More.\n",
            "3: body: the text under 'body: |-' must be indented: put two spaces before each of"
            " its lines",
            id="unindented-block-with-a-colon-inside",
        ),
        pytest.param(
            'title: "Harbour news"\npublished: 2025-06-01\ncategories:\n\t- World\nbody: |\n'
            "  Text.\n",
            f"4: {TAB_MESSAGE}",
            id="tab-in-a-list",
        ),
        pytest.param(
            'title: "Harbour news"\npublished: 2025-06-01\nbody: |\n\tText after a tab.\n',
            f"4: {TAB_MESSAGE}",
            id="tab-in-a-block",
        ),
        pytest.param(
            'title: "Harbour news"\npublished: 2025-06-01\nbody:\n  The first line.\n\n'
            "  A second paragraph: with a colon.\n",
            "3: body: text on several lines needs 'body: |' on this line, with the text"
            " indented under it",
            id="missing-pipe",
        ),
        pytest.param(
            'title: Breaking: fire at the "old" pier\npublished: 2025-06-01\nbody: |\n  Text.\n',
            "1: title: a colon and a space inside a value: put the value in quotes:"
            ' title: "Breaking: fire at the \\"old\\" pier"',
            id="colon-in-title",
        ),
    ],
)
def test_an_editors_yaml_mistake_is_one_line_saying_what_to_write(
    tmp_path: Path, text: str, expected: str
) -> None:
    content, out, before = published(tmp_path)
    shown = add_article(content, "2025-06-02-harbour.yaml", text)
    for result in (publish_cli(content, out), check_cli(content)):
        assert result.exit_code == 1
        assert result.stderr.splitlines()[0] == f"{shown}:{expected}"
        assert len(result.stderr.splitlines()) == 2  # the mistake, then the closing line
    assert snapshot(out) == before


def test_text_on_several_lines_without_a_pipe_is_a_warning(tmp_path: Path) -> None:
    # Valid YAML, but the lines are joined into one: never what the editor meant.
    content, out, _ = published(tmp_path)
    shown = add_article(
        content,
        "2025-06-02-joined.yaml",
        'title: "Harbour news"\npublished: 2025-06-01\nbody:\n  The first line\n  and the'
        " second.\n",
    )
    warning = (
        f"{shown}:3: warning: body: its lines are joined into one: for text on several lines"
        " write 'body: |' and indent the text under it"
    )
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [warning]
    strict = publish_cli(content, out, "--strict")
    assert strict.exit_code == 1
    assert strict.stderr.splitlines()[0] == warning.replace(": warning: ", ": ", 1)


def test_valid_lists_and_maps_after_a_bare_key_are_left_alone(tmp_path: Path) -> None:
    content, out, _ = published(tmp_path)
    add_article(
        content,
        "2025-06-02-fine.yaml",
        'title: "Fine"\npublished: 2025-06-01\ncategories:\n  - World\nauthor:\n  name: A\n'
        "body: |\n  Text: with a colon.\n",
    )
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
