"""Write a deterministic synthetic feedsmith publication of N news-shaped articles.

Usage: ``python benchmarks/generate.py N OUTDIR [--seed S] [--force]``

The corpus is what issue 5 measures: about 5.8 KB of Markdown per article (a lead paragraph,
three ``##`` sub-headings, a blockquoted testimony with curly quotes and em dashes, inline links
including a relative one to another article, one image), 1-3 categories from a pool of 30,
authors from a pool of 50, ``published`` dates spread over ten years ending 2025-12-31 with
assorted UTC offsets, and an ``updated`` date on some articles.

Same N and seed give byte-identical files on any machine: all text comes from a seeded
:class:`random.Random` over the built-in vocabulary below (string seeds go through SHA-512, so
they do not depend on ``PYTHONHASHSEED``), and nothing reads the clock.

Speed matters because the runner builds 100,000-article corpora: bodies are assembled from a
pre-generated pool of sentences rather than word by word, and each file is written with one
``write_bytes`` call.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from random import Random

__all__ = [
    "AUTHORS",
    "BASE_URL",
    "CATEGORIES",
    "END",
    "START",
    "generate",
    "main",
]

BASE_URL = "https://bench.example.org/"
FEED_LIMIT = 50
# Ten years of archive ending on the last day of 2025. Noon UTC at both ends keeps every
# article's local date (offsets run from -08:00 to +09:00) inside 2016-01-01..2025-12-31.
START = datetime(2016, 1, 1, 12, 0, tzinfo=UTC)
END = datetime(2025, 12, 31, 12, 0, tzinfo=UTC)
BODY_TARGET = 5800
"""Mean body size in bytes of UTF-8 (issue 5: "about 5.8 KB of Markdown each")."""
BODY_JITTER = 250

# ---------------------------------------------------------------------------------------------
# Built-in vocabulary. Invented places, people and organisations only: no external data.
# Apostrophes are typed as ASCII and set as typographic quotes by _curly, so the source stays
# free of look-alike characters while the output has the curly quotes real news copy has.

_LSQUO, _RSQUO = "\u2018", "\u2019"
_OPENING = re.compile(r"(^|\s)'")


MEDIA_HOST = "https://media.bench.example.org/"
"""Where the corpus's photos live: another host, so no article links a file it lacks."""


def _curly(words: tuple[str, ...]) -> tuple[str, ...]:
    """``'`` after a space or at the start opens a quote; every other ``'`` is an apostrophe."""
    return tuple(_OPENING.sub(rf"\1{_LSQUO}", w).replace("'", _RSQUO) for w in words)


CATEGORIES: tuple[str, ...] = (
    "Politics", "Local", "World", "Business", "Economy", "Science", "Health", "Climate",
    "Technology", "Education", "Transport", "Housing", "Courts", "Crime", "Culture",
    "Arts & Books", "Music", "Cinéma", "Sport", "Football", "Weather", "Agriculture", "Energy",
    "Labour", "Elections", "Opinion", "Obituaries", "Religion", "Media", "Port & Harbour",
)  # fmt: skip

AUTHORS: tuple[str, ...] = _curly((
    "Ana Ruiz", "Tom Becker", "Zoë Okafor", "José Martínez", "Łukasz Nowak", "Mei-Lin Chen",
    "Priya Raman", "Samuel Adeyemi", "Hannah Lindqvist", "Omar Haddad", "Grace O'Neill",
    "Kenji Watanabe", "Fatima Zahra Benali", "Lucas Moreau", "Ingrid Solberg", "Diego Alvarez",
    "Chloé Dubois", "Rahul Mehta", "Elena Petrova", "Marcus Greene", "Aisha Mohammed",
    "Nikolai Ivanov", "Sofia Rossi", "Daniel Kim", "Leila Farahani", "Patrick Byrne",
    "Yuki Tanaka", "Amara Nwosu", "Felix Schneider", "Isabel Costa", "Hamza Qureshi",
    "Maja Kowalska", "Oliver Grant", "Nadia Haddad", "Carlos Mendes", "Ruth Abrams",
    "Tariq Aziz", "Lena Vogel", "Kwame Mensah", "Clara Jensen", "Ahmed Saleh",
    "Beatriz Lopes", "Jonas Berg", "Mariam Nasser", "Victor Hugo Silva", "Eun-ji Park",
    "Stefan Horvat", "Noor Rahman", "Emily Clarke", "Tomás Ó Briain",
))  # fmt: skip

_PLACES = (
    "HARBORTON", "NORTH QUAY", "EASTMERE", "LANTERN BAY", "OLD FORD", "ST ALDRIC",
    "WILLOWDALE", "GREYSTONE", "PORT ELWIN", "MARLOW CROSS", "KESTREL HILL", "SALTMARSH",
)  # fmt: skip
_PLACE_NAMES = tuple(p.title() for p in _PLACES)
_ORGS = _curly((
    "district council", "transit authority", "regional hospital trust", "port commission",
    "teachers' union", "housing board", "water utility", "chamber of commerce",
    "environment agency", "county court", "statistics office", "fire service",
    "tenants' association", "farmers' cooperative", "university", "health ministry",
))  # fmt: skip
_ROLES = _curly((
    "a nurse on the night ward", "a ferry engineer", "a retired schoolteacher",
    "a market stallholder", "the union's local secretary", "a second-year student",
    "a bus driver of twenty years", "a tenant on the fourth floor", "a dairy farmer",
    "the council's finance lead", "a volunteer firefighter", "a shop owner on the high street",
))  # fmt: skip
_SUBJECTS = (
    "The council", "Officials", "Residents", "The ministry", "Campaigners", "Inspectors",
    "Local traders", "The board", "Researchers", "Union members", "Police", "The mayor",
    "Parents", "Commuters", "The operator", "Engineers", "Auditors", "Lawmakers",
)  # fmt: skip
_VERBS = (
    "approved", "rejected", "delayed", "questioned", "defended", "published", "reviewed",
    "criticised", "welcomed", "extended", "cut", "doubled", "suspended", "announced",
    "challenged", "funded", "postponed", "investigated", "restored", "proposed",
)  # fmt: skip
_ADJECTIVES = (
    "new", "long-awaited", "disputed", "annual", "revised", "emergency", "regional",
    "temporary", "controversial", "modest", "ambitious", "overdue", "quiet", "costly",
    "independent", "provisional", "final", "second", "unexpected", "detailed",
)  # fmt: skip
_NOUNS = (
    "budget", "levy", "timetable", "rezoning plan", "inquiry", "contract", "report",
    "ferry service", "bus route", "flood barrier", "school merger", "rent cap", "tender",
    "night market", "water main", "clinic", "bridge repair", "pension fund", "harbour wall",
    "recycling scheme", "cycle lane", "library", "power station", "housing estate", "audit",
)  # fmt: skip
_CLAUSES = (
    "after months of debate", "despite objections from residents", "ahead of the winter",
    "following a public consultation", "amid rising costs", "for the first time since 2009",
    "without a formal vote", "under pressure from campaigners", "at a late-night meeting",
    "before the end of the financial year", "in a narrow decision", "with little notice",
)  # fmt: skip
_TAILS = (
    "Critics said the figures did not add up.",
    "A final decision is expected next month.",
    "The plan still needs approval from the regional assembly.",
    "Supporters said the change was long overdue.",
    "No one was available to comment on Sunday.",
    "The details have not been made public.",
)
_REASONS = (
    "an ongoing review", "legal advice", "commercial confidentiality", "the election period",
    "a pending audit", "staff shortages", "the weather", "talks with the unions",
)  # fmt: skip
_HEADINGS = (
    "What happens next", "A long dispute", "The numbers behind the decision",
    "How we got here", "Reaction on the street", "Questions that remain", "The view from",
    "Money and time", "Who pays", "An uneasy compromise", "Lessons from elsewhere",
    "What the records show", "Voices from the quay", "A changing neighbourhood",
)  # fmt: skip
_QUOTES = _curly(
    (
        "We were told it would take six months. It has taken three years",
        "Nobody asked us, and now we are the ones who have to live with it",
        "I have done this job for twenty years and I have never seen it this bad",
        "It is not about the money — it is about being treated with respect",
        "You learn to plan your week around the timetable, and then the timetable changes",
        "My daughter asked me whether we would have to move. I didn't know what to tell her",
        "They say the numbers are better. The numbers don't wait at the bus stop at six",
        "If they had come to the meeting, they would have heard it from us directly",
        "We are not against the plan; we are against the way it was done",
        "Some nights you stop counting the hours and just keep going",
    )
)
_TITLE_QUOTES = _curly((
    "We were told six months", "Nobody asked us", "It is not about the money",
    "Some nights you stop counting", "We are not against the plan", "They never came",
    "The numbers don't wait at the bus stop", "I have never seen it this bad",
))  # fmt: skip
_TITLE_TEMPLATES = _curly((
    "{Subject} {verb} {adj} {noun} {clause}",
    "{Place}: {subject} {verb} {noun} {clause}",
    "Q&A: what the {adj} {noun} means for {place}",
    "'{quote}': {subject} {verb} {noun}",
    "{Subject} {verb} {noun} & {noun2} {clause}",
    "Why the {noun} in {place} was {verb}",
))  # fmt: skip

# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Meta:
    """What other articles need to know about one article before any body is written."""

    slug: str
    title: str
    published: datetime  # aware, in the article's own offset
    date_only: bool
    updated: datetime | None


_SLUG_RUNS = re.compile(r"[^a-z0-9]+")


def _slugify(text: str, limit: int = 48) -> str:
    """ASCII-only, hyphenated, cut at a word boundary (SPEC: slugs are ``[a-z0-9-]``)."""
    # The vocabulary's only non-ASCII letters are in names and one category, never in titles
    # beyond curly quotes, so dropping them here is enough.
    slug = _SLUG_RUNS.sub("-", text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug


def _sentence_pool(rng: Random, size: int) -> list[str]:
    """News-register filler sentences with commas, apostrophes, figures and some emphasis."""
    pool: list[str] = []
    for _ in range(size):
        shape = rng.randrange(6)
        subject = rng.choice(_SUBJECTS)
        verb = rng.choice(_VERBS)
        adj = rng.choice(_ADJECTIVES)
        noun = rng.choice(_NOUNS)
        org = rng.choice(_ORGS)
        if shape == 0:
            s = f"{subject} {verb} the {adj} {noun} {rng.choice(_CLAUSES)}."
        elif shape == 1:
            pct = rng.randrange(2, 95)
            s = (
                f"According to the {org}, the {noun} will cost about {rng.randrange(2, 900)} "
                f"million, roughly {pct} per cent more than first estimated."
            )
        elif shape == 2:
            s = (
                f"The {org}'s own figures, published in {rng.randrange(2009, 2026)}, show "
                f"that the {adj} {noun} served {rng.randrange(100, 99000):,} people last year."
            )
        elif shape == 3:
            s = (
                f"{subject} said the {noun} was *{adj}* but necessary, and that the "
                f"{rng.choice(_NOUNS)} would follow {rng.choice(_CLAUSES)}."
            )
        elif shape == 4:
            s = (
                f"In {rng.choice(_PLACE_NAMES)}, where the {noun} has been {verb} twice, "
                f"opinion among {subject.lower()} remains divided. {rng.choice(_TAILS)}"
            )
        else:
            s = (
                f"A spokesperson for the {org} declined to say when the **{adj} {noun}** "
                f"would be {verb}, citing {rng.choice(_REASONS)}."
            )
        pool.append(s.replace("'", _RSQUO))
    return pool


def _make_title(rng: Random) -> str:
    template = rng.choice(_TITLE_TEMPLATES)
    subject = rng.choice(_SUBJECTS)
    place = rng.choice(_PLACE_NAMES)
    title = template.format(
        Subject=subject,
        subject=subject.lower(),
        verb=rng.choice(_VERBS),
        adj=rng.choice(_ADJECTIVES),
        noun=rng.choice(_NOUNS),
        noun2=rng.choice(_NOUNS),
        clause=rng.choice(_CLAUSES),
        Place=place,
        place=place,
        quote=rng.choice(_TITLE_QUOTES),
    )
    return title[0].upper() + title[1:]


_OFFSETS = (
    timedelta(0), timedelta(0), timedelta(hours=1), timedelta(hours=2), timedelta(hours=-5),
    timedelta(hours=-8), timedelta(hours=5, minutes=30), timedelta(hours=8), timedelta(hours=9),
)  # fmt: skip


def _metas(n: int, seed: int) -> list[_Meta]:
    """Titles, slugs and dates of every article, oldest first."""
    rng = Random(f"feedsmith-bench-meta-{seed}")
    span = (END - START).total_seconds()
    step = span / n
    metas: list[_Meta] = []
    for i in range(n):
        # Evenly spread with jitter inside each article's slot: dates never leave the range.
        utc = START + timedelta(seconds=int(step * i + rng.random() * step))
        utc = utc.replace(second=0)
        offset = rng.choice(_OFFSETS)
        published = utc.astimezone(timezone(offset))
        date_only = rng.random() < 0.05
        if date_only:
            # A date-only value means midnight in the site timezone (UTC here).
            published = datetime(published.year, published.month, published.day, tzinfo=UTC)
        updated = None
        if rng.random() < 0.2:
            later = published + timedelta(minutes=rng.randrange(60, 30 * 24 * 60))
            updated = min(later, END.astimezone(published.tzinfo))
        title = _make_title(rng)
        # The index suffix makes every slug unique without a lookup table.
        slug = f"{_slugify(title)}-{i}"
        metas.append(_Meta(slug, title, published, date_only, updated))
    return metas


def _q(text: str) -> str:
    """A YAML double-quoted scalar; JSON string syntax is a subset of it."""
    return json.dumps(text, ensure_ascii=False)


def _yaml_time(value: datetime, date_only: bool) -> str:
    if date_only:
        return value.date().isoformat()
    return value.isoformat()


class _BodyWriter:
    """Assembles bodies of about :data:`BODY_TARGET` bytes from the shared sentence pool."""

    def __init__(self, rng: Random, metas: Sequence[_Meta]) -> None:
        self._rng = rng
        self._metas = metas
        self._pool = _sentence_pool(rng, 4096)

    def _paragraph(self, budget: int) -> str:
        rng, pool = self._rng, self._pool
        parts: list[str] = []
        size = 0
        while True:
            s = rng.choice(pool)
            # Stop before overshooting by more than half a sentence: keeps sizes near target.
            if parts and size + len(s) // 2 > budget:
                break
            parts.append(s)
            size += len(s.encode()) + 1
        return " ".join(parts)

    def body(self, index: int) -> str:
        rng = self._rng
        n = len(self._metas)
        other = self._metas[rng.randrange(n)].slug if n > 1 else self._metas[index].slug
        place = rng.choice(_PLACES)
        org = rng.choice(_ORGS)
        speaker = rng.choice(AUTHORS)  # reusing the name pool: invented people only
        role = rng.choice(_ROLES)
        q1, q2, q3 = rng.sample(_QUOTES, 3)
        headings = rng.sample(_HEADINGS, 3)
        image = rng.randrange(100000)
        report = _slugify(f"{org} {rng.choice(_NOUNS)}")

        fixed_head = f"**{place}** — "
        link_para = (
            f"The figures come from the [{org}{_RSQUO}s report](https://www.example.com/reports/{report}"
            f"/) released this week. Our [earlier coverage](../{other}/) described how the "
            f"dispute began, and the full minutes are on the [council{_RSQUO}s website]"
            f"(https://council.example.net/minutes/{rng.randrange(1000, 9999)})."
        )
        quote = (
            f"> “{q1},” said {speaker}, {role}. “{q2} — and that is the part nobody "
            f"writes down.”\n>\n> “{q3}.”"
        )
        figure = f"![{rng.choice(_NOUNS).capitalize()} in {rng.choice(_PLACE_NAMES)}]" + (
            # On the newsroom's media host, as most newsrooms serve photos: a relative path
            # would have to be a file under static/, which the corpus does not ship.
            f"({MEDIA_HOST}images/{image:05d}.jpg)"
        )
        fixed = [fixed_head, link_para, quote, figure, *(f"## {h}" for h in headings)]
        fillers = 9  # lead + 8 body paragraphs
        target = BODY_TARGET + rng.randrange(-BODY_JITTER, BODY_JITTER + 1)
        # Blank-line separators between the 15 blocks count toward the size as well.
        fixed_size = sum(len(p.encode()) for p in fixed) + 2 * 14
        per_para = max(80, (target - fixed_size) // fillers)
        p = [self._paragraph(per_para) for _ in range(fillers)]
        blocks = [
            fixed_head + p[0],
            link_para,
            f"## {headings[0]}",
            p[1],
            p[2],
            figure,
            p[3],
            f"## {headings[1]}",
            p[4],
            quote,
            p[5],
            f"## {headings[2]}",
            p[6],
            p[7],
            p[8],
        ]
        return "\n\n".join(blocks)


def _article_yaml(rng: Random, meta: _Meta, body: str, index: int) -> str:
    lines = [f"title: {_q(meta.title)}", f"published: {_yaml_time(meta.published, meta.date_only)}"]
    if meta.updated is not None:
        lines.append(f"updated: {_yaml_time(meta.updated, False)}")
    who = rng.random()
    if who < 0.2:
        lines.append(f"author: {_q(rng.choice(AUTHORS))}")  # a single-name override
    elif who < 0.9:
        lines.append("authors:")
        for name in rng.sample(AUTHORS, 1 if rng.random() < 0.75 else 2):
            lines.append(f"  - name: {_q(name)}")
            if rng.random() < 0.3:
                lines.append(f"    email: {_slugify(name, 64).replace('-', '.')}@{BASE_URL[8:-1]}")
    # else: no author key, so the site default applies.
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(CATEGORIES))]
    chosen: list[str] = []
    wanted = rng.choice((1, 1, 2, 2, 2, 3))
    while len(chosen) < wanted:
        c = rng.choices(CATEGORIES, weights)[0]
        if c not in chosen:
            chosen.append(c)
    lines.append("categories:")
    lines.extend(f"  - {_q(c)}" for c in chosen)
    if rng.random() < 0.7:
        lines.append(f"image: {MEDIA_HOST}lead/{index:06d}.jpg")
    if rng.random() < 0.25:
        lines.append(f"summary: {_q(rng.choice(_QUOTES) + '.')}")
    # body is written last on purpose: the runner's "one edit" scenario appends a line to it.
    lines.append("body: |")
    lines.extend(f"  {line}" if line else "" for line in body.split("\n"))
    return "\n".join(lines) + "\n"


def _site_yaml() -> str:
    return (
        'title: "The Bench Gazette"\n'
        f"base_url: {BASE_URL}\n"
        'description: "A synthetic news archive for feedsmith benchmarks."\n'
        "language: en\n"
        "timezone: UTC\n"
        f"feed_limit: {FEED_LIMIT}\n"
        'authors: "Bench Gazette newsroom"\n'
    )


def generate(n: int, outdir: Path, seed: int = 1, *, force: bool = False) -> int:
    """Write ``site.yaml`` and ``articles/YYYY/MM/YYYY-MM-DD-<slug>.yaml``; return the file count.

    Refuses a non-empty ``outdir`` unless ``force``, which removes only what this function
    writes (``site.yaml``, ``articles/``) and feedsmith's lock file, whose ids would otherwise
    belong to a different corpus.
    """
    if n < 1:
        raise ValueError("N must be at least 1")
    if outdir.exists() and any(outdir.iterdir()):
        if not force:
            raise FileExistsError(f"{outdir} is not empty (use --force to replace the corpus)")
        shutil.rmtree(outdir / "articles", ignore_errors=True)
        for name in ("site.yaml", "feedsmith.lock"):
            (outdir / name).unlink(missing_ok=True)
    articles = outdir / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    (outdir / "site.yaml").write_bytes(_site_yaml().encode())

    metas = _metas(n, seed)
    rng = Random(f"feedsmith-bench-body-{seed}")
    bodies = _BodyWriter(rng, metas)
    made: set[Path] = set()
    for i, meta in enumerate(metas):
        day = meta.published.date()
        folder = articles / f"{day.year:04d}" / f"{day.month:02d}"
        if folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(folder)
        text = _article_yaml(rng, meta, bodies.body(i), i)
        (folder / f"{day.isoformat()}-{meta.slug}.yaml").write_bytes(text.encode())
    return n + 1


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("n", metavar="N", type=int, help="number of articles")
    parser.add_argument("outdir", metavar="OUTDIR", type=Path, help="content folder to write")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--force", action="store_true", help="replace an existing corpus")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        files = generate(args.n, args.outdir, args.seed, force=args.force)
    except (ValueError, FileExistsError) as err:
        parser.error(str(err))
    print(
        f"wrote {files} files ({args.n} articles) to {args.outdir} "
        f"in {time.perf_counter() - started:.2f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
