"""Stage 3b, render feeds: rendered articles -> RSS 2.0, Atom 1.0 (via feedgen) and JSON Feed 1.1.

Pure: every clock value comes in as an argument. This is the only module that knows feedgen,
and it works around feedgen 1.0.0's traps (issue 2), each covered by a test:

* the RSS channel ``<link>`` is the href of the *last* ``link()`` call, so the home page link
  is added last, after the self and hub links;
* ``lastBuildDate``/``updated`` default to the build's clock, so both are always set from the
  newest entry (SPEC: never the build's clock);
* entries are prepended unless ``order="append"`` is given;
* RSS ``<author>`` must be an e-mail address, so a bare name goes into ``dc:creator``;
* entry-level Atom links lose ``rel``, ``type`` and ``length`` (feedgen issue #135), so an
  enclosure would come out as a second alternate link: enclosures, media and the RSS hub link
  are written by our own extension (``_Extension``) instead;
* every ``author()`` becomes its own RSS ``<author>``, but RSS allows one per item, so an item
  with several authors names them in ``dc:creator`` instead (W3C validator: an error);
* RFC 5005 archive links (``prev-archive``, ``next-archive``, ``current``) are written by
  feedgen in Atom only, like every link but ``self``; in RSS ``_Extension`` writes them as
  ``atom:link``, with the ``fh:`` elements and Atom's RFC 6721 tombstones;
* Atom text constructs are always written as ``type="text"``, so a plain-text title that looks
  like HTML (``Why <b>bold</b> claims``) draws a validator warning and is shown as markup by
  many readers: such text is sent as escaped HTML (``type="html"``; see ``_as_html``).

Words: in this module an article becomes an "entry" (Atom) or "item" (RSS, JSON Feed).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from feedgen.feed import FeedGenerator
from lxml import etree

from feedsmith.archives import NO_HISTORY, History
from feedsmith.model import (
    FEED_FILES,
    Article,
    Author,
    Category,
    RenderedArticle,
    Site,
    article_url,
    feed_folder_url,
    page_url,
)
from feedsmith.notices import corrections_feed_html

GENERATOR = "feedsmith"
GENERATOR_URI = "https://pypi.org/project/feedsmith/"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_ATOM_NS = "http://www.w3.org/2005/Atom"
_DC_NS = "http://purl.org/dc/elements/1.1/"
_MEDIA_NS = "http://search.yahoo.com/mrss/"
_CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
_FH_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
_AT_NS = "http://purl.org/atompub/tombstones/1.0"  # RFC 6721
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
MEDIA_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """What one feed set (main or one category, or one archive page) says about itself."""

    title: str
    description: str
    folder_url: str
    home_url: str
    updated: datetime
    history: History = NO_HISTORY

    def url(self, kind: str) -> str:
        return self.folder_url + FEED_FILES[kind]

    @property
    def feed_id(self) -> str:
        """The feed's Atom id: an archive page is a document of its feed and shares its id."""
        return self.history.current or self.folder_url


def feed_info(
    site: Site,
    category: Category | None,
    entries: Sequence[RenderedArticle],
    site_updated: datetime | None,
    history: History = NO_HISTORY,
    folder_url: str | None = None,
) -> FeedInfo:
    """The feed's own fields. Its updated time is its newest entry's ``updated`` (SPEC), or for
    an empty feed ``site_updated`` (the latest of the whole site), or 1970-01-01T00:00:00Z.

    ``folder_url``: where the documents are, when not the feed's own folder (archive pages).
    """
    updated = max((r.article.updated for r in entries), default=site_updated or EPOCH)
    folder = feed_folder_url(site, category)
    if category is None:
        return FeedInfo(
            site.title, site.description, folder_url or folder, site.base_url, updated, history
        )
    return FeedInfo(
        f"{site.title}: {category.name}",
        f"{category.name}: {site.description}",
        folder_url or folder,
        folder,
        updated,
        history,
    )


def render_feeds(
    site: Site, info: FeedInfo, entries: Sequence[RenderedArticle]
) -> dict[str, bytes]:
    """All three feeds of one feed set, keyed by file name (``rss.xml``, ``feed.json``, …)."""
    return {
        FEED_FILES["rss"]: render_rss(site, info, entries),
        FEED_FILES["atom"]: render_atom(site, info, entries),
        FEED_FILES["json"]: render_json(site, info, entries),
    }


def render_rss(site: Site, info: FeedInfo, entries: Sequence[RenderedArticle]) -> bytes:
    """RSS 2.0: summary in ``description``, full text in ``content:encoded``."""
    generator = _generator(site, info, entries, "rss")
    xml = bytes(generator.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True))
    return _RSS_TITLE.sub(_hex_references, xml)


def render_atom(site: Site, info: FeedInfo, entries: Sequence[RenderedArticle]) -> bytes:
    """Atom 1.0 with ``xml:base`` on the feed and on each entry's content."""
    generator = _generator(site, info, entries, "atom")
    return bytes(generator.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True))


# RSS has no way to say "this title is plain text", and readers disagree: feedparser (and so
# most Python readers) calls every RSS title HTML. The RSS Best Practices Profile's answer is to
# write "&" and "<" in plain text as the hexadecimal references &#x26; and &#x3C; -- the same
# characters to any XML parser -- and the W3C validator takes them as the sign that the
# publisher escaped on purpose. lxml always writes &amp;/&lt;, so titles are rewritten after.
_RSS_TITLE = re.compile(rb"<title>([^<]*)</title>")
# Markup-like text: a tag opener, or a character reference HTML would decode ("&amp", "&#38;").
_TAG_OPENER = re.compile(r"<[A-Za-z/!?]")


def _hex_references(match: re.Match[bytes]) -> bytes:
    text = match.group(1).replace(b"&amp;", b"&#x26;").replace(b"&lt;", b"&#x3C;")
    return b"<title>" + text + b"</title>"


def _reads_as_html(text: str) -> bool:
    """Whether a reader that takes ``text`` as HTML would show other characters than it has."""
    return bool(_TAG_OPENER.search(text)) or html.unescape(text) != text


def _as_html(text: str) -> str:
    """Plain ``text`` for an element readers may take as HTML: escaped only when that matters.

    SPEC: a title such as ``Why <b>bold</b> claims & data differ`` reaches every reader as
    exactly those characters with no validator warning. Plain titles stay plain, so readers
    that show RSS titles as text (and feedparser, which then says ``text/plain``) see them as
    written; only text that would read as markup is escaped once more.
    """
    return html.escape(text, quote=False) if _reads_as_html(text) else text


def _generator(
    site: Site, info: FeedInfo, entries: Sequence[RenderedArticle], kind: str
) -> FeedGenerator:
    fg = FeedGenerator()
    fg.register_extension("feedsmith", _Extension, _EntryExtension, atom=True, rss=True)
    fg.feedsmith.configure(info, site, kind)
    fg.id(info.feed_id)
    # RSS titles are HTML to many readers; Atom's are typed by _Extension.
    title = _as_html(info.title) if kind == "rss" else info.title
    fg.title(title)
    fg.subtitle(info.description)  # also RSS <description>
    fg.description(info.description)
    fg.link(href=info.url(kind), rel="self", type=MEDIA_TYPES[kind])
    if site.hub and kind == "atom":
        fg.link(href=site.hub, rel="hub")
    if kind == "atom":
        # RSS gets these from _Extension: feedgen writes only the self link there.
        for rel, folder in _archive_links(info.history):
            fg.link(href=folder + FEED_FILES[kind], rel=rel, type=MEDIA_TYPES[kind])
    # Last, because feedgen takes the RSS channel <link> from the last link() call.
    fg.link(href=info.home_url, rel="alternate", type="text/html")
    if site.language:
        fg.language(site.language)
    # Both, always: feedgen would fill either from the build's clock (SPEC: never the clock).
    fg.updated(info.updated)
    fg.lastBuildDate(info.updated)
    fg.generator(GENERATOR, uri=GENERATOR_URI)
    if kind == "atom":
        # RSS has no feed-level author element for a name (managingEditor is an e-mail).
        for author in site.authors:
            fg.author(_author_dict(author))
        if not site.authors:
            # Atom needs an author on the feed or on every entry; the publication is a fair one.
            fg.author({"name": site.title})
    if site.icon:
        fg.icon(site.icon)
    if site.logo:
        fg.logo(site.logo)
    if kind == "rss" and (site.logo or site.icon):
        # The channel <image> title must match the channel title (RSS 2.0 spec).
        fg.image(url=site.logo or site.icon, title=title, link=info.home_url)
    if site.copyright:
        fg.rights(site.copyright)
        fg.copyright(site.copyright)
    for rendered in entries:
        _add_entry(fg, site, rendered, kind)
    return fg


def _add_entry(fg: FeedGenerator, site: Site, rendered: RenderedArticle, kind: str) -> None:
    article = rendered.article
    fe = fg.add_entry(order="append")  # feedgen prepends by default
    fe.id(article.id)  # also the RSS guid, isPermaLink="false"
    fe.title(_as_html(article.title) if kind == "rss" else article.title)
    fe.link(href=article_url(site, article), rel="alternate")
    fe.published(article.published)
    fe.updated(article.updated)
    fe.pubDate(article.published)
    fe.content(content_html(site, rendered), type="html")
    # RSS <description> is HTML, so the plain-text summary is always escaped there.
    summary = html.escape(rendered.summary, quote=False) if kind == "rss" else rendered.summary
    fe.summary(summary)
    if kind == "atom":
        for author in article.authors:
            fe.author(_author_dict(author))
    elif _rss_author(article) is not None:
        fe.author(_author_dict(article.authors[0]))
    if article.categories:
        # One call: feedgen re-checks its whole list on every call, quadratic per entry (issue 4).
        fe.category([{"term": c.slug, "label": c.name} for c in article.categories])
    fe.feedsmith.configure(site, article, page_url(site, article))


def _archive_links(history: History) -> list[tuple[str, str]]:
    """(rel, folder URL) of the RFC 5005 links a document has: current, prev/next-archive."""
    links = [
        ("current", history.current),
        ("prev-archive", history.prev_archive),
        ("next-archive", history.next_archive),
    ]
    return [(rel, folder) for rel, folder in links if folder is not None]


def content_html(site: Site, rendered: RenderedArticle) -> str:
    """The full text every format carries, its corrections at the foot; for a link article
    without a body, its summary.

    SPEC lets an article that lives elsewhere (``link``) have no body. An empty content would
    leave readers with a blank item (and Atom with a validator warning), so the summary,
    which always exists, stands in as one paragraph.
    """
    text = rendered.content_html
    if not text.strip():
        text = f"<p>{html.escape(rendered.summary, quote=False)}</p>"
    corrections = corrections_feed_html(site, rendered.article)
    if corrections:
        text = f"{text.rstrip()}\n{corrections}"
    return text


def _rss_author(article: Article) -> Author | None:
    """The one author RSS's ``<author>`` can carry: a sole author with an e-mail address.

    RSS allows one ``<author>`` per item and requires an e-mail in it; every other case names
    the authors in ``dc:creator`` (one per author), never both (the validator flags the mix).
    """
    if len(article.authors) == 1 and article.authors[0].email:
        return article.authors[0]
    return None


def _author_dict(author: Author) -> dict[str, str]:
    fields = {"name": author.name}
    if author.email:
        fields["email"] = author.email
    if author.uri:
        fields["uri"] = author.uri
    return fields


def _type_text(element: Any, text: str) -> None:
    """Make an Atom text construct say ``type="html"`` when its plain text would read as HTML."""
    if element is not None and _reads_as_html(text):
        element.set("type", "html")
        element.text = html.escape(text, quote=False)


class _Extension:
    """Feed-level elements feedgen cannot write: xml:base, typed text, and the RSS hub link."""

    def __init__(self) -> None:
        self._info: FeedInfo | None = None
        self._site: Site | None = None
        self._kind = "atom"

    def configure(self, info: FeedInfo, site: Site, kind: str) -> None:
        self._info, self._site, self._kind = info, site, kind

    def extend_ns(self) -> dict[str, str]:
        assert self._info is not None
        history = self._info.history
        namespaces = {"media": _MEDIA_NS}
        if self._kind == "rss":
            namespaces["dc"] = _DC_NS
        if history.complete or history.archive:
            namespaces["fh"] = _FH_NS
        if history.tombstones and self._kind == "atom":
            namespaces["at"] = _AT_NS
        return namespaces

    def _history(self, parent: Any) -> None:
        """fh:complete or fh:archive (RFC 5005), as a child of the feed or RSS channel."""
        assert self._info is not None
        history = self._info.history
        if history.complete:
            etree.SubElement(parent, f"{{{_FH_NS}}}complete")
        if history.archive:
            etree.SubElement(parent, f"{{{_FH_NS}}}archive")

    def extend_atom(self, feed: Any) -> Any:
        assert self._info is not None and self._site is not None
        # Readers that honour xml:base resolve relative URLs with it; ours are absolute anyway.
        # The feed's own URL, not its folder: a base equal to the alternate link's href would
        # make that link a "same-document reference" (W3C validator warning).
        feed.set(_XML_BASE, self._info.url("atom"))
        _type_text(feed.find("title"), self._info.title)
        _type_text(feed.find("subtitle"), self._info.description)
        if self._site.copyright:
            _type_text(feed.find("rights"), self._site.copyright)
        self._history(feed)
        # RFC 6721: a retracted article's entry is to be removed from readers' copies.
        for tombstone in self._info.history.tombstones:
            deleted = etree.SubElement(feed, f"{{{_AT_NS}}}deleted-entry")
            deleted.set("ref", tombstone.ref)
            deleted.set("when", tombstone.when.isoformat())
            if tombstone.comment:
                etree.SubElement(deleted, f"{{{_AT_NS}}}comment").text = tombstone.comment
        return feed

    def extend_rss(self, rss: Any) -> Any:
        assert self._site is not None and self._info is not None
        channel = rss.find("channel")
        if self._site.hub:
            link = etree.SubElement(channel, f"{{{_ATOM_NS}}}link")
            link.set("href", self._site.hub)
            link.set("rel", "hub")
        # RFC 5005 section 4 lets RSS carry the same atom:link relations and fh: elements.
        for rel, folder in _archive_links(self._info.history):
            link = etree.SubElement(channel, f"{{{_ATOM_NS}}}link")
            link.set("href", folder + FEED_FILES["rss"])
            link.set("rel", rel)
            link.set("type", MEDIA_TYPES["rss"])
        self._history(channel)
        return rss


class _EntryExtension:
    """Entry-level elements: enclosures, lead image, dc:creator, xml:base, typed text."""

    def __init__(self) -> None:
        self._site: Site | None = None
        self._article: Article | None = None
        self._page = ""

    def configure(self, site: Site, article: Article, page: str) -> None:
        self._site, self._article, self._page = site, article, page

    def extend_ns(self) -> dict[str, str]:
        return {}

    def extend_atom(self, entry: Any) -> Any:
        article = self._require()
        # feedgen builds Atom elements without a namespace and declares it as the default on
        # the root, so entry children are found, and must be added, by their bare names.
        _type_text(entry.find("title"), article.title)
        summary = entry.find("summary")
        if summary is not None and summary.text:
            _type_text(summary, summary.text)
        content = entry.find("content")
        if content is not None:
            content.set(_XML_BASE, self._page)
        if article.language:
            entry.set(_XML_LANG, article.language)
        for enclosure in article.enclosures:
            link = etree.SubElement(entry, "link")
            link.set("rel", "enclosure")
            link.set("href", enclosure.url)
            link.set("type", enclosure.type)
            link.set("length", str(enclosure.length))
        self._media(entry)
        return entry

    def extend_rss(self, item: Any) -> Any:
        article = self._require()
        if _rss_author(article) is None:
            for author in article.authors:
                etree.SubElement(item, f"{{{_DC_NS}}}creator").text = author.name
        content = item.find(f"{{{_CONTENT_NS}}}encoded")
        if content is not None:
            # RSS 2.0 does not define xml:base, but it is XML's own and feedparser honours it.
            content.set(_XML_BASE, self._page)
        # RSS has only pubDate (published); Atom's updated keeps an edit visible, apart from it.
        etree.SubElement(item, f"{{{_ATOM_NS}}}updated").text = article.updated.isoformat()
        # RSS 2.0 allows one enclosure per item; the others are in Atom and JSON Feed.
        if article.enclosures:
            first = article.enclosures[0]
            enclosure = etree.SubElement(item, "enclosure")
            enclosure.set("url", first.url)
            enclosure.set("length", str(first.length))
            enclosure.set("type", first.type)
        self._media(item)
        return item

    def _media(self, element: Any) -> None:
        article = self._require()
        if article.image:
            etree.SubElement(element, f"{{{_MEDIA_NS}}}thumbnail").set("url", article.image)
            content = etree.SubElement(element, f"{{{_MEDIA_NS}}}content")
            content.set("url", article.image)
            content.set("medium", "image")

    def _require(self) -> Article:
        assert self._article is not None, "configure() is called for every entry"
        return self._article


def render_json(site: Site, info: FeedInfo, entries: Sequence[RenderedArticle]) -> bytes:
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), written with the standard library."""
    feed: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": info.title,
        "home_page_url": info.home_url,
        "feed_url": info.url("json"),
        "description": info.description,
    }
    if site.icon:
        feed["icon"] = site.icon
        feed["favicon"] = site.icon
    if site.authors:
        feed["authors"] = [_json_author(a) for a in site.authors]
    if site.language:
        feed["language"] = site.language
    if site.hub:
        feed["hubs"] = [{"type": "WebSub", "url": site.hub}]
    next_folder = info.history.json_next
    if next_folder is not None:
        # The next older page; archives.py never makes it this document or a newer one.
        feed["next_url"] = next_folder + FEED_FILES["json"]
    feed["items"] = [_json_item(site, r) for r in entries]
    text = json.dumps(feed, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def _json_item(site: Site, rendered: RenderedArticle) -> dict[str, object]:
    article = rendered.article
    item: dict[str, object] = {
        "id": article.id,
        "url": article_url(site, article),
    }
    if article.link:
        item["external_url"] = article.link
    item.update(
        {
            "title": article.title,
            "content_html": content_html(site, rendered),
            "summary": rendered.summary,
            "date_published": rfc3339(article.published),
            "date_modified": rfc3339(article.updated),
        }
    )
    if article.image:
        item["image"] = article.image
    if article.authors:
        item["authors"] = [_json_author(a) for a in article.authors]
    if article.categories:
        item["tags"] = [c.name for c in article.categories]
    if article.language:
        item["language"] = article.language
    if article.enclosures:
        item["attachments"] = [
            {"url": e.url, "mime_type": e.type, "size_in_bytes": e.length}
            for e in article.enclosures
        ]
    return item


def _json_author(author: Author) -> dict[str, str]:
    fields = {"name": author.name}
    # JSON Feed has no e-mail field; a mailto: URL is its documented stand-in.
    url = author.uri or (f"mailto:{author.email}" if author.email else None)
    if url:
        fields["url"] = url
    return fields


def rfc3339(instant: datetime) -> str:
    """``2025-03-14T01:30:00Z``: UTC, seconds precision."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
