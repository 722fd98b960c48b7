"""Errors a user can cause. Anything else that escapes is a bug and keeps its traceback."""

from __future__ import annotations


class FeedsmithError(Exception):
    """A problem the user can fix; the CLI prints it as one line, without a traceback."""


class WrongUsage(FeedsmithError):
    """The command was called in a way that cannot work (exit 2, as click's usage errors)."""


class InputError(FeedsmithError):
    """A problem in one content file: ``path:line: message``."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


class ContentErrors(FeedsmithError):
    """Every input error of a run, reported together (issue 4: all errors, not only the first)."""

    def __init__(
        self, errors: list[InputError], warnings: list[InputError] | tuple[InputError, ...] = ()
    ) -> None:
        self.errors = errors
        self.warnings = list(warnings)
        super().__init__("\n".join(str(e) for e in errors))
