"""The progress bar (issue 5): on a terminal only, only for publishes that last, and gone
before the summary line."""

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


def test_on_a_terminal_the_bar_is_drawn_then_erased(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "DELAY", 0.0)
    stream = _Terminal()
    bar = progress.Progress("rendering", 3, stream)
    bar.advance()
    drawn = stream.getvalue()
    assert drawn.startswith("\rrendering [")
    assert drawn.endswith("] 1/3\x1b[K")
    assert "#" * 10 + "." * 20 in drawn  # a third of the 30-character bar
    bar.close()
    assert stream.getvalue() == drawn + "\r\x1b[K"


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


def test_a_publish_on_a_real_terminal_shows_and_erases_its_bars(
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
    assert "/13\x1b[K" in shown
    assert shown.endswith("\r\x1b[K")  # the last bar erased: the summary starts a clean line
