"""Input that broke every URL or cost far more than it should, and the ledger's durability."""

from __future__ import annotations

import json
import os
from pathlib import Path

import feedparser
import pytest

from feedsmith.validate import MAX_HTML_DEPTH
from tests.input_support import (
    ARTICLE_YAML,
    SITE_YAML,
    check_cli,
    publish_cli,
    write_site,
)

HINT = "write it as http(s)://host[:port]/path/, e.g. https://example.org/news/"
QUERY = "has a query (?…) or fragment (#…)"
CREDENTIALS = "holds a user name or password, which every feed would show"


def _site(base_url: str) -> str:
    return SITE_YAML.replace('"https://news.example.org/"', json.dumps(base_url))


@pytest.mark.parametrize(
    ("base_url", "problem"),
    [
        ("https://example.org/?a=1#f", f"'https://example.org/?a=1#f' {QUERY}"),
        ("https://example.org/news/#top", f"'https://example.org/news/#top' {QUERY}"),
        ("https://example.org/?", f"'https://example.org/?' {QUERY}"),
        ("https://user:pw@example.org/", CREDENTIALS),
        ("https://example.org:x/", "'https://example.org:x/' has a port that is not a number"),
    ],
)
def test_a_base_url_that_is_not_a_plain_folder_url_is_an_error(
    tmp_path: Path, base_url: str, problem: str
) -> None:
    content = write_site(tmp_path, site=_site(base_url))
    out = tmp_path / "public"
    for result in (publish_cli(content, out), check_cli(content)):
        assert result.exit_code == 1
        # The error line, then the command's own closing count.
        assert result.stderr.splitlines()[:-1] == [
            f"{content / 'site.yaml'}:2: base_url: {problem} ({HINT})",
        ]
        assert "1 error" in result.stderr.splitlines()[-1]
        assert "pw@" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("base_url", "problem"),
    [
        ("https://example.org/?a=1", f"'https://example.org/?a=1' {QUERY}"),
        ("https://example.org/#f", f"'https://example.org/#f' {QUERY}"),
        ("https://user:pw@example.org/", CREDENTIALS),
    ],
)
def test_a_base_url_option_that_is_not_a_plain_folder_url_is_a_usage_error(
    tmp_path: Path, base_url: str, problem: str
) -> None:
    content = write_site(tmp_path)
    out = tmp_path / "public"
    result = publish_cli(content, out, "--base-url", base_url)
    assert result.exit_code == 2
    assert f"Error: Invalid value for '--base-url': {problem} ({HINT})" in result.stderr
    assert "pw@" not in result.stderr
    assert not out.exists()


def test_a_base_url_with_a_port_and_a_path_is_fine(tmp_path: Path) -> None:
    content = write_site(tmp_path, site=_site("http://127.0.0.1:8080/news"))
    out = tmp_path / "public"
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    feed = feedparser.parse((out / "atom.xml").read_bytes())
    assert feed.entries[0].link == "http://127.0.0.1:8080/news/articles/good/"


# -- cost ---------------------------------------------------------------------------------------


def _body_article(body: str, body_format: str) -> str:
    return (
        f'title: "Deep"\npublished: 2025-06-01\nformat: {body_format}\nbody: {json.dumps(body)}\n'
    )


@pytest.mark.parametrize(
    ("body_format", "body", "depth"),
    [
        ("html", "<div>" * 100_000 + "x" + "</div>" * 100_000, 100_000),
        ("markdown", "> " * 50_000 + "deep", 50_000),
        ("markdown", "<section>" * 5_000 + "\n\n" + "> " * 5_000 + "x", 10_000),
    ],
    ids=["100000-nested-div", "50000-nested-quotes", "html-in-markdown-quotes"],
)
def test_deeply_nested_markup_is_an_error_naming_the_file(
    tmp_path: Path, body_format: str, body: str, depth: int
) -> None:
    """100,000 nested <div> once took 14 s to sanitize (quadratic): now one error, at once."""
    content = write_site(tmp_path, {"deep.yaml": _body_article(body, body_format)})
    out = tmp_path / "public"
    path = content / "articles" / "deep.yaml"
    for result in (publish_cli(content, out), check_cli(content)):
        assert result.exit_code == 1
        assert result.stderr.splitlines()[:-1] == [
            f"{path}:4: body: elements nested {depth} deep, more than {MAX_HTML_DEPTH}: close the"
            " tags you open (each <div> needs its </div>) or flatten the quotes and lists",
        ]
        assert "1 error" in result.stderr.splitlines()[-1]
    assert not out.exists()


@pytest.mark.parametrize(
    "body",
    [
        "<div>" * MAX_HTML_DEPTH + "x" + "</div>" * MAX_HTML_DEPTH,
        # Elements whose end tag is implied do not nest, however many are left open.
        "<p>a" * 20_000 + "<ul>" + "<li>b" * 20_000 + "</ul>" + "<br>" * 20_000,
        # Closed ones do not add up.
        "<div>x</div>" * 50_000,
    ],
    ids=["at-the-cap", "unclosed-flat-elements", "many-siblings"],
)
def test_markup_within_the_depth_cap_publishes(tmp_path: Path, body: str) -> None:
    content = write_site(tmp_path, {"wide.yaml": _body_article(body, "html")})
    out = tmp_path / "public"
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    assert (out / "articles" / "wide" / "index.html").is_file()


# -- the ledger reaches the disk ----------------------------------------------------------------


def test_the_ledger_and_its_folder_are_fsynced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[tuple[int, int]] = []  # (device, inode) of each file fsynced
    real = os.fsync

    def fsync(fd: int) -> None:
        found = os.fstat(fd)
        synced.append((found.st_dev, found.st_ino))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)  # write.py calls os.fsync
    content = write_site(tmp_path, {"a.yaml": ARTICLE_YAML})
    result = publish_cli(content, tmp_path / "public")
    assert result.exit_code == 0, result.output
    ledger = (content / "feedsmith.lock").stat()
    folder = content.stat()
    # The file before its rename, then the folder holding the rename: nothing else.
    assert synced == [(ledger.st_dev, ledger.st_ino), (folder.st_dev, folder.st_ino)]
