"""Stage 1, load: content files -> located YAML values. The only module that reads content.

YAML is composed into nodes and turned into values here rather than by PyYAML's constructor,
for three reasons: every value keeps the line it came from (errors name it), no tag can build
a Python object (only the YAML core schema is accepted), and alias expansion is counted so a
"billion laughs" file is refused in milliseconds instead of eating the machine (issue 4).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from feedsmith.errors import InputError

# libyaml is ~40x faster on article-sized files (issue 2); the pure-Python loader is the fallback.
_Loader: type[yaml.SafeLoader]
try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

ARTICLE_SUFFIXES = (".yaml", ".yml")

# Nodes visited while turning one file into values; aliases count each time they are expanded.
# A 2,000-category article is ~2,000 nodes; an alias bomb is billions.
MAX_NODES_PER_FILE = 1_000_000
# Articles are two or three levels deep; anything past this is a mistake or an attack.
MAX_DEPTH = 50

# Characters XML 1.0 forbids (and PyYAML refuses to read): removed with a warning (SPEC).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

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
    """One content file: its path as shown to the user and its YAML documents."""

    path: str
    documents: tuple[Raw, ...]


@dataclass(frozen=True, slots=True)
class Loaded:
    """What the load stage found: the site file, article files, and problems per file."""

    site: RawFile | None
    articles: tuple[RawFile, ...]
    errors: tuple[InputError, ...]
    warnings: tuple[InputError, ...]


def find_article_files(content_dir: Path) -> list[Path]:
    """Every article file under ``articles/``, in a machine-independent order (sorted by path)."""
    articles_dir = content_dir / "articles"
    if not articles_dir.is_dir():
        return []
    found = [
        p
        for p in articles_dir.rglob("*")
        if p.suffix in ARTICLE_SUFFIXES and p.is_file() and not _is_hidden(p, articles_dir)
    ]
    return sorted(found, key=lambda p: p.relative_to(articles_dir).as_posix())


def _is_hidden(path: Path, root: Path) -> bool:
    # Editors' swap and backup files (.#x.yaml, .x.yaml.swp) are not articles.
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def load_content(content_dir: Path) -> Loaded:
    """Read ``site.yaml`` and every article file; never raises for a user's mistake.

    Paths in messages start with ``content_dir`` as the user gave it (``content/articles/x.yaml``
    for the default), so they can be opened from where the command ran.
    """
    errors: list[InputError] = []
    warnings: list[InputError] = []

    site_path = content_dir / "site.yaml"
    site: RawFile | None = None
    if site_path.is_file():
        site = load_file(site_path, site_path.as_posix(), errors, warnings)
    else:
        errors.append(
            InputError(
                site_path.as_posix(),
                None,
                "missing: every publication needs a site.yaml with title, base_url and description",
            )
        )
    articles: list[RawFile] = []
    for path in find_article_files(content_dir):
        loaded = load_file(path, path.as_posix(), errors, warnings)
        if loaded is not None:
            articles.append(loaded)
    return Loaded(site, tuple(articles), tuple(errors), tuple(warnings))


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
        # utf-8-sig drops a byte-order mark, which some Windows editors write.
        text = data.decode("utf-8-sig")
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
    text = _remove_forbidden(text, shown, warnings)
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        errors.append(_syntax_error(shown, exc))
        return None
    except yaml.YAMLError as exc:  # pragma: no cover - libyaml reports marks for all we feed it
        errors.append(InputError(shown, None, f"YAML error: {exc}"))
        return None
    documents: list[Raw] = []
    for node in nodes:
        if node is None:
            continue
        try:
            documents.append(_to_raw(node, shown, _Budget()))
        except InputError as exc:
            errors.append(exc)
            return None
    return RawFile(shown, tuple(documents))


def _remove_forbidden(text: str, shown: str, warnings: list[InputError]) -> str:
    if not _FORBIDDEN.search(text):
        return text
    for match in _FORBIDDEN.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        warnings.append(
            InputError(
                shown,
                line,
                f"removed character U+{ord(match.group()):04X}, which XML forbids",
            )
        )
    return _FORBIDDEN.sub("", text)


def strip_forbidden(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids (escaped ones survive YAML parsing)."""
    return _FORBIDDEN.sub("", value)


def has_forbidden(value: str) -> bool:
    return _FORBIDDEN.search(value) is not None


def _syntax_error(shown: str, exc: yaml.MarkedYAMLError) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    problem = (exc.problem or "cannot parse").strip()
    context = f" {exc.context.strip()}" if exc.context else ""
    hint = " (indent with spaces, not tabs)" if "\t" in problem or "tab" in problem else ""
    if not hint:
        hint = " (check indentation, quotes and colons on this line or the one above)"
    return InputError(shown, line, f"YAML syntax error: {problem}{context}{hint}")


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
    # SafeConstructor knows YAML 1.1's spellings (0x1F, 1_000, .inf, yes/no, ...).
    value = _CONSTRUCTOR.construct_object(node)
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
