"""Issue 3: per-category feeds whose titles and self links name the category, and carry every
article of it (up to feed_limit), including those the main feed has no room for.
"""

from __future__ import annotations

from tests.feed_support import (
    Published,
    parse_feed,
    raw_articles,
    read_json,
    shown_text,
    xml_root,
)


def _categories(published: Published) -> dict[str, str]:
    """slug -> name of every category a visible article has."""
    return {c.slug: c.name for a in published.visible for c in a.categories}


def test_one_feed_set_per_category_and_no_other(all_keys: Published) -> None:
    names = {str(n) for data in raw_articles(all_keys.content).values()
             for n in data.get("categories", [])}
    categories = _categories(all_keys)
    # Drafts and scheduled articles bring no category of their own ("Harbour" has a visible one).
    assert set(categories.values()) <= names
    folders = {p.name for p in (all_keys.out / "categories").iterdir()}
    assert folders == set(categories)
    for slug in categories:
        for name in ("rss.xml", "atom.xml", "feed.json"):
            assert (all_keys.out / "categories" / slug / name).is_file()


def test_category_feeds_name_the_category_in_title_and_self_link(all_keys: Published) -> None:
    for slug, name in _categories(all_keys).items():
        folder = all_keys.out / "categories" / slug
        for feed_name in ("rss.xml", "atom.xml"):
            parsed = parse_feed(folder / feed_name)
            title = shown_text(parsed.feed.title, parsed.feed.title_detail.type)
            assert name in title and all_keys.site.title in title
            self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
            assert self_links == [f"{all_keys.site.base_url}categories/{slug}/{feed_name}"]
            assert slug in self_links[0]
        feed = read_json(folder / "feed.json")
        assert name in feed["title"]
        assert feed["feed_url"] == f"{all_keys.site.base_url}categories/{slug}/feed.json"
        assert feed["home_page_url"] == f"{all_keys.site.base_url}categories/{slug}/"


def test_category_feeds_carry_their_articles_beyond_the_main_feeds_limit(
    all_keys: Published,
) -> None:
    left_out = [a for a in all_keys.visible if a not in all_keys.in_main_feeds]
    assert left_out, "the all-keys site has more articles than its feed_limit"
    for article in left_out:
        assert article.categories
        for category in article.categories:
            ids = [e.id for e in parse_feed(all_keys.out / "categories" / category.slug /
                                            "atom.xml").entries]
            assert article.id in ids
    main_ids = {e.id for e in parse_feed(all_keys.out / "atom.xml").entries}
    assert not main_ids & {a.id for a in left_out}


def test_category_feed_membership_matches_the_yaml(all_keys: Published) -> None:
    raw = raw_articles(all_keys.content)
    for slug, name in _categories(all_keys).items():
        expected = {
            a.id
            for a in all_keys.visible
            if name in [str(c) for c in raw[a.slug].get("categories", [])]
        }
        rss = xml_root(all_keys.out / "categories" / slug / "rss.xml")
        assert {g.text for g in rss.iter("guid")} == expected
        items = read_json(all_keys.out / "categories" / slug / "feed.json")["items"]
        assert {i["id"] for i in items} == expected
        assert all(name in i["tags"] for i in items)
