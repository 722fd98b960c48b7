"""A progress bar on stderr for publishes that take more than a moment (issue 5).

Shown only when stderr is a terminal (never in CI logs, pipes or tests) and only once the work
has run for ``DELAY`` seconds, so quick publishes print exactly what they always did.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

DELAY = 0.5
"""Seconds before the bar appears: shorter publishes never show it."""
_INTERVAL = 0.1
_WIDTH = 30


class Progress:
    """Counts steps of one phase (``label``) and redraws one line, at most ten times a second."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self._stream = sys.stderr if stream is None else stream
        self._enabled = _is_terminal(self._stream)
        self._started = time.monotonic()
        self._drawn_at = 0.0
        self._shown = False

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        if not self._enabled:
            return
        moment = time.monotonic()
        if moment - self._started < DELAY or moment - self._drawn_at < _INTERVAL:
            return
        self._drawn_at = moment
        self._shown = True
        filled = min(_WIDTH, _WIDTH * self.done // self.total)
        bar = "#" * filled + "." * (_WIDTH - filled)
        self._stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}\x1b[K")
        self._stream.flush()

    def close(self) -> None:
        """Erase the bar so the summary line starts clean."""
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
