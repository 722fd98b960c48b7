"""The id ledger, ``content/feedsmith.lock``: the id each article received when first published.

Output folders are often rebuilt from nothing in CI, so the only durable memory of which id a
subscriber has already seen lives beside the content and is committed with it (issue 3). Later
publishes take ids from here, so an id never moves when base_url, the machine or the derivation
rule changes. Parsing and rendering are pure; publish.py does the reading and writing.

Format, one article a line, sorted by slug, tab-separated (diff-friendly)::

    slug<TAB>id<TAB>first published (UTC, RFC 3339)<TAB>title when first published
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from feedsmith.errors import InputError
from feedsmith.feeds import rfc3339
from feedsmith.layout import LEDGER_FILE
from feedsmith.model import Source
from feedsmith.validate import derived_id

LEDGER_NAME = LEDGER_FILE
_HEADER = (
    "# feedsmith.lock: the permanent id of every published article. Commit this file.\n"
    "# Written by `feedsmith publish`; ids here win over derived ones (an explicit id: wins"
    " over both).\n"
    "# slug\tid\tfirst published (UTC)\ttitle\n"
)


class Ledgered(Protocol):
    """What the ledger looks at of an article: an ``Article``, or the state's record of one."""

    @property
    def id(self) -> str: ...
    @property
    def slug(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def published(self) -> datetime: ...
    @property
    def source(self) -> Source: ...


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    slug: str
    id: str
    published: str
    title: str


def parse_ledger(text: str, shown: str) -> tuple[dict[str, LedgerEntry], list[InputError]]:
    """Ledger text -> entries by slug, and errors for lines that cannot be read."""
    entries: dict[str, LedgerEntry] = {}
    errors: list[InputError] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 4 or not fields[0] or not fields[1]:
            errors.append(
                InputError(
                    shown,
                    number,
                    "not a ledger line (slug, id, published, title separated by tabs):"
                    " restore it from version control, or delete the line to forget that id",
                )
            )
            continue
        entries[fields[0]] = LedgerEntry(*fields)
    return entries, errors


def render_ledger(entries: Mapping[str, LedgerEntry]) -> str:
    """Entries -> ledger text, sorted by slug so diffs stay small."""
    lines = [
        "\t".join((e.slug, e.id, e.published, _one_line(e.title)))
        for e in sorted(entries.values(), key=lambda e: e.slug)
    ]
    return _HEADER + "".join(line + "\n" for line in lines)


def _one_line(title: str) -> str:
    return " ".join(title.split())


def record(
    entries: Mapping[str, LedgerEntry], published: Iterable[Ledgered]
) -> dict[str, LedgerEntry]:
    """The ledger after a publish: every published article's id, old entries kept for good.

    An entry for a slug that no longer exists stays, so its id is never handed to another
    article by mistake and a renamed file can still be matched.
    """
    updated = dict(entries)
    for article in published:
        known = updated.get(article.slug)
        if known is None or known.id != article.id:
            updated[article.slug] = LedgerEntry(
                article.slug, article.id, rfc3339(article.published), _one_line(article.title)
            )
    return updated


def find_renames(
    entries: Mapping[str, LedgerEntry],
    articles: Iterable[Ledgered],
    id_base_url: str,
    shown: str,
) -> list[InputError]:
    """Articles that look like a ledgered article under a new slug: same published time and title.

    Publishing them would give subscribers the same story twice under two ids (issue 3), so
    publish stops and says how to keep the old id.
    """
    current = list(articles)
    slugs = {a.slug for a in current}
    vanished = {
        (e.published, _one_line(e.title)): e for e in entries.values() if e.slug not in slugs
    }
    if not vanished:
        return []
    errors = []
    for article in current:
        # Only a new article whose id was derived: an explicit id says the editor chose.
        if article.slug in entries or article.id != derived_id(id_base_url, article.slug):
            continue
        old = vanished.get((rfc3339(article.published), _one_line(article.title)))
        if old is not None:
            errors.append(
                InputError(
                    article.source.path,
                    article.source.line,
                    f"slug: {article.slug!r} looks like the published article {old.slug!r}"
                    f" renamed (same title and published time; see {shown}). To keep its id,"
                    f" add `id: {old.id}` to this article; to publish it as a new article,"
                    f" delete the {old.slug!r} line from {shown}",
                )
            )
    return errors
