"""Stage 3a, render bodies: Markdown or HTML source -> safe HTML with absolute URLs, and summaries.

Pure functions of (site, article). This is the most expensive stage of a publish, so it is the
one that is cached and run in parallel (issue 5).
"""

from __future__ import annotations

import ctypes
import html
import re
import sys
from collections.abc import Callable, Iterator
from typing import cast
from urllib.parse import urlsplit

import cmarkgfm
import nh3
from cmarkgfm import _cmark
from cmarkgfm.cmark import Options

from feedsmith.model import Article, BodyFormat, RenderedArticle, Site, page_url
from feedsmith.validate import PLAIN_ABSOLUTE, join_url

# Raw HTML inside Markdown is kept by cmark (UNSAFE) and then cleaned by nh3 below, so an
# editor's <figure> survives while <script> never does (issue 4). VALIDATE_UTF8 is cheap.
_CMARK_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_VALIDATE_UTF8

# ammonia's defaults minus what HTML5 calls obsolete (acronym, center, strike, tt, presentational
# attributes): those would fail the Nu Html Checker on our pages (issue 6).
_TAGS = (
    nh3.ALLOWED_TAGS - {"acronym", "center", "strike", "tt", "map", "area"}
) | {"picture", "source"}
_URL_ATTRIBUTES = frozenset({"href", "src", "cite", "srcset"})
_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "hreflang", "title"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "time": {"datetime"},
    "data": {"value"},
    "img": {"src", "srcset", "sizes", "alt", "width", "height", "loading"},
    "source": {"srcset", "sizes", "media", "type"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "bdo": {"dir"},
    "*": {"lang", "title", "dir"},
}
_URL_SCHEMES = {"http", "https", "mailto"}
_CLEAN_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template"}

SUMMARY_LENGTH = 300
_PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>")
_TAG = re.compile(r"<[^>]+>")


def render_article(site: Site, article: Article) -> RenderedArticle:
    """The article's body as safe HTML with absolute URLs, and its summary (explicit or derived)."""
    content_html = render_body(article.body, article.body_format, page_url(site, article))
    summary = article.summary or derive_summary(content_html) or article.title
    return RenderedArticle(article, content_html, summary)


def render_body(body: str, body_format: BodyFormat, page: str) -> str:
    """Markdown (CommonMark) or HTML -> sanitized HTML whose URLs are resolved against ``page``.

    URLs resolve as a browser would on the article's page (SPEC: ``/x`` goes to the host's root).
    """
    source = body if body_format is BodyFormat.HTML else _markdown_to_html(body)
    cleaned: str = _CLEANER.clean(source)
    return _absolute_urls(cleaned, page).strip()


def _markdown_to_html(markdown: str) -> str:
    """cmark's HTML for ``markdown``, the C buffer freed.

    ``cmarkgfm.markdown_to_html`` copies the string cmark returns and never frees it, though
    cmark's documentation makes that the caller's job: ~13 KB lost per article, 130 MB per
    10,000 in one process, growing a worker of a 100,000-article publish by gigabytes (issue
    5). cmark allocates it with its default allocator, which is the C library's malloc, so the
    C library's free releases it (as cmark's own Python wrapper does). Where that cannot be
    relied on, cmarkgfm's function is used as it is.
    """
    if _free is None:
        return str(cmarkgfm.markdown_to_html(markdown, options=_CMARK_OPTIONS))
    encoded = markdown.encode("utf-8")
    buffer = _cmark.lib.cmark_markdown_to_html(encoded, len(encoded), _CMARK_OPTIONS)
    try:
        return str(_cmark.ffi.string(buffer).decode("utf-8"))
    finally:
        _free(int(_cmark.ffi.cast("uintptr_t", buffer)))


def _c_free() -> Callable[[int], None] | None:
    """The C library's ``free`` on Linux and macOS, where cmark's malloc is the process's."""
    if sys.platform not in ("linux", "darwin"):
        return None  # Windows: the extension may use another C runtime than ctypes finds
    try:
        free = ctypes.CDLL(None).free
    except (OSError, AttributeError):
        return None
    free.argtypes = [ctypes.c_void_p]
    free.restype = None
    return cast("Callable[[int], None]", free)


_free = _c_free()


# Built once: nh3.clean() would convert these sets for every article (issue 5). There is no
# attribute_filter: a Python callback per attribute cost more than cmark's whole render, so URLs
# are resolved afterwards by _URL_TAG, on ammonia's output. That is the order ammonia used for
# the callback too: it checks url_schemes first, then filters, so resolving a relative URL
# cannot let a javascript: one through (issue 4).
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags=_CLEAN_CONTENT,
    attributes=_ATTRIBUTES,
    url_schemes=_URL_SCHEMES,
    link_rel=None,
    strip_comments=True,
)
# ammonia (html5ever) serializes every attribute as name="value" with & " < > and U+00A0
# escaped, and escapes < and > in text: every "<" in its output starts a tag, and no value holds
# a '"' or a '>'. So these patterns see tags and attributes exactly, never text that looks like
# them (``<p>write href="x"</p>``). Only the tags that may keep a URL attribute are visited.
# Their attributes are read one after the other from the tag's start: a value may end in
# " src=" (``alt=" src="``), so ' src="' alone does not show where an attribute starts.
_URL_TAG = re.compile(r"<(?:a|img|source|blockquote|q|del|ins) [^>]*>")
_ATTRIBUTE = re.compile(r' ([^ =>]+)="([^"]*)"')
_ESCAPES = (("&", "&amp;"), ("\xa0", "&nbsp;"), ('"', "&quot;"), ("<", "&lt;"), (">", "&gt;"))


def _absolute_urls(cleaned: str, page: str) -> str:
    """ammonia's output with every URL attribute resolved against ``page``.

    Only the attributes that change are replaced (a copy of the whole HTML is made only then):
    urljoin returns a plain absolute URL unchanged whatever the page, and most links in news
    copy are such. ("&" sends a value the slow way, to be unescaped first.)
    """
    pieces: list[str] = []
    copied = 0
    for tag in _URL_TAG.finditer(cleaned):
        for attribute in _ATTRIBUTE.finditer(cleaned, tag.start(), tag.end()):
            name, value = attribute.groups()
            if name not in _URL_ATTRIBUTES or PLAIN_ABSOLUTE.fullmatch(value):
                continue
            pieces.append(cleaned[copied : attribute.start()])
            pieces.append(_absolute_attribute(name, value, page))
            copied = attribute.end()
    if not pieces:
        return cleaned
    pieces.append(cleaned[copied:])
    return "".join(pieces)


def _absolute_attribute(name: str, value: str, page: str) -> str:
    """`` name="value"`` with the URL(s) in ``value`` resolved; "" to drop the attribute."""
    if "&" in value:
        # The exact inverse of the escaping above: "&" is always escaped, so every "&" left
        # starts one of these entities.
        for plain, escaped in reversed(_ESCAPES):
            value = value.replace(escaped, plain)
    try:
        value = (
            _absolute_srcset(value, page) if name == "srcset" else join_url(page, value.strip())
        )
    except ValueError:
        # urljoin refuses what ammonia let through as relative (``//[x``); such a URL could
        # not be followed anyway, so it is dropped as the attribute filter's failure did.
        return ""
    for plain, escaped in _ESCAPES:
        value = value.replace(plain, escaped)
    return f' {name}="{value}"'


def _absolute_srcset(value: str, page: str) -> str:
    """``a.jpg 1x, b.jpg 2x`` with each URL made absolute (issue 3: srcset too)."""
    candidates = []
    for candidate in value.split(","):
        parts = candidate.strip().split(maxsplit=1)
        if not parts:
            continue
        parts[0] = join_url(page, parts[0])
        # nh3 checks url_schemes on href/src but not inside srcset: a javascript: or data:
        # candidate would pass untouched (issue 4), so only web URLs are kept.
        if urlsplit(parts[0]).scheme not in ("http", "https"):
            continue
        candidates.append(" ".join(parts))
    return ", ".join(candidates)


def derive_summary(content_html: str) -> str:
    """Plain text of the first paragraph that has text, cut at a word near SUMMARY_LENGTH."""
    for inner in _paragraphs(content_html):
        text = " ".join(html.unescape(_TAG.sub("", inner)).split())
        if text:
            return shorten_text(text, SUMMARY_LENGTH)
    return ""


def _paragraphs(content_html: str) -> Iterator[str]:
    """What is inside each ``<p>``, up to the first ``</p>`` after it (found with str.find,
    which is a third of the cost of a lazy ``<p>(.*?)</p>`` regex on a long paragraph)."""
    position = 0
    while match := _PARAGRAPH.search(content_html, position):
        end = content_html.find("</p>", match.end())
        if end < 0:
            return
        yield content_html[match.end() : end]
        position = end + len("</p>")


def shorten_text(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a space when there is one near the end."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    # Scripts without spaces (Chinese, Japanese) are cut at the limit itself.
    if space > limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:—-") + "…"
