"""Stage 1, load: content files -> located YAML values, and the walks that find them. The only
module that parses YAML; the bytes of article files come from ``layout.read_with_stat``, with
the identity the publish state records for them.

YAML is composed into nodes and turned into values here rather than by PyYAML's constructor,
for three reasons: every value keeps the line it came from (errors name it), no tag can build
a Python object (only the YAML core schema is accepted), and alias expansion is counted so a
"billion laughs" file is refused in milliseconds instead of eating the machine (issue 4).
"""

from __future__ import annotations

import codecs
import functools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from feedsmith.errors import InputError
from feedsmith.layout import ARTICLES_DIR, STATIC_DIR

# libyaml is ~40x faster on article-sized files (issue 2); the pure-Python loader is the fallback.
try:
    from yaml import CSafeLoader as _SafeLoader

    _LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

    _LIBYAML = False


class _Loader(_SafeLoader):
    """The safe loader with the resolver's per-node work cut down (issue 5); same tags.

    The safe loader has no path resolvers, so descending into and out of collections does
    nothing, and a plain scalar's tag depends on its text alone: the resolver's regular
    expressions run once per distinct text (keys, true, 3, ...), not once per node.
    """

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        # BaseResolver.resolve without path resolvers: only a plain scalar (implicit[0]) is
        # matched against the implicit resolvers; every other node gets its kind's default.
        if kind is yaml.ScalarNode:
            return _plain_scalar_tag(value) if implicit[0] else self.DEFAULT_SCALAR_TAG
        if kind is yaml.SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        return self.DEFAULT_MAPPING_TAG

    def descend_resolver(self, current_node: yaml.Node | None, current_index: object) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


_RESOLVER = yaml.resolver.Resolver()


@functools.lru_cache(maxsize=4096)
def _plain_scalar_tag(value: str) -> str:
    """The tag the resolver gives a plain scalar written ``value`` (the other flag is unused)."""
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return tag


ARTICLE_SUFFIXES = (".yaml", ".yml")


# Nodes visited while turning one file into values; aliases count each time they are expanded.
# A 2,000-category article is ~2,000 nodes; an alias bomb is billions.
MAX_NODES_PER_FILE = 1_000_000
# Articles are two or three levels deep; anything past this is a mistake or an attack.
MAX_DEPTH = 50
# Warnings about removed characters per file, each on its own line; the rest are counted.
MAX_CHARACTER_WARNINGS = 10

# Characters XML 1.0 forbids (and PyYAML refuses to read): removed with a warning (SPEC).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# XML 1.0 (2.2) discourages DEL and the C1 controls, HTML forbids them, and readers that take
# a title as HTML turn U+0080 into "€" (windows-1252). YAML cannot read them written literally,
# only as escapes ("\x80"). Invisible junk from copy-paste either way: removed with a warning
# like the forbidden ones (issue 4).
_UNREADABLE = re.compile("[\x7f-\x84\x86-\x9f]")
_REMOVED_LITERALLY = re.compile(f"{_FORBIDDEN.pattern}|{_UNREADABLE.pattern}")
# Every character _REMOVED_LITERALLY finds has one of these bytes in its UTF-8 (surrogatepass):
# the controls themselves, and the lead bytes of U+0080-U+009F (C2), of the surrogates (ED) and
# of U+FFFE and U+FFFF (EF). bytes.translate deleting all other bytes tells whether a file has
# any such byte 4x faster than the regular expression searches its text (issue 5).
_SUSPECT_BYTES = frozenset([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0xC2, 0xED, 0xEF])
_INNOCENT_BYTES = bytes(b for b in range(256) if b not in _SUSPECT_BYTES)
_UNCARRIED = re.compile(f"{_FORBIDDEN.pattern}|[\x7f-\x9f]")

_CORE_TAG = "tag:yaml.org,2002:"
_SCALAR_KINDS = {"str", "int", "float", "bool", "null", "timestamp"}

Scalar = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Raw:
    """A YAML value with the 1-based line it starts on.

    ``kind`` is the YAML core type: str, int, float, bool, null, timestamp (value kept as the
    text written, so validation can parse it with the site's time zone), seq or map.
    """

    value: Scalar | list[Raw] | dict[str, Raw]
    line: int
    kind: str


@dataclass(frozen=True, slots=True)
class RawFile:
    """One content file: its path as shown to the user and its YAML documents.

    ``escapes`` is False when no value can hold a character ``has_forbidden`` finds, so
    validation need not look: those written literally were removed on reading (a NEL, which
    YAML reads as a line break, never reaches a value), and the file has no "\\" that could
    start an escape such as "\\x01".
    """

    path: str
    documents: tuple[Raw, ...]
    escapes: bool = True


def find_article_files(
    content_dir: Path, errors: list[InputError] | None = None
) -> list[Path]:
    """Every article file under ``articles/``, in a machine-independent order (sorted by path).

    Links leading outside the content folder are not followed (see ``_walk``); they are
    reported in ``errors`` when it is given.
    """
    return [Path(path) for _, path in _article_files(content_dir, errors)]


def find_article_relpaths(
    content_dir: Path, errors: list[InputError] | None = None
) -> list[str]:
    """``find_article_files`` as posix paths relative to ``content_dir``, with no Path object
    per file (a republish of 10,000 articles needs only these)."""
    return [f"{ARTICLES_DIR}/{relative}" for relative, _ in _article_files(content_dir, errors)]


def _article_files(
    content_dir: Path, errors: list[InputError] | None
) -> list[tuple[str, str]]:
    found = _walk(content_dir / ARTICLES_DIR, content_dir, errors)
    return [(rel, path) for rel, path in sorted(found) if path.endswith(ARTICLE_SUFFIXES)]


def find_static_files(
    content_dir: Path, errors: list[InputError] | None = None
) -> list[tuple[str, Path]]:
    """Files under ``static/`` to copy as they are: (path relative to static/, file), sorted."""
    found = _walk(content_dir / STATIC_DIR, content_dir, errors)
    return [(relative, Path(path)) for relative, path in sorted(found)]


def _walk(
    root: Path, content_dir: Path, errors: list[InputError] | None
) -> Iterator[tuple[str, str]]:
    """Regular files under ``root``, skipping hidden names (editors' swap and backup files).

    Each as (path relative to ``root`` in posix form, path): what
    ``path.relative_to(root).as_posix()`` gives at a tenth of the cost, and no Path object.

    A symbolic link is followed only if it stays inside the content folder: one that leads
    elsewhere would publish files from outside it (``static/x -> ~/.ssh/id_rsa``), so it is
    an error (issue 4). Folders reached twice through links are walked once.
    """
    if not root.is_dir():
        return
    # The content folder, and the walked folder itself (content/articles may be a link to a
    # shared checkout): what the editor chose to publish.
    inside = (content_dir.resolve(), root.resolve())
    walked: set[Path] = set()
    pending = [(root, "")]
    while pending:
        folder, relative = pending.pop()
        real = folder.resolve()
        if real in walked:
            continue
        walked.add(real)
        # scandir: the entry's type comes with its name, where Path.iterdir() then is_dir()
        # and is_file() cost two stat calls per file, a third of walking 10,000 articles.
        with os.scandir(folder) as scanned:
            entries = sorted(
                (e for e in scanned if not e.name.startswith(".")), key=lambda e: e.name
            )
        for entry in entries:
            if entry.is_symlink() and not any(
                (folder / entry.name).resolve().is_relative_to(i) for i in inside
            ):
                if errors is not None:
                    errors.append(
                        InputError(
                            (folder / entry.name).as_posix(),
                            None,
                            "symbolic link to outside the content folder, not followed:"
                            " copy the file into the content folder instead",
                        )
                    )
                continue
            if entry.is_dir():
                pending.append((folder / entry.name, f"{relative}{entry.name}/"))
            elif entry.is_file():
                yield f"{relative}{entry.name}", entry.path


def load_file(
    path: Path, shown: str, errors: list[InputError], warnings: list[InputError]
) -> RawFile | None:
    """Read and parse one file; problems are appended to ``errors``/``warnings``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        errors.append(InputError(shown, None, f"cannot read: {exc.strerror}"))
        return None
    return parse_text(data, shown, errors, warnings)


def parse_text(
    data: bytes, shown: str, errors: list[InputError], warnings: list[InputError]
) -> RawFile | None:
    """Decode and parse one file's bytes into located values (pure; no I/O)."""
    try:
        # utf-8-sig drops a byte-order mark, which some Windows editors write. surrogatepass
        # lets an encoded lone surrogate through so it is removed with a warning below, as the
        # SPEC says for every character XML forbids.
        text = data.decode("utf-8-sig", errors="surrogatepass")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.append(
            InputError(
                shown,
                line,
                f"not UTF-8 text (byte 0x{data[exc.start]:02x}): save the file as UTF-8",
            )
        )
        return None
    source: str | bytes = text
    if data.translate(None, _INNOCENT_BYTES):
        source = text = _remove_forbidden(text, shown, warnings)
    elif not data.startswith(codecs.BOM_UTF8):
        # Nothing to remove: libyaml reads these bytes, not ``text`` encoded to them again.
        source = data
    try:
        nodes = _compose_all(source, text)
    except yaml.MarkedYAMLError as exc:
        errors.append(_syntax_error(shown, exc, text))
        return None
    except yaml.YAMLError as exc:  # pragma: no cover - unreadable characters were removed above
        errors.append(InputError(shown, None, f"YAML error: {' '.join(str(exc).split())}"))
        return None
    documents: list[Raw] = []
    for node in nodes:
        if node is None:
            continue
        _warn_joined_lines(node, shown, warnings)
        try:
            documents.append(_document(node, shown))
        except InputError as exc:
            errors.append(exc)
            return None
    return RawFile(shown, tuple(documents), escapes="\\" in text)


def _warn_joined_lines(root: yaml.Node, shown: str, warnings: list[InputError]) -> None:
    """An article's text written on several lines without ``|``: valid YAML, which joins the
    lines into one (a blank line becomes a line break), and never what the editor meant."""
    items = root.value if isinstance(root, yaml.SequenceNode) else [root]
    for item in items:
        if not isinstance(item, yaml.MappingNode):
            continue
        for key, value in item.value:
            if (
                isinstance(value, yaml.ScalarNode)
                and not value.style
                and value.end_mark.line > value.start_mark.line
            ):
                warnings.append(
                    InputError(
                        shown,
                        key.start_mark.line + 1,
                        f"{key.value}: its lines are joined into one: for text on several"
                        f" lines write '{key.value}: |' and indent the text under it",
                    )
                )


def _compose_all(source: str | bytes, text: str) -> list[yaml.Node]:
    """The documents of ``source``: ``text``, or its UTF-8 bytes when they are the same."""
    try:
        return list(yaml.compose_all(source, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        # libyaml refuses escapes of lone surrogates ("\ud800"); the pure-Python reader keeps
        # them and validation then removes them with a warning like any forbidden character.
        if not _LIBYAML or "Unicode character escape" not in (exc.problem or ""):
            raise
        return list(yaml.compose_all(text, Loader=yaml.SafeLoader))


def _remove_forbidden(text: str, shown: str, warnings: list[InputError]) -> str:
    if not _REMOVED_LITERALLY.search(text):
        return text
    # One warning per line, and a bounded number per file: a pasted binary blob must not turn
    # into a million messages (or a quadratic count of line numbers).
    line, counted_to, reported = 1, 0, 0
    for match in _REMOVED_LITERALLY.finditer(text):
        start = match.start()
        here = line + text.count("\n", counted_to, start)
        if reported and here == line:
            continue
        line, counted_to = here, start
        if reported == MAX_CHARACTER_WARNINGS:
            rest = _REMOVED_LITERALLY.findall(text, start)
            warnings.append(
                InputError(shown, line, f"removed {len(rest)} more such characters from here on")
            )
            break
        which = "XML forbids" if _FORBIDDEN.match(match.group()) else "YAML cannot read"
        warnings.append(
            InputError(shown, line, f"removed character U+{ord(match.group()):04X}, which {which}")
        )
        reported += 1
    return _REMOVED_LITERALLY.sub("", text)


def strip_forbidden(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids or discourages (controls, see above).

    Escaped ones (``"\x01"``) survive YAML parsing; validation removes them with this.
    """
    return _UNCARRIED.sub("", value)


def has_forbidden(value: str) -> bool:
    return _UNCARRIED.search(value) is not None


def _syntax_error(shown: str, exc: yaml.MarkedYAMLError, text: str) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    problem = (exc.problem or "cannot parse").strip()
    if line is not None:
        mistake = _editor_mistake(text.splitlines(), line, problem)
        if mistake is not None:
            return InputError(shown, *mistake)
    context = f" {exc.context.strip()}" if exc.context else ""
    hint = " (indent with spaces, not tabs)" if "\t" in problem or "tab" in problem else ""
    if not hint:
        hint = " (check indentation, quotes and colons on this line or the one above)"
    return InputError(shown, line, f"YAML syntax error: {problem}{context}{hint}")


# The mistakes editors make most, which YAML reports in its own terms, often lines away from
# where the mistake is: a line of the form "key: value", "key: |" (a block of text follows),
# and "key:" alone (a list, a mapping or, by mistake, text follows).
_KEY_LINE = re.compile(r"(?P<indent> *)(?P<key>[A-Za-z_][\w-]*):(?: +(?P<value>.*?))? *$")
_BLOCK_START = re.compile(r"[|>][-+0-9]*(?: +#.*)?")


def _editor_mistake(lines: list[str], line: int, problem: str) -> tuple[int, str] | None:
    """Where the mistake behind a YAML syntax error at ``line`` is, and what to write instead;
    None when it is none of the usual ones (pure)."""
    at = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in at[: len(at) - len(at.lstrip())]:
        return line, (
            "a tab in the indentation: YAML indents with spaces only; replace the tab with"
            " spaces (two for each level)"
        )
    for number in range(min(line, len(lines)), 0, -1):
        match = _KEY_LINE.fullmatch(lines[number - 1])
        if match is None:
            continue
        key, value, indent = match["key"], match["value"], len(match["indent"])
        following = [x for x in lines[number:line] if x.strip()]
        if value is not None and _BLOCK_START.fullmatch(value):
            # "body: |" then text at the key's own indentation: the block is empty, and YAML
            # reads the text as keys, failing where one has no colon, often lines below.
            if following and _indent(following[0]) <= indent:
                return number, (
                    f"{key}: the text under '{key}: {value}' must be indented: put two spaces"
                    " before each of its lines"
                )
            break
        if value is None and following:
            # "body:" then indented lines of text: YAML joins them into one value until a
            # line holds a colon and a space, which it then takes for a key.
            text = following[:-1]
            if all(_indent(x) > indent and not _KEY_LINE.fullmatch(x) for x in text) and not (
                following[0].lstrip().startswith("-")
            ):
                return number, (
                    f"{key}: text on several lines needs '{key}: |' on this line, with the"
                    " text indented under it"
                )
            break
    match = _KEY_LINE.fullmatch(at)
    value = match["value"] if match is not None else None
    if (
        match is not None
        and value
        and "mapping values" in problem
        and ": " in value
        and value[0] not in "\"'"
    ):
        key = match["key"]
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')
        return line, (
            f'{key}: a colon and a space inside a value: put the value in quotes:'
            f' {key}: "{quoted}"'
        )
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _document(node: yaml.Node, shown: str) -> Raw:
    """One composed document -> located values; raises the first problem as ``InputError``."""
    try:
        return _plain_document(node)
    except _NotPlain:
        pass
    # Sizes first: an alias bomb is refused by a walk of its few nodes, before any of its
    # billions of expanded values exists.
    _check_size(node, shown, {}, set(), 0)
    return _to_raw(node, shown, _Budget())


class _NotPlain(Exception):
    """The document needs the careful walk: aliases of collections, a problem, or too big."""


_SEQ_TAG = _CORE_TAG + "seq"
_MAP_TAG = _CORE_TAG + "map"
_STR_TAG = _CORE_TAG + "str"
_SCALAR_TAGS = {_CORE_TAG + kind: kind for kind in _SCALAR_KINDS}
_TEXT_KINDS = {_CORE_TAG + kind: kind for kind in ("str", "timestamp")}


def _plain_document(root: yaml.Node) -> Raw:
    """The common document, walked once: a tree of core-schema values with nothing wrong.

    Gives exactly what ``_check_size`` then ``_to_raw`` give, at a third of their cost (issue
    5), or raises ``_NotPlain`` for anything else (a collection reached twice, which only an
    alias does; a bad tag or key; too deep; too many values) and ``_document`` takes the careful
    walk, which reports the problem in its own words.
    """
    seen: set[int] = set()
    # As _check_size counts: the root, then every key and value of every collection.
    counted = 1

    def walk(node: yaml.Node, depth: int) -> Raw:
        nonlocal counted
        line = node.start_mark.line + 1
        tag = node.tag
        if type(node) is yaml.ScalarNode:
            kind = _SCALAR_TAGS.get(tag)
            if kind == "str" or kind == "timestamp":
                return Raw(node.value, line, kind)
            if kind is None:
                raise _NotPlain
            return _scalar(node, tag, "", line)  # the tag is known: "" is never shown
        children = node.value
        if children and depth >= MAX_DEPTH:
            raise _NotPlain
        if id(node) in seen:
            raise _NotPlain
        seen.add(id(node))
        if tag == _MAP_TAG and type(node) is yaml.MappingNode:
            counted += 2 * len(children)
            values: dict[str, Raw] = {}
            for key_node, value_node in children:
                key = key_node.value
                if key_node.tag != _STR_TAG or type(key_node) is not yaml.ScalarNode:
                    raise _NotPlain
                if key in values:
                    raise _NotPlain
                # Most values are text: made here, without a call to walk them.
                kind = _TEXT_KINDS.get(value_node.tag)
                if kind is not None and type(value_node) is yaml.ScalarNode:
                    values[key] = Raw(value_node.value, value_node.start_mark.line + 1, kind)
                else:
                    values[key] = walk(value_node, depth + 1)
            return Raw(values, line, "map")
        if tag == _SEQ_TAG and type(node) is yaml.SequenceNode:
            counted += len(children)
            return Raw([walk(child, depth + 1) for child in children], line, "seq")
        raise _NotPlain

    raw = walk(root, 0)
    if counted > MAX_NODES_PER_FILE:
        raise _NotPlain
    return raw


class _Budget:
    """Counts nodes visited in one document so alias expansion cannot run away."""

    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = MAX_NODES_PER_FILE

    def spend(self, shown: str, line: int) -> None:
        self.left -= 1
        if self.left < 0:
            raise InputError(
                shown,
                line,
                f"more than {MAX_NODES_PER_FILE:,} values (an alias expanding without end?):"
                " write the values out instead of using anchors and aliases",
            )


def _check_size(
    node: yaml.Node, shown: str, sizes: dict[int, int], active: set[int], depth: int
) -> int:
    """How many values ``node`` expands to, aliases included; refuses bombs and cycles.

    Sizes are memoized per node (an alias is the same node object as its anchor), so the
    walk costs the size of the file, not of the expansion.
    """
    key = id(node)
    known = sizes.get(key)
    if known is not None:
        return known
    line = node.start_mark.line + 1
    if depth > MAX_DEPTH or key in active:
        # A recursive alias (&a [*a]) is a cycle; report it like any over-deep value.
        raise InputError(
            shown, line, f"nested more than {MAX_DEPTH} levels deep: flatten this value"
        )
    size = 1
    if isinstance(node, yaml.SequenceNode | yaml.MappingNode):
        active.add(key)
        children: list[yaml.Node] = (
            list(node.value)
            if isinstance(node, yaml.SequenceNode)
            else [n for pair in node.value for n in pair]
        )
        for child in children:
            size += _check_size(child, shown, sizes, active, depth + 1)
            if size > MAX_NODES_PER_FILE:
                raise InputError(
                    shown,
                    line,
                    f"this value expands to more than {MAX_NODES_PER_FILE:,} values (an alias"
                    " bomb?): write the values out instead of using anchors and aliases",
                )
        active.discard(key)
    sizes[key] = size
    return size


def _to_raw(node: yaml.Node, shown: str, budget: _Budget, depth: int = 0) -> Raw:
    line = node.start_mark.line + 1
    budget.spend(shown, line)
    if depth > MAX_DEPTH:
        # Also catches a recursive alias (&a [*a]) before Python's recursion limit does.
        raise InputError(
            shown, line, f"nested more than {MAX_DEPTH} levels deep: flatten this value"
        )
    tag = node.tag or ""
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, tag, shown, line)
    if isinstance(node, yaml.SequenceNode):
        if tag != _CORE_TAG + "seq":
            raise _bad_tag(shown, line, tag)
        return Raw([_to_raw(i, shown, budget, depth + 1) for i in node.value], line, "seq")
    if isinstance(node, yaml.MappingNode):
        if tag != _CORE_TAG + "map":
            raise _bad_tag(shown, line, tag)
        return Raw(dict(_pairs(node, shown, budget, depth)), line, "map")
    raise _bad_tag(shown, line, tag)  # pragma: no cover - compose yields only these three


def _pairs(
    node: yaml.MappingNode, shown: str, budget: _Budget, depth: int
) -> Iterator[tuple[str, Raw]]:
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if key_node.tag == _CORE_TAG + "merge":
            raise InputError(
                shown, key_line, "merge keys (<<) are not supported: write the keys out"
            )
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _CORE_TAG + "str":
            raise InputError(
                shown, key_line, "keys must be plain words such as title: (quote the key)"
            )
        key = str(key_node.value)
        if key in seen:
            raise InputError(
                shown,
                key_line,
                f"{key}: given twice (first on line {seen[key]}): keep one",
            )
        seen[key] = key_line
        yield key, _to_raw(value_node, shown, budget, depth + 1)


def _scalar(node: yaml.ScalarNode, tag: str, shown: str, line: int) -> Raw:
    if not tag.startswith(_CORE_TAG) or tag[len(_CORE_TAG) :] not in _SCALAR_KINDS:
        raise _bad_tag(shown, line, tag)
    kind = tag[len(_CORE_TAG) :]
    text = str(node.value)
    if kind in ("str", "timestamp"):
        return Raw(text, line, kind)
    if kind == "null":
        return Raw(None, line, kind)
    # SafeConstructor knows YAML 1.1's spellings (0x1F, 1_000, .inf, yes/no, ...). Its own
    # construct_object() would remember every node it saw, for the life of the process.
    value = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, node)
    if not isinstance(value, int | float | bool):  # pragma: no cover - resolver guarantees it
        raise _bad_tag(shown, line, tag)
    return Raw(value, line, kind)


def _bad_tag(shown: str, line: int, tag: str) -> InputError:
    return InputError(
        shown,
        line,
        f"unsupported YAML tag {tag!r}: feedsmith reads plain YAML only (remove the tag)",
    )


_CONSTRUCTOR = yaml.SafeLoader("")


def yaml_timestamp(text: str) -> datetime | None:
    """A YAML 1.1 timestamp in a spelling ``fromisoformat`` refuses (``2001-12-14 21:59:43.10 -5``).

    Naive when written without an offset; None when ``text`` is no such timestamp.
    """
    if not _CONSTRUCTOR.timestamp_regexp.fullmatch(text):
        return None
    node = yaml.ScalarNode(_CORE_TAG + "timestamp", text)
    try:
        value = _CONSTRUCTOR.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return None
    return value if isinstance(value, datetime) else None
