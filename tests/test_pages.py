"""pages.py renders hand-built model values into the HTML issue 6 asks for.

Each test parses the output with lxml and asserts one property: escaping, autodiscovery,
canonical and Open Graph metadata, languages, dates in the site's time zone, absolute URLs.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit

import lxml.html
import pytest
from lxml.html import HtmlElement

from feedsmith import pages
from feedsmith.model import Author, page_url
from tests.pages_support import (
    BASE,
    LABOUR,
    TRICKY_SUMMARY,
    TRICKY_TITLE,
    WORLD,
    Sample,
    make_sample,
    render_sample,
)


@pytest.fixture
def sample() -> Sample:
    return make_sample()


def parse(data: bytes) -> HtmlElement:
    assert data.startswith(b"<!DOCTYPE html>\n")
    return lxml.html.document_fromstring(data)


def index(sample: Sample) -> HtmlElement:
    return parse(pages.render_index(sample.site, sample.newest_first, sample.categories))


def article(sample: Sample, which: str = "workers") -> HtmlElement:
    rendered = getattr(sample, which)
    return parse(pages.render_article_page(sample.site, rendered))


def category(sample: Sample) -> HtmlElement:
    return parse(pages.render_category_page(sample.site, LABOUR, sample.in_category(LABOUR)))


def find(doc: HtmlElement, xpath: str) -> list[HtmlElement]:
    """The elements an XPath selects (typed: lxml's xpath() may return anything)."""
    found = doc.xpath(xpath)
    assert isinstance(found, list)
    elements = [e for e in found if isinstance(e, HtmlElement)]
    assert len(elements) == len(found), f"{xpath} selected non-elements"
    return elements


def one(doc: HtmlElement, xpath: str) -> HtmlElement:
    found = find(doc, xpath)
    assert len(found) == 1, f"{xpath}: {len(found)} matches"
    return found[0]


def texts(doc: HtmlElement, xpath: str) -> list[str]:
    return [e.text_content() for e in find(doc, xpath)]


def attrs(doc: HtmlElement, xpath: str, name: str) -> list[str | None]:
    return [e.get(name) for e in find(doc, xpath)]


def meta(doc: HtmlElement, prop: str) -> list[str | None]:
    return attrs(doc, f"//meta[@property='{prop}']", "content")


# --- titles are plain text (SPEC: Rules every output follows) -------------------------------


def test_html_looking_title_shows_literally_on_its_page(sample: Sample) -> None:
    doc = article(sample, "tricky")
    assert one(doc, "//h1").text_content() == TRICKY_TITLE
    assert one(doc, "//title").text_content() == f"{TRICKY_TITLE} \N{EN DASH} {sample.site.title}"
    assert meta(doc, "og:title") == [TRICKY_TITLE]
    assert not find(doc, "//main//b"), "the title's <b> became markup"


def test_html_looking_title_and_summary_show_literally_in_lists(sample: Sample) -> None:
    for doc in (
        index(sample),
        parse(pages.render_category_page(sample.site, WORLD, [sample.tricky])),
    ):
        titles = texts(doc, "//h3[@class='entry-title']/a")
        assert TRICKY_TITLE in titles
        assert TRICKY_SUMMARY in texts(doc, "//p[@class='summary']")
        assert not find(doc, "//main//b | //main//summary")


def test_category_name_is_escaped(sample: Sample) -> None:
    doc = category(sample)
    assert one(doc, "//h1").text_content() == "Labour & Work"
    assert b"Labour &amp; Work" in pages.render_category_page(sample.site, LABOUR, [])


# --- head metadata ---------------------------------------------------------------------------


def alternates(doc: HtmlElement) -> list[tuple[str | None, str | None]]:
    links = find(doc, "//head/link[@rel='alternate']")
    return [(e.get("type"), e.get("href")) for e in links]


SITE_FEEDS = [
    ("application/rss+xml", f"{BASE}rss.xml"),
    ("application/atom+xml", f"{BASE}atom.xml"),
    ("application/feed+json", f"{BASE}feed.json"),
]


def test_index_and_article_pages_advertise_the_three_site_feeds(sample: Sample) -> None:
    assert alternates(index(sample)) == SITE_FEEDS
    assert alternates(article(sample)) == SITE_FEEDS


def test_category_page_advertises_its_own_feeds_first(sample: Sample) -> None:
    folder = f"{BASE}categories/labour-work/"
    own = [
        ("application/rss+xml", f"{folder}rss.xml"),
        ("application/atom+xml", f"{folder}atom.xml"),
        ("application/feed+json", f"{folder}feed.json"),
    ]
    doc = category(sample)
    assert alternates(doc) == own + SITE_FEEDS
    titles = attrs(doc, "//head/link[@rel='alternate']", "title")
    assert titles[0] == "The Harbour Ledger: Labour & Work (RSS)"
    # The subscribe block on a category page offers the category's feeds.
    assert attrs(doc, "//section[@class='subscribe']//a", "href") == [url for _, url in own]


def test_canonical_is_the_page_url(sample: Sample) -> None:
    canonical = "//head/link[@rel='canonical']"
    assert one(index(sample), canonical).get("href") == BASE
    assert one(article(sample), canonical).get("href") == page_url(
        sample.site, sample.workers.article
    )
    assert one(category(sample), canonical).get("href") == f"{BASE}categories/labour-work/"


def test_article_open_graph(sample: Sample) -> None:
    doc = article(sample)
    assert meta(doc, "og:type") == ["article"]
    assert meta(doc, "og:title") == ["The Cry of the Workers"]
    assert meta(doc, "og:url") == [f"{BASE}articles/cry-of-the-workers/"]
    assert meta(doc, "og:description") == [sample.workers.summary]
    assert meta(doc, "og:image") == [f"{BASE}images/harbour.png"]
    assert meta(doc, "og:site_name") == ["The Harbour Ledger"]
    # Times in the site's zone (Asia/Taipei, +08:00) and equal to the model's instants.
    assert meta(doc, "article:published_time") == ["2025-03-14T07:30:00+08:00"]
    assert meta(doc, "article:modified_time") == ["2025-03-16T10:00:00+08:00"]
    published = datetime.fromisoformat("2025-03-14T07:30:00+08:00")
    assert published == sample.workers.article.published
    assert meta(doc, "article:tag") == ["Labour & Work", "World"]
    description = one(doc, "//head/meta[@name='description']").get("content")
    assert description == sample.workers.summary


def test_no_og_image_without_a_lead_image(sample: Sample) -> None:
    doc = article(sample, "tricky")
    assert meta(doc, "og:image") == []
    assert not find(doc, "//figure[@class='lead']")


def test_icons_only_when_the_site_has_one(sample: Sample) -> None:
    doc = index(sample)
    assert one(doc, "//head/link[@rel='icon']").get("href") == f"{BASE}icon.png"
    assert one(doc, "//head/link[@rel='apple-touch-icon']").get("href") == f"{BASE}icon.png"
    bare = replace(sample, site=replace(sample.site, icon=None))
    assert not find(index(bare), "//link[@rel='icon' or @rel='apple-touch-icon']")


def test_pages_load_nothing_from_elsewhere(sample: Sample) -> None:
    for data in render_sample(sample).values():
        doc = parse(data)
        assert not find(doc, "//link[@rel='stylesheet'] | //script[@src] | //iframe")
        assert len(find(doc, "//head/style")) == 1
        assert b"@import" not in data
        assert one(doc, "//meta[@name='viewport']").get("content") == (
            "width=device-width, initial-scale=1"
        )


# --- languages -------------------------------------------------------------------------------


def test_lang_comes_from_the_article_then_the_site(sample: Sample) -> None:
    assert index(sample).get("lang") == "en"
    assert article(sample).get("lang") == "en"
    assert article(sample, "cjk").get("lang") == "zh-Hant"
    no_language = make_sample(language=None)
    assert index(no_language).get("lang") == "und"
    assert article(no_language, "cjk").get("lang") == "zh-Hant"


def test_english_interface_text_is_marked_on_pages_in_other_languages(sample: Sample) -> None:
    doc = article(sample, "cjk")
    assert one(doc, "//section[@class='subscribe']").get("lang") == "en"
    assert one(doc, "//header[@class='masthead']").get("lang") == "en"  # the site's language
    dateline = one(doc, "//article//p[@class='meta']")
    assert dateline.get("lang") == "en"
    assert one(dateline, ".//span[@lang]").get("lang") == "zh-Hant"  # the author's name
    # On the English index the Chinese entry carries its own lang.
    entry = one(index(sample), "//article[.//a[text()='港口夜市的最後一夜']]")
    assert entry.get("lang") == "zh-Hant"
    # An English page needs no marking at all.
    assert not find(article(sample), "//body//*[@lang]")


# --- dates -----------------------------------------------------------------------------------


def test_dates_are_shown_in_the_site_time_zone_with_machine_readable_time(
    sample: Sample,
) -> None:
    doc = article(sample)
    published, updated = find(doc, "//article//p[@class='meta']/time")
    # 23:30 UTC on 13 March is 07:30 on 14 March in Taipei.
    assert published.text_content() == "14 March 2025"
    assert published.get("datetime") == "2025-03-14T07:30:00+08:00"
    assert datetime.fromisoformat(str(published.get("datetime"))) == (
        sample.workers.article.published
    )
    assert updated.text_content() == "16 March 2025"


def test_updated_is_shown_only_on_a_later_day(sample: Sample) -> None:
    same_day = replace(
        sample.tricky,
        article=replace(
            sample.tricky.article,
            updated=sample.tricky.article.published.replace(hour=12),
        ),
    )
    doc = parse(pages.render_article_page(sample.site, same_day))
    assert len(find(doc, "//article//p[@class='meta']/time")) == 1


def test_dates_ignore_the_machine_time_zone(
    sample: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = pages.render_article_page(sample.site, sample.workers)
    with monkeypatch.context() as patch:
        patch.setenv("TZ", "America/Los_Angeles")
        time.tzset()
        after = pages.render_article_page(sample.site, sample.workers)
    time.tzset()
    assert after == before


# --- content ---------------------------------------------------------------------------------


def test_article_page_has_everything_a_reader_needs(sample: Sample) -> None:
    doc = article(sample)
    story = one(doc, "//main/article[@class='story']")
    assert one(story, ".//h1").text_content() == "The Cry of the Workers"
    dateline = one(story, ".//p[@class='meta']").text_content()
    assert "by Lin Mei and Tom Avery" in dateline
    assert one(story, ".//a[@rel='author']").get("href") == "https://lin.example.net/"
    assert attrs(story, ".//ul[@class='tags']//a", "href") == [
        f"{BASE}categories/labour-work/",
        f"{BASE}categories/world/",
    ]
    assert one(story, ".//figure[@class='lead']/img").get("src") == f"{BASE}images/harbour.png"
    # The sanitized body goes in as HTML, not as escaped text.
    body = one(story, ".//div[@class='body']")
    assert one(body, ".//blockquote").text_content().startswith("“When I was young")
    assert one(body, ".//h2").text_content() == "Testimonies"
    assert one(story, ".//audio").get("src") == f"{BASE}audio/workers.mp3"
    assert "audio/mpeg, 24.3 MB" in one(story, ".//section[@class='attachments']//a").text_content()
    assert one(doc, "//p[@class='back']/a").get("href") == BASE


def test_authors_default_to_the_site_authors(sample: Sample) -> None:
    dateline = one(article(sample, "tricky"), "//article//p[@class='meta']").text_content()
    assert dateline.endswith("by Newsroom")
    nobody = replace(sample.site, authors=())
    doc = parse(pages.render_article_page(nobody, sample.tricky))
    assert " by " not in one(doc, "//article//p[@class='meta']").text_content()


def test_three_authors_read_naturally(sample: Sample) -> None:
    three = (Author("A"), Author("B"), Author("C"))
    rendered = replace(sample.tricky, article=replace(sample.tricky.article, authors=three))
    doc = parse(pages.render_article_page(sample.site, rendered))
    assert one(doc, "//article//p[@class='meta']").text_content().endswith("by A, B and C")


def test_subscribe_block_explains_and_offers_the_feeds(sample: Sample) -> None:
    for doc in (index(sample), article(sample)):
        block = one(doc, "//section[@class='subscribe']")
        assert "A feed reader is an app" in block.text_content()
        assert texts(block, ".//dt") == ["RSS", "Atom", "JSON Feed"]
        codes = texts(block, ".//code")
        assert codes == [url for _, url in SITE_FEEDS]
        # Copy buttons start hidden: the script reveals them, so no-JS readers see no dead button.
        buttons = find(block, ".//button[@class='copy']")
        assert len(buttons) == 3
        assert all(b.get("hidden") is not None for b in buttons)
        assert [b.get("data-copy") for b in buttons] == attrs(block, ".//code", "id")


def test_index_lists_the_newest_articles_with_their_details(sample: Sample) -> None:
    doc = index(sample)
    assert one(doc, "//h1").text_content() == "The Harbour Ledger"
    assert one(doc, "//p[@class='tagline']").text_content() == sample.site.description
    entries = find(doc, "//section[@class='latest']/article")
    assert len(entries) == 4
    first = entries[0]
    assert one(first, ".//h3/a").get("href") == f"{BASE}articles/cry-of-the-workers/"
    assert one(first, "(.//time)[1]").get("datetime") == "2025-03-14T07:30:00+08:00"
    assert "Lin Mei" in one(first, ".//p[@class='meta']").text_content()
    assert one(first, ".//p[@class='summary']").text_content() == sample.workers.summary
    # An external link goes straight there, and says where.
    last = entries[-1]
    assert one(last, ".//h3/a").get("href") == "https://wire.example.com/2025/03/port-strike"
    assert "wire.example.com" in one(last, ".//span[@class='external']").text_content()
    sections = find(doc, "//nav[@class='sections']//a")
    assert [(a.text_content(), a.get("href")) for a in sections] == [
        ("Labour & Work", f"{BASE}categories/labour-work/"),
        ("World", f"{BASE}categories/world/"),
    ]


def test_category_page_lists_its_articles(sample: Sample) -> None:
    doc = category(sample)
    titles = texts(doc, "//section[@class='latest']//h3/a")
    assert titles == ["The Cry of the Workers", "Port strike enters second week"]


def test_empty_lists_say_so(sample: Sample) -> None:
    doc = parse(pages.render_index(sample.site, [], []))
    assert "Nothing published yet." in one(doc, "//section[@class='latest']").text_content()
    assert not find(doc, "//nav[@class='sections']")


# --- URLs and determinism --------------------------------------------------------------------


def test_every_url_is_absolute_and_ours_unless_it_is_external(sample: Sample) -> None:
    external = {
        "https://lin.example.net/",
        "https://wire.example.com/2025/03/port-strike",
    }
    for path, data in render_sample(sample).items():
        doc = parse(data)
        urls = attrs(doc, "//*[@href]", "href") + attrs(doc, "//*[@src]", "src")
        urls += meta(doc, "og:url") + meta(doc, "og:image")
        assert urls, path
        for url in urls:
            assert url is not None
            parts = urlsplit(url)
            assert parts.scheme in ("http", "https") and parts.netloc, f"{path}: {url!r}"
            assert url.startswith(BASE) or url in external, f"{path}: {url!r}"


def test_rendering_is_deterministic_and_keeps_no_state(sample: Sample) -> None:
    first = render_sample(sample)
    pages.render_index(make_sample("https://other.example/").site, [], [])  # unrelated call
    assert render_sample(sample) == first
    assert pages._environment() is pages._environment()


def test_templates_fail_loudly_on_undefined_names() -> None:
    environment = pages._environment()
    assert environment.undefined.__name__ == "StrictUndefined"
    autoescape = environment.autoescape
    assert callable(autoescape)
    assert autoescape("index.html") is True
    assert autoescape("style.css") is False  # included verbatim inside <style>


def test_the_inlined_stylesheet_covers_both_schemes_and_the_measure(sample: Sample) -> None:
    style = one(index(sample), "//head/style").text_content()
    assert "color-scheme: light dark" in style
    assert "@media (prefers-color-scheme: dark)" in style
    assert "65ch" in style
    assert "/*" not in style  # minified once, when the environment is built


def test_css_minifier_keeps_descendant_combinators_before_pseudo_classes() -> None:
    css = "/* note */\na :lang(zh) > b ,\ni  {\n  color: red;\n  margin: 0 auto;\n}\n"
    assert pages._minify_css(css) == "a :lang(zh)>b,i{color: red;margin: 0 auto}"
