"""The persistent cache that makes republishing a large archive fast (issue 5).

It lives in ``<content>/.feedsmith-cache/`` (a ``.gitignore`` inside keeps it out of commits,
a ``CACHEDIR.TAG`` out of backups), never in ``--out``: nothing in it can be published, and
publish's rule "never delete a file in --out it did not write" is not touched by it. Deleting
the folder is always safe; the next publish is a cold one. Its files:

- ``index.pickle``: per article file, its stat, the digest of its bytes and what loading and
  validating it produced (the articles without their bodies, warnings, digests of what pages
  and feeds show); per output file, a digest of the inputs it was rendered from and of the bytes
  it became; and the body HTML of the articles that feeds carry. Everything is stored under one
  key covering feedsmith's version and source, the templates, Python's version and the site
  settings, so a change to any of them discards it whole.
- ``index-delta.pickle``: what changed since ``index.pickle`` was written, while that is
  little (see ``_Base``), so that a small edit does not rewrite the whole index.
- ``stamp-<out>.json``: the fingerprint of the last successful publish into one ``--out``: the
  stat of every input and output, the options, and the range of ``--now`` for which the same
  articles are visible. When everything still matches, publish is a no-op (the fast path) and
  the heavy libraries are never imported.

Only the standard library is imported here: the fast path must stay cheap. Correctness never
depends on the cache: every entry is checked against the file it describes (stat, then the
digest of its bytes when the stat alone cannot be trusted), and output reuse is checked by
``write.write_outputs`` against the bytes on disk (see ``write.Deferred``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import secrets
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from feedsmith.errors import InputError
from feedsmith.model import (
    Article,
    Author,
    BodyFormat,
    Category,
    Correction,
    Enclosure,
    Retraction,
    Source,
)

CACHE_DIR_NAME = ".feedsmith-cache"
_INDEX_NAME = "index.pickle"
_DELTA_NAME = "index-delta.pickle"
_DELTA_MIN = 256  # entries a delta may always hold, however small the index
_FORMAT = 2
"""Bump when the layout of anything stored here changes."""

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
"""Hashed into the cache key; a test points this at a modified copy of the templates."""

INPUT_FOLDERS = ("articles", "static")
INPUT_FILES = ("site.yaml", "feedsmith.lock")

# A file modified within this many nanoseconds of being recorded may change again within the
# same mtime tick without its stat changing (git's "racily clean" problem); such entries are
# trusted only after re-reading the file.
_RACY_NS = 2_000_000_000

Stat = tuple[int, int, int]
"""(size, mtime_ns, inode) of a file: when all three are as recorded, so are its bytes."""


def digest(data: bytes) -> str:
    """Content digest of the cache and of write.py's manifest."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def digest_text(*parts: object) -> str:
    """Digest of values whose ``repr`` is deterministic (model values, tuples, strings)."""
    return digest(repr(parts).encode("utf-8", "surrogatepass"))


def page_digest(page_key: str, article_digest: str) -> str:
    """The inputs digest of an article's page: everything it shows, and how it is rendered."""
    # Both are hex digests: joined with NULs they are unambiguous without digest_text's repr,
    # and a republish computes this for every article (issue 5).
    return digest(f"article page\0{page_key}\0{article_digest}".encode())


def cache_dir(content_dir: Path) -> Path:
    return content_dir / CACHE_DIR_NAME


def feedsmith_version() -> str:
    """The installed feedsmith's version (read at call time, so tests can change it)."""
    import feedsmith

    return str(feedsmith.__version__)


def source_digest() -> str:
    """Digest of feedsmith's own code and templates: a change to either invalidates the cache.

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
    """What every cache entry depends on besides the content: feedsmith and Python."""
    return digest_text(_FORMAT, feedsmith_version(), source_digest(), sys.version_info[:3])


# --- scanning the inputs ------------------------------------------------------------------


def scan_inputs(content_dir: Path) -> dict[str, Stat]:
    """Every input file's stat, by path relative to ``content_dir`` (posix), sorted.

    Covers site.yaml, the ledger and everything under articles/ and static/, hidden files and
    links too: looking at more than load.py reads can only cause an unneeded publish, never a
    missed one. Symbolic links to folders are followed (load.py follows those that stay inside
    the content folder), each real folder once.
    """
    found: dict[str, Stat] = {}
    for name in INPUT_FILES:
        with contextlib.suppress(OSError):
            found[name] = stat_of((content_dir / name).stat())
    walked: set[tuple[int, int]] = set()
    for folder in INPUT_FOLDERS:
        _scan_folder(f"{content_dir}/{folder}", folder, found, walked)
    return dict(sorted(found.items()))


# The loops over every input and output file use os.stat and os.scandir on plain strings: for
# 10,000 files, building Path objects would cost a good part of the no-change publish's budget.


def _scan_folder(
    folder: str, relative: str, found: dict[str, Stat], walked: set[tuple[int, int]]
) -> None:
    try:
        stat = os.stat(folder)  # noqa: PTH116 - a hot loop (see above)
        if (stat.st_dev, stat.st_ino) in walked:
            return
        walked.add((stat.st_dev, stat.st_ino))
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        child = f"{relative}/{entry.name}"
        try:
            if entry.is_dir():
                found[child] = (-2, 0, 0)  # an empty folder appearing counts too
                _scan_folder(entry.path, child, found, walked)
            else:
                found[child] = stat_of(entry.stat())
        except OSError:
            # A dangling link, or a file removed while scanning: noted all the same, so that
            # its repair or reappearance changes the fingerprint.
            found[child] = (-1, 0, 0)


def stat_of(stat: os.stat_result) -> Stat:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def read_with_stat(path: str) -> tuple[os.stat_result, bytes]:
    """A file's stat and bytes in five system calls, where Path.stat and read_bytes make eight.

    The stat is taken before reading: if the file changes in between, the recorded stat is
    the older one and the next publish reads the file again.
    """
    handle = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        stat = os.fstat(handle)
        chunks = []
        while chunk := os.read(handle, max(stat.st_size + 1, 65536)):
            chunks.append(chunk)
    finally:
        os.close(handle)
    return stat, b"".join(chunks)


# --- the fast path's stamp ------------------------------------------------------------------


class OutputStats(NamedTuple):
    """The stat of every output, as three columns: read from JSON by every no-change publish,
    three long lists parse faster than 20,000 short ones and need no conversion."""

    relpaths: list[str]
    sizes: list[int]
    mtimes_ns: list[int]


@dataclass(frozen=True, slots=True)
class Stamp:
    """What the last successful publish into one ``--out`` saw and produced."""

    key: str  # options, build key and inputs
    timezone: str  # the site's, to read a --now without offset
    visible_from: datetime | None  # latest published time among visible articles
    visible_until: datetime | None  # earliest published time of a scheduled article
    articles: int
    files: int
    warnings: tuple[InputError, ...]
    outputs: OutputStats


def run_key(build: str, options_key: Sequence[object], inputs: Mapping[str, Stat]) -> str:
    """Fingerprint of one publish: feedsmith itself (build_key), options, every input's stat."""
    return digest_text(build, tuple(options_key), tuple(inputs.items()))


def _stamp_path(content_dir: Path, out_dir: Path) -> Path:
    return cache_dir(content_dir) / f"stamp-{digest_text(str(out_dir.resolve()))[:16]}.json"


def read_stamp(content_dir: Path, out_dir: Path) -> Stamp | None:
    try:
        raw = json.loads(_stamp_path(content_dir, out_dir).read_bytes())
        return Stamp(
            key=str(raw["key"]),
            timezone=str(raw["timezone"]),
            visible_from=_instant(raw["from"]),
            visible_until=_instant(raw["until"]),
            articles=int(raw["articles"]),
            files=int(raw["files"]),
            warnings=tuple(InputError(str(p), line, str(m)) for p, line, m in raw["warnings"]),
            outputs=_output_stats(raw["outputs"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def quiet_folders(out_dir: Path, stamp: Stamp | None) -> dict[str, list[str]]:
    """The output folders in which no entry appeared or vanished since the stamped publish,
    each with its subfolders that publish knew of (see write.remove_stale_temporaries).

    A stamp exists only after a publish that completed, leaving no temporary file, and a file
    appearing in a folder changes the folder's mtime: a folder with its stamped mtime holds no
    temporary. One stat per folder replaces listing it (at 100,000 articles: 0.3 s, not 1.1 s).
    """
    if stamp is None:
        return {}
    outputs = stamp.outputs
    parents = {str(relpath).rpartition("/")[0] for relpath in outputs.relpaths}
    root = os.fspath(out_dir)
    quiet: dict[str, list[str]] = {}
    for relpath, mtime_ns in zip(outputs.relpaths, outputs.mtimes_ns, strict=True):
        if relpath not in parents:
            continue  # a file
        try:
            stat = os.stat(f"{root}/{relpath}")  # noqa: PTH116 - a hot loop (see above)
        except OSError:
            continue
        if stat.st_mtime_ns == mtime_ns:
            quiet[relpath] = []
    for folder in parents:
        parent = folder.rpartition("/")[0]
        if folder and parent in quiet:
            quiet[parent].append(folder)
    return quiet


def _output_stats(raw: object) -> OutputStats:
    if not (isinstance(raw, list) and len(raw) == 3 and all(isinstance(c, list) for c in raw)):
        raise ValueError("not three columns")
    if not len(raw[0]) == len(raw[1]) == len(raw[2]):
        raise ValueError("columns of different lengths")
    return OutputStats(*raw)


def _instant(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def outputs_intact(out_dir: Path, outputs: OutputStats) -> bool:
    """Whether every output file is still exactly as the stamped publish left it.

    A damaged stamp (values of the wrong type) compares unequal somewhere and so just means a
    real publish.
    """
    root = os.fspath(out_dir)
    for relpath, size, mtime_ns in zip(*outputs, strict=True):
        try:
            stat = os.stat(f"{root}/{relpath}")  # noqa: PTH116 - a hot loop (see above)
        except OSError:
            return False
        if stat.st_size != size or stat.st_mtime_ns != mtime_ns:
            return False
    return True


def stat_outputs(out_dir: Path, files: Mapping[str, tuple[int, int]]) -> OutputStats:
    """The stat of every output file, as the writer left them (``files``: size and mtime),
    and of every folder holding one.

    A folder's mtime changes when a file appears in it: that is how the fast path notices a
    temporary file an interrupted publish left behind, which a publish must remove (SPEC).
    """
    root = os.fspath(out_dir)
    folders = sorted({relpath.rpartition("/")[0] for relpath in files} | {""})
    stats = OutputStats(
        [*files, *folders],
        [size for size, _ in files.values()],
        [mtime_ns for _, mtime_ns in files.values()],
    )
    for folder in folders:
        stat = os.stat(f"{root}/{folder}")  # noqa: PTH116 - a hot loop (see above)
        stats.sizes.append(stat.st_size)
        stats.mtimes_ns.append(stat.st_mtime_ns)
    return stats


def write_stamp(content_dir: Path, out_dir: Path, stamp: Stamp) -> None:
    """Record a successful publish; silently skipped where the content folder is read-only."""
    payload = {
        "key": stamp.key,
        "timezone": stamp.timezone,
        "from": stamp.visible_from.isoformat() if stamp.visible_from else None,
        "until": stamp.visible_until.isoformat() if stamp.visible_until else None,
        "articles": stamp.articles,
        "files": stamp.files,
        "warnings": [[w.path, w.line, w.message] for w in stamp.warnings],
        "outputs": stamp.outputs,
    }
    _save(content_dir, _stamp_path(content_dir, out_dir), json.dumps(payload).encode())


def remove_stamp(content_dir: Path, out_dir: Path) -> None:
    """Forget the last publish before starting another.

    A publish interrupted from here on may leave temporaries or half-renamed outputs; without
    a stamp the next run is a full publish, which cleans them up (SPEC: temporary files).
    """
    with contextlib.suppress(OSError):
        _stamp_path(content_dir, out_dir).unlink()


# --- the index -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CachedArticle:
    """One validated, rendered article, without its body (what lists, feeds and pages need)."""

    article: Article  # body is "": nothing after rendering reads it
    pinned: str | None  # the ledger's id for its slug when validated (ids depend on it)
    summary: str
    digest: str  # of everything its page and feed entries show, body HTML included
    entry_digest: str  # of what the index and category pages show (no body HTML)


@dataclass(frozen=True, slots=True)
class CachedFile:
    """What loading, validating and rendering one article file produced."""

    stat: Stat
    digest: str  # of the file's bytes
    racy: bool  # recorded too soon after a change for the stat alone to be trusted
    load_warnings: tuple[InputError, ...]
    validate_warnings: tuple[InputError, ...]
    articles: tuple[CachedArticle, ...]
    # This entry as stored, when it was decoded from storage: saving the index again then
    # costs nothing for the thousands of entries a publish did not change.
    encoded: EncodedFile | None = field(default=None, compare=False, repr=False)

    def recorded_at(self, now_ns: int) -> CachedFile:
        """This entry, re-marked racy or not as of ``now_ns``."""
        racy = self.stat[1] >= now_ns - _RACY_NS
        if racy == self.racy:
            return self
        return CachedFile(
            self.stat,
            self.digest,
            racy,
            self.load_warnings,
            self.validate_warnings,
            self.articles,
        )


@dataclass
class Index:
    """The cache's contents for one site context (see the module doc)."""

    key: str
    files: dict[str, CachedFile] = field(default_factory=dict)
    outputs: dict[str, tuple[str, str]] = field(default_factory=dict)  # inputs, bytes digests
    bodies: dict[str, str] = field(default_factory=dict)  # article digest -> body HTML
    base: _Base | None = None  # what index.pickle holds, when this was loaded from it


@dataclass(frozen=True)
class _Base:
    """The contents of index.pickle, which index-delta.pickle (if any) amends.

    Rewriting the whole index after an edit of one article cost 0.11 s at 10,000 articles
    and 1.4 s at 100,000; the delta holds only what differs from the base, so a small change
    writes a small file. Once the delta grows past an eighth of the base, the base is written
    anew and the delta dropped. The same objects are in the base's dicts and the Index's for
    everything the delta did not replace, so comparing with the base is mostly by identity.
    """

    token: str  # names this base; a delta applies to the base whose token it carries
    files: dict[str, CachedFile]
    outputs: dict[str, tuple[str, str]]
    bodies: dict[str, str]


def is_racy(mtime_ns: int, now_ns: int | None = None) -> bool:
    return mtime_ns >= (time.time_ns() if now_ns is None else now_ns) - _RACY_NS


def load_index(content_dir: Path, key: str) -> Index:
    """The stored index if it was made under ``key``, else an empty one."""
    try:
        raw = _load(cache_dir(content_dir) / _INDEX_NAME)
        if not isinstance(raw, tuple) or len(raw) != 6 or raw[0] != _FORMAT or raw[1] != key:
            return Index(key)
        decoder = ArticleDecoder()
        base = _Base(raw[2], _decode_files(raw[3], decoder), dict(raw[4]), dict(raw[5]))
    except Exception:  # a damaged or foreign cache is just a cold start
        return Index(key)
    index = Index(key, dict(base.files), dict(base.outputs), dict(base.bodies), base)
    try:
        delta = _load(cache_dir(content_dir) / _DELTA_NAME)
        if isinstance(delta, tuple) and len(delta) == 9 and delta[:3] == (_FORMAT, key, base.token):
            _apply_delta(index, delta[3:], decoder)
    except FileNotFoundError:
        pass
    except Exception:  # a damaged delta: the base alone is older, never wrong
        # Every entry is checked against the file it describes before use (module doc).
        index = Index(key, dict(base.files), dict(base.outputs), dict(base.bodies), base)
    return index


def _load(path: Path) -> object:
    with path.open("rb") as handle:
        return _SafeUnpickler(handle).load()


def _apply_delta(index: Index, delta: tuple[Any, ...], decoder: ArticleDecoder) -> None:
    changed_files, removed_files, changed_outputs, removed_outputs, changed_bodies, removed = delta
    index.files.update(_decode_files(changed_files, decoder))
    for relpath in removed_files:
        index.files.pop(relpath, None)
    index.outputs.update(changed_outputs)
    for relpath in removed_outputs:
        index.outputs.pop(relpath, None)
    index.bodies.update(changed_bodies)
    for article_digest in removed:
        index.bodies.pop(article_digest, None)


class _SafeUnpickler(pickle.Unpickler):
    """Unpickles plain values and datetimes only, never any other global.

    The cache sits in the content folder, which may come from other people: a planted
    index.pickle must not be able to run code (issue 4: nothing executed). This is the
    "restricting globals" recipe of the pickle documentation; anything else is refused and the
    publish simply starts cold.
    """

    _ALLOWED = frozenset(
        {("datetime", "datetime"), ("datetime", "timezone"), ("datetime", "timedelta")}
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing {module}.{name} in the cache")


def save_index(content_dir: Path, index: Index) -> None:
    """Store ``index``: as a delta to the base it was loaded from when that is small."""
    base = index.base
    if base is not None:
        files = {rp: e for rp, e in index.files.items() if base.files.get(rp) is not e}
        outputs = {k: v for k, v in index.outputs.items() if base.outputs.get(k) != v}
        bodies = {k: v for k, v in index.bodies.items() if base.bodies.get(k) is not v}
        removed_files = [rp for rp in base.files if rp not in index.files]
        removed_outputs = [k for k in base.outputs if k not in index.outputs]
        removed_bodies = [k for k in base.bodies if k not in index.bodies]
        size = len(files) + len(removed_files) + len(outputs) + len(removed_outputs)
        if size + len(bodies) + len(removed_bodies) <= max(_DELTA_MIN, len(index.files) // 8):
            delta = (
                *(_FORMAT, index.key, base.token),
                *(_encode_files(files), removed_files, outputs, removed_outputs),
                *(bodies, removed_bodies),
            )
            _save(content_dir, cache_dir(content_dir) / _DELTA_NAME, pickle.dumps(delta, 5))
            return
    token = secrets.token_hex(8)
    whole = (_FORMAT, index.key, token, _encode_files(index.files), index.outputs, index.bodies)
    _save(content_dir, cache_dir(content_dir) / _INDEX_NAME, pickle.dumps(whole, protocol=5))
    # The old delta names the old base's token: harmless if this removal fails or is cut short.
    with contextlib.suppress(OSError):
        (cache_dir(content_dir) / _DELTA_NAME).unlink()
    index.base = _Base(token, dict(index.files), dict(index.outputs), dict(index.bodies))


def make_cache_dir(content_dir: Path) -> Path:
    """The cache folder, created if needed; raises ``OSError`` where it cannot be."""
    folder = cache_dir(content_dir)
    if not folder.is_dir():
        folder.mkdir()
        # Keep the cache out of commits and backups, as pytest and mypy do with theirs.
        (folder / ".gitignore").write_text("# Made by feedsmith publish.\n*\n", encoding="utf-8")
        (folder / "CACHEDIR.TAG").write_text(
            "Signature: 8a477f597d28d172789f06886806bc55\n"
            "# feedsmith's cache: safe to delete; see https://bford.info/cachedir/\n",
            encoding="utf-8",
        )
    return folder


def _save(content_dir: Path, target: Path, data: bytes) -> None:
    """Write one cache file atomically; a read-only content folder just goes without a cache."""
    folder = cache_dir(content_dir)
    temporary = folder / f".tmp-{secrets.token_hex(6)}"
    try:
        make_cache_dir(content_dir)
        temporary.write_bytes(data)
        temporary.replace(target)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()


# Articles are stored (and sent back from worker processes) as plain tuples: unpickling 10,000
# frozen slotted dataclasses goes through their __setstate__ field by field and costs several
# times more than building them; exceptions (InputError) do not survive pickling at all.
EncodedWarning = tuple[str, int | None, str]
EncodedArticle = tuple[
    str, str, str, datetime, datetime, str, str, int, str | None,
    tuple[tuple[str, str | None, str | None], ...], tuple[tuple[str, str], ...],
    str | None, str | None, tuple[tuple[str, int, str], ...], bool, str | None,
    tuple[tuple[datetime, str], ...], tuple[datetime, str | None] | None,
]
EncodedCachedArticle = tuple[EncodedArticle, str | None, str, str, str]
EncodedFile = tuple[
    Stat, str, bool, tuple[EncodedWarning, ...], tuple[EncodedWarning, ...],
    tuple[EncodedCachedArticle, ...],
]


def encode_warnings(warnings: Sequence[InputError]) -> tuple[EncodedWarning, ...]:
    return tuple((w.path, w.line, w.message) for w in warnings)


def decode_warnings(raw: Sequence[EncodedWarning]) -> tuple[InputError, ...]:
    return tuple(InputError(*w) for w in raw) if raw else ()


def encode_file(entry: CachedFile) -> EncodedFile:
    if entry.encoded is not None:
        return entry.encoded
    return (
        entry.stat,
        entry.digest,
        entry.racy,
        encode_warnings(entry.load_warnings),
        encode_warnings(entry.validate_warnings),
        tuple(
            (encode_article(c.article), c.pinned, c.summary, c.digest, c.entry_digest)
            for c in entry.articles
        ),
    )


def _encode_files(files: Mapping[str, CachedFile]) -> list[tuple[str, EncodedFile]]:
    return [(relpath, encode_file(entry)) for relpath, entry in files.items()]


def _decode_files(
    raw: list[tuple[str, EncodedFile]], decoder: ArticleDecoder
) -> dict[str, CachedFile]:
    return {relpath: decoder.file(encoded) for relpath, encoded in raw}


def encode_article(a: Article) -> EncodedArticle:
    """An article as a tuple of plain values, without its body (also hashed for digests)."""
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
        tuple((c.date, c.text) for c in a.corrections),
        (a.retracted.date, a.retracted.reason) if a.retracted else None,
    )


_BODY_FORMATS = {f.value: f for f in BodyFormat}  # a dict lookup; BodyFormat(value) costs more


class ArticleDecoder:
    """Rebuilds cached files and articles, sharing equal author and category tuples."""

    def __init__(self) -> None:
        self._authors: dict[tuple[tuple[str, str | None, str | None], ...], tuple[Author, ...]]
        self._authors = {}
        self._categories: dict[tuple[tuple[str, str], ...], tuple[Category, ...]] = {}

    def file(self, raw: EncodedFile) -> CachedFile:
        stat, file_digest, racy, load_warnings, validate_warnings, articles = raw
        return CachedFile(
            stat,
            file_digest,
            racy,
            decode_warnings(load_warnings),
            decode_warnings(validate_warnings),
            tuple(
                CachedArticle(self.article(a), pinned, summary, d, e)
                for a, pinned, summary, d, e in articles
            ),
            raw,
        )

    def article(self, raw: EncodedArticle) -> Article:
        (
            article_id, slug, title, published, updated, body_format, path, line, summary,
            authors, categories, link, image, enclosures, draft, language, corrections,
            retracted,
        ) = raw
        shared_authors = self._authors.get(authors)
        if shared_authors is None:
            shared_authors = tuple(Author(*x) for x in authors)
            self._authors[authors] = shared_authors
        shared_categories = self._categories.get(categories)
        if shared_categories is None:
            shared_categories = tuple(Category(*c) for c in categories)
            self._categories[categories] = shared_categories
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
            categories=shared_categories,
            link=link,
            image=image,
            enclosures=tuple(Enclosure(*e) for e in enclosures) if enclosures else (),
            draft=draft,
            language=language,
            corrections=tuple(Correction(*c) for c in corrections) if corrections else (),
            retracted=Retraction(*retracted) if retracted else None,
        )
