"""``feedsmith init`` and ``feedsmith new``: the files an editor starts from.

The texts and names are decided by pure functions (``init_files``, ``article_text``,
``article_filename``), given the clock and the new id by the caller; ``create_publication``
and ``create_article`` do the reading and writing. Neither ever replaces a file: every file is
opened with ``"x"`` (create, fail if it exists), so even a file that appears between the
check and the write is left alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from feedsmith.errors import ContentErrors, InputError, WrongUsage

CONTENT_DIR = "content"
SITE_FILE = "site.yaml"
ARTICLES_DIR = "articles"
STATIC_DIR = "static"
TEMPLATES_DIR = "templates"
# Git keeps no empty folder; a hidden name is never published (load skips hidden files).
STATIC_KEEP = f"{STATIC_DIR}/.gitkeep"
FALLBACK_SLUG = "article"
# Long enough for a headline's words, short enough for an address people read and type.
MAX_NEW_SLUG_LENGTH = 60

_NOT_SLUG_CHARACTERS = re.compile(r"[^a-z0-9]+")
_DATED_NAME = re.compile(r"\d{4}-\d{2}-\d{2}-")
# Ideographs (CJK Unified Ideographs, extension A, compatibility, and the supplementary planes):
# each transliterates to one pinyin syllable, kept apart so the slug reads "tai-bei", not
# "taibei"; letters of alphabets and kana stay joined as words.
_IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")

GITIGNORE = """\
# What feedsmith makes, never committed: the published folder (deploy it, from here or from
# CI) and the cache that speeds up republishing (deleting it is always safe).
/public/
.feedsmith-cache/
"""

SITE_YAML = """\
# site.yaml: the publication. Every feedsmith command reads it from the content folder.
# The first three keys are required; each other key shows its default and an example.
# The README lists every key.

# Required. The publication's name, as readers see it in their feed reader.
title: "My Publication"

# Required. The absolute http(s) address where the published folder (public/) will be
# served; every link in the feeds and pages starts with it. `feedsmith serve` uses its own
# local address instead, for the preview only.
base_url: "https://example.org/news/"

# Required. One line about the publication (RSS requires a description).
description: "News and notes from our corner of the world."

# The language of the articles, a BCP 47 tag: en, fr, pt-BR, zh-Hant.
# Default: none (pages then say lang="und" and screen readers guess).
language: en

# The IANA time zone of dates written without an offset (published: 2025-03-14 09:30), and
# of the dates `feedsmith new` writes. Default: UTC. Set it to where the newsroom is, e.g.
# Asia/Hong_Kong, Europe/Paris, America/New_York: a date-only article is midnight there.
timezone: UTC

# Default authors of every article (an article's own author: or authors: replaces them):
# a name, or a list of {name, email, uri}. Default: none.
# authors:
#   - name: "The Newsroom"
#     email: "newsroom@example.org"
#     uri: "https://example.org/news/"

# How many of the newest articles the main feed and each category feed carry. Default: 20.
# feed_limit: 20

# The feed's icon (small, square) and logo (wide), as in Atom. A path is relative to base_url,
# so images/icon.png is the file static/images/icon.png. Default: none.
# icon: images/icon.png
# logo: images/logo.png

# A copyright line for the feeds and the page footers. Default: none.
# copyright: "Copyright © {year} My Publication"

# A WebSub hub advertised in every feed, so readers hear of new articles at once;
# `feedsmith publish --ping` notifies it. Default: none.
# hub: "https://hub.example.org/"

# Articles per page of the feeds' archive, where readers find the full history.
# Default: feedsmith's own, given in the README's site.yaml table.
# archive_size: 50
"""

_EXAMPLE_TITLE = "Gull Point lighthouse reopens after twenty years"
_EXAMPLE_BODY = """\
  GULL POINT — For the first time in twenty years, the lamp room at the top of the Gull Point
  lighthouse was open to visitors on Saturday, after a group of volunteers spent three winters
  repairing its iron staircase, one step at a time.

  The lighthouse was switched off in 2005, when an automatic beacon on the breakwater took over
  its work, and the council closed the tower the following spring. A survey at the time found
  rust in 41 of the 118 steps. Repairing them would have cost more than the council's whole
  budget for historic buildings, and the door was padlocked.

  ## “We took the staircase home with us”

  The volunteers, most of them retired fitters from the old boatyard, took the steps down in
  batches of six, cleaned and treated them in a borrowed workshop and carried them back up.

  > “Every Saturday we took six steps home and every month we brought six back. My grandson
  > asked whether we were building a ladder to the moon,” said Ines Marlow, who led the group.
  > “He has now climbed it twice.”

  ## What happens next

  The tower will open on the first Saturday of every month until October. Visits are free,
  and the volunteers are looking for people to guide them.
"""

_NEW_BODY = """\
  Write the article here, in Markdown: a blank line between paragraphs, `## ` before a
  subheading, `> ` before a quotation, [a link](https://example.org/), and for an image
  put the file under static/images/ and write `![what it shows](/images/photo.jpg)`.
"""


def init_files(
    now: datetime,
    article_id: str,
    templates: Mapping[str, str] | None = None,
    *,
    publication_exists: bool = False,
) -> dict[str, str]:
    """A new publication's files, by path relative to its folder: the ``.gitignore``, a
    commented ``site.yaml``, one example article and an empty ``static/``; with ``templates``
    (``shipped_template_files()``) also ``content/templates/`` to edit.

    In a folder that already holds a publication, only the templates are copied out: an
    editor who wants to change the look later asks for exactly that.
    The site's time zone is UTC until the editor sets it, so the example is dated in UTC.
    """
    copied = {
        f"{CONTENT_DIR}/{TEMPLATES_DIR}/{name}": text for name, text in (templates or {}).items()
    }
    if publication_exists and templates is not None:
        return copied
    published = now.astimezone(ZoneInfo("UTC")).replace(second=0, microsecond=0)
    article = article_filename(_EXAMPLE_TITLE, published, ())
    return {
        ".gitignore": GITIGNORE,
        f"{CONTENT_DIR}/{SITE_FILE}": SITE_YAML.replace("{year}", str(published.year)),
        f"{CONTENT_DIR}/{ARTICLES_DIR}/{article}": example_article_text(published, article_id),
        f"{CONTENT_DIR}/{STATIC_KEEP}": "",
        **copied,
    }


def example_article_text(published: datetime, article_id: str) -> str:
    """The example article of a new publication, its keys explained in comments."""
    return f"""\
# An example article: read it, then edit it or delete it. `feedsmith new "A title"` starts the
# next one. The file name gives the page's address: articles/<name without its date>/.
title: {_yaml_string(_EXAMPLE_TITLE)}
# The permanent id feed readers know the article by: never change it.
id: {_yaml_string(article_id)}
# A date, or a date and time; without an offset it is in site.yaml's timezone.
published: {published.isoformat()}
# Optional: plain text for feed readers and the index (default: the first paragraph).
summary: "Volunteers spent three winters repairing the iron staircase; the tower now opens
  once a month."
# Optional: each category gets its own page and feeds.
categories:
  - "Heritage"
# Optional: a lead image, a file under static/ (here static/images/lighthouse.jpg).
# image: images/lighthouse.jpg
# Optional: `draft: true` keeps the article out of the site until you remove it.
# draft: true
body: |
{_EXAMPLE_BODY}"""


def article_text(title: str, published: datetime, article_id: str, *, draft: bool) -> str:
    """What ``feedsmith new`` writes: the title, an explicit id, ``published``, a body stub."""
    draft_line = (
        "draft: true  # remove this line to publish the article\n"
        if draft
        else ""
    )
    return f"""\
title: {_yaml_string(title)}
# The permanent id feed readers know the article by: never change it.
id: {_yaml_string(article_id)}
published: {published.isoformat()}
{draft_line}\
# summary: "One or two plain sentences for feed readers (default: the first paragraph)."
# categories: ["News"]
body: |
{_NEW_BODY}"""


def clean_title(title: str) -> str:
    """The title as feedsmith will read it back: without the characters feeds cannot carry
    (removed with a warning if they were written), on one line."""
    from feedsmith.load import strip_forbidden
    from feedsmith.validate import one_line

    return one_line(strip_forbidden(title))


def slug_for_title(title: str) -> str:
    """An article slug from a title: transliterated to ASCII, lower-cased, ``[a-z0-9-]``.

    A title in Chinese becomes its pinyin, one syllable per character (``台北`` ->
    ``tai-bei``); a title with nothing to transliterate (only symbols) becomes ``article``.
    Long titles are cut at a word boundary.
    """
    from anyascii import anyascii

    spaced = _IDEOGRAPH.sub(lambda m: f" {m.group()} ", title)
    slug = _NOT_SLUG_CHARACTERS.sub("-", anyascii(spaced).lower()).strip("-")
    if len(slug) > MAX_NEW_SLUG_LENGTH:
        cut = slug[: MAX_NEW_SLUG_LENGTH + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut[:MAX_NEW_SLUG_LENGTH]
    return slug or FALLBACK_SLUG


def article_filename(title: str, published: datetime, taken_slugs: Iterable[str]) -> str:
    """``<date>-<slug>.yaml`` whose slug no article has: ``-2``, ``-3``... on a collision.

    ``taken_slugs`` are the slugs in use (or ever published: the ledger), since two files
    with one slug would make two articles at one address.
    """
    taken = set(taken_slugs)
    base = slug_for_title(title)
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return f"{published.date().isoformat()}-{slug}.yaml"


def _yaml_string(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar with the same escapes: any title, with
    # quotes, colons, '#' or a leading '-', reads back as exactly itself.
    return json.dumps(text, ensure_ascii=False)


# --- I/O: the two commands' writing -------------------------------------------------------


def create_publication(folder: Path, files: Mapping[str, str]) -> list[Path]:
    """Write ``files`` under ``folder``; refuse (``WrongUsage``) if any of them exists."""
    targets = [(folder / relpath, text) for relpath, text in files.items()]
    existing = [path for path, _ in targets if path.exists() or path.is_symlink()]
    if existing:
        raise WrongUsage(
            f"{existing[0]}: already exists, and init never overwrites anything:"
            " choose a new or empty folder (feedsmith init DIR)"
        )
    written: list[Path] = []
    for path, text in targets:
        path.parent.mkdir(parents=True, exist_ok=True)
        _create(path, text)
        written.append(path)
    return written


def shipped_template_files() -> dict[str, str]:
    """The templates feedsmith ships, by file name, for ``init --templates`` to copy out."""
    folder = resources.files("feedsmith") / "templates"
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.is_file()
    }


def site_timezone(content_dir: Path) -> ZoneInfo:
    """The time zone of the publication in ``content_dir``, read and checked as publish does."""
    from feedsmith.load import load_file
    from feedsmith.validate import Problems, validate_site

    site_path = content_dir / SITE_FILE
    if not site_path.is_file():
        raise WrongUsage(
            f"{site_path.as_posix()}: no such file: run feedsmith new inside a publication"
            " (feedsmith init makes one) or pass --content DIR"
        )
    errors: list[InputError] = []
    warnings: list[InputError] = []
    raw = load_file(site_path, site_path.as_posix(), errors, warnings)
    problems = Problems(errors, warnings)
    site = validate_site(raw, None, problems)
    if site is None or problems.errors:
        raise ContentErrors(problems.errors, problems.warnings)
    return ZoneInfo(site.timezone)


def taken_slugs(content_dir: Path) -> set[str]:
    """Slugs a new article must not take: every article file's default slug, and every slug
    the ledger remembers (an article published once, even if its file is gone since)."""
    from feedsmith.ledger import LEDGER_NAME, parse_ledger
    from feedsmith.load import find_article_relpaths
    from feedsmith.validate import default_slug

    slugs = {default_slug(relpath) for relpath in find_article_relpaths(content_dir)}
    ledger_path = content_dir / LEDGER_NAME
    try:
        entries, _ = parse_ledger(ledger_path.read_text(encoding="utf-8"), str(ledger_path))
    except (OSError, UnicodeDecodeError):
        entries = {}  # publish reports an unreadable ledger; here it only narrows the choice
    return slugs | set(entries)


def create_article(
    content_dir: Path, title: str, now: datetime, article_id: str, *, draft: bool
) -> Path:
    """Write a new article file into ``content_dir/articles/`` and return its path."""
    if not content_dir.is_dir():
        raise WrongUsage(
            f"{content_dir}: no such content folder: run from the folder that holds it or"
            " pass --content DIR (feedsmith init makes one)"
        )
    title = clean_title(title)
    if not title:
        raise WrongUsage('the title is empty: write feedsmith new "The headline"')
    published = now.astimezone(site_timezone(content_dir)).replace(microsecond=0)
    text = article_text(title, published, article_id, draft=draft)
    articles = content_dir / ARTICLES_DIR
    articles.mkdir(exist_ok=True)
    taken = taken_slugs(content_dir)
    while True:
        name = article_filename(title, published, taken)
        path = articles / name
        try:
            _create(path, text)
        except FileExistsError:
            # A file appeared since the folder was listed (or is hidden from the walk).
            taken.add(_DATED_NAME.sub("", name, count=1).removesuffix(".yaml"))
            continue
        return path


def _create(path: Path, text: str) -> None:
    with path.open("x", encoding="utf-8", newline="\n") as file:
        file.write(text)
