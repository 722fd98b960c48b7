"""The output folder is the user's: files feedsmith did not write, files edited after it wrote
them, symlinks, an --out that overlaps the content, a full disk; and the manifest that tells
feedsmith's files from the user's."""

from __future__ import annotations

import errno
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from feedsmith import write
from feedsmith.records import digest
from feedsmith.write import MANIFEST_NAME, write_outputs
from tests.input_support import (
    ARTICLE_YAML,
    add_article,
    publish_cli,
    published,
    snapshot,
    temporaries,
    write_many,
    write_site,
)


def _lines(stderr: str) -> list[str]:
    return stderr.splitlines()


# -- files feedsmith did not write ------------------------------------------------------------


def test_a_hand_written_file_in_out_stops_the_first_publish(tmp_path: Path) -> None:
    content = write_site(tmp_path)
    out = tmp_path / "public"
    out.mkdir()
    (out / "index.html").write_text("<p>my own page</p>", encoding="utf-8")
    (out / "notes.txt").write_text("not an output: never touched", encoding="utf-8")
    before = snapshot(out)

    result = publish_cli(content, out)
    assert result.exit_code == 2
    assert _lines(result.stderr) == [
        f"error: {out / 'index.html'}: feedsmith did not write this file and would replace"
        " it: move it away, or pass --force to let feedsmith take it over; nothing was changed"
    ]
    assert snapshot(out) == before  # nothing written, nothing left staged

    result = publish_cli(content, out, "--force")
    assert result.exit_code == 0, result.output
    assert b"my own page" not in (out / "index.html").read_bytes()
    assert (out / "notes.txt").read_text(encoding="utf-8") == "not an output: never touched"
    assert "index.html" in json.loads((out / MANIFEST_NAME).read_bytes())["files"]


def test_a_file_equal_to_the_output_is_taken_without_a_word(tmp_path: Path) -> None:
    """What a publish killed before it wrote its manifest leaves: the very bytes it wanted."""
    content, out, _ = published(tmp_path)
    (out / MANIFEST_NAME).unlink()
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert (out / MANIFEST_NAME).is_file()


def test_an_edited_page_is_replaced_with_a_warning(tmp_path: Path) -> None:
    content, out, _ = published(tmp_path)
    page = out / "articles" / "good" / "index.html"
    page.write_text("<p>edited by hand</p>", encoding="utf-8")
    add_article(content, "more.yaml", ARTICLE_YAML.replace("A good", "More"))

    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    assert _lines(result.stderr) == [
        f"{page}: warning: changed since feedsmith wrote it: replaced by the published"
        " version (make lasting changes in the content or templates)"
    ]
    assert b"edited by hand" not in page.read_bytes()
    # Said once: the next publish has nothing to say.
    again = publish_cli(content, out)
    assert again.exit_code == 0 and again.stderr == ""


def test_an_edited_page_of_a_deleted_article_is_removed_with_a_warning(tmp_path: Path) -> None:
    content, out, _ = published(tmp_path)
    add_article(content, "more.yaml", ARTICLE_YAML.replace("A good", "More"))
    assert publish_cli(content, out).exit_code == 0
    page = out / "articles" / "more" / "index.html"
    page.write_text("<p>my notes on it</p>", encoding="utf-8")
    (content / "articles" / "more.yaml").unlink()

    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    assert _lines(result.stderr) == [
        f"{page}: warning: changed since feedsmith wrote it, and no longer published: removed"
    ]
    assert not page.exists()


def test_an_unedited_page_of_a_deleted_article_goes_silently(tmp_path: Path) -> None:
    content, out, _ = published(tmp_path)
    add_article(content, "more.yaml", ARTICLE_YAML.replace("A good", "More"))
    assert publish_cli(content, out).exit_code == 0
    (content / "articles" / "more.yaml").unlink()
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert not (out / "articles" / "more").exists()


# -- the manifest -----------------------------------------------------------------------------


def test_two_publishes_into_empty_folders_are_byte_identical(tmp_path: Path) -> None:
    content = write_site(tmp_path)
    write_many(content, 30, categories=3)
    first, second = tmp_path / "one", tmp_path / "two"
    assert publish_cli(content, first).exit_code == 0
    os.utime(content / "articles" / "article-00001.yaml")  # a later mtime: stats differ
    assert publish_cli(content, second).exit_code == 0
    assert {p: e.data for p, e in snapshot(first).items()} == {
        p: e.data for p, e in snapshot(second).items()
    }
    manifest = (first / MANIFEST_NAME).read_bytes()
    raw = json.loads(manifest)
    assert list(raw) == ["version", "files"] and raw["version"] == 2
    files = snapshot(first)
    assert raw["files"] == {
        p: digest(e.data) for p, e in sorted(files.items()) if p != MANIFEST_NAME
    }
    assert list(raw["files"]) == sorted(raw["files"])
    assert b" " not in manifest.strip()  # compact


def test_a_version_1_manifest_still_names_feedsmith_files(tmp_path: Path) -> None:
    """Output folders published before the manifest held only digests are still ours."""
    content, out, _ = published(tmp_path)
    files = json.loads((out / MANIFEST_NAME).read_bytes())["files"]
    old = {"version": 1, "files": {p: [0, 0, d] for p, d in files.items()}}
    (out / MANIFEST_NAME).write_text(json.dumps(old), encoding="utf-8")
    (content / "articles" / "2025-06-01-good.yaml").write_text(
        ARTICLE_YAML.replace("A good", "A better"), encoding="utf-8"
    )
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert json.loads((out / MANIFEST_NAME).read_bytes())["version"] == 2


Output = tuple[str, bytes | write.Deferred | write.Staged]


def _outputs(pairs: dict[str, bytes]) -> Iterator[Output]:
    yield from pairs.items()


def test_a_recorded_stat_is_trusted_and_without_one_the_bytes_decide(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = write_outputs(out, _outputs({"a.txt": b"first", "b.txt": b"other"}))
    # An edit that keeps the size and the mtime (touch -r).
    stat = (out / "a.txt").stat()
    (out / "a.txt").write_bytes(b"FIRST")
    os.utime(out / "a.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns))

    same = {"a.txt": b"first", "b.txt": b"other"}
    trusted = write_outputs(out, _outputs(same), stats=first.files)
    assert trusted.written == [] and trusted.warnings == []
    assert (out / "a.txt").read_bytes() == b"FIRST"

    read = write_outputs(out, _outputs({"a.txt": b"first", "b.txt": b"other"}))
    assert read.written == ["a.txt"]
    assert [w.path for w in read.warnings] == [f"{out}/a.txt"]
    assert (out / "a.txt").read_bytes() == b"first"
    assert read.files.keys() == {"a.txt", "b.txt"}
    assert read.files["a.txt"] == (5, (out / "a.txt").stat().st_mtime_ns)


# -- symlinks, overlapping folders --------------------------------------------------------------


def test_a_symlinked_generated_folder_is_never_written_through(tmp_path: Path) -> None:
    content = write_site(tmp_path, {"a.yaml": ARTICLE_YAML + "categories: [Harbour]\n"})
    out = tmp_path / "public"
    assert publish_cli(content, out).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("someone else's", encoding="utf-8")
    categories = out / "categories"
    for path in sorted(categories.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    categories.rmdir()
    categories.symlink_to(elsewhere, target_is_directory=True)
    (content / "articles" / "a.yaml").write_text(
        ARTICLE_YAML.replace("A good", "Changed") + "categories: [Harbour, Ferries]\n",
        encoding="utf-8",
    )
    before = snapshot(out)

    result = publish_cli(content, out)
    assert result.exit_code == 2
    assert _lines(result.stderr) == [
        f"error: {categories}: is a symbolic link, but feedsmith writes a folder there and"
        " writes only inside --out: replace the link with a folder (or remove it); nothing was"
        " changed"
    ]
    assert [p.name for p in elsewhere.iterdir()] == ["keep.txt"]
    assert snapshot(out) == before
    assert categories.is_symlink()


def test_a_dangling_symlink_as_out_is_one_clear_line(tmp_path: Path) -> None:
    content = write_site(tmp_path)
    out = tmp_path / "public"
    out.symlink_to(tmp_path / "gone")
    result = publish_cli(content, out)
    assert result.exit_code == 2
    assert _lines(result.stderr) == [
        f"error: {out}: --out is a symbolic link to {tmp_path / 'gone'}, which does not exist:"
        " make that folder, remove the link, or choose another --out"
    ]
    assert out.is_symlink() and not (tmp_path / "gone").exists()


@pytest.mark.parametrize(
    ("where", "problem"),
    [
        ("content", "is the content folder"),
        ("content/public", "is inside the content folder"),
        ("content/static/site", "is inside the content folder"),
        (".", "holds the content folder"),
    ],
)
def test_out_overlapping_the_content_is_refused(tmp_path: Path, where: str, problem: str) -> None:
    content = write_site(tmp_path)
    (content / "static").mkdir()
    before = snapshot(tmp_path)
    out = tmp_path / where
    result = publish_cli(content, out)
    assert result.exit_code == 2
    assert _lines(result.stderr) == [
        f"error: --out {out} {problem} {content}: choose an output folder outside it, e.g."
        " --out public beside the content folder"
    ]
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in content.iterdir()) == ["articles", "site.yaml", "static"]


def test_out_through_a_symlink_into_the_content_is_refused(tmp_path: Path) -> None:
    content = write_site(tmp_path)
    link = tmp_path / "public"
    link.symlink_to(content, target_is_directory=True)
    result = publish_cli(content, link)
    assert result.exit_code == 2
    assert "is the content folder" in result.stderr
    assert sorted(p.name for p in content.iterdir()) == ["articles", "site.yaml"]


# -- a full disk ------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path | None]:
    """A 300 KB tmpfs, or None where mounting is not allowed (not root)."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(mount)],
        capture_output=True, check=False,
    )
    if done.returncode != 0:
        yield None
        return
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_cold_publish_on_a_full_disk_leaves_no_folders(
    tmp_path: Path, small_disk: Path | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = write_site(tmp_path)
    write_many(content, 150, categories=5)
    if small_disk is None:
        # No tmpfs to fill: the disk fills at the 40th file instead.
        out = tmp_path / "out"
        out.mkdir()
        real, calls = write._stage, [0]

        def stage(target: str, data: bytes, *, durable: bool = False) -> str:
            calls[0] += 1
            if calls[0] > 40:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real(target, data, durable=durable)

        monkeypatch.setattr(write, "_stage", stage)
    else:
        out = small_disk
    result = publish_cli(content, out)
    assert result.exit_code == 3
    lines = _lines(result.stderr)
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {out}/")
    assert lines[0].endswith(": cannot write: No space left on device; nothing was changed")
    assert list(out.iterdir()) == []


def test_files_renamed_by_an_interrupted_publish_stay_feedsmith_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupted among its renames, a publish leaves some files new and its manifest old;
    the next publish, of yet other content, must not take the new ones for the user's."""
    content = write_site(tmp_path)
    write_many(content, 20)
    out = tmp_path / "public"
    assert publish_cli(content, out).exit_code == 0
    for path in (content / "articles").iterdir():
        path.write_text(path.read_text("utf-8").replace("Paragraph", "Second"), "utf-8")
    real, renames = Path.replace, [0]

    def replace(self: Path, target: str | os.PathLike[str]) -> Path:
        renames[0] += 1
        if renames[0] > 2:
            raise KeyboardInterrupt  # Ctrl-C after the manifest and one file
        return real(self, target)

    monkeypatch.setattr(Path, "replace", replace)
    assert publish_cli(content, out).exit_code == 130
    monkeypatch.undo()
    assert temporaries(out) == []  # the interruption removed what it had not renamed yet
    for path in (content / "articles").iterdir():
        path.write_text(path.read_text("utf-8").replace("Second", "Third"), "utf-8")
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
