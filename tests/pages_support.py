# ruff: noqa: RUF001  (the Chinese sample text uses full-width punctuation, as Chinese does)
"""Hand-built model values and page writing shared by the page tests (issue 6).

Kept out of conftest so each page test module states what it uses. The sample covers what the
pages must handle: an HTML-looking title, a CJK article with its own language, blockquotes,
an external link, a lead image, an enclosure, authors with and without a URI, a site time zone
that moves a date across midnight. ``make_sample(base)`` builds it under any base URL, so the
browser test can serve it from a local port.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from feedsmith import pages
from feedsmith.model import (
    FEED_FILES,
    Article,
    Author,
    BodyFormat,
    Category,
    Enclosure,
    RenderedArticle,
    Site,
    Source,
    feed_folder_url,
)

BASE = "https://news.example.org/"
TRICKY_TITLE = "Why <b>bold</b> claims & data differ"
TRICKY_SUMMARY = "A <summary> that looks like markup & must stay text."
WORLD = Category("World", "world")
LABOUR = Category("Labour & Work", "labour-work")


@dataclass(frozen=True)
class Sample:
    """A small publication as publish would hand it to pages.py."""

    site: Site
    workers: RenderedArticle  # image, enclosure, two authors, blockquote, updated later
    tricky: RenderedArticle  # HTML-looking title and summary
    cjk: RenderedArticle  # zh-Hant article on an English site
    elsewhere: RenderedArticle  # external link: listed, but gets no page

    @property
    def newest_first(self) -> tuple[RenderedArticle, ...]:
        return (self.workers, self.tricky, self.cjk, self.elsewhere)

    @property
    def with_pages(self) -> tuple[RenderedArticle, ...]:
        return (self.workers, self.tricky, self.cjk)

    @property
    def categories(self) -> tuple[Category, ...]:
        return (LABOUR, WORLD)  # sorted by name, as publish passes them

    def in_category(self, category: Category) -> tuple[RenderedArticle, ...]:
        return tuple(r for r in self.newest_first if category in r.article.categories)


def _article(slug: str, title: str, published: datetime) -> Article:
    return Article(
        id=f"tag:news.example.org,2025:{slug}",
        slug=slug,
        title=title,
        published=published,
        updated=published,
        body="(source text; pages use content_html)",
        body_format=BodyFormat.MARKDOWN,
        source=Source(f"content/articles/{slug}.yaml", 1),
    )


def make_sample(base: str = BASE, language: str | None = "en") -> Sample:
    """The sample publication with every URL under ``base`` (which ends with ``/``)."""
    site = Site(
        title="The Harbour Ledger",
        base_url=base,
        description="Independent reporting from the coast, published as feeds.",
        language=language,
        timezone="Asia/Taipei",
        authors=(Author("Newsroom"),),
        icon=f"{base}icon.png",
        copyright="© 2025 The Harbour Ledger",
    )
    # 2025-03-13T23:30Z is already 14 March in Taipei: pages must show the site-zone date.
    workers = RenderedArticle(
        article=replace(
            _article(
                "cry-of-the-workers",
                "The Cry of the Workers",
                datetime(2025, 3, 13, 23, 30, tzinfo=UTC),
            ),
            updated=datetime(2025, 3, 16, 2, 0, tzinfo=UTC),
            authors=(Author("Lin Mei", uri="https://lin.example.net/"), Author("Tom Avery")),
            categories=(LABOUR, WORLD),
            image=f"{base}images/harbour.png",
            enclosures=(Enclosure(f"{base}audio/workers.mp3", 24_300_000, "audio/mpeg"),),
        ),
        content_html=(
            "<p>On December 19, 2020, Xiao En (肖恩) from Anhui said that when he was young — "
            "like most of his classmates — he believed the “great, glorious, righteous” "
            "slogans. Only after he saw the factory close did he change his mind.</p>\n"
            "<h2>Testimonies</h2>\n"
            "<blockquote><p>“When I was young, I was deceived by the sweet words of the Party. "
            "A student came to talk to me and said that his family was in difficulties,” "
            "he wrote.</p><p>“I hereby declare my resignation.”</p></blockquote>\n"
            "<p>Ye Lei, a college teacher, said the same in a public statement — "
            f'<a href="{base}articles/bold-claims/">as we reported</a> last week. The full '
            "list is at https://archive.example.org/a/very/long/path/that/should/wrap/on/a/"
            "phone/screen/without/scrolling/sideways/ever.</p>\n"
            f'<figure><img src="{base}images/harbour.png" alt="The harbour at dawn">'
            "<figcaption>The harbour at dawn, before the shift change.</figcaption></figure>\n"
        ),
        summary="Workers from Anhui describe why they left, in their own words.",
    )
    tricky = RenderedArticle(
        article=replace(
            _article("bold-claims", TRICKY_TITLE, datetime(2025, 3, 10, 8, 0, tzinfo=UTC)),
            categories=(WORLD,),
        ),
        content_html="<p>Numbers &amp; narratives, <em>compared</em>.</p>\n",
        summary=TRICKY_SUMMARY,
    )
    cjk = RenderedArticle(
        article=replace(
            _article(
                "harbour-night-market",
                "港口夜市的最後一夜",
                datetime(2025, 3, 8, 12, 0, tzinfo=UTC),
            ),
            authors=(Author("陳美玲"),),
            categories=(WORLD,),
            language="zh-Hant",
        ),
        content_html=(
            "<p>基隆港邊的夜市在週六晚上迎來最後一夜。攤販們說，這裡的燈火陪伴了三代人，"
            "從漁船靠岸的清晨到收攤的深夜，每一盞燈都有自己的故事。</p>\n"
            "<h2>攤販的心聲</h2>\n"
            "<blockquote><p>「我在這裡賣了四十年的魚丸湯，」林阿姨說，「明天起，"
            "我不知道該去哪裡。」</p></blockquote>\n"
            "<p>市政府表示，<em>新的</em>市場將在明年春天啟用，"
            "但許多攤販擔心租金會比現在高出一倍。</p>\n"
        ),
        summary="基隆港邊的夜市迎來最後一夜，攤販們回憶三代人的燈火。",
    )
    elsewhere = RenderedArticle(
        article=replace(
            _article(
                "port-strike-elsewhere",
                "Port strike enters second week",
                datetime(2025, 3, 5, 9, 0, tzinfo=UTC),
            ),
            categories=(LABOUR,),
            link="https://wire.example.com/2025/03/port-strike",
        ),
        content_html="",
        summary="Our partners at the wire report from the picket line.",
    )
    return Sample(site, workers, tricky, cjk, elsewhere)


def render_sample(sample: Sample) -> dict[Path, bytes]:
    """Every page of the sample, keyed by its path in the output folder (publish's layout)."""
    site = sample.site
    files = {Path("index.html"): pages.render_index(site, sample.newest_first, sample.categories)}
    for rendered in sample.with_pages:
        files[Path("articles", rendered.article.slug, "index.html")] = pages.render_article_page(
            site, rendered
        )
    for category in sample.categories:
        files[Path("categories", category.slug, "index.html")] = pages.render_category_page(
            site, category, sample.in_category(category)
        )
    return files


def write_sample(out: Path, sample: Sample, with_assets: bool = False) -> list[Path]:
    """Write the sample's pages into ``out``; return the HTML files.

    ``with_assets`` also writes what the pages link to (icon, images, audio, feed files as
    placeholders) so that a browser test can demand that every local link resolves.
    """
    files = render_sample(sample)
    for relpath, data in files.items():
        (out / relpath).parent.mkdir(parents=True, exist_ok=True)
        (out / relpath).write_bytes(data)
    if with_assets:
        png = _png(1200, 630)
        assets = {Path("icon.png"): _png(180, 180), Path("images/harbour.png"): png}
        assets[Path("audio/workers.mp3")] = b""
        for category in (None, *sample.categories):
            folder = Path(feed_folder_url(sample.site, category)[len(sample.site.base_url) :])
            for name in FEED_FILES.values():
                assets[folder / name] = b"placeholder: feeds are feeds.py's business\n"
        for relpath, data in assets.items():
            (out / relpath).parent.mkdir(parents=True, exist_ok=True)
            (out / relpath).write_bytes(data)
    return [out / relpath for relpath in files]


def _png(width: int, height: int) -> bytes:
    """A small gradient PNG (standard library only) standing in for a photo."""
    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (40 + x * 120 // width, 90, 140))
        for _ in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
