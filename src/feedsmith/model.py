"""The publication as values: what load/validate produce and every renderer consumes.

Everything here is immutable and free of I/O. Datetimes are timezone-aware UTC; URLs are
absolute (validation resolves relative ones against ``Site.base_url``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


@dataclass(frozen=True, slots=True)
class Source:
    """Where a value came from, for messages: the path as the user wrote it, a 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    email: str | None = None
    uri: str | None = None


@dataclass(frozen=True, slots=True)
class Category:
    """A category as the editor wrote it (``name``) and its URL-safe folder name (``slug``)."""

    name: str
    slug: str


@dataclass(frozen=True, slots=True)
class Enclosure:
    url: str
    length: int
    type: str


@dataclass(frozen=True, slots=True)
class Reference:
    """A relative URL as the editor wrote it (``key``: image, enclosures, body, icon, logo),
    kept so ``check`` can tell whether it leads to a file the publish makes."""

    line: int
    key: str
    url: str


@dataclass(frozen=True, slots=True)
class Correction:
    """A correction printed at the foot of the article; ``date`` moves its ``updated``."""

    date: datetime
    text: str


@dataclass(frozen=True, slots=True)
class Retraction:
    """The article is withdrawn: it leaves every feed and list, its page keeps the notice."""

    date: datetime
    reason: str | None = None


class BodyFormat(Enum):
    MARKDOWN = "markdown"
    HTML = "html"


@dataclass(frozen=True, slots=True)
class Site:
    """The publication, from ``site.yaml``; ``base_url`` always ends with ``/``."""

    title: str
    base_url: str
    description: str
    language: str | None = None
    timezone: str = "UTC"
    authors: tuple[Author, ...] = ()
    feed_limit: int = 20
    icon: str | None = None
    logo: str | None = None
    copyright: str | None = None
    hub: str | None = None
    # The publication's own templates folder (``content/templates``; it may not exist): a
    # file there named like a shipped template replaces it. "" renders the shipped ones only.
    # Left out of repr and comparison, so out of the cache's keys: where the folder is does
    # not change a page (a publish from another working directory reuses the cache); what it
    # holds does, and pages.templates_key puts that in the keys.
    templates: str = field(default="", repr=False, compare=False)
    references: tuple[Reference, ...] = ()  # a relative icon or logo
    archive_size: int = 50  # articles per RFC 5005 archive page (ARCHIVE_SIZE in validate.py)


@dataclass(frozen=True, slots=True)
class Article:
    """One validated article. ``body`` is still source text; the render stage renders it."""

    id: str
    slug: str
    title: str
    published: datetime
    updated: datetime
    body: str
    body_format: BodyFormat
    source: Source
    summary: str | None = None
    authors: tuple[Author, ...] = ()
    categories: tuple[Category, ...] = ()
    link: str | None = None
    image: str | None = None
    enclosures: tuple[Enclosure, ...] = ()
    draft: bool = False
    language: str | None = None
    references: tuple[Reference, ...] = ()  # relative URLs of its image, enclosures and body

    corrections: tuple[Correction, ...] = ()  # oldest first, as written
    retracted: Retraction | None = None

    @property
    def has_page(self) -> bool:
        """Whether it gets a page of its own (SPEC: not when it lives elsewhere, ``link``)."""
        return self.link is None


@dataclass(frozen=True, slots=True)
class RenderedArticle:
    """An article with its body as safe HTML (all URLs absolute) and its summary settled."""

    article: Article
    content_html: str
    summary: str


def article_url(site: Site, article: Article) -> str:
    """The URL readers follow: the external ``link`` if any, else the article's own page."""
    return article.link or page_url(site, article)


def page_url(site: Site, article: Article) -> str:
    """The URL of the article's page on this site (SPEC: ``{base_url}articles/<slug>/``)."""
    return f"{site.base_url}articles/{article.slug}/"


def page_relpath(article: Article) -> str | None:
    """Where the article's page lives in the output (None: an external ``link``, no page)."""
    return None if article.link else f"articles/{article.slug}/index.html"


def newest_first(articles: list[RenderedArticle]) -> list[RenderedArticle]:
    """SPEC order: newest ``published`` first, ties broken by id."""
    # Two stable sorts: id ascending, then published descending keeps ids ascending on ties.
    by_id = sorted(articles, key=lambda r: r.article.id)
    return sorted(by_id, key=lambda r: r.article.published, reverse=True)


def feed_folder_url(site: Site, category: Category | None = None) -> str:
    """The URL of the folder holding a feed set: the site root, or ``categories/<slug>/``."""
    if category is None:
        return site.base_url
    return f"{site.base_url}categories/{category.slug}/"


FEED_FILES = {"rss": "rss.xml", "atom": "atom.xml", "json": "feed.json"}
"""The three feed files of every feed folder (SPEC: Output)."""

TEMPLATES_FOLDER = "templates"
"""The content folder's sub-folder of the publication's own templates (``Site.templates``)."""
