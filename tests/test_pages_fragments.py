"""The pieces pages.py builds in Python instead of in template macros, for speed: an article's
entry in a list, its dateline and its categories, and the ``lang`` attributes.

They must escape every value from the content exactly as the templates' autoescaping does, be
the same wherever the article is listed, and never carry one site's values into another's
pages through the caches that make them cheap.
"""

from __future__ import annotations

import re
from dataclasses import replace

import lxml.html
from markupsafe import escape

from feedsmith import pages
from feedsmith.model import Author, Category, RenderedArticle
from tests.pages_support import BASE, LABOUR, WORLD, Sample, make_sample

# Every character autoescaping replaces, in markup that would show if it were not escaped.
HOSTILE = "<b>\"Bold\" & 'brash'</b>"
HOSTILE_URL = "https://people.example.net/?name=\"a\"&role='b'<c>"
HOSTILE_LANG = 'zh"><b>lang</b>'
HOSTILE_CATEGORY = Category(HOSTILE, "hostile")


def _hostile(sample: Sample) -> RenderedArticle:
    """An article whose every shown value needs escaping; in another language than the site."""
    article = replace(
        sample.tricky.article,
        title=HOSTILE,
        authors=(Author(HOSTILE, uri=HOSTILE_URL), Author(HOSTILE)),
        categories=(HOSTILE_CATEGORY, WORLD),
        language=HOSTILE_LANG,
        link=None,
    )
    return RenderedArticle(article, "<p>Body.</p>\n", HOSTILE)


def _entries(page: bytes) -> list[str]:
    return re.findall(r'<article class="entry".*?</article>\n', page.decode(), flags=re.DOTALL)


def test_every_value_in_a_list_entry_is_escaped() -> None:
    sample = make_sample()
    hostile = _hostile(sample)
    for page in (
        pages.render_index(sample.site, [hostile], [HOSTILE_CATEGORY]),
        pages.render_category_page(sample.site, HOSTILE_CATEGORY, [hostile]),
    ):
        (entry,) = _entries(page)
        for value in (HOSTILE, HOSTILE_URL, HOSTILE_LANG):
            assert str(escape(value)) in entry
        assert "<b>" not in entry
        doc = lxml.html.fragment_fromstring(entry)
        assert doc.get("lang") == HOSTILE_LANG
        assert doc.xpath("string(.//h3/a)") == HOSTILE
        assert doc.xpath("string(.//p[@class='summary'])") == HOSTILE
        assert doc.xpath(".//a[@rel='author']/@href") == [HOSTILE_URL]
        assert doc.xpath(".//p[@class='meta']//span[@lang]/@lang") == [HOSTILE_LANG]
        assert doc.xpath(".//ul[@class='tags']//a/text()") == [HOSTILE, WORLD.name]
        byline = doc.xpath("string(.//p[@class='meta'])")
        assert byline.endswith(f"by {HOSTILE} and {HOSTILE}")


def test_every_value_in_an_article_heading_is_escaped() -> None:
    sample = make_sample()
    page = pages.render_article_page(sample.site, _hostile(sample)).decode()
    header = page[page.index('<article class="story">') : page.index("</header>\n<div")]
    assert "<b>" not in header
    assert f"<h1>{escape(HOSTILE)}</h1>" in header
    assert f'<a class="author" href="{escape(HOSTILE_URL)}" rel="author">' in header
    assert f'<span lang="{escape(HOSTILE_LANG)}">' in header
    assert f">{escape(HOSTILE)}</a></li>" in header


def test_an_article_is_listed_alike_on_the_index_and_on_its_category_pages() -> None:
    sample = make_sample()
    index = _entries(pages.render_index(sample.site, sample.newest_first, sample.categories))
    labour = _entries(pages.render_category_page(sample.site, LABOUR, sample.in_category(LABOUR)))
    world = _entries(pages.render_category_page(sample.site, WORLD, sample.in_category(WORLD)))
    assert len(index) == 4
    assert labour == [index[0], index[3]]  # workers, elsewhere
    assert world == index[:3]  # workers, tricky, cjk


def test_no_piece_of_one_site_shows_on_another() -> None:
    """The per-site caches are keyed by the whole site, not only by the article's values."""
    first = make_sample()
    pages.render_index(first.site, first.newest_first, first.categories)
    pages.render_article_page(first.site, first.workers)
    other = make_sample("https://other.example/")
    other_site = replace(other.site, authors=(Author("Desk", uri="https://other.example/desk/"),))
    for page in (
        pages.render_index(other_site, other.newest_first, other.categories),
        pages.render_article_page(other_site, other.tricky),
        pages.render_category_page(other_site, WORLD, other.in_category(WORLD)),
    ):
        text = page.decode()
        assert BASE not in text
        assert "Newsroom" not in text  # the first site's default author
        assert "https://other.example/categories/world/" in text
    byline = pages.render_article_page(other_site, other.tricky).decode()
    assert 'by <a class="author" href="https://other.example/desk/" rel="author">Desk</a>' in byline


def test_lang_attr_is_empty_without_a_language_and_escaped_with_one() -> None:
    assert pages._lang_attr(None) == ""
    assert pages._lang_attr("") == ""
    assert pages._lang_attr("en") == ' lang="en"'
    assert pages._lang_attr(HOSTILE_LANG) == f' lang="{escape(HOSTILE_LANG)}"'
