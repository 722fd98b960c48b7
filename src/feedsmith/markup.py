"""Stage 3a, render bodies: Markdown or HTML source -> safe HTML with absolute URLs, and summaries.

Pure functions of (site, article). This is the most expensive stage of a publish, so it is the
one that is cached and run in parallel (issue 5).
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

from feedsmith.model import Article, BodyFormat, RenderedArticle, Site, page_url

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
_FIRST_PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>(.*?)</p>", re.DOTALL)
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
    source = body if body_format is BodyFormat.HTML else cmarkgfm.markdown_to_html(
        body, options=_CMARK_OPTIONS
    )
    cleaned: str = _CLEANER.clean(source)
    if "<" in cleaned:
        cleaned = _URL_TAG.sub(lambda tag: _absolute_tag(tag, page), cleaned)
    return cleaned.strip()


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
_URL_TAG = re.compile(r"<(?:a|img|source|blockquote|q|del|ins) [^>]*>")
_ATTRIBUTE = re.compile(r' ([^ =>]+)="([^"]*)"')
_ESCAPES = (("&", "&amp;"), ("\xa0", "&nbsp;"), ('"', "&quot;"), ("<", "&lt;"), (">", "&gt;"))
# Values urljoin returns unchanged whatever the page: an ASCII http(s) URL with a host and
# nothing urlsplit would strip, check or re-split (spaces, controls, ?, #, ;, brackets, a second
# "/" that empties the host). Most links in news copy are such; skipping urljoin for them halves
# the cost of this pass. ("&" sends the value the slow way, to be unescaped first.)
_PLAIN_ABSOLUTE = re.compile(r"https?://[\w\-.~:@!$'()*+,=%][\w\-.~:@!$'()*+,=%/]*", re.ASCII)


def _absolute_tag(tag: re.Match[str], page: str) -> str:
    return _ATTRIBUTE.sub(lambda attribute: _absolute_attribute(attribute, page), tag.group())


def _absolute_attribute(attribute: re.Match[str], page: str) -> str:
    name = attribute.group(1)
    if name not in _URL_ATTRIBUTES:
        return attribute.group()
    value = attribute.group(2)
    if _PLAIN_ABSOLUTE.fullmatch(value):
        return attribute.group()
    if "&" in value:
        # The exact inverse of the escaping above: "&" is always escaped, so every "&" left
        # starts one of these entities.
        for plain, escaped in reversed(_ESCAPES):
            value = value.replace(escaped, plain)
    try:
        value = (
            _absolute_srcset(value, page) if name == "srcset" else urljoin(page, value.strip())
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
        parts[0] = urljoin(page, parts[0])
        # nh3 checks url_schemes on href/src but not inside srcset: a javascript: or data:
        # candidate would pass untouched (issue 4), so only web URLs are kept.
        if urlsplit(parts[0]).scheme not in ("http", "https"):
            continue
        candidates.append(" ".join(parts))
    return ", ".join(candidates)


def derive_summary(content_html: str) -> str:
    """Plain text of the first paragraph that has text, cut at a word near SUMMARY_LENGTH."""
    for match in _FIRST_PARAGRAPH.finditer(content_html):
        text = " ".join(html.unescape(_TAG.sub("", match.group(1))).split())
        if text:
            return shorten_text(text, SUMMARY_LENGTH)
    return ""


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
