"""The publish state: what a publish must remember to do only the work that changed, in one
SQLite database, ``<content>/.feedsmith-cache/state.sqlite``.

Each table is one idea:

- ``inputs``: every input file's identity (``layout.Identity``) and the digest of its bytes;
- ``files`` and ``articles``: what loading and validating each article file produced under
  one render context (feedsmith, the site, its templates), every article's planning fields
  as columns (id, slug, dates, draft, categories, digests), its record and its body HTML;
- ``outputs``: per output folder, each output's inputs digest, bytes digest, size and mtime,
  and each folder's mtime (see write.remove_stale_temporaries);
- ``runs``: per output folder, the last complete publish: the key of everything it saw, the
  range of ``--now`` for which the same articles are visible, and its report.

The state can never change the output, only the time a publish takes. Whatever it holds
(copied with the content, moved, restored from an older publish, truncated, written by another
feedsmith, shared by two output folders, deleted halfway), every value read from it is checked
against the files it describes: an input by its identity, or by its digest when the identity
cannot tell; an output by its stat, or by its bytes. A database that cannot be opened or read
is replaced; where none can be written (a read-only or full disk), the publish goes on with a
state in memory, and says so once.

Only the standard library is imported: a publish with nothing to do must stay cheap.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from feedsmith.errors import InputError
from feedsmith.layout import CACHE_DIR, STATE_FILE, Identity
from feedsmith.model import Category, Reference, Retraction, Source
from feedsmith.records import (
    ArticleDecoder,
    ArticleRecord,
    EncodedArticle,
    FileRecord,
    decode_warnings,
    encode_article,
    encode_warnings,
)

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE inputs (
    relpath TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER,
    inode INTEGER, digest TEXT NOT NULL);
CREATE TABLE contexts (context TEXT PRIMARY KEY, used_ns INTEGER NOT NULL);
CREATE TABLE files (
    context TEXT NOT NULL, relpath TEXT NOT NULL, digest TEXT NOT NULL,
    load_warnings TEXT NOT NULL, validate_warnings TEXT NOT NULL,
    PRIMARY KEY (context, relpath));
CREATE TABLE articles (
    context TEXT NOT NULL, relpath TEXT NOT NULL,
    number INTEGER NOT NULL, id TEXT NOT NULL, slug TEXT NOT NULL, title TEXT NOT NULL,
    published TEXT NOT NULL, updated TEXT NOT NULL, draft INTEGER NOT NULL,
    has_page INTEGER NOT NULL, retracted TEXT NOT NULL, categories TEXT NOT NULL,
    refs TEXT NOT NULL,
    line INTEGER NOT NULL,
    pinned TEXT, digest TEXT NOT NULL, entry_digest TEXT NOT NULL,
    record BLOB NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (context, relpath, number),
    FOREIGN KEY (context, relpath) REFERENCES files (context, relpath) ON DELETE CASCADE);
CREATE TABLE outputs (
    out TEXT NOT NULL, relpath TEXT NOT NULL, inputs TEXT, digest TEXT,
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    PRIMARY KEY (out, relpath));
CREATE TABLE runs (out TEXT PRIMARY KEY, key TEXT NOT NULL, report TEXT NOT NULL);
"""

RACY_NS = 2_000_000_000
"""A file modified within this long of being recorded may change again within the same mtime
tick without its identity changing (git's "racily clean" problem; some file systems keep
mtimes to 2 s): its identity is not kept, so the next publish compares its digest instead."""

KEPT_CONTEXTS = 3
"""How many render contexts (feedsmith, site, base_url, templates) keep article records."""

TICK_NS = 20_000_000
"""How long the kernel's file-time clock can stand still (one tick is at most 10 ms): a ctime
or a folder's mtime younger than this could still belong to a change made after it was
read."""

_UNTRUSTED = Identity(-3, 0, 0, 0)


class Damaged(Exception):
    """A record the state listed cannot be read back (damaged, or changed by another
    process): the publish starts again without the state."""


class Listed(NamedTuple):
    """One article as the plan sees it: the planning fields, without decoding its record."""

    relpath: str
    number: int
    id: str
    slug: str
    title: str
    published: datetime
    updated: datetime
    draft: bool
    has_page: bool
    retracted: Retraction | None  # withdrawn: in no feed or list, its page keeps a notice
    categories: tuple[Category, ...]
    references: tuple[Reference, ...]  # relative URLs it links, for the reference check
    source: Source
    pinned: str | None
    digest: str
    entry_digest: str


@dataclass(frozen=True, slots=True)
class StoredFile:
    """What the state holds of one valid article file."""

    digest: str
    load_warnings: tuple[InputError, ...]
    validate_warnings: tuple[InputError, ...]
    articles: tuple[Listed, ...]


class OutputRecord(NamedTuple):
    """An output file as the last publish into a folder left it; a folder has no digests."""

    inputs: str | None
    digest: str | None
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Run:
    """The last complete publish into one output folder."""

    key: str
    report: dict[str, Any]


class State:
    """An open publish state; see the module doc. ``note`` says why it is only in memory."""

    def __init__(self, connection: sqlite3.Connection, root: str, note: str | None) -> None:
        self._db = connection
        self._root = root  # the content folder as shown in messages: paths are kept relative
        self.note = note
        self._decoder = ArticleDecoder()

    # --- opening -----------------------------------------------------------------------

    @classmethod
    def open(cls, content_dir: Path, build: str) -> State:
        """The state of ``content_dir`` made under ``build``, else a new empty one."""
        root = content_dir.as_posix()
        folder = content_dir / CACHE_DIR
        path = folder / STATE_FILE
        try:
            _make_cache_dir(folder)
            connection = _connect(path, build)
        except (OSError, sqlite3.Error) as first:
            # Damaged, truncated, foreign or locked for good: start again from nothing.
            with contextlib.suppress(OSError):
                for stale in folder.glob(STATE_FILE + "*"):
                    stale.unlink()
            try:
                connection = _connect(path, build)
            except (OSError, sqlite3.Error):
                why = getattr(first, "strerror", None) or str(first)
                return cls(
                    _connect(Path(":memory:"), build),
                    root,
                    f"{folder.as_posix()}: cannot keep the publish state ({why}); publishing"
                    " without it (nothing is lost, later publishes are slower)",
                )
        return cls(connection, root, None)

    def close(self) -> None:
        self._db.close()

    # --- reading -------------------------------------------------------------------------

    def identities(self) -> dict[str, tuple[Identity, str]]:
        """Every input's recorded identity and digest."""
        return {
            row[0]: (Identity(row[1], row[2], row[3], row[4]), row[5])
            for row in self._read(
                "SELECT relpath, size, mtime_ns, ctime_ns, inode, digest FROM inputs"
            )
        }

    def run(self, out: str) -> Run | None:
        for key, report in self._read("SELECT key, report FROM runs WHERE out = ?", (out,)):
            with contextlib.suppress(ValueError):
                return Run(key, json.loads(report))
        return None

    def files(self, context: str) -> dict[str, StoredFile]:
        """Every article file validated under ``context``, with its articles' planning fields."""
        articles: dict[str, list[Listed]] = {}
        # Few distinct category lists across thousands of articles: each decoded once.
        categories: dict[str, tuple[Category, ...]] = {}
        decode = self._decoder.categories
        query = (
            "SELECT relpath, number, id, slug, title, published, updated, draft, has_page,"
            " retracted, categories, refs, line, pinned, digest, entry_digest FROM articles"
            " WHERE context = ? ORDER BY relpath, number"
        )
        parse = datetime.fromisoformat
        for row in self._read(query, (context,)):
            relpath, listed = row[0], row[10]
            shared = categories.get(listed)
            if shared is None:
                shared = decode(tuple(tuple(pair) for pair in json.loads(listed)))
                categories[listed] = shared
            articles.setdefault(relpath, []).append(
                Listed(
                    relpath, row[1], row[2], row[3], row[4], parse(row[5]), parse(row[6]),
                    bool(row[7]), bool(row[8]), _decode_retraction(row[9]), shared,
                    self._decoder.references(json.loads(row[11])) if row[11] else (),
                    Source(self._shown(relpath), row[12]), row[13], row[14], row[15],
                )
            )  # fmt: skip
        found: dict[str, StoredFile] = {}
        for relpath, file_digest, loads, validates in self._read(
            "SELECT relpath, digest, load_warnings, validate_warnings FROM files WHERE context = ?",
            (context,),
        ):
            try:
                found[relpath] = StoredFile(
                    file_digest,
                    self._warnings(relpath, loads),
                    self._warnings(relpath, validates),
                    tuple(articles.get(relpath, ())),
                )
            except (ValueError, TypeError):
                continue  # a damaged row: that file is just loaded again
        return found

    def records(
        self, context: str, wanted: Iterable[tuple[str, int]], bodies: bool = True
    ) -> dict[tuple[str, int], tuple[ArticleRecord, str]]:
        """The records of the articles ``wanted`` (file, number) validated under ``context``,
        decoded, with their body HTML ("" unless ``bodies``: lists show none, and it is most
        of what is kept)."""
        found: dict[tuple[str, int], tuple[ArticleRecord, str]] = {}
        keys = sorted(set(wanted))
        body_column = "body" if bodies else "''"
        wanted_keys = set(keys)
        relpaths = sorted({relpath for relpath, _ in keys})
        rows: list[Any] = []
        # By file, through the primary key's index ("relpath IN" uses it; an OR of pairs
        # makes SQLite scan); 400 at a time, within SQLite's limit on parameters.
        for start in range(0, len(relpaths), 400):
            chunk = relpaths[start : start + 400]
            marks = ", ".join("?" * len(chunk))
            rows += self._read(
                f"SELECT relpath, number, record, pinned, digest, entry_digest,"  # noqa: S608
                f" {body_column} FROM articles WHERE context = ? AND relpath IN ({marks})",
                [context, *chunk],
            )
        for relpath, number, blob, pinned, article_digest, entry_digest, body in rows:
            if (relpath, number) not in wanted_keys:
                continue
            try:
                encoded, summary = _SafeUnpickler.loads(blob)
            except Exception as exc:  # any damage to a stored value: see Damaged
                raise Damaged(relpath) from exc
            article = self._decoder.article(encoded)
            source = Source(self._shown(relpath), article.source.line)
            record = ArticleRecord(
                _with_source(article, source), pinned, summary, article_digest, entry_digest
            )
            found[(relpath, number)] = (record, body)
        missing = [key for key in keys if key not in found]
        if missing:
            raise Damaged(missing[0][0])
        return found

    def output_stats(self, out: str) -> list[tuple[str, int, int, bool]]:
        """Each output's (relative path, size, mtime, is a folder), as the last publish into
        ``out`` left it: all a publish with nothing to do compares, as plain rows."""
        return self._read(
            "SELECT relpath, size, mtime_ns, digest IS NULL FROM outputs WHERE out = ?", (out,)
        )

    def outputs(self, out: str) -> dict[str, OutputRecord]:
        return {
            row[0]: OutputRecord(*row[1:])
            for row in self._read(
                "SELECT relpath, inputs, digest, size, mtime_ns FROM outputs WHERE out = ?", (out,)
            )
        }

    def _read(self, query: str, params: Iterable[object] = ()) -> list[Any]:
        """Rows of a query; none where the database cannot answer (it is only a cache)."""
        try:
            return self._db.execute(query, tuple(params)).fetchall()
        except sqlite3.Error:
            return []

    def _shown(self, relpath: str) -> str:
        return f"{self._root}/{relpath}"

    def _warnings(self, relpath: str, stored: str) -> tuple[InputError, ...]:
        if not stored:
            return ()
        shown = self._shown(relpath)
        return decode_warnings(
            [(shown if p is None else p, line, m) for p, line, m in json.loads(stored)]
        )

    # --- writing -------------------------------------------------------------------------

    def forget_output_folder(self, out: str) -> None:
        """Everything about one output folder, which is gone (a preview's, removed on exit)."""
        with contextlib.suppress(sqlite3.Error), self._db:
            self._db.execute("DELETE FROM runs WHERE out = ?", (out,))
            self._db.execute("DELETE FROM outputs WHERE out = ?", (out,))

    def forget_run(self, out: str) -> None:
        """Before a publish changes anything in ``out``: if it is interrupted, the next one
        must not take the folder for complete (it would leave temporaries behind)."""
        with contextlib.suppress(sqlite3.Error), self._db:
            self._db.execute("DELETE FROM runs WHERE out = ?", (out,))

    def save(self, change: Change) -> str | None:
        """Keep what this publish learnt, in one transaction; a message if it could not."""
        db = self._db
        now_ns = change.now_ns
        try:
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO inputs VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        (
                            relpath,
                            *(
                                _UNTRUSTED
                                if racy(ident, now_ns) and relpath not in change.own
                                else ident
                            ),
                            file_digest,
                        )
                        for relpath, (ident, file_digest) in change.inputs.items()
                    ),
                )
                db.executemany(
                    "DELETE FROM inputs WHERE relpath = ?", ((r,) for r in change.gone_inputs)
                )
                db.executemany(
                    "DELETE FROM files WHERE context = ? AND relpath = ?",
                    ((change.context, r) for r in [*change.gone_files, *change.files]),
                )
                for relpath, record in change.files.items():
                    self._insert_file(relpath, change.context, record, change.body)
                # Records of a few contexts are kept: a preview (its own base_url) and the
                # real publish then do not render each other's articles again.
                db.execute(
                    "INSERT OR REPLACE INTO contexts VALUES (?, ?)", (change.context, now_ns)
                )
                kept = "SELECT context FROM contexts ORDER BY used_ns DESC LIMIT ?"
                db.execute(f"DELETE FROM files WHERE context NOT IN ({kept})", (KEPT_CONTEXTS,))  # noqa: S608
                db.execute(f"DELETE FROM contexts WHERE context NOT IN ({kept})", (KEPT_CONTEXTS,))  # noqa: S608
                db.executemany(
                    "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?)",
                    ((change.out, relpath, *row) for relpath, row in change.outputs.items()),
                )
                db.executemany(
                    "DELETE FROM outputs WHERE out = ? AND relpath = ?",
                    ((change.out, relpath) for relpath in change.gone_outputs),
                )
                if change.run is not None:
                    db.execute(
                        "INSERT OR REPLACE INTO runs VALUES (?, ?, ?)",
                        (change.out, change.run.key, json.dumps(change.run.report)),
                    )
        except sqlite3.Error as exc:
            return (
                f"{self._root}/{CACHE_DIR}: cannot save the publish state ({exc}); the output"
                " is complete, later publishes are slower"
            )
        return None

    def _insert_file(
        self, relpath: str, context: str, record: FileRecord, body: Callable[[str, int], str]
    ) -> None:
        shown = self._shown(relpath)
        self._db.execute(
            "INSERT INTO files VALUES (?, ?, ?, ?, ?)",
            (
                context,
                relpath,
                record.digest,
                _encode_warnings(record.load_warnings, shown),
                _encode_warnings(record.validate_warnings, shown),
            ),
        )
        self._db.executemany(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    context, relpath, number, a.article.id, a.article.slug, a.article.title,
                    a.article.published.isoformat(), a.article.updated.isoformat(),
                    a.article.draft, a.article.link is None,
                    _encode_retraction(a.article.retracted),
                    json.dumps([(c.name, c.slug) for c in a.article.categories]),
                    _encode_references(a.article.references), a.article.source.line,
                    a.pinned, a.digest, a.entry_digest,
                    pickle.dumps((encode_article(a.article), a.summary), protocol=5),
                    body(relpath, number),
                )
                for number, a in enumerate(record.articles)
            ),
        )  # fmt: skip


@dataclass
class Change:
    """What one publish adds to the state and takes from it (see ``State.save``)."""

    out: str
    context: str
    inputs: dict[str, tuple[Identity, str]]
    own: set[str]  # inputs this publish wrote itself (the ledger): their bytes are known
    now_ns: int  # when the inputs were read, to tell which identities are too recent to trust
    gone_inputs: list[str]
    files: dict[str, FileRecord]  # new records
    body: Callable[[str, int], str]  # the body HTML of a new record's article
    gone_files: list[str]
    outputs: dict[str, OutputRecord]
    gone_outputs: list[str]
    run: Run | None


def racy(identity: Identity, now_ns: int) -> bool:
    """Whether ``identity``, recorded at ``now_ns``, may not vouch for the bytes later."""
    return identity.mtime_ns >= now_ns - RACY_NS or identity.ctime_ns >= now_ns - TICK_NS


def _encode_retraction(retracted: Retraction | None) -> str:
    if retracted is None:
        return ""
    return json.dumps([retracted.date.isoformat(), retracted.reason])


def _decode_retraction(stored: str) -> Retraction | None:
    if not stored:
        return None
    when, reason = json.loads(stored)
    return Retraction(datetime.fromisoformat(when), reason)


def _encode_references(references: tuple[Reference, ...]) -> str:
    return json.dumps([(r.line, r.key, r.url) for r in references]) if references else ""


def _encode_warnings(warnings: tuple[InputError, ...], shown: str) -> str:
    # A warning about the file itself keeps no path: the folder may be shown otherwise later.
    if not warnings:
        return ""
    return json.dumps(
        [(None if p == shown else p, line, m) for p, line, m in encode_warnings(warnings)]
    )


def _with_source(article: Any, source: Source) -> Any:
    from dataclasses import replace

    return article if article.source == source else replace(article, source=source)


def _connect(path: Path, build: str) -> sqlite3.Connection:
    """A connection to a state made under ``build``; one made otherwise is emptied first."""
    connection = sqlite3.connect(os.fspath(path), isolation_level=None, check_same_thread=False)
    try:
        connection.isolation_level = "DEFERRED"  # ``with connection`` is one transaction
        connection.execute("PRAGMA foreign_keys = ON")
        if os.fspath(path) != ":memory:":
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")  # a cache: lose the last, not all
        connection.execute("PRAGMA busy_timeout = 10000")
        made = dict(_rows(connection, "SELECT key, value FROM meta"))
        if made.get("build") != build:
            with connection:
                for (table,) in _rows(
                    connection, "SELECT name FROM sqlite_master WHERE type = 'table'"
                ):
                    connection.execute(f"DROP TABLE IF EXISTS {table}")
                _create(connection)
                connection.execute("INSERT INTO meta VALUES ('build', ?)", (build,))
        connection.execute("SELECT count(*) FROM articles").fetchone()  # readable at all?
    except BaseException:
        connection.close()
        raise
    return connection


def _create(connection: sqlite3.Connection) -> None:
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            connection.execute(statement)


def _rows(connection: sqlite3.Connection, query: str) -> Iterator[Any]:
    try:
        yield from connection.execute(query).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise


def _make_cache_dir(folder: Path) -> None:
    """The cache folder, created if needed; raises ``OSError`` where it cannot be."""
    if folder.is_dir():
        return
    folder.mkdir()
    # Keep the state out of commits and backups, as pytest and mypy do with their caches.
    (folder / ".gitignore").write_text("# Made by feedsmith publish.\n*\n", encoding="utf-8")
    (folder / "CACHEDIR.TAG").write_text(
        "Signature: 8a477f597d28d172789f06886806bc55\n"
        "# feedsmith's cache: safe to delete; see https://bford.info/cachedir/\n",
        encoding="utf-8",
    )


class _SafeUnpickler(pickle.Unpickler):
    """Unpickles plain values and datetimes only, never any other global.

    The state sits in the content folder, which may come from other people: a planted record
    must not be able to run code. This is the "restricting globals" recipe of the pickle
    documentation; anything else is refused and that article is loaded again.
    """

    _ALLOWED = frozenset(
        {("datetime", "datetime"), ("datetime", "timezone"), ("datetime", "timedelta")}
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing {module}.{name} in the publish state")

    @classmethod
    def loads(cls, blob: bytes) -> tuple[EncodedArticle, str]:
        import io

        value: tuple[EncodedArticle, str] = cls(io.BytesIO(blob)).load()
        return value
