"""Issue 4: missing site.yaml or content/, a bad --out, a full disk, bad options."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from feedsmith import parallel, write
from feedsmith.errors import FeedsmithError
from feedsmith.publish import PublishOptions, publish
from tests.input_support import (
    ARTICLE_YAML,
    NOW,
    add_article,
    assert_refused,
    check_cli,
    publish_cli,
    published,
    run,
    snapshot,
    temporaries,
    write_site,
)


def test_missing_site_yaml(tmp_path: Path) -> None:
    content = write_site(tmp_path)
    (content / "site.yaml").unlink()
    result = publish_cli(content, tmp_path / "out")
    assert_refused(
        result,
        f"{(content / 'site.yaml').as_posix()}: missing: every publication needs a site.yaml"
        " with title, base_url and description",
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["publish", "check"])
def test_missing_content_folder_is_wrong_usage(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "nowhere"
    result = publish_cli(missing, tmp_path / "out") if command == "publish" else check_cli(missing)
    assert result.exit_code == 2  # nothing was there to check: the command was given wrongly
    assert "Traceback" not in result.output
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--content': {missing}: no such content folder: run from the"
        " folder that holds it or pass --content DIR"
    )
    usage = result.stderr.splitlines()[0]
    assert usage.startswith("Usage: ") and usage.endswith(f" {command} [OPTIONS]"), usage
    assert not (tmp_path / "out").exists()


def test_content_without_articles_folder_publishes_an_empty_site(tmp_path: Path) -> None:
    content = write_site(tmp_path, {})
    (content / "articles").rmdir()
    result = publish_cli(content, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "Published 0 articles" in result.stdout


def test_out_is_a_file(tmp_path: Path) -> None:
    content = write_site(tmp_path)
    out = tmp_path / "public"
    out.write_text("precious", encoding="utf-8")
    result = publish_cli(content, out)
    assert result.exit_code == 2  # wrong usage: the content is fine
    assert result.stderr == f"error: {out}: --out is a file, not a folder: choose another --out\n"
    assert out.read_text(encoding="utf-8") == "precious"


def test_out_inside_a_file(tmp_path: Path) -> None:
    content = write_site(tmp_path)
    blocker = tmp_path / "public"
    blocker.write_text("precious", encoding="utf-8")
    result = publish_cli(content, blocker / "site")
    assert result.exit_code == 2  # wrong usage: the content is fine
    assert result.stderr == (
        f"error: {blocker}: is a file, so --out {blocker / 'site'} cannot be made inside it:"
        " choose another --out\n"
    )
    assert blocker.read_text(encoding="utf-8") == "precious"


def test_out_not_writable_by_permission_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, which ignores permissions: the check's answer is simulated.
    content, out, before = published(tmp_path)
    add_article(content, "new.yaml", ARTICLE_YAML.replace("A good", "Another"))
    real = os.access

    def access(path: str | os.PathLike[str], mode: int) -> bool:
        return not (Path(path) == out and mode & os.W_OK) and real(path, mode)

    monkeypatch.setattr("feedsmith.write.os.access", access)
    result = publish_cli(content, out)
    assert result.exit_code == 3  # the machine's failure, not the content's
    assert result.stderr == (
        f"error: {out}: not writable: choose another --out or fix its permissions\n"
    )
    assert snapshot(out) == before


def _failing_after(count: int, error: int, monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """Make write._stage raise OSError(error) from the ``count``-th file on, like a real write()."""
    real = write._stage
    calls = 0

    def stage(target: Path, data: bytes) -> Path:
        nonlocal calls
        calls += 1
        if calls > count:
            raise OSError(error, os.strerror(error))
        return real(target, data)

    monkeypatch.setattr(write, "_stage", stage)
    return lambda: calls


@pytest.mark.parametrize(
    ("error", "after"), [(errno.ENOSPC, 3), (errno.EDQUOT, 0), (errno.EACCES, 1)]
)
def test_disk_full_mid_publish_keeps_the_previous_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: int, after: int
) -> None:
    content, out, before = published(tmp_path)
    for i in range(5):
        add_article(content, f"more-{i}.yaml", ARTICLE_YAML.replace("A good", f"More {i}"))
    calls = _failing_after(after, error, monkeypatch)
    result = publish_cli(content, out)
    assert result.exit_code == 3  # the machine's failure, not the content's
    assert calls() == after + 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {out}/")
    assert lines[0].endswith(f": cannot write: {os.strerror(error)}; nothing was changed")
    assert "Traceback" not in result.output
    assert snapshot(out) == before
    assert temporaries(out) == []


@pytest.mark.parametrize(
    ("obstacle", "problem"),
    [
        ("folder", "is a folder, but feedsmith writes a file there: move the folder away"),
        ("file", "is a file, but feedsmith writes a folder there: move the file away"),
    ],
)
def test_something_in_the_way_of_a_page_is_found_before_anything_changes(
    tmp_path: Path, obstacle: str, problem: str
) -> None:
    """A folder where the page goes, or a file where its folder goes."""
    content, out, _ = published(tmp_path)
    add_article(content, "more.yaml", ARTICLE_YAML.replace("A good", "More"))
    page = out / "articles" / "more" / "index.html"
    if obstacle == "folder":
        page.mkdir(parents=True)
    else:
        page.parent.write_text("not a folder")
    before = snapshot(out)
    result = publish_cli(content, out)
    assert result.exit_code == 2  # the output folder is in the way, not the content
    where = page if obstacle == "folder" else page.parent
    assert result.stderr == f"error: {where}: {problem}; nothing was changed\n"
    assert snapshot(out) == before
    assert temporaries(out) == []


def test_a_failing_rename_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, out, _ = published(tmp_path)
    add_article(content, "more.yaml", ARTICLE_YAML.replace("A good", "More"))
    real = Path.replace

    def replace(self: Path, target: str | os.PathLike[str]) -> Path:
        if Path(target).name == "atom.xml":
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(self, target)

    monkeypatch.setattr(Path, "replace", replace)
    result = publish_cli(content, out)
    assert result.exit_code == 3  # the machine's failure, not the content's
    assert result.stderr == (
        f"error: {out / 'atom.xml'}: cannot replace: Input/output error;"
        " 1 of 5 changed files were updated, the rest are as before: fix this and publish"
        " again\n"
    )
    assert temporaries(out) == []
    monkeypatch.undo()
    assert publish_cli(content, out).exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["publish", "--frobnicate"], "No such option '--frobnicate'"),
        (["publish", "--now", "tomorrow"], "Invalid value for '--now': 'tomorrow' is not an ISO"),
        (["publish", "--now", "2024-02-30"], "Invalid value for '--now': '2024-02-30' is not an"),
        (["check", "--content", "{file}"], "Invalid value for '--content'"),
        (["nonsense"], "No such command 'nonsense'"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    a_file = tmp_path / "f"
    a_file.write_text("", encoding="utf-8")
    result = run(*[a.replace("{file}", str(a_file)) for a in args])
    assert result.exit_code == 2
    assert "Usage: " in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_feedsmith_error_has_no_traceback_but_a_bug_keeps_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = write_site(tmp_path)

    def user_problem(*_args: object) -> None:
        raise FeedsmithError("something the user can fix")

    monkeypatch.setattr("feedsmith.cli.publish", user_problem)
    result = publish_cli(content, tmp_path / "out")
    assert (result.exit_code, result.stderr) == (1, "error: something the user can fix\n")

    def bug(*_args: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("feedsmith.cli.publish", bug)
    result = publish_cli(content, tmp_path / "out")
    # CliRunner catches it; outside a test the interpreter prints its traceback (exit 1).
    assert isinstance(result.exception, ZeroDivisionError)


def test_stale_temporaries_are_removed_by_the_next_publish(tmp_path: Path) -> None:
    content, out, before = published(tmp_path)
    leftover = out / "articles" / "good" / ".feedsmith-tmp-0123456789ab-index.html"
    leftover.write_bytes(b"<half")
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    assert temporaries(out) == []
    assert snapshot(out) == before
    assert NOW  # the same clock as the first publish: nothing else changed


def test_disk_full_while_pages_are_staged_keeps_the_previous_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages are written outside --out first (write.Staged); failing there changes nothing."""
    content, out, before = published(tmp_path)
    add_article(content, "more.yaml", ARTICLE_YAML.replace("A good", "More"))

    def full(tree: str, relpath: str, data: bytes) -> write.Staged:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), f"{tree}/{relpath}")

    monkeypatch.setattr(parallel, "stage_in_tree", full)
    result = publish_cli(content, out)
    assert result.exit_code == 3  # the machine's failure, not the content's
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert lines[0].endswith(
        "/articles/more/index.html: cannot write: No space left on device; nothing was changed"
    )
    assert snapshot(out) == before
    monkeypatch.undo()
    assert publish_cli(content, out).exit_code == 0
    assert (out / "articles" / "more" / "index.html").is_file()


@pytest.mark.parametrize("jobs", [1, 2])
def test_published_files_are_world_readable_whatever_the_umask(tmp_path: Path, jobs: int) -> None:
    """A web server reads the files as another user: 0o644, also for staged pages."""
    content = write_site(tmp_path)
    for i in range(3):
        add_article(content, f"more-{i}.yaml", ARTICLE_YAML.replace("A good", f"More {i}"))
    out = tmp_path / "public"
    previous = os.umask(0o077)
    try:
        publish(PublishOptions(content, out, datetime.fromisoformat(NOW), jobs=jobs))
    finally:
        os.umask(previous)
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.match("articles/*/index.html") for p in files)
    assert {p.relative_to(out).as_posix(): p.stat().st_mode & 0o777 for p in files} == {
        p.relative_to(out).as_posix(): 0o644 for p in files
    }
