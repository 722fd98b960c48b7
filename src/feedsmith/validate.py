"""Stage 2, model: located YAML values -> validated ``Site`` and ``Article`` values.

Pure: no I/O. Every problem becomes an ``InputError`` naming the file and line; all of a run's
problems are collected so the editor can fix them in one go (issue 4).
"""

from __future__ import annotations

import difflib
import functools
import posixpath
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import PurePosixPath
from typing import Protocol, TypeVar
from urllib.parse import unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from anyascii import anyascii

from feedsmith.errors import InputError
from feedsmith.load import Raw, RawFile, has_forbidden, strip_forbidden, yaml_timestamp
from feedsmith.model import (
    FEED_FILES,
    TEMPLATES_FOLDER,
    Article,
    Author,
    BodyFormat,
    Category,
    Correction,
    Enclosure,
    Reference,
    Retraction,
    Site,
    Source,
)

SITE_KEYS = (
    "title",
    "base_url",
    "description",
    "language",
    "timezone",
    "authors",
    "feed_limit",
    "icon",
    "logo",
    "copyright",
    "hub",
    "archive_size",
)
ARTICLE_KEYS = (
    "title",
    "published",
    "updated",
    "body",
    "format",
    "summary",
    "author",
    "authors",
    "categories",
    "slug",
    "id",
    "link",
    "image",
    "enclosures",
    "draft",
    "language",
    "corrections",
    "retracted",
)
_AUTHOR_KEYS = ("name", "email", "uri")
_ENCLOSURE_KEYS = ("url", "length", "type")
_CORRECTION_KEYS = ("date", "text")
_RETRACTION_KEYS = ("date", "reason")
ARCHIVE_SIZE = 50
"""Articles per archive page by default: a page a reader fetches in one go (a few hundred KB
of full text), few enough pages that walking a ten-year archive takes tens of requests."""

_SLUG = re.compile(r"[a-z0-9-]+")
_DATED_STEM = re.compile(r"\d{4}-\d{2}-\d{2}-")
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")
_MIME = re.compile(r"[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*")
_DATE_HINT = "write 2024-03-12 or 2024-03-12T09:00:00+08:00"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# XML's own whitespace; NO-BREAK SPACE and friends are meant and are kept.
_XML_SPACE = re.compile(r"[ \t\r\n]+")
# What str.isspace() calls a space (sre's \s uses the same table), found without a Python loop.
_ANY_SPACE = re.compile(r"\s")
_NOT_SLUG_CHARACTERS = re.compile(r"[^a-z0-9]+")
MAX_SLUG_LENGTH = 200
MAX_CATEGORIES = 50
"""Categories one article may have. Each gets four files and its archive pages: 2,000 on one
article made 8,000 files and 700 MB; news articles carry a handful."""
MAX_HTML_DEPTH = 1000
"""How deeply elements in a body may nest. The HTML sanitizer's cost grows with the square of
the depth (100,000 nested <div> took 14 s); browsers stop nesting at 512 anyway."""
# Elements that never hold others, or whose end tag the parser implies (an unclosed <p> or
# <li> closes at the next one): they do not deepen the tree however many are left open.
_FLAT_ELEMENTS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead",
    "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rp", "rtc", "html", "head", "body",
})
_HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
# A Markdown line's block prefix: each ">" opens a blockquote, each list marker a list.
_BLOCK_PREFIX = re.compile(r"^(?:[ \t]*(?:>|[-+*][ \t]|\d{1,9}[.)][ \t]))+", re.MULTILINE)
_BLOCK_MARKER = re.compile(r">|[-+*\d][ \t.)]")
_SHOWN_VALUE = 60


@dataclass
class Problems:
    """Errors and warnings collected across a whole run."""

    errors: list[InputError] = field(default_factory=list)
    warnings: list[InputError] = field(default_factory=list)

    def error(self, path: str, line: int | None, message: str) -> None:
        self.errors.append(InputError(path, line, message))

    def warn(self, path: str, line: int | None, message: str) -> None:
        self.warnings.append(InputError(path, line, message))


def shorten(value: object) -> str:
    """A value as quoted in a message: repr, cut to a readable length."""
    text = repr(value)
    if len(text) > _SHOWN_VALUE:
        text = text[: _SHOWN_VALUE - 1] + "…"
    return text


def one_line(text: str) -> str:
    """A title or name as readers see it: each run of XML whitespace one space, ends trimmed.

    A title written over two lines in YAML, or with a stray tab, is still one line in every
    feed, page and reader; doing it here gives every format the same characters. The ends
    lose any Unicode space, as feedparser and most readers trim them anyway; inside, a
    NO-BREAK SPACE is meant and kept.
    """
    # Most titles and names are one line already, with single spaces: nothing to replace.
    if "  " in text or "\n" in text or "\t" in text or "\r" in text:
        text = _XML_SPACE.sub(" ", text)
    return text.strip()


def slugify(name: str) -> str:
    """SPEC category slug: lower-cased, transliterated to ASCII, other runs turned into ``-``."""
    ascii_name = anyascii(name).lower()
    return _NOT_SLUG_CHARACTERS.sub("-", ascii_name).strip("-")


# A publication has a few hundred categories, named again in every article.
_category_slug = functools.lru_cache(maxsize=4096)(slugify)


class _Fields:
    """Typed access to one YAML mapping, reporting problems with the file and line.

    ``escapes``: whether a text may hold control characters (``RawFile.escapes``).
    """

    def __init__(
        self,
        raw: Raw,
        path: str,
        problems: Problems,
        known: tuple[str, ...],
        what: str,
        *,
        escapes: bool = True,
        prefix: str = "",
    ) -> None:
        assert isinstance(raw.value, dict)
        self.prefix = prefix  # the enclosing key, for messages about a nested mapping
        self.values: dict[str, Raw] = raw.value
        self.line = raw.line
        self.path = path
        self.problems = problems
        self.escapes = escapes
        for key, value in self.values.items():
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                allowed = "" if close else f" ({what} keys: {', '.join(known)})"
                shown = key if key.isprintable() and key.strip() == key and key else repr(key)
                problems.warn(path, value.line, f"{shown}: unknown key, ignored{hint}{allowed}")

    def error(self, key: str, message: str) -> None:
        raw = self.values.get(key)
        line = raw.line if raw else self.line
        self.problems.error(self.path, line, f"{self.prefix}{key}: {message}")

    def has(self, key: str) -> bool:
        raw = self.values.get(key)
        return raw is not None and raw.kind != "null"

    def raw(self, key: str) -> Raw | None:
        raw = self.values.get(key)
        return raw if raw is not None and raw.kind != "null" else None

    def text(self, key: str, *, required: bool = False) -> str | None:
        raw = self.raw(key)
        if raw is None:
            if required:
                self.error(key, "missing: this key is required")
            return None
        if raw.kind != "str" or not isinstance(raw.value, str):
            self.error(key, f"must be text, not {_kind_name(raw)}: {shorten(_plain(raw))}"
                       " (put it in quotes)")
            return None
        value = self.clean(key, raw, raw.value)
        if required and not value.strip():
            self.error(key, "is empty: write some text")
            return None
        return value

    def clean(self, key: str, raw: Raw, value: str) -> str:
        # Not searching a body that cannot hold any is a fifth of validating an article.
        if self.escapes and has_forbidden(value):
            self.problems.warn(
                self.path,
                raw.line,
                f"{key}: removed control characters that XML forbids or discourages",
            )
            return strip_forbidden(value)
        return value

    def boolean(self, key: str) -> bool:
        raw = self.raw(key)
        if raw is None:
            return False
        if raw.kind != "bool" or not isinstance(raw.value, bool):
            self.error(key, f"must be true or false, not {shorten(_plain(raw))}")
            return False
        return raw.value

    def integer(self, key: str, default: int, minimum: int) -> int:
        raw = self.raw(key)
        if raw is None:
            return default
        value = raw.value
        if raw.kind != "int" or isinstance(value, bool) or not isinstance(value, int):
            self.error(key, f"must be a whole number, not {shorten(_plain(raw))}")
            return default
        if value < minimum:
            self.error(key, f"must be at least {minimum}, not {value}")
            return default
        return value

    def url(self, key: str, base_url: str, *, required: bool = False) -> str | None:
        raw = self.raw(key)
        if raw is None:
            if required:
                self.error(key, "missing: this key is required")
            return None
        problem, url = check_url(raw, base_url)
        if problem:
            self.error(key, problem)
            return None
        return url


def _kind_name(raw: Raw) -> str:
    return {
        "seq": "a list",
        "map": "a mapping",
        "int": "a number",
        "float": "a number",
        "bool": "true/false",
        "timestamp": "a date",
        "null": "empty",
        "str": "text",
    }.get(raw.kind, raw.kind)


def _plain(raw: Raw) -> object:
    """The raw value without positions, for quoting in messages."""
    if isinstance(raw.value, list):
        return [_plain(item) for item in raw.value]
    if isinstance(raw.value, dict):
        return {k: _plain(v) for k, v in raw.value.items()}
    return raw.value


# An http(s) URL with a host and nothing urlsplit would strip, check or re-split (spaces,
# controls, ?, #, ;, &, brackets, a "/" right after "//" that empties the host): urljoin gives
# it back unchanged whatever the base, and it needs no check below. Most URLs in news are such.
PLAIN_ABSOLUTE = re.compile(r"https?://[\w\-.~:@!$'()*+,=%][\w\-.~:@!$'()*+,=%/]*", re.ASCII)
# A relative reference that is only a path (no scheme, host, parameters, query or fragment),
# in the same characters: ``../x/``, ``images/a.jpg``, ``/about/``. The ":" is left out so
# nothing in it can read as a scheme; "//" at the start (a host) is refused by join_url.
_PLAIN_PATH = re.compile(r"[\w\-.~@!$'()*+,=%/]+", re.ASCII)


def join_url(base: str, url: str) -> str:
    """Exactly ``urljoin(base, url)``, without its cost for the common shapes (issue 5).

    A plain path against a plain absolute ``base`` (a page or base_url: PLAIN_ABSOLUTE) is
    resolved here by urljoin's own steps; everything else is urljoin's to decide. Raises
    ValueError where urljoin does.
    """
    if _PLAIN_PATH.fullmatch(url) and not url.startswith("//"):
        split = _split_base(base)
        if split is not None:
            return _join_path(split, url)
    return urljoin(base, url)


@functools.lru_cache(maxsize=64)
def _split_base(base: str) -> tuple[str, tuple[str, ...]] | None:
    """``scheme://netloc`` of a plain absolute ``base`` and the path segments a relative path
    starts from (urljoin's ``base_parts``); None when ``base`` is not plain."""
    if not PLAIN_ABSOLUTE.fullmatch(base):
        return None
    scheme, _, rest = base.partition("://")
    netloc, slash, path = rest.partition("/")
    base_parts = (slash + path).split("/")
    if base_parts[-1] != "":
        # The last segment is a file, not a folder: relative paths do not start from it.
        del base_parts[-1]
    return f"{scheme}://{netloc}", tuple(base_parts)


def _join_path(split: tuple[str, tuple[str, ...]], path: str) -> str:
    """urljoin's resolution of a plain ``path`` against a split base (RFC 3986 dot segments)."""
    origin, base_parts = split
    if path[0] == "/":
        segments = path.split("/")
    else:
        segments = [*base_parts, *path.split("/")]
        # As urljoin: empty segments in the middle would give redundant slashes.
        segments[1:-1] = filter(None, segments[1:-1])
    resolved: list[str] = []
    for segment in segments:
        if segment == "..":
            if resolved:
                resolved.pop()
        elif segment != ".":
            resolved.append(segment)
    if segments[-1] in (".", ".."):
        resolved.append("")
    joined = "/".join(resolved) or "/"
    # urlunsplit puts the path after the host with a "/" (``..`` can pop the leading one).
    return f"{origin}{joined}" if joined[0] == "/" else f"{origin}/{joined}"


def check_base_url(text: str) -> str | None:
    """Why ``text`` cannot be a base_url (site.yaml or ``--base-url``), or None when it can.

    Every URL of the output is base_url followed by a path, so it must be a plain folder URL:
    a query or fragment would end up in the middle of every URL, and credentials would be
    printed into every feed.
    """
    hint = "write it as http(s)://host[:port]/path/, e.g. https://example.org/news/"
    parts = urlsplit(text)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or not text.isprintable()
        or _ANY_SPACE.search(text)
    ):
        return f"{shorten(text)} is not an absolute http(s) URL ({hint})"
    if "@" in parts.netloc:
        # The value is not repeated: a password does not belong in a CI log either.
        return f"holds a user name or password, which every feed would show ({hint})"
    if "?" in text or "#" in text:  # even an empty one ("/?"): it starts a query or fragment
        return f"{shorten(text)} has a query (?…) or fragment (#…) ({hint})"
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return f"{shorten(text)} has a port that is not a number ({hint})"
    return None


def html_depth(body: str, body_format: BodyFormat) -> int:
    """How deeply the elements of ``body`` nest at most, counted generously and in one pass.

    Open tags minus end tags, skipping elements that cannot deepen the tree; for Markdown,
    plus the deepest run of blockquote and list markers opening a line. An upper bound for
    anything that is not absurd, so that a body within ``MAX_HTML_DEPTH`` stays cheap.
    """
    depth = deepest = 0
    for closing, name in _HTML_TAG.findall(body):
        if name.lower() in _FLAT_ELEMENTS:
            continue
        if closing:
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    if body_format is BodyFormat.MARKDOWN:
        blocks = max(
            (len(_BLOCK_MARKER.findall(m)) for m in _BLOCK_PREFIX.findall(body)), default=0
        )
        deepest += blocks
    return deepest


def check_url(raw: Raw, base_url: str) -> tuple[str | None, str]:
    """Resolve a URL against ``base_url``; (problem, url) where problem is None when it is fine."""
    if raw.kind != "str" or not isinstance(raw.value, str):
        return f"must be a URL in text, not {shorten(_plain(raw))}", ""
    text = raw.value.strip()
    if PLAIN_ABSOLUTE.fullmatch(text):
        return None, text  # an http(s) URL with a host, as urlsplit below would find
    if not text or _ANY_SPACE.search(text) or has_forbidden(text):
        return f"not a usable URL: {shorten(raw.value)} (remove spaces, or write them as %20)", ""
    # A value with a scheme stands alone: urljoin would quietly read "https://" or "https:x"
    # (same scheme as the base) as relative and give a plausible but wrong URL.
    has_scheme = _URI_SCHEME.match(text) is not None
    absolute = join_url(base_url, text) if base_url and not has_scheme else text
    if PLAIN_ABSOLUTE.fullmatch(absolute):
        return None, absolute  # as the early return above: ``image: photos/a.jpg``
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"not an http(s) URL: {shorten(raw.value)} (write https://…)", ""
    return None, absolute


def parse_instant(raw: Raw, zone: ZoneInfo) -> tuple[str | None, datetime]:
    """Parse a date or datetime; a value without offset is in ``zone``. Returns (problem, utc)."""
    if raw.kind not in ("str", "timestamp") or not isinstance(raw.value, str):
        return f"not a date: {shorten(_plain(raw))} ({_DATE_HINT})", _EPOCH
    text = raw.value.strip()
    parsed: datetime | None
    try:
        if _DATE_ONLY.fullmatch(text):
            # SPEC: a date-only value is midnight in the site time zone.
            parsed = datetime.combine(date.fromisoformat(text), time(0))
        else:
            parsed = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        parsed = yaml_timestamp(text)  # YAML 1.1 spellings such as 2001-12-14 21:59:43.10 -5
    if parsed is None:
        return f"not a date: {shorten(raw.value)} ({_DATE_HINT})", _EPOCH
    # Checked before any conversion: 0001-01-01 in a zone east of UTC would overflow.
    if not 1900 <= parsed.year <= 9998:
        return f"year out of range: {shorten(raw.value)} (use a year from 1900 on)", _EPOCH
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return None, parsed.astimezone(UTC)


def _authors(fields: _Fields, key: str) -> tuple[Author, ...] | None:
    """``author``/``authors``: a name, a mapping, or a list of either."""
    raw = fields.raw(key)
    if raw is None:
        return None
    items = raw.value if isinstance(raw.value, list) else [raw]
    authors: list[Author] = []
    for item in items:
        author = _author(item, fields, key)
        if author is not None:
            authors.append(author)
    return tuple(authors)


def _author(item: Raw, fields: _Fields, key: str) -> Author | None:
    if item.kind == "str" and isinstance(item.value, str):
        plain_name = one_line(fields.clean(key, item, item.value))
        if not plain_name:
            fields.problems.error(fields.path, item.line, f"{key}: a name is empty")
            return None
        return Author(plain_name)
    if item.kind != "map":
        fields.problems.error(
            fields.path,
            item.line,
            f"{key}: write a name or {{name, email, uri}}, not {shorten(_plain(item))}",
        )
        return None
    sub = _Fields(
        item, fields.path, fields.problems, _AUTHOR_KEYS, "author", escapes=fields.escapes
    )
    name = sub.text("name", required=True)
    email = sub.text("email")
    if email is not None and not _EMAIL.fullmatch(email.strip()):
        sub.error("email", f"not an e-mail address: {shorten(email)}")
        email = None
    uri = sub.url("uri", "")
    if name is None:
        return None
    return Author(one_line(name), email.strip() if email else None, uri)


def validate_site(raw_file: RawFile | None, base_url_override: str | None,
                  problems: Problems) -> Site | None:
    """``site.yaml`` -> ``Site``; ``base_url_override`` is ``--base-url``."""
    if raw_file is None:
        return None
    path = raw_file.path
    if not raw_file.documents:
        problems.error(path, 1, "empty file: write title:, base_url: and description:")
        return None
    if len(raw_file.documents) != 1 or raw_file.documents[0].kind != "map":
        problems.error(path, raw_file.documents[0].line if raw_file.documents else 1,
                       "must be one mapping of keys such as title:, base_url:, description:")
        return None
    fields = _Fields(
        raw_file.documents[0], path, problems, SITE_KEYS, "site.yaml", escapes=raw_file.escapes
    )
    before = len(problems.errors)
    title = fields.text("title", required=True)
    description = fields.text("description", required=True)
    base_url = fields.url("base_url", "", required=True)
    if base_url is not None and (problem := check_base_url(base_url)):
        fields.error("base_url", problem)
        base_url = None
    if base_url_override is not None:
        base_url = base_url_override
    if base_url is not None and not base_url.endswith("/"):
        # Everything is resolved against it as a folder (SPEC: {base_url}articles/<slug>/).
        base_url += "/"
    language = fields.text("language")
    if language is not None and not _LANGUAGE.fullmatch(language):
        fields.error("language", f"not a language tag: {shorten(language)} (e.g. en, zh-Hant)")
    timezone = fields.text("timezone") or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fields.error("timezone", f"unknown time zone: {shorten(timezone)} (e.g. Europe/Paris)")
        timezone = "UTC"
    authors = _authors(fields, "authors") or ()
    feed_limit = fields.integer("feed_limit", 20, 1)
    root = base_url or ""
    icon = fields.url("icon", root)
    logo = fields.url("logo", root)
    copyright_line = fields.text("copyright")
    hub = fields.url("hub", "")
    archive_size = fields.integer("archive_size", ARCHIVE_SIZE, 1)
    if len(problems.errors) > before or title is None or description is None or not base_url:
        return None
    return Site(
        title=one_line(title),
        base_url=base_url,
        description=one_line(description),
        language=language,
        timezone=timezone,
        authors=authors,
        feed_limit=feed_limit,
        icon=icon,
        logo=logo,
        copyright=copyright_line,
        hub=hub,
        # Beside site.yaml: the path as the user gave it, so template errors name it that way.
        templates=posixpath.join(posixpath.dirname(path), TEMPLATES_FOLDER),
        references=_references(fields, ("icon", "logo")),
        archive_size=archive_size,
    )


def derived_id(site_base_url: str, slug: str) -> str:
    """The default id: a name-based UUID of the article's first URL.

    Independent of title, body, date, file order and machine. The ledger (feedsmith.lock)
    then pins it, so a later change of base_url or slug does not move it (issue 3).
    """
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{site_base_url}articles/{slug}/')}"


def default_slug(file_path: str) -> str:
    """SPEC: the file name without extension and without a leading ``YYYY-MM-DD-``."""
    name = file_path.rpartition("/")[2]
    # PurePosixPath(file_path).stem without building a path per article (issue 5); the walk
    # never gives a path ending in "/" or "/.", which pathlib would read differently.
    if name in ("", ".", ".."):
        stem = PurePosixPath(file_path).stem
    else:
        dot = name.rfind(".")
        stem = name[:dot] if 0 < dot < len(name) - 1 else name
    stem = _DATED_STEM.sub("", stem, count=1) if _DATED_STEM.match(stem) else stem
    return stem


def validate_articles(
    files: Iterable[RawFile],
    site: Site,
    id_base_url: str,
    pinned_ids: Mapping[str, str],
    problems: Problems,
) -> list[Article]:
    """Every article file -> ``Article`` values, with cross-article checks (slugs, ids).

    ``id_base_url`` is site.yaml's own base_url (not ``--base-url``), so a preview publish
    does not derive other ids. ``pinned_ids`` maps slug -> id from the ledger.
    """
    articles: list[Article] = []
    for raw_file in files:
        articles.extend(validate_file(raw_file, site, id_base_url, pinned_ids, problems))
    check_unique(articles, problems)
    return articles


def validate_file(
    raw_file: RawFile,
    site: Site,
    id_base_url: str,
    pinned_ids: Mapping[str, str],
    problems: Problems,
) -> list[Article]:
    """One article file -> its ``Article`` values; the checks across files are
    ``check_unique``'s, over every file's articles."""
    zone = ZoneInfo(site.timezone)
    documents = _article_documents(raw_file, problems)
    several = len(documents) > 1
    articles: list[Article] = []
    for document in documents:
        article = _validate_article(
            document,
            raw_file.path,
            several,
            site,
            zone,
            id_base_url,
            pinned_ids,
            problems,
            raw_file.escapes,
        )
        if article is not None:
            articles.append(article)
    return articles


def _article_documents(raw_file: RawFile, problems: Problems) -> list[Raw]:
    if not raw_file.documents:
        problems.error(raw_file.path, 1, "empty file: write an article (title, published, body)")
        return []
    documents: list[Raw] = []
    for document in raw_file.documents:
        items = document.value if isinstance(document.value, list) else [document]
        for item in items:
            if item.kind != "map":
                problems.error(
                    raw_file.path,
                    item.line,
                    f"an article must be a mapping of keys (title:, published:, body:),"
                    f" not {_kind_name(item)}",
                )
                continue
            documents.append(item)
    return documents


def _validate_article(
    raw: Raw,
    path: str,
    several: bool,
    site: Site,
    zone: ZoneInfo,
    id_base_url: str,
    pinned_ids: Mapping[str, str],
    problems: Problems,
    escapes: bool,
) -> Article | None:
    fields = _Fields(raw, path, problems, ARTICLE_KEYS, "article", escapes=escapes)
    before = len(problems.errors)

    title = fields.text("title", required=True)
    published = _instant(fields, "published", zone, required=True)
    updated = _instant(fields, "updated", zone) or published
    if published and updated and updated < published:
        fields.problems.warn(
            path, fields.values["updated"].line, "updated: earlier than published; using published"
        )
        updated = published

    link = fields.url("link", site.base_url)
    body_format = BodyFormat.MARKDOWN
    format_name = fields.text("format")
    if format_name is not None:
        try:
            body_format = BodyFormat(format_name.strip().lower())
        except ValueError:
            fields.error("format", f"must be markdown or html, not {shorten(format_name)}")
    # SPEC: body is required unless the article lives elsewhere (link).
    body = fields.text("body", required=link is None)
    if body is not None and (depth := html_depth(body, body_format)) > MAX_HTML_DEPTH:
        fields.error(
            "body",
            f"elements nested {depth} deep, more than {MAX_HTML_DEPTH}: close the tags you"
            " open (each <div> needs its </div>) or flatten the quotes and lists",
        )

    summary = fields.text("summary")
    if fields.has("author") and fields.has("authors"):
        fields.error("authors", "give either author or authors, not both")
    authors = _authors(fields, "authors")
    if authors is None:
        authors = _authors(fields, "author")
    categories = _categories(fields)
    slug = _slug(fields, path, several)
    explicit_id = fields.text("id")
    if explicit_id is not None:
        explicit_id = explicit_id.strip()
        if not _URI_SCHEME.match(explicit_id) or _ANY_SPACE.search(explicit_id):
            fields.error(
                "id",
                f"not an absolute URI: {shorten(explicit_id)}"
                " (e.g. urn:uuid:…, tag:example.org,2024:slug or https://…)",
            )
    image = fields.url("image", site.base_url)
    enclosures = _enclosures(fields, site.base_url)
    draft = fields.boolean("draft")
    language = fields.text("language")
    if language is not None and not _LANGUAGE.fullmatch(language):
        fields.error("language", f"not a language tag: {shorten(language)} (e.g. en, zh-Hant)")

    corrections = _corrections(fields, zone, published)
    retracted = _retraction(fields, zone, published)
    if corrections and updated is not None:
        # Each correction is a change readers must be shown: updated moves to the latest.
        updated = max(updated, *(c.date for c in corrections))

    if len(problems.errors) > before or title is None or published is None or slug is None:
        return None
    article_id = explicit_id or pinned_ids.get(slug) or derived_id(id_base_url, slug)
    return Article(
        id=article_id,
        slug=slug,
        title=one_line(title),
        published=published,
        updated=updated or published,
        body=body or "",
        body_format=body_format,
        source=Source(path, raw.line),
        summary=summary.strip() if summary and summary.strip() else None,
        authors=authors if authors else site.authors,
        categories=categories,
        link=link,
        image=image,
        enclosures=enclosures,
        draft=draft,
        language=language,
        references=(
            *_references(fields, ("image",)),
            *_enclosure_references(fields),
            *_body_references(fields.raw("body"), body_format),
        ),
        corrections=corrections,
        retracted=retracted,
    )


def _relative(raw: Raw | None) -> str | None:
    """The URL ``raw`` holds if it is relative to the site (no scheme, no host), else None."""
    if raw is None or not isinstance(raw.value, str):
        return None
    return _relative_text(raw.value.strip())


def _relative_text(text: str) -> str | None:
    if not text or text.startswith(("#", "//")) or _URI_SCHEME.match(text):
        return None
    return text


def _references(fields: _Fields, keys: Sequence[str]) -> tuple[Reference, ...]:
    found = []
    for key in keys:
        raw = fields.raw(key)
        url = _relative(raw)
        if raw is not None and url is not None:
            found.append(Reference(raw.line, key, url))
    return tuple(found)


def _enclosure_references(fields: _Fields) -> tuple[Reference, ...]:
    raw = fields.raw("enclosures")
    if raw is None or not isinstance(raw.value, list):
        return ()
    found = []
    for item in raw.value:
        if isinstance(item.value, dict):
            url_raw = item.value.get("url")
            url = _relative(url_raw)
            if url_raw is not None and url is not None:
                found.append(Reference(url_raw.line, "enclosures", url))
    return tuple(found)


# Where a body names another file: Markdown links and images ("](url" and reference
# definitions "[x]: url") and HTML attributes (src, href, poster). Code is left out first: a
# link shown as code is not a link.
_MARKDOWN_TARGET = re.compile(r"\]\(\s*<?([^\s)>]+)|^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)", re.M)
_HTML_TARGET = re.compile(r"\b(?:src|href|poster)\s*=\s*[\"']([^\"']+)[\"']", re.I)
_FENCED_CODE = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1[^\n]*$", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)[^`].*?\1", re.S)


def _body_references(raw: Raw | None, body_format: BodyFormat) -> tuple[Reference, ...]:
    """The relative URLs in a body, each with the line of the file it is on."""
    if raw is None or not isinstance(raw.value, str):
        return ()
    text = raw.value
    if "](" not in text and "]:" not in text and "=" not in text:
        return ()  # nothing that could name a file: most bodies, skipped cheaply
    # A block ("body: |") starts on the line after its key; its text always ends in a newline.
    first_line = raw.line + 1 if text.endswith("\n") else raw.line
    if body_format is BodyFormat.MARKDOWN:
        # Blanked, not removed: the lines of what follows stay where they are.
        def blank(match: re.Match[str]) -> str:
            return re.sub(r"[^\n]", " ", match.group())

        text = _CODE_SPAN.sub(blank, _FENCED_CODE.sub(blank, text))
        patterns: tuple[re.Pattern[str], ...] = (_MARKDOWN_TARGET, _HTML_TARGET)
    else:
        patterns = (_HTML_TARGET,)
    found = []
    for pattern in patterns:
        for match in pattern.finditer(text):
            url = _relative_text(next(g for g in match.groups() if g is not None).strip())
            if url is not None:
                line = first_line + text.count("\n", 0, match.start())
                found.append(Reference(line, "body", url))
    return tuple(sorted(found, key=lambda r: r.line))


def find_broken_references(
    site: Site, site_path: str, articles: Sequence[Referencing], static_files: Iterable[str]
) -> list[InputError]:
    """Relative URLs that lead to no file of the publish: warnings naming file, line and URL.

    ``static_files`` are the paths under ``static/`` (published at the site's root). Pure:
    the caller lists the static files.
    """
    base = urlsplit(site.base_url)
    static = set(static_files)
    published = _published_paths(articles) | static
    warnings: list[InputError] = []

    def check(path: str, line: int, key: str, url: str, page: str) -> None:
        # As a browser resolves it on the page (an article's own folder for its body). Every
        # reference here is relative, so it resolves on base_url's host: under base_url, or
        # elsewhere on that host, which is not this publication's to judge. join_url is
        # urljoin without its cost; a republish checks every article's references.
        target = join_url(page, url)
        if not target.startswith(site.base_url):
            return
        rest = target[len(site.base_url) :]
        cut = min((i for i in (rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
        relative = unquote(rest[:cut])
        wanted = relative + "index.html" if relative.endswith("/") or not relative else relative
        if wanted in published or relative in published:
            return
        shown = shorten(url)
        if key != "body":
            message = (
                f"{shown} is no file the publish makes: put the file at static/{relative}"
                " or correct the path"
            )
        else:
            message = (
                f"{shown} leads to {relative}, no file the publish makes: correct the path,"
                " or put the file under static/ and link it from the site's root"
            )
            # "images/x.png" on an article's page is articles/<slug>/images/x.png.
            for depth in (2, 1):
                parts = relative.split("/", depth)
                if not url.startswith("/") and len(parts) > depth and parts[-1] in static:
                    message = (
                        f"{shown} resolves under the article's folder, to {relative}: for"
                        f" static/{parts[-1]} write {base.path}{parts[-1]}"
                    )
                    break
        warnings.append(InputError(path, line, f"{key}: {message}"))

    for reference in site.references:
        check(site_path, reference.line, reference.key, reference.url, site.base_url)
    for article in articles:
        page = f"{site.base_url}articles/{article.slug}/"
        for reference in article.references:
            # Image and enclosures are relative to base_url (SPEC), the body to its page.
            where = page if reference.key == "body" else site.base_url
            check(article.source.path, reference.line, reference.key, reference.url, where)
    return warnings


def _published_paths(articles: Sequence[Referencing]) -> set[str]:
    """Paths (relative to base_url) of the index, feeds, article and category pages."""
    feeds = tuple(FEED_FILES.values())
    paths = {"index.html", *feeds}
    for article in articles:
        if article.has_page:
            paths.add(f"articles/{article.slug}/index.html")
        for category in article.categories:
            folder = f"categories/{category.slug}/"
            paths.update([folder + "index.html", *(folder + name for name in feeds)])
    return paths


def _corrections(
    fields: _Fields, zone: ZoneInfo, published: datetime | None
) -> tuple[Correction, ...]:
    """``corrections``: a list of ``{date, text}``, each dated no earlier than published."""
    raw = fields.raw("corrections")
    if raw is None:
        return ()
    if not isinstance(raw.value, list):
        fields.error("corrections", "must be a list of {date, text}: one per line with -")
        return ()
    corrections: list[Correction] = []
    for item in raw.value:
        if item.kind != "map":
            fields.problems.error(
                fields.path, item.line,
                f"corrections: each must be {{date, text}}, not {shorten(_plain(item))}",
            )
            continue
        sub = _Fields(
            item, fields.path, fields.problems, _CORRECTION_KEYS, "correction",
            escapes=fields.escapes, prefix="corrections: ",
        )
        when = _instant(sub, "date", zone, required=True)
        text = sub.text("text", required=True)
        if when is not None and published is not None and when < published:
            sub.error("date", "earlier than published: a correction comes after the article")
            continue
        if when is not None and text is not None:
            corrections.append(Correction(when, text.strip()))
    return tuple(corrections)


def _retraction(fields: _Fields, zone: ZoneInfo, published: datetime | None) -> Retraction | None:
    """``retracted``: ``{date, reason}``; the date is required, the reason recommended."""
    raw = fields.raw("retracted")
    if raw is None:
        return None
    if raw.kind != "map":
        fields.error(
            "retracted", f"must be {{date, reason}}, not {shorten(_plain(raw))}"
            " (e.g. retracted: {date: 2025-03-14, reason: The figures were wrong.})",
        )
        return None
    sub = _Fields(
        raw, fields.path, fields.problems, _RETRACTION_KEYS, "retraction",
        escapes=fields.escapes, prefix="retracted: ",
    )
    when = _instant(sub, "date", zone, required=True)
    reason = sub.text("reason")
    if when is not None and published is not None and when < published:
        sub.error("date", "earlier than published: a retraction comes after the article")
        return None
    if when is None:
        return None
    return Retraction(when, one_line(reason) if reason and reason.strip() else None)


def _instant(fields: _Fields, key: str, zone: ZoneInfo, *, required: bool = False
             ) -> datetime | None:
    raw = fields.raw(key)
    if raw is None:
        if required:
            fields.error(key, f"missing: this key is required ({_DATE_HINT})")
        return None
    problem, instant = parse_instant(raw, zone)
    if problem:
        fields.error(key, problem)
        return None
    return instant


def _categories(fields: _Fields) -> tuple[Category, ...]:
    raw = fields.raw("categories")
    if raw is None:
        return ()
    if raw.kind == "str":
        fields.error("categories", f"must be a list: write [{raw.value}] or one per line with -")
        return ()
    if not isinstance(raw.value, list):
        fields.error("categories", f"must be a list of names, not {shorten(_plain(raw))}")
        return ()
    if len(raw.value) > MAX_CATEGORIES:
        fields.error(
            "categories",
            f"{len(raw.value)} categories, more than {MAX_CATEGORIES}: keep the few that"
            " readers subscribe to",
        )
        return ()
    categories: dict[str, Category] = {}
    for item in raw.value:
        if item.kind != "str" or not isinstance(item.value, str):
            fields.problems.error(
                fields.path, item.line,
                f"categories: each must be a name in text, not {shorten(_plain(item))}",
            )
            continue
        name = one_line(fields.clean("categories", item, item.value))
        slug = _category_slug(name)
        if not slug:
            fields.problems.error(
                fields.path, item.line,
                f"categories: {shorten(name)} has no letters or digits to name a folder after",
            )
            continue
        categories.setdefault(slug, Category(name, slug))
    return tuple(categories.values())


def _slug(fields: _Fields, path: str, several: bool) -> str | None:
    explicit = fields.text("slug")
    if explicit is None:
        if several:
            fields.problems.error(
                path, fields.line,
                "slug: missing: a file holding several articles needs a slug for each",
            )
            return None
        slug = slugify(default_slug(path))
        if not slug:
            fields.problems.error(
                path, fields.line,
                "slug: the file name gives no usable slug: rename the file or add slug:",
            )
            return None
        return slug
    if not _SLUG.fullmatch(explicit) or len(explicit) > MAX_SLUG_LENGTH:
        fields.error(
            "slug",
            f"must be lower-case letters, digits and - only (at most {MAX_SLUG_LENGTH}),"
            f" not {shorten(explicit)}",
        )
        return None
    return explicit


def _enclosures(fields: _Fields, base_url: str) -> tuple[Enclosure, ...]:
    raw = fields.raw("enclosures")
    if raw is None:
        return ()
    if not isinstance(raw.value, list):
        fields.error("enclosures", "must be a list of {url, length, type}")
        return ()
    enclosures: list[Enclosure] = []
    for item in raw.value:
        if item.kind != "map":
            fields.problems.error(
                fields.path, item.line,
                f"enclosures: each must be {{url, length, type}}, not {shorten(_plain(item))}",
            )
            continue
        sub = _Fields(
            item, fields.path, fields.problems, _ENCLOSURE_KEYS, "enclosure",
            escapes=fields.escapes,
        )
        url = sub.url("url", base_url, required=True)
        length_raw = sub.raw("length")
        length = sub.integer("length", 0, 0)
        if length_raw is None:
            sub.error("length", "missing: the file's size in bytes (RSS requires it)")
        mime = sub.text("type", required=True)
        if mime is not None and not _MIME.fullmatch(mime.strip()):
            sub.error("type", f"not a media type: {shorten(mime)} (e.g. audio/mpeg)")
            mime = None
        if url and mime and length_raw is not None:
            enclosures.append(Enclosure(url, length, mime.strip()))
    return tuple(enclosures)


class Identified(Protocol):
    """What the checks across articles look at: an ``Article``, or the state's record of one."""

    @property
    def id(self) -> str: ...
    @property
    def slug(self) -> str: ...
    @property
    def categories(self) -> tuple[Category, ...]: ...
    @property
    def source(self) -> Source: ...


class Referencing(Identified, Protocol):
    """What the reference check looks at: an ``Article``, or the state's record of one."""

    @property
    def has_page(self) -> bool: ...
    @property
    def references(self) -> tuple[Reference, ...]: ...


_Named = TypeVar("_Named", bound=Identified)


def check_unique(articles: Sequence[Identified], problems: Problems) -> None:
    """Slugs and ids name files and entries: two articles may not share one, and one category
    may not be spelt two ways (both would become the same folder)."""
    reported = _first_wins(articles, lambda a: a.slug, "slug", problems)
    # A derived id follows from the slug, so a slug clash would be reported twice.
    _first_wins([a for a in articles if id(a) not in reported], lambda a: a.id, "id", problems)
    category_names: dict[str, tuple[str, Identified]] = {}
    for article in articles:
        for category in article.categories:
            seen = category_names.setdefault(category.slug, (category.name, article))
            if seen[0] != category.name:
                problems.error(
                    article.source.path, article.source.line,
                    f"categories: {shorten(category.name)} and {shorten(seen[0])}"
                    f" (in {seen[1].source}) both become categories/{category.slug}/:"
                    " spell them the same",
                )


def _first_wins(
    articles: Sequence[_Named], key: Callable[[_Named], str], what: str, problems: Problems
) -> set[int]:
    """Report every article whose ``key`` an earlier one already has; return their ``id()``s."""
    seen: dict[str, _Named] = {}
    reported: set[int] = set()
    for article in articles:
        value = key(article)
        first = seen.setdefault(value, article)
        if first is not article:
            reported.add(id(article))
            problems.error(
                article.source.path, article.source.line,
                f"{what}: {shorten(value)} is already used by {first.source}:"
                f" give one of them another {what}",
            )
    return reported
