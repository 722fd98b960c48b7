"""Issue 2: a publish is repeatable, all-or-nothing, and touches only its own files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedsmith.cli import main
from feedsmith.publish import PublishOptions, publish
from feedsmith.write import MANIFEST_NAME
from tests.conftest import SAMPLE_NOW

NOW = "2026-01-01T00:00:00+00:00"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` with its bytes and modification time (ns)."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def published_bytes(folder: Path) -> dict[str, bytes]:
    """Output files without feedsmith's own bookkeeping (which records mtimes)."""
    return {
        path: data
        for path, (data, _) in snapshot(folder).items()
        if not path.startswith(".feedsmith")
    }


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), prog_name="feedsmith")
    return result.exit_code, result.stdout, result.stderr


def test_second_publish_changes_no_byte_and_no_mtime(sample_content: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    first = publish(PublishOptions(sample_content, out, SAMPLE_NOW))
    assert first.written > 20
    before = snapshot(out)
    second = publish(PublishOptions(sample_content, out, SAMPLE_NOW))
    assert second.written == 0
    assert second.unchanged == first.written
    assert snapshot(out) == before


def test_same_content_gives_same_bytes_whatever_the_file_layout(
    sample_content: Path, tmp_path: Path
) -> None:
    publish(PublishOptions(sample_content, tmp_path / "flat", SAMPLE_NOW))
    # Move every article into its own sub-folder, in reverse order: same publication.
    articles = sorted((sample_content / "articles").glob("*.yaml"), reverse=True)
    for number, path in enumerate(articles):
        folder = sample_content / "articles" / f"batch-{number}"
        folder.mkdir()
        shutil.move(path, folder / path.name)
    publish(PublishOptions(sample_content, tmp_path / "nested", SAMPLE_NOW))
    assert published_bytes(tmp_path / "flat") == published_bytes(tmp_path / "nested")


def test_an_error_leaves_the_published_folder_untouched(
    sample_content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(sample_content.parent)
    assert run_cli("publish", "--out", "public", "--now", NOW)[0] == 0
    before = snapshot(tmp_path / "public")
    (sample_content / "articles" / "2025-12-01-late.yaml").write_text(
        "title: A late story\nbody: Text.\npublished: 2020-13-45\n", encoding="utf-8"
    )
    # A change that would otherwise be published proves nothing at all was written.
    index = sample_content / "articles" / "2025-03-21-cheung-wan-library-reopens.yaml"
    index.write_text(index.read_text("utf-8").replace("Cheung Wan", "Cheung Wan (edited)"), "utf-8")
    code, _, stderr = run_cli("publish", "--out", "public", "--now", NOW)
    assert code == 1
    assert stderr.splitlines() == [
        "content/articles/2025-12-01-late.yaml:3: published: not a date: '2020-13-45'"
        " (write 2024-03-12 or 2024-03-12T09:00:00+08:00)",
        "1 error: nothing was written.",
    ]
    assert snapshot(tmp_path / "public") == before


def test_publish_removes_only_its_own_stale_files(sample_content: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    publish(PublishOptions(sample_content, out, SAMPLE_NOW))
    (out / "CNAME").write_text("news.example.org\n", encoding="utf-8")  # the user's own file
    (out / "articles" / "notes.txt").write_text("mine\n", encoding="utf-8")
    gone = sample_content / "articles" / "2025-06-12-typhoon-season-outlook.yaml"
    gone.unlink()
    report = publish(PublishOptions(sample_content, out, SAMPLE_NOW))
    assert not (out / "articles" / "typhoon-season-outlook").exists()
    assert report.removed == 1
    assert (out / "CNAME").read_text("utf-8") == "news.example.org\n"
    assert (out / "articles" / "notes.txt").is_file()
    assert (out / MANIFEST_NAME).is_file()


def test_python_dash_m_behaves_like_the_command(sample_content: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    for number, command in enumerate(
        ([sys.executable, "-m", "feedsmith"], [shutil.which("feedsmith") or "feedsmith"])
    ):
        out = tmp_path / f"out{number}"
        done = subprocess.run(
            [
                *command,
                "publish",
                "--content",
                str(sample_content),
                "--out",
                str(out),
                "--now",
                NOW,
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("Published 9 articles")
    assert published_bytes(tmp_path / "out0") == published_bytes(tmp_path / "out1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "published: 2025-01-02\nbody: Words.\n",
            "content/articles/case.yaml:1: title: missing: this key is required",
        ),
        (
            "title: T\npublished: 12/03/24\nbody: Words.\n",
            "content/articles/case.yaml:2: published: not a date: '12/03/24'"
            " (write 2024-03-12 or 2024-03-12T09:00:00+08:00)",
        ),
        (
            'title: "T\npublished: 2025-01-02\nbody: Words.\n',
            "content/articles/case.yaml:4: YAML syntax error: found unexpected end of stream"
            " while scanning a quoted scalar (check indentation, quotes and colons on this"
            " line or the one above)",
        ),
    ],
    ids=["missing-title", "bad-date", "yaml-syntax"],
)
def test_content_errors_are_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "site.yaml").write_text(
        "title: T\nbase_url: https://example.org/\ndescription: D\n", encoding="utf-8"
    )
    (content / "articles" / "case.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for command in (["check"], ["publish", "--now", NOW]):
        code, _, stderr = run_cli(*command)
        assert code == 1
        assert stderr.splitlines()[0] == expected
        assert "Traceback" not in stderr
    assert not (tmp_path / "public").exists()


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    code, _, stderr = run_cli("publish", "--colour", "blue")
    assert code == 2
    assert stderr.splitlines()[0] == "Usage: feedsmith publish [OPTIONS]"
    assert "Error: No such option '--colour'" in stderr
    assert "Traceback" not in stderr
