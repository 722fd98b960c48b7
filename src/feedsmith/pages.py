"""Pages: the index, one page per article and one per category, as HTML bytes.

Model values in, bytes out; no clock, no locale, and no file access but the templates'. The
templates live in ``feedsmith/templates``; a file of the same name in the publication's own
``content/templates`` (``Site.templates``) replaces one. They see only the small view values
built here, so every rule about URLs, dates and languages is decided (and tested) in Python
rather than in template code.

Speed: a publish of 10,000 articles renders 10,000 article pages, and lists every article on
the page of each of its categories. So the parts a whole site shares (feed links, subscribe
block, stylesheet, script) are rendered once per site, and the small pieces printed for every
article (its dateline, its categories, its entry in a list) are built here with
``markupsafe.escape``: a template macro call costs several times as much. They escape every
value from the content exactly as the templates' autoescaping does.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup, escape

from feedsmith.errors import ContentErrors, FeedsmithError, InputError
from feedsmith.model import (
    FEED_FILES,
    TEMPLATES_FOLDER,
    Article,
    Author,
    BodyFormat,
    Category,
    Enclosure,
    RenderedArticle,
    Site,
    Source,
    article_url,
    feed_folder_url,
    page_url,
)
from feedsmith.notices import retraction_text

__all__ = [
    "EXTRA_CSS",
    "SHIPPED_TEMPLATES",
    "render_article_page",
    "render_category_page",
    "render_index",
    "templates_key",
]

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

# Between the parts of a dateline.
_SEPARATOR = '<span class="sep"> · </span>'


@dataclass(frozen=True, slots=True)
class _Date:
    iso: str  # RFC 3339 in the site's time zone, for <time datetime> and Open Graph
    text: str  # "14 March 2025"


@dataclass(frozen=True, slots=True)
class _Link:
    text: str
    url: str


@dataclass(frozen=True, slots=True)
class _Feed:
    id: str  # FEED_FILES key; also makes element ids unique
    label: str
    media_type: str
    url: str
    title: str


@dataclass(frozen=True, slots=True)
class _Correction:
    date: _Date
    text: str


@dataclass(frozen=True, slots=True)
class _Attachment:
    url: str
    kind: str  # "audio", "video" or "" (the page offers a player for the first two)
    label: str


@dataclass(frozen=True, slots=True)
class _Entry:
    """One article's heading, as its own page and every list showing it print it."""

    title: str
    url: str
    published: _Date
    updated: _Date
    lang: str  # the article's language
    ui_lang: str | None  # for the English dateline, when the article is in another language
    dateline: Markup  # dates and authors (see _dateline)
    tags: Markup  # its categories as a list, or nothing (see _tags)


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
    head_links: Markup  # feed autodiscovery and icon links (the head_links macro)
    meta: tuple[tuple[str, str], ...]  # Open Graph <meta property=... content=...> pairs


SHIPPED_TEMPLATES = (
    "base.html",
    "index.html",
    "article.html",
    "category.html",
    "_macros.html",
    "style.css",
    "copy.js",
)
"""The templates feedsmith ships; a file of the same name in ``content/templates`` replaces one."""

EXTRA_CSS = "extra.css"
"""An optional file in ``content/templates``: added after the stylesheet (shipped or replaced)."""

# Folder (as in Site.templates) -> templates_key of its files, as the last publish in this
# process saw them. A long-running preview server publishes again and again in one process:
# a new key builds a new environment. Worker processes inherit the table through fork; where
# they cannot (spawn), _key_of reads the folder itself.
_keys: dict[str, str] = {}


def templates_key(content_dir: Path) -> str:
    """A digest of the publication's own templates (names and bytes); "" when it has none.

    Part of the cache's key: a changed template is a changed input. Also checks them: a
    template that cannot be compiled, or fails on a sample publication, raises
    ``ContentErrors`` naming its file and line, before anything is rendered or written.
    """
    folder = (content_dir / TEMPLATES_FOLDER).as_posix()
    key = _read_key(folder)
    if key:
        _check_templates(folder, key)
    _keys[folder] = key
    return key


def _read_key(folder: str) -> str:
    files = _template_files(folder)
    if not files:
        return ""
    hashed = hashlib.sha256()
    for name in files:
        hashed.update(f"{name}\0".encode())
        hashed.update(Path(folder, name).read_bytes())
        hashed.update(b"\0")
    return hashed.hexdigest()


def _template_files(folder: str) -> list[str]:
    """Paths (posix, relative to ``folder``) of its visible files, sub-folders included (a
    template may include one from there); editors' backups and swap files start with a dot."""
    found: list[str] = []
    for parent, folders, files in os.walk(folder):
        folders[:] = [f for f in folders if not f.startswith(".")]
        relative = os.path.relpath(parent, folder)
        prefix = "" if relative == "." else Path(relative).as_posix() + "/"
        found.extend(prefix + name for name in files if not name.startswith("."))
    return sorted(found)


class TemplateProblem(FeedsmithError):
    """A template failed while rendering a page: ``path:line: message``.

    Not an ``InputError``: it may happen in a worker process and travel back pickled, which
    takes an exception whose ``args`` are its constructor's arguments.
    """

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(path, line, message)

    def __str__(self) -> str:
        return str(InputError(*self.args))


def _check_templates(folder: str, key: str) -> None:
    """Compile the templates of ``folder`` and render a small sample publication with them.

    A mistake in an editor's template must stop the publish before anything is written, with
    its file and line; rendering the sample finds most of those the compiler cannot (a name
    the page does not receive, a macro called wrongly) before the first real page.
    """
    previous = _keys.get(folder)
    _keys[folder] = key
    try:
        environment = _environment(folder, key)
        for name in _template_files(folder):
            if name.endswith((".html", ".js")):
                environment.get_template(name)
        _render_sample(folder)
    except jinja2.TemplateError as exc:
        raise ContentErrors([_template_problem(exc, folder)]) from None
    except TemplateProblem as exc:
        raise ContentErrors([InputError(*exc.args)]) from None
    except UnicodeDecodeError:
        raise ContentErrors(
            [InputError(folder, None, "a template is not UTF-8 text: save it as UTF-8")]
        ) from None
    finally:
        if previous is None:
            del _keys[folder]
        else:
            _keys[folder] = previous


def _render_sample(folder: str) -> None:
    """Every kind of page, once, for a publication that uses every optional value."""
    site = Site(
        title="Sample",
        base_url="https://example.org/",
        description="A sample publication.",
        language="en",
        authors=(Author("A. Writer", None, "https://example.org/a"),),
        icon="https://example.org/icon.png",
        logo="https://example.org/logo.png",
        copyright="Sample",
        templates=folder,
    )
    category = Category("Sample", "sample")
    published = datetime(2024, 1, 1, tzinfo=ZoneInfo("UTC"))
    article = Article(
        id="tag:example.org,2024:sample",
        slug="sample",
        title="Sample",
        published=published,
        updated=published,
        body="",
        body_format=BodyFormat.MARKDOWN,
        source=Source(folder, 1),
        categories=(category,),
        image="https://example.org/image.png",
        enclosures=(Enclosure("https://example.org/a.mp3", 1000, "audio/mpeg"),),
    )
    rendered = RenderedArticle(article, "<p>Sample.</p>", "Sample.")
    render_index(site, [rendered], [category])
    render_article_page(site, rendered)
    render_category_page(site, category, [rendered])


def _template_problem(exc: jinja2.TemplateError, folder: str) -> InputError:
    """``exc`` as the file and line of the template where it happened."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = exc.filename or exc.name or folder
        return InputError(where, exc.lineno, f"template syntax error: {exc.message}")
    where, line = _template_frame(exc, folder)
    # "'feedsmith.pages._Entry object' has no attribute 'x'" -> "entry has no attribute 'x'":
    # the names the README uses for what templates receive.
    message = re.sub(r"'feedsmith\.\w+\._?(\w+) object'", lambda m: m[1].lower(), str(exc))
    return InputError(
        where, line, f"template error: {message} (the README lists what each template receives)"
    )


def _template_frame(exc: BaseException, folder: str) -> tuple[str, int | None]:
    # jinja2 rewrites tracebacks so that a template's frames carry its file name and line:
    # the innermost frame in the editor's folder is where their template went wrong.
    prefix = os.path.normpath(folder) + os.sep
    where: tuple[str, int | None] = (folder, None)
    trace = exc.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.startswith(prefix):
            where = (filename, trace.tb_lineno)
        trace = trace.tb_next
    return where


def _key_of(folder: str) -> str:
    key = _keys.get(folder)
    if key is None:
        key = _keys[folder] = _read_key(folder)
    return key


def _site_environment(site: Site) -> jinja2.Environment:
    if not site.templates:
        return _environment()
    key = _key_of(site.templates)
    return _environment(site.templates, key) if key else _environment()


@functools.lru_cache(maxsize=8)
def _environment(folder: str = "", key: str = "") -> jinja2.Environment:
    """The templates of ``folder`` over the shipped ones; ``key`` names their version.

    Built once per version (see ``_keys``); rendering keeps no state between calls.
    """
    shipped = jinja2.PackageLoader("feedsmith", "templates")
    loader: jinja2.BaseLoader = (
        jinja2.ChoiceLoader([jinja2.FileSystemLoader(folder), shipped]) if folder else shipped
    )
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
        # The key covers every template file, so checking their files for changes on every
        # render (several stats per page) buys nothing.
        auto_reload=False,
    )
    environment.filters["lang_attr"] = _lang_attr
    environment.globals["stylesheet"] = _stylesheet(environment, shipped, folder)
    # Our own script (or the editor's), so trusted: rendered once, here.
    environment.globals["script"] = Markup(environment.get_template("copy.js").render())  # noqa: S704
    return environment


def _stylesheet(
    environment: jinja2.Environment, shipped: jinja2.BaseLoader, folder: str
) -> Markup:
    """The stylesheet every page carries inline: the shipped one minified, or the editor's
    ``style.css`` as written, then their ``extra.css``."""
    css, filename, _ = environment.loader.get_source(environment, "style.css")  # type: ignore[union-attr]
    if filename == shipped.get_source(environment, "style.css")[1]:
        css = _minify_css(css)
    extra = Path(folder, EXTRA_CSS) if folder else None
    if extra is not None and extra.is_file():
        css = f"{css}\n{extra.read_text(encoding='utf-8')}"
    # An editor's stylesheet is not minified (its strings may hold anything); "</" would close
    # the <style> element early, and "<\/" means the same inside a CSS string or comment.
    return Markup(css.strip().replace("</", "<\\/"))  # noqa: S704


def _minify_css(css: str) -> str:
    # Safe for the shipped stylesheet only: it has no strings or url()s holding these characters.
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
    environment = _site_environment(site)
    lang = _site_lang(site)
    ui_lang = _ui_lang(lang)
    feeds = _feeds(site)
    page = _Page(
        kind="index",
        lang=lang,
        ui_lang=ui_lang,
        site_lang=None,
        title=site.title,
        description=site.description,
        url=site.base_url,
        head_links=_fragment(environment, "head_links", feeds, site.icon),
        meta=_site_meta(site, site.title, site.description, site.base_url),
    )
    return _render(
        environment,
        "index.html",
        site=site,
        page=page,
        subscribe_block=_fragment(environment, "subscribe", feeds, "Subscribe", ui_lang),
        entries=[_entry_item(site, r, lang) for r in articles],
        categories=[_Link(c.name, feed_folder_url(site, c)) for c in categories],
    )


def render_article_page(site: Site, rendered: RenderedArticle) -> bytes:
    """``articles/<slug>/index.html``: one article in full, for articles without a ``link``.

    A retracted article keeps its page, title and dates, with the notice in place of its
    body; nothing of the withdrawn text (body, summary, lead image, attachments) stays on it.
    """
    environment = _site_environment(site)
    article = rendered.article
    retraction = article.retracted
    notice = retraction_text(site, retraction) if retraction else None
    description = notice or rendered.summary
    entry = _entry(site, rendered)
    url = page_url(site, article)
    meta: list[tuple[str, str]] = [
        ("og:type", "article"),
        ("og:title", article.title),
        ("og:url", url),
        ("og:description", description),
        ("og:site_name", site.title),
    ]
    if article.image and notice is None:
        meta.append(("og:image", article.image))
    # Open Graph's article:* times are ISO 8601; the site-zone offset keeps the local date.
    meta.append(("article:published_time", entry.published.iso))
    meta.append(("article:modified_time", entry.updated.iso))
    meta.extend(("article:tag", c.name) for c in article.categories)
    feeds = _feeds(site)
    site_lang = _site_lang(site)
    page = _Page(
        kind="article",
        lang=entry.lang,
        ui_lang=entry.ui_lang,
        site_lang=site_lang if entry.lang != site_lang else None,
        title=f"{article.title}{_TITLE_SEPARATOR}{site.title}",
        description=description,
        url=url,
        head_links=_fragment(environment, "head_links", feeds, site.icon),
        meta=tuple(meta),
    )
    return _render(
        environment,
        "article.html",
        site=site,
        page=page,
        entry=entry,
        image=article.image if notice is None else None,
        # Trusted on purpose: markup.py has already sanitized the body (script, style and event
        # handlers removed), so escaping it here would only show readers the tags.
        content=Markup(rendered.content_html) if notice is None else None,  # noqa: S704
        retraction=notice,
        corrections=[_Correction(_date(site, c.date), c.text) for c in article.corrections],
        attachments=[_attachment(e) for e in article.enclosures] if notice is None else [],
        subscribe_block=_fragment(
            environment,
            "subscribe",
            feeds,
            f"Get new articles from {site.title}",
            entry.ui_lang,
        ),
    )


def render_category_page(
    site: Site, category: Category, articles: Sequence[RenderedArticle]
) -> bytes:
    """``categories/<slug>/index.html``: the category's articles and its own three feeds."""
    environment = _site_environment(site)
    lang = _site_lang(site)
    ui_lang = _ui_lang(lang)
    url = feed_folder_url(site, category)
    title = f"{category.name}{_TITLE_SEPARATOR}{site.title}"
    description = f"Articles filed under {category.name} in {site.title}."
    category_feeds = _feeds(site, category)
    page = _Page(
        kind="category",
        lang=lang,
        ui_lang=ui_lang,
        site_lang=None,
        title=title,
        description=description,
        url=url,
        # The category's own feeds first: readers that take the first alternate get the
        # feed of the page they are on; the whole site's stay available after them.
        head_links=_fragment(environment, "head_links", category_feeds + _feeds(site), site.icon),
        meta=_site_meta(site, title, description, url),
    )
    return _render(
        environment,
        "category.html",
        site=site,
        page=page,
        category=category,
        subscribe_block=_fragment(
            environment, "subscribe", category_feeds, f"Subscribe to {category.name}", ui_lang
        ),
        entries=[_entry_item(site, r, lang) for r in articles],
    )


@functools.lru_cache(maxsize=64)
def _fragment(environment: jinja2.Environment, macro: str, *args: Hashable) -> Markup:
    """A macro of ``_macros.html`` rendered once per distinct arguments.

    For parts that are the same on every article page of a site (the subscribe block, the feed
    links in <head>): rendering them once instead of 10,000 times saves about a quarter of an
    article page's cost. Keyed on the environment too, so a test's overlay gets its own.
    """
    render = vars(environment.get_template("_macros.html").module)[macro]
    return Markup(render(*args))  # noqa: S704


def _render(environment: jinja2.Environment, template: str, **context: object) -> bytes:
    try:
        return environment.get_template(template).render(context).encode("utf-8")
    except jinja2.TemplateError as exc:
        # An editor's template that failed on a page the sample did not foresee.
        site = context["site"]
        assert isinstance(site, Site)
        problem = _template_problem(exc, site.templates or TEMPLATES_FOLDER)
        raise TemplateProblem(problem.path, problem.line, problem.message) from None


def _site_lang(site: Site) -> str:
    return site.language or _UNDETERMINED


def _article_lang(site: Site, article: Article) -> str:
    return article.language or _site_lang(site)


def _ui_lang(lang: str) -> str | None:
    # Primary subtag only: en-GB, en-US and en all read the English interface text fine.
    return None if lang.split("-")[0].lower() == _UI_LANG else _UI_LANG


def _lang_attr(lang: str | None) -> Markup:
    """`` lang="…"`` where a part of the page is in another language than its surroundings.

    Also the templates' ``lang_attr`` filter.
    """
    return Markup(f' lang="{escape(lang)}"' if lang else "")  # noqa: S704


@functools.lru_cache(maxsize=256)
def _feeds(site: Site, category: Category | None = None) -> tuple[_Feed, ...]:
    # Cached: the same for every article page of a site, and a key of _fragment.
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


def _entry(site: Site, rendered: RenderedArticle) -> _Entry:
    article = rendered.article
    lang = _article_lang(site, article)
    ui_lang = _ui_lang(lang)
    published = _date(site, article.published)
    unchanged = article.updated == article.published  # the usual case: no need to format again
    updated = published if unchanged else _date(site, article.updated)
    return _Entry(
        title=article.title,
        url=article_url(site, article),
        published=published,
        updated=updated,
        lang=lang,
        ui_lang=ui_lang,
        dateline=_dateline(
            published,
            # Shown only when it says something new: a later day than the publication date.
            updated if updated.text != published.text else None,
            # The SPEC's site-wide default authors apply when the article names none.
            article.authors or site.authors,
            # Names stay in the article's language inside the English dateline.
            lang if ui_lang else None,
        ),
        tags=_tags(site, article.categories),
    )


def _entry_item(site: Site, rendered: RenderedArticle, page_lang: str) -> Markup:
    """One article in a list (index, category page), under the list's h2, and a newline."""
    entry = _entry(site, rendered)
    link = rendered.article.link
    host = urlsplit(link).hostname if link else None
    # Where an external link leads; U+FE0E asks for the arrow as text, not as an emoji.
    external = f' <span class="external">↗&#xFE0E;&nbsp;{escape(host)}</span>' if host else ""
    # The article's language only where it differs from the list's.
    lang = _lang_attr(entry.lang if entry.lang != page_lang else None)
    return Markup(  # noqa: S704  (every value from the content is escaped here or in _entry)
        f'<article class="entry"{lang}>\n'
        f'<h3 class="entry-title"><a href="{escape(entry.url)}">{escape(entry.title)}</a>'
        f"{external}</h3>\n"
        f'<p class="meta"{_lang_attr(entry.ui_lang)}>{entry.dateline}</p>\n'
        f'<p class="summary">{escape(rendered.summary)}</p>\n'
        f"{entry.tags}\n"
        "</article>\n"
    )


def _dateline(
    published: _Date, updated: _Date | None, authors: tuple[Author, ...], names_lang: str | None
) -> Markup:
    """The line under an article's title: "14 March 2025 · updated 2 April 2025 · by A and B".

    ``names_lang``: the article's language, to mark the authors' names with, or None.
    """
    # The dates are digits and our own month names: nothing in them needs escaping.
    html = f'<time datetime="{published.iso}">{published.text}</time>'
    if updated is not None:
        html += f'{_SEPARATOR}updated <time datetime="{updated.iso}">{updated.text}</time>'
    if authors:
        names = _authors(authors)
        if names_lang:
            names = Markup(f'<span lang="{escape(names_lang)}">{names}</span>')  # noqa: S704
        html += f"{_SEPARATOR}by {names}"
    return Markup(html)  # noqa: S704


@functools.lru_cache(maxsize=4096)
def _authors(authors: tuple[Author, ...]) -> Markup:
    """ "A", "A and B", "A, B and C"; each a link to the author's page where there is one.

    Cached: most articles share a few bylines (the site's default authors, a desk).
    """
    names = [
        f'<a class="author" href="{escape(a.uri)}" rel="author">{escape(a.name)}</a>'
        if a.uri
        else f'<span class="author">{escape(a.name)}</span>'
        for a in authors
    ]
    if len(names) > 1:
        names[-2:] = [f"{names[-2]} and {names[-1]}"]
    return Markup(", ".join(names))  # noqa: S704


@functools.lru_cache(maxsize=4096)
def _tags(site: Site, categories: tuple[Category, ...]) -> Markup:
    """An article's categories as links to their pages, each line ending in a newline.

    Cached: many articles share the same few categories.
    """
    if not categories:
        return Markup()
    items = "".join(
        f'<li><a href="{escape(feed_folder_url(site, c))}">{escape(c.name)}</a></li>\n'
        for c in categories
    )
    return Markup(f'<ul class="tags" aria-label="Categories">\n{items}</ul>\n')  # noqa: S704


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
