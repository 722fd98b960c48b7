"""Issue 4: link, image, enclosure, author uri, icon, hub and base URLs must be http(s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.input_support import (
    ARTICLE_YAML,
    SITE_YAML,
    add_article,
    assert_refused,
    publish_cli,
    published,
    run,
    snapshot,
    write_site,
)

BAD_URLS = [
    "javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "ftp://files.example.org/a.mp3",
    "https://",
]


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize(
    ("template", "line", "key"),
    [
        ("link: '{url}'\n", 5, "link"),
        ("image: '{url}'\n", 5, "image"),
        ("enclosures: [{{url: '{url}', length: 1, type: audio/mpeg}}]\n", 5, "url"),
        ("author: {{name: Ann, uri: '{url}'}}\n", 5, "uri"),
    ],
)
def test_article_url_that_is_not_http_is_refused(
    tmp_path: Path, url: str, template: str, line: int, key: str
) -> None:
    content, out, before = published(tmp_path)
    shown = add_article(content, "u.yaml", ARTICLE_YAML + template.format(url=url))
    result = publish_cli(content, out)
    assert_refused(
        result,
        f"{shown}:{line}: {key}: not an http(s) URL: {url!r} (write https://…)",
        "1 error: nothing was written.",
    )
    assert snapshot(out) == before


@pytest.mark.parametrize("key", ["base_url", "icon", "logo", "hub"])
@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:,x", "ftp://example.org/"])
def test_site_url_that_is_not_http_is_refused(tmp_path: Path, key: str, url: str) -> None:
    site = SITE_YAML if key == "base_url" else SITE_YAML + f"{key}: '{url}'\n"
    if key == "base_url":
        site = site.replace('"https://news.example.org/"', f"'{url}'")
    content = write_site(tmp_path, site=site)
    line = 2 if key == "base_url" else 4
    result = publish_cli(content, tmp_path / "out")
    assert_refused(
        result,
        f"{(content / 'site.yaml').as_posix()}:{line}: {key}: not an http(s) URL: {url!r}"
        " (write https://…)",
    )
    assert not (tmp_path / "out").exists()


def test_url_with_spaces_is_refused(tmp_path: Path) -> None:
    content, out, before = published(tmp_path)
    shown = add_article(content, "u.yaml", ARTICLE_YAML + "image: 'a b.png'\n")
    assert_refused(
        publish_cli(content, out),
        f"{shown}:5: image: not a usable URL: 'a b.png' (remove spaces, or write them as %20)",
    )
    assert snapshot(out) == before


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://x.org/", "https://", "https://exa mple.org/", "/news/"]
)
def test_bad_base_url_option_is_a_usage_error(tmp_path: Path, url: str) -> None:
    content = write_site(tmp_path)
    result = run("publish", "--content", str(content), "--out", str(tmp_path / "o"),
                 "--base-url", url)
    assert result.exit_code == 2
    assert "Usage: " in result.stderr
    assert f"Invalid value for '--base-url': {url!r} is not an absolute http(s) URL" in (
        result.stderr
    )
    assert not (tmp_path / "o").exists()
