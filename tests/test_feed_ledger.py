"""Issue 3: the id ledger, ``content/feedsmith.lock``.

It records the id each article received when first published, so an id never moves when
base_url, ``--base-url``, the machine or the derivation rule changes; an explicit ``id:`` wins
and is recorded; a renamed article stops the publish with a way to keep its id; the file is
written atomically, only when it changes, never by ``check``, and a read-only content folder
is a warning, not a failure.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import feedsmith.ledger
import feedsmith.validate
from feedsmith.cli import main
from feedsmith.ledger import LEDGER_NAME, parse_ledger
from tests.feed_support import (
    ALL_KEYS,
    SAMPLE,
    copy_content,
    publish_folder,
    raw_articles,
    read_json,
)

NOW_ARG = "2026-01-01T00:00:00+00:00"
# The module, not the function of the same name that feedsmith/__init__ exports.
PUBLISH_MODULE = importlib.import_module("feedsmith.publish")
WRITE_MODULE = importlib.import_module("feedsmith.write")


def _ledger(content: Path) -> dict[str, str]:
    entries, errors = parse_ledger((content / LEDGER_NAME).read_text("utf-8"), LEDGER_NAME)
    assert errors == []
    return {slug: entry.id for slug, entry in entries.items()}


def _ids(out: Path) -> dict[str, str]:
    """url path under the site -> id, from every JSON Feed."""
    found = {}
    for path in sorted(out.rglob("feed.json")):
        feed = read_json(path)
        base = feed["home_page_url"].split("categories/")[0]
        for item in feed["items"]:
            found[item["url"].removeprefix(base)] = item["id"]
    return found


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), prog_name="feedsmith")
    return result.exit_code, result.stdout, result.stderr


def _set_base_url(content: Path, base_url: str) -> None:
    site = content / "site.yaml"
    data = yaml.safe_load(site.read_text("utf-8"))
    data["base_url"] = base_url
    site.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_first_publish_records_every_published_article_and_nothing_else(tmp_path: Path) -> None:
    content = copy_content(ALL_KEYS, tmp_path)
    assert not (content / LEDGER_NAME).exists()
    published = publish_folder(content, tmp_path / "public", drafts=True)
    ledger = _ledger(content)
    visible = {a.slug: a.id for a in published.visible}
    assert ledger == visible
    drafts_and_scheduled = {a.slug for a in published.articles} - set(visible)
    assert len(drafts_and_scheduled) == 2  # --drafts shows a draft, but it is not pinned
    lines = [
        line for line in (content / LEDGER_NAME).read_text("utf-8").splitlines()
        if not line.startswith("#")
    ]
    assert lines == sorted(lines) and len(lines) == len(visible)


def test_ids_survive_a_base_url_change(tmp_path: Path) -> None:
    content = copy_content(ALL_KEYS, tmp_path)
    before = _ids(publish_folder(content, tmp_path / "one").out)
    _set_base_url(content, "https://moved.example.com/courier-news/")
    after_publish = publish_folder(content, tmp_path / "two")
    after = _ids(after_publish.out)
    assert after == before
    assert all(a.startswith("https://moved.example.com/") for a in [after_publish.site.base_url])


def test_without_the_ledger_a_base_url_change_would_move_ids(tmp_path: Path) -> None:
    # Shows the test above is not vacuous: the derived id depends on the first base_url.
    content = copy_content(ALL_KEYS, tmp_path)
    before = _ids(publish_folder(content, tmp_path / "one").out)
    (content / LEDGER_NAME).unlink()
    _set_base_url(content, "https://moved.example.com/courier-news/")
    after = _ids(publish_folder(content, tmp_path / "two").out)
    explicit = {str(d["id"]) for d in raw_articles(content).values() if "id" in d}
    assert {v for v in before.values() if v not in explicit}.isdisjoint(after.values())


def test_ids_survive_the_base_url_option_and_it_changes_no_ledger(tmp_path: Path) -> None:
    content = copy_content(ALL_KEYS, tmp_path)
    # A preview publish before any real one must not pin ids derived from the preview URL.
    code, _, err = _cli(
        "publish", "--content", str(content), "--out", str(tmp_path / "preview"),
        "--now", NOW_ARG, "--base-url", "http://127.0.0.1:9999/",
    )
    assert code == 0, err
    preview = _ids(tmp_path / "preview")
    real = _ids(publish_folder(content, tmp_path / "real").out)
    assert preview == real
    ledger = (content / LEDGER_NAME).read_text("utf-8")
    assert "127.0.0.1" not in ledger


def test_ids_survive_a_change_of_the_derivation_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = copy_content(SAMPLE, tmp_path)
    before = _ids(publish_folder(content, tmp_path / "one").out)

    def another_rule(site_base_url: str, slug: str) -> str:
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_DNS, slug)}"

    monkeypatch.setattr(feedsmith.validate, "derived_id", another_rule)
    monkeypatch.setattr(feedsmith.ledger, "derived_id", another_rule)
    assert _ids(publish_folder(content, tmp_path / "two").out) == before


def test_an_explicit_id_wins_and_is_recorded(tmp_path: Path) -> None:
    content = copy_content(ALL_KEYS, tmp_path)
    publish_folder(content, tmp_path / "one")
    explicit = {s: str(d["id"]) for s, d in raw_articles(content).items() if "id" in d}
    assert explicit
    ledger = _ledger(content)
    for slug, article_id in explicit.items():
        assert ledger[slug] == article_id
    # Give a ledgered article an explicit id of its own: it wins, and the ledger follows.
    path = content / "articles" / "2025-05-11-lighthouse-keepers.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["id"] = "tag:news.example.net,2025:courier/logbooks"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    second = publish_folder(content, tmp_path / "two")
    assert second.by_slug("lighthouse-keepers").id == data["id"]
    assert _ledger(content)["lighthouse-keepers"] == data["id"]
    assert data["id"] in _ids(second.out).values()


def test_a_renamed_file_stops_publish_naming_both_and_the_fix(tmp_path: Path) -> None:
    content = copy_content(SAMPLE, tmp_path)
    out = tmp_path / "public"
    publish_folder(content, out)
    old_id = _ledger(content)["lantern-street-night-market-returns"]
    old = content / "articles" / "2025-02-08-lantern-street-night-market-returns.yaml"
    new = content / "articles" / "2025-02-08-night-market-returns.yaml"
    old.rename(new)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    # check says the same before anyone tries to publish.
    code, _, check_err = _cli("check", "--content", str(content))
    assert code == 1
    assert f"id: {old_id}" in check_err

    code, _, err = _cli("publish", "--content", str(content), "--out", str(out), "--now", NOW_ARG)
    assert code == 1
    # The same error; check then says what it checked, publish that nothing was written.
    assert err.splitlines()[:-1] == check_err.splitlines()[:-1]
    assert check_err.splitlines()[-1] == f"Checked {content}: 1 error, no warnings."
    assert str(new) in err  # the new file, with its line
    assert "'lantern-street-night-market-returns'" in err  # the old article, by its slug
    assert f"id: {old_id}" in err  # how to keep the old id
    assert "nothing was written" in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before

    # Following the advice keeps the id under the new slug.
    new.write_text(f"id: {old_id}\n" + new.read_text("utf-8"), encoding="utf-8")
    code, _, err = _cli("publish", "--content", str(content), "--out", str(out), "--now", NOW_ARG)
    assert code == 0, err
    assert _ids(out)["articles/night-market-returns/"] == old_id
    assert _ledger(content)["night-market-returns"] == old_id


def _replace_atomic_writer(
    monkeypatch: pytest.MonkeyPatch, writer: Callable[..., None]
) -> None:
    """Route feedsmith's one atomic file writer through ``writer``, wherever it is looked up."""
    monkeypatch.setattr(WRITE_MODULE, "write_file_atomically", writer)
    # publish.py may hold its own reference (imported at module level).
    monkeypatch.setattr(PUBLISH_MODULE, "write_file_atomically", writer, raising=False)


def test_written_only_when_it_changes_and_atomically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = copy_content(ALL_KEYS, tmp_path)
    ledger = content / LEDGER_NAME
    writes: list[Path] = []
    real_write = WRITE_MODULE.write_file_atomically

    def spy(target: Path, data: bytes, *, durable: bool = False) -> None:
        if target == ledger:
            writes.append(target)
            assert durable, "the ledger must reach the disk before publish says it is done"
        real_write(target, data, durable=durable)

    _replace_atomic_writer(monkeypatch, spy)
    publish_folder(content, tmp_path / "public")
    assert writes == [ledger]
    stamp = ledger.stat().st_mtime_ns
    text = ledger.read_text("utf-8")
    publish_folder(content, tmp_path / "public")
    publish_folder(content, tmp_path / "elsewhere")
    assert writes == [ledger]
    assert ledger.stat().st_mtime_ns == stamp and ledger.read_text("utf-8") == text
    # A new article adds exactly one line, and nothing is left half-written beside it.
    (content / "articles" / "2025-12-01-new-pontoon.yaml").write_text(
        "title: New pontoon\npublished: 2025-12-01\nbody: Opened today.\n", encoding="utf-8"
    )
    publish_folder(content, tmp_path / "public")
    assert writes == [ledger, ledger]
    added = set(ledger.read_text("utf-8").splitlines()) - set(text.splitlines())
    assert len(added) == 1 and next(iter(added)).startswith("new-pontoon\t")
    assert [p.name for p in content.iterdir() if p.name.startswith(".feedsmith-tmp")] == []


def test_check_never_writes_the_ledger(tmp_path: Path) -> None:
    content = copy_content(ALL_KEYS, tmp_path)
    code, _, err = _cli("check", "--content", str(content))
    assert code == 0, err
    assert not (content / LEDGER_NAME).exists()
    publish_folder(content, tmp_path / "public")
    (content / "articles" / "2025-12-01-new-pontoon.yaml").write_text(
        "title: New pontoon\npublished: 2025-12-01\nbody: Opened today.\n", encoding="utf-8"
    )
    stamp = (content / LEDGER_NAME).stat().st_mtime_ns
    code, _, err = _cli("check", "--content", str(content))
    assert code == 0, err
    assert (content / LEDGER_NAME).stat().st_mtime_ns == stamp
    assert "new-pontoon" not in (content / LEDGER_NAME).read_text("utf-8")


def test_a_read_only_content_folder_is_a_warning_not_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root here, and chmod does not stop root; so the write itself is made to
    # fail the way it does on a read-only checkout (EACCES from the temporary file's open).
    real_write = WRITE_MODULE.write_file_atomically

    def refuse(target: Path, data: bytes, *, durable: bool = False) -> None:
        if target.name != LEDGER_NAME:
            real_write(target, data, durable=durable)
            return
        raise PermissionError(13, "Permission denied", str(target.parent / ".feedsmith-tmp-x"))

    _replace_atomic_writer(monkeypatch, refuse)
    content = copy_content(ALL_KEYS, tmp_path)
    out = tmp_path / "public"
    code, stdout, err = _cli(
        "publish", "--content", str(content), "--out", str(out), "--now", NOW_ARG
    )
    assert code == 0, err
    warning = f"{content / LEDGER_NAME}: warning: cannot update the id ledger (Permission denied)"
    assert warning in err
    assert "commit the file" in err
    assert "Published 7 articles" in stdout
    assert (out / "feed.json").is_file() and not (content / LEDGER_NAME).exists()
