"""The progress bar: on a terminal only, only for publishes that last, and each phase's bar
left at its end on its own line before the summary."""

from __future__ import annotations

import io
import os
import pty
import sys
from datetime import datetime
from pathlib import Path

import pytest

from feedsmith import progress
from feedsmith.publish import PublishOptions, publish
from tests.input_support import ARTICLE_YAML, NOW, add_article, write_site


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_bar_is_drawn_then_finished(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "DELAY", 0.0)
    stream = _Terminal()
    bar = progress.Progress("rendering", 3, stream)
    bar.advance()
    drawn = stream.getvalue()
    assert drawn.startswith("\rrendering [")
    assert drawn.endswith("] 1/3\x1b[K")
    assert "#" * 10 + "." * 20 in drawn  # a third of the 30-character bar
    bar.advance(2)  # within the redraw interval: not drawn yet
    assert stream.getvalue() == drawn
    bar.close()
    assert stream.getvalue() == drawn + "\rrendering [" + "#" * 30 + "] 3/3\x1b[K\n"


def test_a_finished_phase_whose_count_fell_short_ends_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The writer's total is an estimate; a phase that ended without an error is complete.
    monkeypatch.setattr(progress, "DELAY", 0.0)
    stream = _Terminal()
    bar = progress.Progress("writing", 2000, stream)
    bar.advance(121)
    bar.close()
    assert stream.getvalue().endswith("] 2000/2000\x1b[K\n")


def test_a_phase_cut_short_by_an_error_stays_where_it_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(progress, "DELAY", 0.0)
    stream = _Terminal()
    bar = progress.Progress("writing", 10, stream)
    with pytest.raises(OSError, match="disk full"):
        try:
            bar.advance(4)
            raise OSError("disk full")
        finally:
            bar.close()
    assert stream.getvalue().endswith("] 4/10\x1b[K\n")


def test_quick_work_and_other_streams_get_nothing() -> None:
    quick = _Terminal()
    bar = progress.Progress("writing", 2, quick)
    bar.advance(2)  # well within progress.DELAY
    bar.close()
    assert quick.getvalue() == ""

    piped = io.StringIO()  # not a terminal: a pipe, a CI log, a file
    bar = progress.Progress("writing", 2, piped)
    bar.advance(2)
    bar.close()
    assert piped.getvalue() == ""


def test_a_publish_on_a_real_terminal_runs_its_bars_to_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = write_site(tmp_path)
    for i in range(12):
        add_article(content, f"more-{i:02}.yaml", ARTICLE_YAML.replace("A good", f"More {i}"))
    monkeypatch.setattr(progress, "DELAY", 0.0)
    leader, follower = pty.openpty()
    terminal = os.fdopen(follower, "w", encoding="utf-8", buffering=1)
    try:
        assert terminal.isatty()
        monkeypatch.setattr(sys, "stderr", terminal)
        options = PublishOptions(content, tmp_path / "out", datetime.fromisoformat(NOW), jobs=1)
        report = publish(options)
        terminal.flush()
        shown = os.read(leader, 1 << 16).decode("utf-8")
    finally:
        terminal.close()
        os.close(leader)
    assert report.articles == 13
    # Redrawn at most ten times a second: a quick publish shows each phase's first step.
    assert "\rrendering [" in shown
    assert "\rwriting [" in shown
    # Each phase ends on its final frame, whatever frames the throttle skipped, and on its
    # own line, so the summary starts a clean one.
    assert "\rrendering [" + "#" * 30 + "] 13/13\x1b[K\r\n" in shown
    # The writer was told 13 (one per article) and handed every output of a cold publish.
    written = report.written
    assert written > 13
    assert shown.endswith("\rwriting [" + "#" * 30 + f"] {written}/{written}\x1b[K\r\n")
