"""The ``feedsmith`` command: parses options, calls the pipeline, maps errors to exit codes.

Exit status (SPEC, README): 0 success; 1 the content has errors (nothing written); 2 wrong
usage; 3 the machine failed the publish (a full disk, a permission, another publish running,
SIGTERM); 130 Ctrl-C. A ``FeedsmithError`` is the user's to fix and prints without a
traceback; anything else is a bug in feedsmith and keeps its traceback.
"""

from __future__ import annotations

import contextlib
import gc
import signal
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from types import FrameType
from typing import NoReturn

import click

from feedsmith import __version__
from feedsmith.errors import ContentErrors, FeedsmithError, InputError, Interrupted, exit_status
from feedsmith.publish import STAGES, PublishOptions, check, publish


class _Instant(click.ParamType[datetime]):
    """ISO 8601 datetime or date for ``--now``; without an offset it is in the site time zone."""

    name = "DATETIME"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            if len(text) == 10:
                return datetime.combine(date.fromisoformat(text), clock_time(0))
            return datetime.fromisoformat(text)
        except ValueError:
            self.fail(
                f"{text!r} is not an ISO 8601 date or time"
                " (write 2024-06-30 or 2024-06-30T12:00:00+00:00)",
                param,
                ctx,
            )


def _base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from feedsmith.validate import check_base_url

    if value is None:
        return None
    problem = check_base_url(value)
    if problem is not None:
        raise click.BadParameter(problem)
    return value if value.endswith("/") else value + "/"


_content_option = click.option(
    "--content",
    "content_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("content"),
    show_default=True,
    help="Folder holding site.yaml and articles/.",
)
_strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="feedsmith")
def main() -> None:
    """Publish a folder of YAML articles as RSS, Atom, JSON Feed and static pages."""
    # A publish is a short batch job whose hundreds of thousands of objects (articles, cache
    # entries, manifest records) live until it exits, and it makes next to no reference
    # cycles. With the default threshold the cyclic collector runs every 700 allocations and
    # goes over the young ones again and again: 20% of a one-edit republish of 10,000
    # articles (0.94 -> 0.70 s). Rarer passes keep it collecting, at a tiny share of that.
    gc.set_threshold(50_000, 20, 10)
    # SIGTERM (a CI job cancelled, systemd stopping a service) unwinds like Ctrl-C does, so
    # every ``finally`` removes its temporary files and worker processes before the exit.
    signal.signal(signal.SIGTERM, _terminated)
    signal.signal(signal.SIGINT, _interrupted)


def _terminated(signum: int, frame: FrameType | None) -> None:
    # Once: a second SIGTERM during the cleanup must not cut it short.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise _kill_workers(Interrupted(signum))


def _interrupted(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise _kill_workers(KeyboardInterrupt())


def _kill_workers(reason: BaseException) -> BaseException:
    """Workers first, before any ``finally`` removes the spool they write into; returns
    ``reason``, the exception to raise. Only if a render ran at all: importing parallel.py
    here would load every library."""
    parallel = sys.modules.get("feedsmith.parallel")
    if parallel is not None:
        parallel.kill_workers(reason)
    return reason


@main.command(name="publish")
@_content_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("public"),
    show_default=True,
    help="Output folder (created if missing).",
)
@click.option("--base-url", callback=_base_url, help="Override site.yaml's base_url (previews).")
@click.option("--drafts", is_flag=True, help="Include draft articles (never scheduled ones).")
@click.option("--now", type=_Instant(), help="Publish as of this time (default: the current time).")
@_strict_option
@click.option("--timings", is_flag=True, help="Print each stage's seconds on stderr.")
@click.option(
    "--force",
    is_flag=True,
    help="Replace files in --out that feedsmith did not write (they are lost).",
)
def publish_command(
    content_dir: Path,
    out_dir: Path,
    base_url: str | None,
    drafts: bool,
    now: datetime | None,
    strict: bool,
    timings: bool,
    force: bool,
) -> None:
    """Validate everything, then write feeds and pages to --out."""
    started = time.perf_counter()
    options = PublishOptions(
        content_dir=content_dir,
        out_dir=out_dir,
        now=now if now is not None else datetime.now(UTC),
        base_url=base_url,
        drafts=drafts,
        strict=strict,
        force=force,
    )
    with _failures():
        report = publish(options)
    _print_warnings(report.warnings)
    seconds = time.perf_counter() - started
    click.echo(
        f"Published {report.articles} articles to {out_dir}: {report.written} files written,"
        f" {report.unchanged} unchanged, {report.removed} removed in {seconds:.2f} s."
    )
    if timings:
        for stage in STAGES:
            click.echo(f"timing {stage} {report.stage_seconds[stage]:.4f}", err=True)


@main.command(name="check")
@_content_option
@_strict_option
def check_command(content_dir: Path, strict: bool) -> None:
    """Validate the content only; writes nothing."""
    with _failures():
        publication = check(content_dir, strict=strict)
    _print_warnings(list(publication.warnings))
    click.echo(f"{len(publication.articles)} articles checked: no errors.")


def _print_warnings(warnings: list[InputError]) -> None:
    for warning in warnings:
        click.echo(f"{warning.path}{_line(warning)}: warning: {warning.message}", err=True)


def _line(error: InputError) -> str:
    return f":{error.line}" if error.line is not None else ""


@contextlib.contextmanager
def _no_workers_left() -> Iterator[None]:
    try:
        yield
    except BaseException:
        # Workers of a render cut short must not outlive the command (they hold its stdout).
        parallel = sys.modules.get("feedsmith.parallel")
        if parallel is not None:
            parallel.stop_workers()
        raise


@contextlib.contextmanager
def _failures() -> Iterator[None]:
    """Each way a command fails as one line on stderr and its exit status (module doc)."""
    try:
        with _no_workers_left():
            yield
    except FeedsmithError as exc:
        _fail(exc)
    except OSError as exc:
        # Not caught on the way (a folder vanished, a disk failed): the machine's, not a bug.
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"error: {where}{exc.strerror or exc}: fix this and run again", err=True)
        sys.exit(3)
    except Interrupted as exc:
        click.echo("interrupted (SIGTERM): nothing half-written is left; publish again", err=True)
        sys.exit(exc.exit_status)
    except KeyboardInterrupt:
        click.echo("interrupted: nothing half-written is left; publish again", err=True)
        sys.exit(130)  # 128 + SIGINT, as shells expect


def _fail(exc: FeedsmithError) -> NoReturn:
    if isinstance(exc, ContentErrors):
        _print_warnings(exc.warnings)
        for error in exc.errors:
            click.echo(str(error), err=True)
        count = len(exc.errors)
        click.echo(f"{count} error{'s' if count != 1 else ''}: nothing was written.", err=True)
    else:
        click.echo(f"error: {exc}", err=True)
    sys.exit(exit_status(exc))
