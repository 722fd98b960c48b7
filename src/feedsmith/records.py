"""What loading, validating and rendering one article file produced, as values that travel
back from worker processes and are kept in the publish state (state.py); and the digests that
say when two of them show the same thing.

Only the standard library is imported: a publish with nothing to do must stay cheap.

Articles travel and are stored as plain tuples: unpickling 10,000 frozen slotted dataclasses
goes through their __setstate__ field by field and costs several times more than building
them; exceptions (InputError) do not survive pickling at all.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from feedsmith.errors import InputError
from feedsmith.model import (
    Article,
    Author,
    BodyFormat,
    Category,
    Correction,
    Enclosure,
    Reference,
    Retraction,
    Source,
)

_FORMAT = 5
"""Bump when the meaning of anything kept in the state changes."""

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
"""Hashed into the build key; a test points this at a modified copy of the templates."""


def digest(data: bytes) -> str:
    """The content digest of the state and of the manifest in ``--out``."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def digest_text(*parts: object) -> str:
    """Digest of values whose ``repr`` is deterministic (model values, tuples, strings)."""
    return digest(repr(parts).encode("utf-8", "surrogatepass"))


def page_digest(context_key: str, article_digest: str) -> str:
    """The inputs digest of an article's page: everything it shows, and how it is rendered."""
    # Both are hex digests: joined with NULs they are unambiguous without digest_text's repr,
    # and a republish computes this for every article.
    return digest(f"article page\0{context_key}\0{article_digest}".encode())


def feedsmith_version() -> str:
    """The installed feedsmith's version (read at call time, so tests can change it)."""
    import feedsmith

    return str(feedsmith.__version__)


def source_digest() -> str:
    """Digest of feedsmith's own code and templates: a change to either invalidates the state.

    A version number alone would miss an edited checkout (an editable install keeps 0.1.0 while
    the code changes), and reading ~20 small files costs about a millisecond.
    """
    hasher = hashlib.blake2b(digest_size=20)
    files = sorted(PACKAGE_DIR.glob("*.py")) + sorted(
        p for p in TEMPLATES_DIR.rglob("*") if p.is_file()
    )
    for path in files:
        hasher.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return hasher.hexdigest()


def build_key() -> str:
    """What everything kept depends on besides the content: feedsmith and Python."""
    return digest_text(_FORMAT, feedsmith_version(), source_digest(), sys.version_info[:3])


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """One validated, rendered article, without its body source (what lists, feeds and pages
    need besides the body HTML, which is kept beside it)."""

    article: Article  # body is "": nothing after rendering reads it
    pinned: str | None  # the ledger's id for its slug when validated (ids depend on it)
    summary: str
    digest: str  # of everything its page and feed entries show, body HTML included
    entry_digest: str  # of what the index and category pages show (no body HTML)


@dataclass(frozen=True, slots=True)
class FileRecord:
    """What loading and validating one valid article file produced."""

    digest: str  # of the file's bytes
    load_warnings: tuple[InputError, ...]
    validate_warnings: tuple[InputError, ...]
    articles: tuple[ArticleRecord, ...]


EncodedWarning = tuple[str, int | None, str]
EncodedArticle = tuple[
    str,
    str,
    str,
    datetime,
    datetime,
    str,
    str,
    int,
    str | None,
    tuple[tuple[str, str | None, str | None], ...],
    tuple[tuple[str, str], ...],
    str | None,
    str | None,
    tuple[tuple[str, int, str], ...],
    bool,
    str | None,
    tuple[tuple[int, str, str], ...],
    tuple[tuple[datetime, str], ...],
    tuple[datetime, str | None] | None,
]
EncodedArticleRecord = tuple[EncodedArticle, str | None, str, str, str]
EncodedFile = tuple[
    str, tuple[EncodedWarning, ...], tuple[EncodedWarning, ...], tuple[EncodedArticleRecord, ...]
]


def encode_warnings(warnings: Sequence[InputError]) -> tuple[EncodedWarning, ...]:
    return tuple((w.path, w.line, w.message) for w in warnings)


def decode_warnings(raw: Sequence[EncodedWarning]) -> tuple[InputError, ...]:
    return tuple(InputError(*w) for w in raw) if raw else ()


def encode_file(record: FileRecord) -> EncodedFile:
    return (
        record.digest,
        encode_warnings(record.load_warnings),
        encode_warnings(record.validate_warnings),
        tuple(encode_article_record(a) for a in record.articles),
    )


def encode_article_record(record: ArticleRecord) -> EncodedArticleRecord:
    return (
        encode_article(record.article),
        record.pinned,
        record.summary,
        record.digest,
        record.entry_digest,
    )


def encode_article(a: Article) -> EncodedArticle:
    """An article as a tuple of plain values, without its body."""
    return (
        a.id,
        a.slug,
        a.title,
        a.published,
        a.updated,
        a.body_format.value,
        a.source.path,
        a.source.line,
        a.summary,
        tuple((x.name, x.email, x.uri) for x in a.authors),
        tuple((c.name, c.slug) for c in a.categories),
        a.link,
        a.image,
        tuple((e.url, e.length, e.type) for e in a.enclosures),
        a.draft,
        a.language,
        tuple((r.line, r.key, r.url) for r in a.references),
        tuple((c.date, c.text) for c in a.corrections),
        (a.retracted.date, a.retracted.reason) if a.retracted else None,
    )


def shown_digest(encoded: EncodedArticle, summary: str) -> str:
    """The digest of what lists show of an article: everything but where its source is, so a
    publication copied or moved to another folder shows the same and renders nothing again."""
    return digest_text(encoded[:6], encoded[8:], summary)


_BODY_FORMATS = {f.value: f for f in BodyFormat}  # a dict lookup; BodyFormat(value) costs more


class ArticleDecoder:
    """Rebuilds records and articles, sharing equal author and category tuples."""

    def __init__(self) -> None:
        self._authors: dict[tuple[tuple[str, str | None, str | None], ...], tuple[Author, ...]]
        self._authors = {}
        self._categories: dict[tuple[tuple[str, str], ...], tuple[Category, ...]] = {}

    def file(self, raw: EncodedFile) -> FileRecord:
        file_digest, load_warnings, validate_warnings, articles = raw
        return FileRecord(
            file_digest,
            decode_warnings(load_warnings),
            decode_warnings(validate_warnings),
            tuple(self.record(a) for a in articles),
        )

    def record(self, raw: EncodedArticleRecord) -> ArticleRecord:
        article, pinned, summary, article_digest, entry_digest = raw
        return ArticleRecord(self.article(article), pinned, summary, article_digest, entry_digest)

    def categories(self, raw: tuple[tuple[str, str], ...]) -> tuple[Category, ...]:
        shared = self._categories.get(raw)
        if shared is None:
            shared = tuple(Category(*c) for c in raw)
            self._categories[raw] = shared
        return shared

    def article(self, raw: EncodedArticle) -> Article:
        (
            article_id,
            slug,
            title,
            published,
            updated,
            body_format,
            path,
            line,
            summary,
            authors,
            categories,
            link,
            image,
            enclosures,
            draft,
            language,
            references,
            corrections,
            retracted,
        ) = raw
        shared_authors = self._authors.get(authors)
        if shared_authors is None:
            shared_authors = tuple(Author(*x) for x in authors)
            self._authors[authors] = shared_authors
        return Article(
            id=article_id,
            slug=slug,
            title=title,
            published=published,
            updated=updated,
            body="",
            body_format=_BODY_FORMATS[body_format],
            source=Source(path, line),
            summary=summary,
            authors=shared_authors,
            categories=self.categories(categories),
            link=link,
            image=image,
            enclosures=tuple(Enclosure(*e) for e in enclosures) if enclosures else (),
            draft=draft,
            language=language,
            references=self.references(references),
            corrections=tuple(Correction(*c) for c in corrections) if corrections else (),
            retracted=Retraction(*retracted) if retracted else None,
        )

    def references(self, raw: Sequence[tuple[int, str, str]]) -> tuple[Reference, ...]:
        return tuple(Reference(line, key, url) for line, key, url in raw) if raw else ()
