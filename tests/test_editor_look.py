"""The publication's own look: templates and stylesheet in ``content/templates``.

A file there named like a shipped template replaces it, ``style.css`` replaces the stylesheet
and ``extra.css`` is added after it; a broken template is one error naming its file and line,
with nothing written; a changed template is a changed input for the cache.
"""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest
from lxml import html

from feedsmith.publish import PublishOptions, publish
from tests.input_support import (
    ARTICLE_YAML,
    NOW,
    add_article,
    assert_refused,
    check_cli,
    publish_cli,
    snapshot,
    write_site,
)

SHIPPED_BASE = resources.files("feedsmith").joinpath("templates/base.html").read_text("utf-8")
HOUSE_NOTE = '<p class="house-note">Printed on the quay since 1921</p>'
HOUSE_STYLE = "body { background: #fdf6e3; font-family: Georgia, serif; }\n"
EXTRA_STYLE = '.house-note::after { content: " </style> is only text here"; }\n'


def _own_look(content: Path) -> Path:
    """Our base.html (the shipped one with a note after the masthead), style.css, extra.css."""
    templates = content / "templates"
    templates.mkdir()
    base = SHIPPED_BASE.replace("</header>", f"</header>\n{HOUSE_NOTE}", 1)
    assert base != SHIPPED_BASE
    (templates / "base.html").write_text(base, encoding="utf-8")
    (templates / "style.css").write_text(HOUSE_STYLE, encoding="utf-8")
    (templates / "extra.css").write_text(EXTRA_STYLE, encoding="utf-8")
    return templates


def _site_with_categories(tmp_path: Path) -> Path:
    content = write_site(tmp_path)
    add_article(
        content,
        "2025-06-02-second.yaml",
        ARTICLE_YAML.replace("A good article", "Second").replace(
            "body:", "categories: [Port]\nbody:"
        ),
    )
    return content


def _html_pages(out: Path) -> dict[str, html.HtmlElement]:
    return {
        p.relative_to(out).as_posix(): html.fromstring(p.read_bytes())
        for p in sorted(out.rglob("*.html"))
    }


def test_own_template_and_stylesheet_reach_every_page(tmp_path: Path) -> None:
    content = _site_with_categories(tmp_path)
    _own_look(content)
    out = tmp_path / "public"
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    pages = _html_pages(out)
    # The index, both article pages and the category page.
    assert set(pages) == {
        "index.html",
        "articles/good/index.html",
        "articles/second/index.html",
        "categories/port/index.html",
    }
    for path, page in pages.items():
        notes = page.xpath('//p[@class="house-note"]')
        assert [n.text for n in notes] == ["Printed on the quay since 1921"], path
        (style,) = page.xpath("//head/style")
        css = style.text_content()
        assert css.startswith(HOUSE_STYLE.strip()), path  # replaced, not minified
        assert "65ch" not in css, path  # nothing of the shipped stylesheet is left
        # extra.css comes after it, its "</" kept from closing the <style> element early.
        assert css.endswith('content: " <\\/style> is only text here"; }'), path
        # The rest of the page is still the shipped templates'.
        assert page.xpath('//header[@class="masthead"]'), path


def test_without_own_templates_pages_are_the_shipped_ones(tmp_path: Path) -> None:
    content = _site_with_categories(tmp_path)
    (content / "templates").mkdir()
    (content / "templates" / ".base.html.swp").write_text("{% broken", encoding="utf-8")
    out = tmp_path / "public"
    assert publish_cli(content, out).exit_code == 0
    for path, page in _html_pages(out).items():
        assert not page.xpath('//p[@class="house-note"]'), path
        assert "65ch" in page.xpath("//head/style")[0].text_content(), path


def test_a_broken_template_is_one_error_with_its_file_and_line(tmp_path: Path) -> None:
    content = _site_with_categories(tmp_path)
    templates = _own_look(content)
    out = tmp_path / "public"
    assert publish_cli(content, out).exit_code == 0
    before = snapshot(out)
    broken = SHIPPED_BASE.replace("<title>", "{% if %}<title>", 1)
    line = broken.splitlines().index(next(x for x in broken.splitlines() if "{% if %}" in x)) + 1
    (templates / "base.html").write_text(broken, encoding="utf-8")
    expected = (
        f"{(templates / 'base.html').as_posix()}:{line}: template syntax error:"
        " Expected an expression, got 'end of statement block'"
    )
    published = publish_cli(content, out)
    assert_refused(published, expected)
    assert published.stderr.splitlines() == [expected, "1 error: nothing was written."]
    checked = check_cli(content)
    assert_refused(checked, expected)
    assert checked.stderr.splitlines() == [expected, f"Checked {content}: 1 error, no warnings."]
    assert snapshot(out) == before


def test_a_template_using_a_name_it_does_not_receive_is_refused(tmp_path: Path) -> None:
    content = write_site(tmp_path)
    templates = content / "templates"
    templates.mkdir()
    article = resources.files("feedsmith").joinpath("templates/article.html").read_text("utf-8")
    lines = article.splitlines(keepends=True)
    lines.insert(3, "<p>{{ entry.byline }}</p>\n")  # line 4; _Entry has no byline
    (templates / "article.html").write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "public"
    result = publish_cli(content, out)
    assert_refused(
        result,
        f"{(templates / 'article.html').as_posix()}:4: template error:"
        " entry has no attribute 'byline'"
        " (the README lists what each template receives)",
    )
    assert not out.exists()


def _age(content: Path, hours: int) -> None:
    """Every content file modified ``hours`` ago: old enough for the cache to trust its stat
    (a file changed moments ago is read again), so the no-change fast path is taken."""
    moment = time.time() - hours * 3600
    for path in content.rglob("*"):
        os.utime(path, (moment, moment))


def test_editing_an_own_template_changes_the_next_publish(tmp_path: Path) -> None:
    content = _site_with_categories(tmp_path)
    templates = _own_look(content)
    out = tmp_path / "public"
    assert publish_cli(content, out).exit_code == 0
    _age(content, 2)
    assert publish_cli(content, out).exit_code == 0  # stamps the inputs as they are now
    (templates / "style.css").write_text("body { background: #002b36; }\n", encoding="utf-8")
    base = (templates / "base.html").read_text(encoding="utf-8")
    (templates / "base.html").write_text(base.replace("1921", "1922"), encoding="utf-8")
    _age(content, 1)
    assert publish_cli(content, out).exit_code == 0
    for path, page in _html_pages(out).items():
        assert page.xpath('//p[@class="house-note"]')[0].text.endswith("1922"), path
        css = page.xpath("//head/style")[0].text_content()
        assert css.startswith("body { background: #002b36"), path
    # Byte for byte what a publish into an empty folder gives (the writer's manifest aside:
    # it records modification times).
    fresh = tmp_path / "fresh"
    assert publish_cli(content, fresh).exit_code == 0
    assert _bytes(out) == _bytes(fresh)
    # Removing the templates brings the shipped look back.
    for own in templates.iterdir():
        own.unlink()
    assert publish_cli(content, out).exit_code == 0
    assert all(not p.xpath('//p[@class="house-note"]') for p in _html_pages(out).values())


def _bytes(out: Path) -> dict[str, bytes]:
    return {k: v.data for k, v in snapshot(out).items() if k != ".feedsmith-manifest.json"}


ISSUE_REFERENCE = re.compile(rb"issue\s*#?\s*\d", re.IGNORECASE)


def test_no_published_byte_speaks_of_issue_numbers(
    sample_public: Path, tmp_path: Path
) -> None:
    content = _site_with_categories(tmp_path)
    out = tmp_path / "public"
    assert publish_cli(content, out).exit_code == 0
    files = [p for root in (sample_public, out) for p in root.rglob("*") if p.is_file()]
    assert len(files) > 20
    for path in files:
        match = ISSUE_REFERENCE.search(path.read_bytes())
        assert match is None, (path, match)


def test_a_template_included_from_a_sub_folder_is_an_input_too(tmp_path: Path) -> None:
    content = write_site(tmp_path)
    templates = content / "templates"
    (templates / "parts").mkdir(parents=True)
    base = SHIPPED_BASE.replace("</header>", '</header>\n{% include "parts/note.html" %}', 1)
    (templates / "base.html").write_text(base, encoding="utf-8")
    note = templates / "parts" / "note.html"
    note.write_text('<p class="house-note">First edition</p>\n', encoding="utf-8")
    out = tmp_path / "public"
    assert publish_cli(content, out).exit_code == 0
    _age(content, 2)
    assert publish_cli(content, out).exit_code == 0
    note.write_text('<p class="house-note">Second edition</p>\n', encoding="utf-8")
    _age(content, 1)
    assert publish_cli(content, out).exit_code == 0
    for path, page in _html_pages(out).items():
        assert page.xpath('//p[@class="house-note"]')[0].text == "Second edition", path


def test_where_the_templates_folder_is_does_not_invalidate_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = _site_with_categories(tmp_path)
    _own_look(content)
    out = tmp_path / "public"
    now = datetime.fromisoformat(NOW).replace(tzinfo=UTC)
    first = publish(PublishOptions(content.resolve(), out, now, jobs=1))
    assert first.articles_rendered == 2
    monkeypatch.chdir(tmp_path)  # the same content, named from elsewhere
    again = publish(PublishOptions(Path("content"), out, now, jobs=1))
    assert again.articles_rendered == 0
    assert again.written == 0


def test_a_reference_is_judged_by_its_path_alone_and_only_under_base_url() -> None:
    """A query or fragment does not make a file; a path elsewhere on the host is not ours."""
    from feedsmith.model import Article, BodyFormat, Reference, Site, Source
    from feedsmith.validate import find_broken_references

    site = Site("Ledger", "https://example.org/news/", "d")
    when = datetime(2026, 1, 1, tzinfo=UTC)
    refs = (
        Reference(3, "body", "/news/images/quay.jpg?w=640#top"),  # a static file: fine
        Reference(4, "body", "../other/#comments"),  # another article's page: fine
        Reference(5, "body", "/elsewhere/file.pdf"),  # the host's, not the publication's
        Reference(6, "body", "../../images/missing.jpg#x"),  # under base_url, no such file
    )
    articles = [
        Article("urn:a", "one", "One", when, when, "", BodyFormat.MARKDOWN,
                Source("content/articles/one.yaml", 1), references=refs),
        Article("urn:b", "other", "Other", when, when, "", BodyFormat.MARKDOWN,
                Source("content/articles/other.yaml", 1)),
    ]  # fmt: skip
    found = find_broken_references(site, "content/site.yaml", articles, ["images/quay.jpg"])
    assert [(w.line, w.message.split(",")[0]) for w in found] == [
        (6, "body: '../../images/missing.jpg#x' leads to images/missing.jpg")
    ]
