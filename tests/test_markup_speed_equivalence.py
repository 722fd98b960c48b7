"""Issue 5: the fast paths of markup, load and validate give exactly what the plain code gave.

Each test compares a fast path with a reference written the plain (slow) way: urljoin itself,
the attribute-by-attribute URL pass, the lazy-regex summary, PyYAML's own safe loader, and so
on, over many shapes of input (dot segments, empty query "?", fragments, "//" hosts, mailto:,
escapes, byte-order marks, ...).
"""

from __future__ import annotations

import codecs
import html
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from feedsmith import load, markup, validate
from feedsmith.errors import InputError
from feedsmith.load import Raw, has_forbidden, parse_text
from feedsmith.model import BodyFormat

BASES = [
    "https://news.example.org/articles/harbour-tram/",
    "https://news.example.org/sub/articles/x-1/",
    "http://news.example.org:8080/articles/x/",
    "https://news.example.org",
    "https://news.example.org/articles/file",
    "https://ed@news.example.org/a/b/c/d/",
    "https://news.example.org//articles/s/",
    # Not plain: urljoin decides these.
    "https://news.example.org/a;b/articles/s/",
    "HTTPS://NEWS.example.org/articles/s/",
    "https://news.example.org/articles/s/?q=1",
    "https://news.example.org/articles/s/#top",
    "https://news.example.org/articles/s%20x/",
    "mailto:desk@example.org",
    "",
]
SCHEMES = ["", "https:", "http:", "HTTP:", "mailto:", "javascript:"]
HOSTS = ["", "//", "//cdn.example.org", "//[::1]", "//[x"]
PATHS = [
    "", "/", "a", "a/b", "./a", "../a", "../../a", "../../../../../a", ".", "..", "./", "../",
    "a/./b", "a/../b", "a//b", "/a//b", "//", "/..", "/.", "a/..", "a/.", "%2e%2e/a", "a:b",
    "a;p", "a b", " a ", "a\tb", "ü", "x&y", "a/b/", "~ed/x.jpg", "@x", "!$'()*+,=", "a\\b",
    "..a", "a..", "...", ".a/", "/a/./../b/.", "a\x01b", "[x]", "images/lead/003199.jpg",
    "../../images/61236.jpg", "../other-story-12/", "/about/",
]
QUERIES = ["", "?", "?q", "?a=1&b=2"]
FRAGMENTS = ["", "#", "#f"]
URLS = ["".join(parts) for parts in itertools.product(SCHEMES, HOSTS, PATHS, QUERIES, FRAGMENTS)]


def _urljoin_or_error(base: str, url: str) -> str:
    try:
        return urljoin(base, url)
    except ValueError as exc:
        return f"ValueError: {exc}"


def _join_url_or_error(base: str, url: str) -> str:
    try:
        return validate.join_url(base, url)
    except ValueError as exc:
        return f"ValueError: {exc}"


@pytest.mark.parametrize("base", BASES)
def test_join_url_is_urljoin(base: str) -> None:
    for url in URLS:
        assert _join_url_or_error(base, url) == _urljoin_or_error(base, url), (base, url)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(BASES),
    st.text(alphabet="abc./-_~%:?#;@&=+[] \t\\\x01é", max_size=16),
)
def test_join_url_is_urljoin_for_any_text(base: str, url: str) -> None:
    assert _join_url_or_error(base, url) == _urljoin_or_error(base, url)


# The URL pass as it was: every attribute of every tag that may hold a URL, through urljoin.
_ATTRIBUTE = re.compile(r' ([^ =>]+)="([^"]*)"')
_ESCAPES = (("&", "&amp;"), ("\xa0", "&nbsp;"), ('"', "&quot;"), ("<", "&lt;"), (">", "&gt;"))


def _reference_absolute_urls(cleaned: str, page: str) -> str:
    def srcset(value: str) -> str:
        candidates = []
        for candidate in value.split(","):
            parts = candidate.strip().split(maxsplit=1)
            if not parts:
                continue
            parts[0] = urljoin(page, parts[0])
            if urlsplit(parts[0]).scheme not in ("http", "https"):
                continue
            candidates.append(" ".join(parts))
        return ", ".join(candidates)

    def attribute(match: re.Match[str]) -> str:
        name, value = match.groups()
        if name not in ("href", "src", "cite", "srcset") or validate.PLAIN_ABSOLUTE.fullmatch(
            value
        ):
            return match.group()
        for plain, escaped in reversed(_ESCAPES):
            value = value.replace(escaped, plain)
        try:
            value = srcset(value) if name == "srcset" else urljoin(page, value.strip())
        except ValueError:
            return ""
        for plain, escaped in _ESCAPES:
            value = value.replace(plain, escaped)
        return f' {name}="{value}"'

    return markup._URL_TAG.sub(lambda tag: _ATTRIBUTE.sub(attribute, tag.group()), cleaned)


def _documents() -> Iterator[str]:
    """HTML bodies holding every URL shape in every attribute that may hold a URL."""
    for start in range(0, len(URLS), 500):
        yield "\n".join(
            f'<p><a href="{html.escape(url)}" title="a href=&quot;x&quot;">link</a>'
            f'<img src="{html.escape(url)}" alt=" src=" srcset="{html.escape(url)} 2x, b.jpg">'
            f'<q cite="{html.escape(url)}">q</q> text: href="{html.escape(url)}"</p>'
            for url in URLS[start : start + 500]
        )
    yield '<p><a href="https://a.example/x,javascript:alert(1)">x</a><del cite="../d">d</del></p>'
    yield "<p>no links at all</p>"
    yield "plain text"


@pytest.mark.parametrize("page", [BASES[0], BASES[3], BASES[4], BASES[6], BASES[7]])
def test_url_pass_is_the_attribute_by_attribute_pass(page: str) -> None:
    for document in _documents():
        cleaned = markup._CLEANER.clean(document)
        assert markup._absolute_urls(cleaned, page) == _reference_absolute_urls(cleaned, page)


def test_render_body_resolves_relative_links_against_the_page() -> None:
    body = "[a](../other/) ![b](../../images/b.jpg) [c](https://x.example/c) [d](/d?q#f)"
    page = "https://news.example.org/articles/s/"
    assert markup.render_body(body, BodyFormat.MARKDOWN, page) == (
        '<p><a href="https://news.example.org/articles/other/">a</a>'
        ' <img src="https://news.example.org/images/b.jpg" alt="b">'
        ' <a href="https://x.example/c">c</a> <a href="https://news.example.org/d?q#f">d</a></p>'
    )


_FIRST_PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>(.*?)</p>", re.DOTALL)


def _reference_summary(content_html: str) -> str:
    for match in _FIRST_PARAGRAPH.finditer(content_html):
        text = " ".join(html.unescape(markup._TAG.sub("", match.group(1))).split())
        if text:
            return markup.shorten_text(text, markup.SUMMARY_LENGTH)
    return ""


SUMMARY_CASES = [
    "", "<p></p>", "<p> </p><p>x</p>", '<p class="a">a &amp; b &lt;c&gt; &nbsp; d</p>',
    "<pre>x</pre><p>y</p>", "<para>x</para><p>y</p>", "<p>a <em>b</em>\n c</p>",
    "<p>unclosed", "<p>a</p><p>b", "<p\n>x</p>", "<p title='>'>y</p>", "<p><p>x</p></p>",
    "<p>" + "word " * 100 + "</p>", "<p>" + "字" * 400 + "</p>",
]


@pytest.mark.parametrize("content_html", SUMMARY_CASES)
def test_summary_is_the_regular_expressions(content_html: str) -> None:
    assert markup.derive_summary(content_html) == _reference_summary(content_html)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["<p>", "</p>", "<p ", "<pre>", ">", "a", " ", "\n", "&amp;", "b"])
    ).map("".join)
)
def test_summary_is_the_regular_expressions_for_any_html(content_html: str) -> None:
    assert markup.derive_summary(content_html) == _reference_summary(content_html)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \t\r\n\xa0\u3000ab", max_size=20))
def test_one_line_is_the_regular_expression(text: str) -> None:
    assert validate.one_line(text) == re.sub(r"[ \t\r\n]+", " ", text).strip()


def _reference_check_url(raw: Raw, base_url: str) -> tuple[str | None, str]:
    """check_url as it was, urljoin and urlsplit for every URL."""
    assert isinstance(raw.value, str)
    text = raw.value.strip()
    if not text or re.search(r"\s", text) or has_forbidden(text):
        return f"not a usable URL: {validate.shorten(raw.value)} (remove spaces, or write them"\
            " as %20)", ""
    has_scheme = re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", text) is not None
    absolute = urljoin(base_url, text) if base_url and not has_scheme else text
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"not an http(s) URL: {validate.shorten(raw.value)} (write https://…)", ""
    return None, absolute


@pytest.mark.parametrize("base", BASES)
def test_check_url_is_urljoin_then_urlsplit(base: str) -> None:
    for url in URLS:
        raw = Raw(url, 1, "str")
        try:
            expected = _reference_check_url(raw, base)
        except ValueError:
            with pytest.raises(ValueError):
                validate.check_url(raw, base)
            continue
        assert validate.check_url(raw, base) == expected, (base, url)


YAML_SCALARS = [
    "yes", "No", "on", "OFF", "y", "~", "null", "Null", "", "0x1F", "0o17", "017", "0b101",
    "1_000", "1:30", "-1:30:00", ".inf", "-.Inf", ".NaN", "3.", "1e3", "1.5e+3", "+12", "-0",
    "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "2025-13-45",
    "=", "<<", "true", "TRUE", "tRUE", "'quoted'", '"5"', "!!str 5", "! 5", "!!int '7'",
    "|\n  block\n", ">\n  folded\n", "title", "image", "https://x.example/a", "a: b",
]


def _tree(node: yaml.Node) -> object:
    """A node as comparable values: tag, value (children walked), line, column, style."""
    mark = node.start_mark
    if isinstance(node, yaml.ScalarNode):
        return (node.tag, node.value, mark.line, mark.column, node.style)
    if isinstance(node, yaml.MappingNode):
        return (node.tag, [(_tree(k), _tree(v)) for k, v in node.value], mark.line)
    return (node.tag, [_tree(child) for child in node.value], mark.line)


def _yaml_documents() -> Iterator[str]:
    for scalar in YAML_SCALARS:
        yield f"value: {scalar}\n"
        flow = "x" if "\n" in scalar else scalar
        yield f"- {scalar}\n- [{flow}]\n"
    yield "a: &x [1, yes]\nb: *x\n<<: {c: d}\n? [k]\n: v\n"
    yield "%YAML 1.1\n---\na: 1\n---\n- 2\n...\n"
    yield "%TAG ! tag:yaml.org,2002:\n---\na: !str 5\n"


def _composed(source: str | bytes, loader: type[Any]) -> object:
    try:
        return [_tree(node) for node in yaml.compose_all(source, Loader=loader)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        return (type(exc), exc.problem, exc.context, mark.line if mark else None)


def test_loader_gives_the_nodes_of_the_safe_loader() -> None:
    for text in itertools.chain(_yaml_documents(), _yaml_documents()):  # twice: memoized tags
        expected = _composed(text, load._Loader.__bases__[0])  # CSafeLoader, or SafeLoader
        assert _composed(text, load._Loader) == expected
        assert _composed(text.encode(), load._Loader) == expected


ARTICLE = (
    "title: Harbour tram\npublished: 2025-03-14T09:30:00+08:00\ncategories: [Transport]\n"
    "image: images/tram.jpg\nbody: |\n  TAI NGAN — The first tram ran on Friday.\n"
)


@pytest.mark.parametrize(
    "text",
    [
        ARTICLE,
        ARTICLE + 'summary: "a\\x01b\\tc"\n',  # escapes
        ARTICLE + "summary: a\x01b\x85c\n",  # removed, and a NEL read as a line break
        ARTICLE + "summary: 'é ©\xa0—'\n",  # C2 and EF lead bytes: the careful path
        ARTICLE + "summary: \ufeff\n",
        "title: [unclosed\n",
        "",
    ],
)
def test_bytes_and_text_parse_alike(text: str) -> None:
    """Without a byte-order mark libyaml reads the file's bytes; with one, the decoded text."""
    data = text.encode("utf-8")
    results = []
    for variant in (data, codecs.BOM_UTF8 + data):
        errors: list[InputError] = []
        warnings: list[InputError] = []
        raw = parse_text(variant, "a.yaml", errors, warnings)
        shown = [str(problem) for problem in errors + warnings]
        results.append((None if raw is None else raw.documents, shown, len(errors)))
    assert results[0] == results[1]


def _strings(raw: Raw) -> Iterator[str]:
    if isinstance(raw.value, str):
        yield raw.value
    elif isinstance(raw.value, list):
        for item in raw.value:
            yield from _strings(item)
    elif isinstance(raw.value, dict):
        for key, item in raw.value.items():
            yield key
            yield from _strings(item)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [*"ab:-'\"|> \n\t#[]{},!&*?\\", "\x01", "\x7f", "\x85", "\x9f", "\u2028", "\ufeff",
             "\ud800", "\ufffe", "key: ", "\n- "]
        ),
        max_size=40,
    ).map("".join)
)
def test_a_file_without_escapes_has_no_control_characters(text: str) -> None:
    """What lets validation skip has_forbidden() on a file that has no backslash."""
    raw = parse_text(text.encode("utf-8", "surrogatepass"), "a.yaml", [], [])
    if raw is None:
        return
    assert raw.escapes == ("\\" in load._REMOVED_LITERALLY.sub("", text))
    if not raw.escapes:
        for document in raw.documents:
            for value in _strings(document):
                assert not has_forbidden(value), value


def test_article_files_are_found_in_the_order_of_their_relative_paths(tmp_path: Path) -> None:
    content = tmp_path / "content"
    names = ["b.yaml", "a-b.yaml", "a b.yaml", "A.yaml", "é.yaml", "z.txt", ".hidden.yaml"]
    for folder in ["", "a/", "a-b/", "a/b/", "2025/01/"]:
        for name in names:
            path = content / "articles" / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("title: t\n")
        (content / "static" / folder).mkdir(parents=True, exist_ok=True)
        (content / "static" / folder / "x.png").write_bytes(b"")
    articles = content / "articles"
    expected = sorted(
        (p for p in articles.rglob("*.y*ml") if not p.name.startswith(".")),
        key=lambda p: p.relative_to(articles).as_posix(),
    )
    assert load.find_article_files(content) == expected
    static = content / "static"
    assert load.find_static_files(content) == sorted(
        (p.relative_to(static).as_posix(), p) for p in static.rglob("*.png")
    )
