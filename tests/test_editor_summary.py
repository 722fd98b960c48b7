"""What publish and check say when they finish: everything an editor needs, nothing false."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from feedsmith.state import TICK_NS
from tests.input_support import (
    ARTICLE_YAML,
    add_article,
    check_cli,
    publish_cli,
    write_site,
)

# NOW (input_support) is 2026-01-01; the site's time zone is UTC.
DRAFT = ARTICLE_YAML.replace("A good article", "Not ready").replace("body:", "draft: true\nbody:")
SCHEDULED = (
    'title: "Tomorrow"\npublished: 2026-01-02T06:30:00+08:00\nbody: |\n  Later.\n'
)
LATER = 'title: "Later still"\npublished: 2026-03-01\nbody: |\n  Much later.\n'
UNKNOWN_KEY = ARTICLE_YAML.replace("A good article", "Typo").replace("body:", "titel: x\nbody:")
TIME = r"\d+\.\d\d s"


def _site(tmp_path: Path) -> Path:
    content = write_site(tmp_path)
    add_article(content, "draft.yaml", DRAFT)
    add_article(content, "tomorrow.yaml", SCHEDULED)
    add_article(content, "later.yaml", LATER)
    return content


def test_publish_says_what_it_left_out_and_when_the_next_is_due(tmp_path: Path) -> None:
    content = _site(tmp_path)
    out = tmp_path / "public"
    result = publish_cli(content, out)
    assert result.exit_code == 0, result.output
    written = sum(1 for p in out.rglob("*") if p.is_file() and not p.name.startswith("."))
    first, second = result.stdout.splitlines()
    assert re.fullmatch(
        rf"Published 1 article to {re.escape(str(out))}: {written} files written, 0 unchanged,"
        rf" 0 removed in {TIME}\.",
        first,
    ), first
    # The next one in the site's time zone (UTC here): 06:30 in Hong Kong is 22:30 the day before.
    assert second == (
        "Left out: 1 draft (--drafts includes them), 2 scheduled (the next at"
        " 2026-01-01T22:30:00+00:00)."
    )
    with_drafts = publish_cli(content, out, "--drafts")
    assert with_drafts.stdout.splitlines()[0].startswith("Published 2 articles")
    assert with_drafts.stdout.splitlines()[1] == (
        "Left out: 2 scheduled (the next at 2026-01-01T22:30:00+00:00)."
    )


def test_publish_with_nothing_left_out_says_only_what_it_did(tmp_path: Path) -> None:
    content = write_site(tmp_path)
    out = tmp_path / "public"
    first = publish_cli(content, out)
    assert len(first.stdout.splitlines()) == 1
    again = publish_cli(content, out)
    lines = again.stdout.splitlines()
    assert re.fullmatch(
        rf"Published 1 article to {re.escape(str(out))}: 0 files written, \d+ unchanged, 0"
        rf" removed in {TIME}\.",
        lines[0],
    ), lines
    # The files were written moments ago: this publish looked at them again rather than
    # trusting the stamp, so it knows (and would say) what it left out.
    assert lines[1:] == []
    hour_ago = time.time() - 3600
    for path in content.rglob("*"):
        os.utime(path, (hour_ago, hour_ago))
    time.sleep(2 * TICK_NS / 1e9)  # utime set every ctime to now: wait out the clock's tick
    assert publish_cli(content, out).exit_code == 0  # stamps inputs old enough to trust
    fast = publish_cli(content, out).stdout.splitlines()
    assert fast[1:] == ["Nothing changed since the last publish."], fast


def test_check_says_what_it_checked_and_never_speaks_of_writing(tmp_path: Path) -> None:
    content = _site(tmp_path)
    add_article(content, "typo.yaml", UNKNOWN_KEY)
    result = check_cli(content)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Checked 5 articles in {content}: no errors, 1 warning.\n"
    assert result.stderr == (
        f"{content.as_posix()}/articles/typo.yaml:3: warning: titel: unknown key, ignored"
        " (did you mean title?)\n"
    )
    add_article(content, "bad.yaml", "title: x\npublished: 2025-13-01\nbody: y\n")
    failed = check_cli(content)
    assert failed.exit_code == 1
    assert failed.stderr.splitlines()[-1] == f"Checked {content}: 1 error, 1 warning."
    assert "written" not in failed.output


def test_quiet_prints_only_problems_and_verbose_every_file_written(tmp_path: Path) -> None:
    content = _site(tmp_path)
    add_article(content, "typo.yaml", UNKNOWN_KEY)
    out = tmp_path / "public"
    quiet = publish_cli(content, out, "--quiet")
    assert quiet.exit_code == 0
    assert quiet.stdout == ""
    assert "titel: unknown key" in quiet.stderr
    assert check_cli(content, "--quiet").stdout == ""

    verbose = publish_cli(content, tmp_path / "other", "--verbose")
    lines = verbose.stdout.splitlines()
    wrote = {line.removeprefix("wrote ") for line in lines if line.startswith("wrote ")}
    on_disk = {
        str(p)
        for p in (tmp_path / "other").rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    assert wrote == on_disk
    assert lines[-2].startswith("Published 2 articles")
    checked = check_cli(content, "--verbose").stdout.splitlines()
    files = sorted(f"checked {p.as_posix()}" for p in (content / "articles").iterdir())
    assert checked[:5] == files


def test_output_to_a_pipe_has_no_bar_and_no_colour(tmp_path: Path) -> None:
    content = _site(tmp_path)
    result = publish_cli(content, tmp_path / "public")
    assert "\x1b" not in result.output
    assert "\r" not in result.output
