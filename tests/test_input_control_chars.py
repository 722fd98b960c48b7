"""Issue 4: characters XML 1.0 forbids, in every text field, literal or YAML-escaped.

They are removed with a warning naming the file and line; every output stays well-formed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.input_support import (
    assert_feeds_well_formed,
    assert_refused,
    atom_titles,
    publish_cli,
    snapshot,
    write_site,
)

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
DISCOURAGED = "removed control characters that XML forbids or discourages"
# (as written in a double-quoted YAML string, as the bytes of a literal character)
CHARACTERS = {
    "x01": ("\\x01", b"\x01"),
    "nul": ("\\0", b"\x00"),
    "ud800": ("\\ud800", "\ud800".encode("utf-8", "surrogatepass")),
    "udfff": ("\\udfff", "\udfff".encode("utf-8", "surrogatepass")),
    "uffff": ("\\uffff", "\uffff".encode()),
    "ufffe": ("\\ufffe", "\ufffe".encode()),
    "x1f": ("\\x1f", b"\x1f"),
}


def _article(bad: bytes) -> bytes:
    fields = [
        b'title: "T' + bad + b'itle"',
        b"published: 2025-06-01",
        b'summary: "Sum' + bad + b'mary"',
        b'categories: ["Ha' + bad + b'rbour"]',
        b'author: "An' + bad + b'n"',
        b'body: "Bo' + bad + b'dy text"',
    ]
    return b"\n".join(fields) + b"\n"


def _site(bad: bytes) -> bytes:
    return (
        b'title: "Ga' + bad + b'zette"\nbase_url: https://news.example.org/\n'
        b'description: "De' + bad + b'scription"\ncopyright: "(c) Ga' + bad + b'zette"\n'
    )


@pytest.mark.parametrize("written", ["escaped", "literal"])
@pytest.mark.parametrize("name", sorted(CHARACTERS))
def test_forbidden_characters_are_removed_with_a_warning(
    tmp_path: Path, name: str, written: str
) -> None:
    escaped, literal = CHARACTERS[name]
    bad = escaped.encode() if written == "escaped" else literal
    content = write_site(tmp_path, {"x.yaml": _article(bad)}, site=_site(bad))
    out = tmp_path / "out"
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    article = (content / "articles" / "x.yaml").as_posix()
    site = (content / "site.yaml").as_posix()
    warnings = result.stderr.splitlines()
    assert warnings, "no warning"
    assert all(": warning: " in w for w in warnings)
    if written == "literal":
        code = f"U+{ord(literal.decode('utf-8', 'surrogatepass')):04X}"
        expected = [
            f"{article}:{line}: warning: removed character {code}, which XML forbids"
            for line in (1, 3, 4, 5, 6)
        ] + [
            f"{site}:{line}: warning: removed character {code}, which XML forbids"
            for line in (1, 3, 4)
        ]
    else:
        expected = [
            f"{article}:{line}: warning: {key}: {DISCOURAGED}"
            for line, key in (
                (1, "title"), (3, "summary"), (4, "categories"), (5, "author"), (6, "body")
            )
        ] + [
            f"{site}:{line}: warning: {key}: {DISCOURAGED}"
            for line, key in ((1, "title"), (3, "description"), (4, "copyright"))
        ]
    assert sorted(warnings) == sorted(expected)

    assert_feeds_well_formed(out)
    for path, entry in snapshot(out).items():
        text = entry.data.decode("utf-8")
        assert not FORBIDDEN.search(text), path
        assert "&#1;" not in text and "\\u0001" not in text, path
    assert atom_titles(out / "atom.xml") == ["Title"]
    feed = json.loads((out / "feed.json").read_bytes())
    assert feed["title"] == "Gazette"
    assert feed["description"] == "Description"
    item = feed["items"][0]
    assert (item["title"], item["summary"], item["tags"]) == ("Title", "Summary", ["Harbour"])
    assert [a["name"] for a in item["authors"]] == ["Ann"]
    assert "Body text" in item["content_html"]
    assert (out / "categories" / "harbour" / "atom.xml").is_file()


def test_forbidden_characters_are_errors_under_strict(tmp_path: Path) -> None:
    content = write_site(tmp_path, {"x.yaml": _article(b"\\x01")})
    shown = (content / "articles" / "x.yaml").as_posix()
    result = publish_cli(content, tmp_path / "out", "--strict")
    assert_refused(
        result,
        f"{shown}:1: title: removed control characters that XML forbids or discourages",
        "5 errors: nothing was written.",
    )
    assert not (tmp_path / "out").exists()


def test_a_blob_of_control_characters_gives_a_bounded_number_of_warnings(
    tmp_path: Path,
) -> None:
    body = "".join(f"  line {i} \x01\x02\x03\n" for i in range(5000))
    content = write_site(
        tmp_path, {"x.yaml": f"title: x\npublished: 2025-06-01\nbody: |\n{body}"}
    )
    shown = (content / "articles" / "x.yaml").as_posix()
    result = publish_cli(content, tmp_path / "out")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == f"{shown}:4: warning: removed character U+0001, which XML forbids"
    assert lines[10] == f"{shown}:14: warning: removed 14970 more such characters from here on"
    assert len(lines) == 11


def test_controls_xml_discourages_are_removed_with_a_warning(tmp_path: Path) -> None:
    # DEL and C1 controls: legal but discouraged in XML, illegal literally in YAML.
    content = write_site(
        tmp_path,
        {"x.yaml": 'title: "A\x7fB\\x7fC"\npublished: 2025-06-01\nbody: "x\x9by"\n'},
    )
    shown = (content / "articles" / "x.yaml").as_posix()
    out = tmp_path / "out"
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{shown}:1: warning: removed character U+007F, which YAML cannot read",
        f"{shown}:3: warning: removed character U+009B, which YAML cannot read",
        f"{shown}:1: warning: title: removed control characters that XML forbids or"
        " discourages",
    ]
    assert_feeds_well_formed(out)
    assert atom_titles(out / "atom.xml") == ["ABC"]
