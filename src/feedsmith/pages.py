"""Pages: the index, one page per article and one per category, as HTML bytes (issue 6).

Pure: model values in, bytes out; no clock, no file access, no locale. The templates live in
``feedsmith/templates`` and see only the small view values built here, so every rule about
URLs, dates and languages is decided (and tested) in Python rather than in template code.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup

from feedsmith.model import (
    FEED_FILES,
    Article,
    Author,
    Category,
    Enclosure,
    RenderedArticle,
    Site,
    article_url,
    feed_folder_url,
    page_url,
)

__all__ = ["render_article_page", "render_category_page", "render_index"]

# English month names, spelled out here so the output never depends on the machine's locale.
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# (FEED_FILES key, name shown to readers, media type for autodiscovery). JSON Feed's registered
# type is application/feed+json (jsonfeed.org/version/1.1); readers look for exactly these.
_FEED_KINDS = (
    ("rss", "RSS", "application/rss+xml"),
    ("atom", "Atom", "application/atom+xml"),
    ("json", "JSON Feed", "application/feed+json"),
)

# Between a page's own name and the site's in <title>.
_TITLE_SEPARATOR = " \N{EN DASH} "

# BCP 47 "undetermined": keeps `lang` present (the checker asks for one) without claiming a
# language the site never declared.
_UNDETERMINED = "und"

# The pages' own words ("Subscribe", "by", month names) are English. Where the surrounding
# language is another, they are marked lang="en" so screen readers switch voice and CJK
# typography rules do not apply to them.
_UI_LANG = "en"


@dataclass(frozen=True, slots=True)
class _Date:
    iso: str  # RFC 3339 in the site's time zone, for <time datetime> and Open Graph
    text: str  # "14 March 2025"


@dataclass(frozen=True, slots=True)
class _Link:
    text: str
    url: str | None


@dataclass(frozen=True, slots=True)
class _Feed:
    id: str  # FEED_FILES key; also makes element ids unique
    label: str
    media_type: str
    url: str
    title: str


@dataclass(frozen=True, slots=True)
class _Attachment:
    url: str
    kind: str  # "audio", "video" or "" (the page offers a player for the first two)
    label: str


@dataclass(frozen=True, slots=True)
class _Entry:
    """One article as the templates show it."""

    title: str
    url: str
    external_host: str | None
    published: _Date
    updated: _Date | None
    authors: tuple[_Link, ...]
    categories: tuple[_Link, ...]
    summary: str
    lang: str | None  # set only where it differs from the page around it
    content_lang: str
    ui_lang: str | None  # for the English dateline, when the article is in another language


@dataclass(frozen=True, slots=True)
class _Page:
    """What every page's <head> and frame needs."""

    kind: str
    lang: str
    ui_lang: str | None  # for English interface text, when the page is in another language
    site_lang: str | None  # for the site's own name, when the page is in another language
    title: str
    description: str
    url: str
    feeds: tuple[_Feed, ...]
    meta: tuple[tuple[str, str], ...]  # Open Graph <meta property=... content=...> pairs


@functools.cache
def _environment() -> jinja2.Environment:
    # Built once per process; rendering keeps no state between calls.
    loader = jinja2.PackageLoader("feedsmith", "templates")
    environment = jinja2.Environment(
        loader=loader,
        # Escape everything except the script, which is included verbatim inside <script>
        # (escaping its quotes would break it).
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html",), disabled_extensions=("css", "js"), default=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates ship with the package and the cache key covers them, so checking
        # their files for changes on every render (several stats per page) buys nothing.
        auto_reload=False,
    )
    source, _, _ = loader.get_source(environment, "style.css")
    # Our own stylesheet, so trusted; minified once because every page carries a copy.
    environment.globals["stylesheet"] = Markup(_minify_css(source))  # noqa: S704
    return environment


def _minify_css(css: str) -> str:
    # Safe for our stylesheet only: it has no strings or url()s that contain these characters.
    # Spaces around ":" stay, since "a :lang(zh)" and "a:lang(zh)" select different things.
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    css = re.sub(r"\s+", " ", css)
    css = re.sub(r" ?([{};,>]) ?", r"\1", css)
    assert "</" not in css  # could close the <style> element early
    return css.replace(";}", "}").strip()


def render_index(
    site: Site, articles: Sequence[RenderedArticle], categories: Sequence[Category]
) -> bytes:
    """The site's ``index.html``: title, subscribe block, the newest articles, the categories.

    ``articles`` come newest first and already limited; ``categories`` are those with at least
    one visible article, sorted by name.
    """
    lang = _site_lang(site)
    page = _Page(
        kind="index",
        lang=lang,
        ui_lang=_ui_lang(lang),
        site_lang=None,
        title=site.title,
        description=site.description,
        url=site.base_url,
        feeds=_feeds(site),
        meta=_site_meta(site, site.title, site.description, site.base_url),
    )
    return _render(
        "index.html",
        site=site,
        page=page,
        entries=[_entry(site, r, lang) for r in articles],
        categories=[_Link(c.name, feed_folder_url(site, c)) for c in categories],
    )


def render_article_page(site: Site, rendered: RenderedArticle) -> bytes:
    """``articles/<slug>/index.html``: one article in full, for articles without a ``link``."""
    article = rendered.article
    lang = _article_lang(site, article)
    url = page_url(site, article)
    entry = _entry(site, rendered, lang)
    meta: list[tuple[str, str]] = [
        ("og:type", "article"),
        ("og:title", article.title),
        ("og:url", url),
        ("og:description", rendered.summary),
        ("og:site_name", site.title),
    ]
    if article.image:
        meta.append(("og:image", article.image))
    # Open Graph's article:* times are ISO 8601; the site-zone offset keeps the local date.
    meta.append(("article:published_time", entry.published.iso))
    meta.append(("article:modified_time", _date(site, article.updated).iso))
    meta.extend(("article:tag", c.name) for c in article.categories)
    page = _Page(
        kind="article",
        lang=lang,
        ui_lang=_ui_lang(lang),
        site_lang=_site_lang(site) if lang != _site_lang(site) else None,
        title=f"{article.title}{_TITLE_SEPARATOR}{site.title}",
        description=rendered.summary,
        url=url,
        feeds=_feeds(site),
        meta=tuple(meta),
    )
    return _render(
        "article.html",
        site=site,
        page=page,
        entry=entry,
        image=article.image,
        # Trusted on purpose: markup.py has already sanitized the body (script, style and event
        # handlers removed), so escaping it here would only show readers the tags.
        content=Markup(rendered.content_html),  # noqa: S704
        attachments=[_attachment(e) for e in article.enclosures],
        subscribe_block=_fragment(
            _environment(),
            "subscribe",
            page.feeds,
            f"Get new articles from {site.title}",
            page.ui_lang,
        ),
    )


def render_category_page(
    site: Site, category: Category, articles: Sequence[RenderedArticle]
) -> bytes:
    """``categories/<slug>/index.html``: the category's articles and its own three feeds."""
    lang = _site_lang(site)
    url = feed_folder_url(site, category)
    title = f"{category.name}{_TITLE_SEPARATOR}{site.title}"
    description = f"Articles filed under {category.name} in {site.title}."
    page = _Page(
        kind="category",
        lang=lang,
        ui_lang=_ui_lang(lang),
        site_lang=None,
        title=title,
        description=description,
        url=url,
        # The category's own feeds first: readers that take the first alternate get the
        # feed of the page they are on; the whole site's stay available after them.
        feeds=_feeds(site, category) + _feeds(site),
        meta=_site_meta(site, title, description, url),
    )
    return _render(
        "category.html",
        site=site,
        page=page,
        category=category,
        category_feeds=_feeds(site, category),
        entries=[_entry(site, r, lang) for r in articles],
    )


@functools.lru_cache(maxsize=64)
def _fragment(environment: jinja2.Environment, macro: str, *args: Hashable) -> Markup:
    """A macro of ``_macros.html`` rendered once per distinct arguments (issue 5).

    For parts that are the same on every article page of a site (the subscribe block, the feed
    links in <head>): rendering them once instead of 10,000 times saves about a quarter of an
    article page's cost. Keyed on the environment too, so a test's overlay gets its own.
    """
    render = vars(environment.get_template("_macros.html").module)[macro]
    return Markup(render(*args))  # noqa: S704


def _render(template: str, *, site: Site, page: _Page, **context: object) -> bytes:
    environment = _environment()
    head_links = _fragment(environment, "head_links", page.feeds, site.icon)
    return (
        environment.get_template(template)
        .render(context, site=site, page=page, head_links=head_links)
        .encode("utf-8")
    )


def _site_lang(site: Site) -> str:
    return site.language or _UNDETERMINED


def _article_lang(site: Site, article: Article) -> str:
    return article.language or _site_lang(site)


def _ui_lang(lang: str) -> str | None:
    # Primary subtag only: en-GB, en-US and en all read the English interface text fine.
    return None if lang.split("-")[0].lower() == _UI_LANG else _UI_LANG


def _feeds(site: Site, category: Category | None = None) -> tuple[_Feed, ...]:
    folder = feed_folder_url(site, category)
    name = site.title if category is None else f"{site.title}: {category.name}"
    return tuple(
        _Feed(
            id=key if category is None else f"{category.slug}-{key}",
            label=label,
            media_type=media_type,
            url=folder + FEED_FILES[key],
            title=f"{name} ({label})",
        )
        for key, label, media_type in _FEED_KINDS
    )


def _site_meta(site: Site, title: str, description: str, url: str) -> tuple[tuple[str, str], ...]:
    meta = [
        ("og:type", "website"),
        ("og:title", title),
        ("og:url", url),
        ("og:description", description),
        ("og:site_name", site.title),
    ]
    if site.logo:
        meta.append(("og:image", site.logo))
    return tuple(meta)


def _entry(site: Site, rendered: RenderedArticle, page_lang: str) -> _Entry:
    article = rendered.article
    lang = _article_lang(site, article)
    published = _date(site, article.published)
    updated = _date(site, article.updated)
    return _Entry(
        title=article.title,
        url=article_url(site, article),
        external_host=urlsplit(article.link).hostname if article.link else None,
        published=published,
        # Shown only when it says something new: a later day than the publication date.
        updated=updated if updated.text != published.text else None,
        # The SPEC's site-wide default authors apply when the article names none.
        authors=tuple(_author(a) for a in (article.authors or site.authors)),
        categories=tuple(_Link(c.name, feed_folder_url(site, c)) for c in article.categories),
        summary=rendered.summary,
        lang=lang if lang != page_lang else None,
        content_lang=lang,
        ui_lang=_ui_lang(lang),
    )


def _author(author: Author) -> _Link:
    return _Link(author.name, author.uri)


def _date(site: Site, when: datetime) -> _Date:
    local = when.astimezone(ZoneInfo(site.timezone))
    # Whole seconds: HTML's <time> allows at most three fractional digits, isoformat gives six.
    return _Date(
        iso=local.isoformat(timespec="seconds"),
        text=f"{local.day} {_MONTHS[local.month - 1]} {local.year}",
    )


def _attachment(enclosure: Enclosure) -> _Attachment:
    kind = enclosure.type.partition("/")[0]
    name = urlsplit(enclosure.url).path.rsplit("/", 1)[-1] or enclosure.url
    size = f", {_size(enclosure.length)}" if enclosure.length > 0 else ""
    return _Attachment(
        url=enclosure.url,
        kind=kind if kind in ("audio", "video") else "",
        label=f"{name} ({enclosure.type}{size})",
    )


def _size(length: int) -> str:
    # Decimal units, as download dialogs show them; one decimal is plenty for a label.
    for unit, factor in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if length >= factor:
            return f"{length / factor:.1f} {unit}"
    return f"{length} bytes"
