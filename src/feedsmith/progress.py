"""A progress bar on stderr for publishes that take more than a moment.

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
    """Counts steps of one phase (``label``) and redraws one line, at most ten times a second.

    Redraws are throttled, so the last steps of a phase usually land between two frames;
    ``close`` therefore draws the final frame, so a finished phase is seen finished.
    """

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
        self._draw(self.done)

    def close(self) -> None:
        """End the bar's line: at its end when the phase finished, where it stopped if not.

        Called from ``finally``: an exception on its way out means the phase did not finish,
        and the bar is left where it stopped. Otherwise the phase is complete whatever the
        count says (the writer's total is an estimate made before the outputs are known).
        """
        if not self._shown:
            return
        finished = sys.exc_info()[0] is None
        self._draw(max(self.done, self.total) if finished else self.done)
        self._stream.write("\n")
        self._stream.flush()
        self._shown = False

    def _draw(self, done: int) -> None:
        total = max(self.total, done)
        filled = min(_WIDTH, _WIDTH * done // total)
        bar = "#" * filled + "." * (_WIDTH - filled)
        self._stream.write(f"\r{self.label} [{bar}] {done}/{total}\x1b[K")
        self._stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
