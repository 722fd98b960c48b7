"""Issue 3: ids are unique and permanent.

An entry's id is how a reader knows it has seen an article. It must be the same in every format
and feed, and must not move when the editor changes the title, body or date, when files are
read in another order, or when another machine (another time zone) publishes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from feedsmith.ledger import LEDGER_NAME
from tests.feed_support import (
    ALL_KEYS,
    NOW,
    SAMPLE,
    Published,
    atom,
    copy_content,
    parse_feed,
    publish_folder,
    raw_articles,
    read_json,
    run_cli,
    xml_root,
)


def _ids_by_feed(published: Published) -> dict[Path, list[str]]:
    ids: dict[Path, list[str]] = {}
    for path in published.feed_paths():
        if path.name == "feed.json":
            ids[path] = [item["id"] for item in read_json(path)["items"]]
        else:
            ids[path] = [entry.id for entry in parse_feed(path).entries]
    return ids


def _ids(out: Path) -> dict[str, str]:
    """url -> id of every item of every JSON Feed (main and categories)."""
    return {
        item["url"]: item["id"]
        for path in sorted(out.rglob("feed.json"))
        for item in read_json(path)["items"]
    }


def test_ids_are_unique_in_every_feed_and_the_models(all_keys: Published) -> None:
    by_feed = _ids_by_feed(all_keys)
    assert len(by_feed) >= 9
    model_ids = {a.id for a in all_keys.articles}
    for path, ids in by_feed.items():
        assert ids, path
        assert len(ids) == len(set(ids)), path
        assert set(ids) <= model_ids, path


def test_an_article_has_one_id_in_every_format_and_feed(all_keys: Published) -> None:
    for article in all_keys.visible:
        seen: set[str] = set()
        for path in all_keys.feed_paths():
            if path.name == "feed.json":
                items = read_json(path)["items"]
                seen |= {i["id"] for i in items if i["url"] == all_keys.url(article)}
            elif path.name == "atom.xml":
                for entry in xml_root(path).iter(atom("entry")):
                    if entry.find(atom("link")).get("href") == all_keys.url(article):
                        seen.add(entry.findtext(atom("id")))
            else:
                for item in xml_root(path).iter("item"):
                    if item.findtext("link") == all_keys.url(article):
                        guid = item.find("guid")
                        assert guid.get("isPermaLink") == "false"
                        seen.add(guid.text)
        assert seen == {article.id}, article.slug


def test_an_explicit_id_is_used_verbatim(all_keys: Published) -> None:
    raw = raw_articles(all_keys.content)
    explicit = {slug: str(data["id"]) for slug, data in raw.items() if "id" in data}
    assert explicit, "the all-keys site has an article with an explicit id"
    for slug, article_id in explicit.items():
        url = all_keys.url(all_keys.by_slug(slug))
        assert _ids(all_keys.out)[url] == article_id


def _edit(path: Path, document: int, **changes: object) -> None:
    """Change keys of one YAML document of an article file."""
    documents = list(yaml.safe_load_all(path.read_text("utf-8")))
    documents[document].update(changes)
    path.write_text(yaml.safe_dump_all(documents, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize("keep_ledger", [True, False], ids=["with-ledger", "without-ledger"])
def test_editing_title_body_and_dates_keeps_every_id(tmp_path: Path, keep_ledger: bool) -> None:
    content = copy_content(SAMPLE, tmp_path)
    if not keep_ledger:
        # The derivation alone must be stable too (a site that never committed its ledger).
        (content / LEDGER_NAME).unlink()
    first = publish_folder(content, tmp_path / "one")
    before = _ids(first.out)
    for path in sorted((content / "articles").glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        _edit(
            path,
            0,
            title=f"{data['title']} (updated)",
            body=f"{data.get('body', '')}\n\nAn editor's note was added.\n",
            published="2025-01-02T03:04:05+00:00",
            updated="2025-12-24T00:00:00+00:00",
        )
    if not keep_ledger:
        (content / LEDGER_NAME).unlink()
    second = publish_folder(content, tmp_path / "two")
    after = _ids(second.out)
    assert after == before
    titles = {i["title"] for i in read_json(second.out / "feed.json")["items"]}
    assert all(t.endswith("(updated)") for t in titles)


def test_file_order_and_new_files_do_not_move_ids(tmp_path: Path) -> None:
    content = copy_content(ALL_KEYS, tmp_path)
    before = _ids(publish_folder(content, tmp_path / "one").out)
    # Swap the two documents of the multi-article file and add a file that sorts first.
    desk = content / "articles" / "2025-06-30-weather-desk.yaml"
    documents = list(yaml.safe_load_all(desk.read_text("utf-8")))
    desk.write_text(yaml.safe_dump_all(documents[::-1], allow_unicode=True), encoding="utf-8")
    (content / "articles" / "0000-first.yaml").write_text(
        "title: A note that sorts first\npublished: 2025-12-01\nbody: Short.\n", encoding="utf-8"
    )
    # Move every other file into a sub-folder: the reading order changes again.
    nested = content / "articles" / "zz-moved"
    nested.mkdir()
    for path in sorted((content / "articles").glob("2025-0[5-8]*.yaml")):
        path.rename(nested / path.name)
    after = _ids(publish_folder(content, tmp_path / "two").out)
    assert {url: after[url] for url in before} == before
    assert len(after) == len(before) + 1


@pytest.mark.parametrize("source", [SAMPLE, ALL_KEYS], ids=["sample", "all-keys"])
def test_the_machines_time_zone_changes_no_byte(tmp_path: Path, source: Path) -> None:
    outputs = []
    for zone in ("Pacific/Kiritimati", "America/Adak"):  # UTC+14 and UTC-10/-9
        content = copy_content(source, tmp_path / zone.replace("/", "-"))
        out = content.parent / "public"
        result = run_cli(
            "publish", "--content", str(content), "--out", str(out), "--now", "2026-01-01",
            env={"TZ": zone},
        )
        assert result.returncode == 0, result.stderr
        outputs.append(
            {
                p.relative_to(out).as_posix(): p.read_bytes()
                for p in sorted(out.rglob("*"))
                if p.is_file() and not p.name.startswith(".feedsmith")
            }
        )
        # The ledger too: it is committed, so a machine's zone must not show in it.
        outputs[-1][LEDGER_NAME] = (content / LEDGER_NAME).read_bytes()
    assert outputs[0].keys() == outputs[1].keys()
    assert len(outputs[0]) > 10
    for name, data in outputs[0].items():
        assert data == outputs[1][name], name


def test_ids_do_not_depend_on_the_clock(tmp_path: Path) -> None:
    content = copy_content(ALL_KEYS, tmp_path)
    first = publish_folder(content, tmp_path / "one", now=NOW)
    later = publish_folder(content, tmp_path / "two", now=NOW.replace(year=2027))
    assert _ids(first.out) == _ids(later.out)
