"""Errors a user can cause. Anything else that escapes is a bug and keeps its traceback.

Each kind carries the exit status the command line gives it (README: exit status): 1 for
the content, 2 for the way feedsmith was called, 3 for the machine it runs on.
"""

from __future__ import annotations


class FeedsmithError(Exception):
    """A problem the user can fix; the CLI prints it as one line, without a traceback."""

    exit_status = 1


class UsageError(FeedsmithError):
    """The command was called in a way that cannot work (exit 2, like click's usage errors)."""

    exit_status = 2


class MachineError(FeedsmithError):
    """The machine, not the content, stopped the publish: a full disk, a permission, another
    publish running. Publishing again once it is fixed finishes the job (exit 3)."""

    exit_status = 3


class Interrupted(BaseException):
    """SIGTERM arrived (the CLI turns it into this exception, see cli.py).

    A ``BaseException``, like ``KeyboardInterrupt``, so that no ``except Exception`` swallows
    it, while every ``finally`` on the way out removes its temporary files.
    """

    exit_status = 3


def exit_status(exc: FeedsmithError) -> int:
    """The exit status for ``exc``: its kind's, or 3 when an ``OSError`` caused it (code that
    reports a failed write as a plain ``FeedsmithError``, "cannot write: No space left")."""
    if type(exc).exit_status == FeedsmithError.exit_status and isinstance(
        exc.__cause__, OSError
    ):
        return MachineError.exit_status
    return exc.exit_status


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
