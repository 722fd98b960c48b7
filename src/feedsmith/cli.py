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
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from types import FrameType
from typing import NoReturn

import click

from feedsmith import __version__, summary
from feedsmith.errors import (
    ContentErrors,
    FeedsmithError,
    InputError,
    Interrupted,
    WrongUsage,
    exit_status,
)
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
    if value is None:
        return None
    # Only when given: validate.py loads PyYAML, which a publish with nothing to do never needs.
    from feedsmith.validate import check_base_url

    problem = check_base_url(value)
    if problem is not None:
        raise click.BadParameter(problem)
    return value if value.endswith("/") else value + "/"


def _content_dir(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    # Wrong usage (exit 2), not bad content: nothing was there to check.
    if not value.is_dir():
        raise click.BadParameter(
            f"{value}: no such content folder: run from the folder that holds it or pass"
            " --content DIR"
        )
    return value


_content_option = click.option(
    "--content",
    "content_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("content"),
    show_default=True,
    callback=_content_dir,
    help="Folder holding site.yaml and articles/.",
)
_strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")
_quiet_option = click.option(
    "--quiet", "-q", is_flag=True, help="Print only errors and warnings, no summary."
)
_verbose_option = click.option(
    "--verbose", "-v", is_flag=True, help="Also print each file written (publish) or checked."
)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="""\b
Examples:
  feedsmith init my-paper && cd my-paper     a new publication
  feedsmith new "Ferry timetable changes"    a new article (a draft)
  feedsmith serve                            preview it, reloading as you save
  feedsmith publish                          the site to deploy, in public/
""",
)
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


@main.command(
    name="publish",
    epilog="""\b
Examples:
  feedsmith publish
  feedsmith publish --content news --out site --strict
  feedsmith publish --drafts --base-url https://staging.example.org/news/
""",
)
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
@_quiet_option
@_verbose_option
@click.option("--timings", is_flag=True, help="Print each stage's seconds on stderr.")
@click.option(
    "--force",
    is_flag=True,
    help="Replace files in --out that feedsmith did not write (they are lost).",
)
@click.option(
    "--ping", is_flag=True, help="Then notify site.yaml's WebSub hub of the feeds that changed."
)
def publish_command(
    content_dir: Path,
    out_dir: Path,
    base_url: str | None,
    drafts: bool,
    now: datetime | None,
    strict: bool,
    quiet: bool,
    verbose: bool,
    timings: bool,
    force: bool,
    ping: bool,
) -> None:
    """Validate everything, then write feeds and pages to --out.

    \b
    Example:
      feedsmith publish --content content --out public
    """
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
    with _failures("publish", content_dir):
        report = publish(options)
    _print_warnings(report.warnings)
    if verbose:
        for path in report.written_paths:
            click.echo(f"wrote {out_dir / path}")
    if not quiet:
        for line in summary.publish_summary(report, out_dir, time.perf_counter() - started):
            click.echo(line)
    if timings:
        for stage in STAGES:
            click.echo(f"timing {stage} {report.stage_seconds[stage]:.4f}", err=True)
    if ping:
        from feedsmith.websub import ping_after_publish

        # After the publish, never instead of it: a failing hub is a warning (exit 0).
        line = ping_after_publish(content_dir, base_url, report.changed)
        click.echo(line, err=line.startswith("warning:"))


@main.command(
    name="check",
    epilog="""\b
Examples:
  feedsmith check
  feedsmith check --content news --strict
""",
)
@_content_option
@_strict_option
@_quiet_option
@_verbose_option
def check_command(content_dir: Path, strict: bool, quiet: bool, verbose: bool) -> None:
    """Validate the content only; writes nothing.

    \b
    Example:
      feedsmith check --content content --strict
    """
    with _failures("check", content_dir):
        publication = check(content_dir, strict=strict)
    warnings = list(publication.warnings)
    _print_warnings(warnings)
    if verbose:
        for path in sorted({a.source.path for a in publication.articles}):
            click.echo(f"checked {path}")
    if not quiet:
        checked = len(publication.articles)
        click.echo(summary.check_summary(checked, content_dir, 0, len(warnings)))


@main.command(
    name="init",
    epilog="""\b
Examples:
  feedsmith init my-paper      my-paper/content/site.yaml, an example article...
  feedsmith init --templates   also content/templates/, to change the look
""",
)
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), default=Path())
@click.option(
    "--templates",
    is_flag=True,
    help="Also copy the shipped templates into content/templates/ to edit them; in a folder"
    " that already holds a publication, copy only those.",
)
def init_command(folder: Path, templates: bool) -> None:
    """Start a new publication in FOLDER (default: the current folder).

    Writes a .gitignore (for public/ and the cache), content/site.yaml with every key
    explained, an example article and content/static/. Never overwrites a file: if any of
    them exists, nothing is written (exit 2).
    """
    from feedsmith import scaffold

    files = scaffold.init_files(
        datetime.now(UTC),
        f"urn:uuid:{uuid.uuid4()}",
        scaffold.shipped_template_files() if templates else None,
        publication_exists=(folder / scaffold.CONTENT_DIR / scaffold.SITE_FILE).is_file(),
    )
    try:
        written = scaffold.create_publication(folder, files)
    except WrongUsage as exc:
        _usage(exc)
    for path in written:
        click.echo(f"created {path}")
    steps = [] if folder == Path() else [f"cd {folder}"]
    if all(scaffold.TEMPLATES_DIR in path.parts for path in written):
        steps.append("edit a file in content/templates/: it replaces the shipped one of its name")
        steps.append("feedsmith serve              (preview: reloads as you save)")
    else:
        steps += [
            "edit content/site.yaml: title, base_url, description, language, timezone",
            'feedsmith new "A headline"   (a new article, a draft until you say)',
            "feedsmith serve              (preview: reloads as you save)",
            "feedsmith publish            (the site to deploy, in public/)",
        ]
    click.echo("Next:\n" + "\n".join(f"  {step}" for step in steps))


@main.command(
    name="new",
    epilog="""\b
Examples:
  feedsmith new "Harbour ferry timetable changes in March"
  feedsmith new "台風シーズンの見通し" --content news --publish
""",
)
@click.argument("title")
@_content_option
@click.option("--publish", "ready", is_flag=True, help="Write it ready to publish, not as a draft.")
def new_command(title: str, content_dir: Path, ready: bool) -> None:
    """Write a new article, articles/<date>-<slug>.yaml, and print its path.

    It gets a permanent id, `published` set to now in the site's time zone, a body to fill
    in, and `draft: true` unless --publish. The slug comes from the title, transliterated to
    ASCII; an existing file or slug is never reused (-2, -3 ... is added).
    """
    from feedsmith import scaffold

    try:
        path = scaffold.create_article(
            content_dir, title, datetime.now(UTC), f"urn:uuid:{uuid.uuid4()}", draft=not ready
        )
    except WrongUsage as exc:
        _usage(exc)
    except FeedsmithError as exc:
        _fail(exc, "new", content_dir)
    click.echo(path.as_posix())


@main.command(
    name="serve",
    epilog="""\b
Examples:
  feedsmith serve                      http://127.0.0.1:8000/
  feedsmith serve --drafts --port 0    drafts too, on any free port
  feedsmith serve --poll               on a network drive or in a container
""",
)
@_content_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Publish the preview here and keep it (default: a temporary folder, removed on"
    " exit). Its pages link to the local address: never deploy it.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to serve on; 0 picks a free one.",
)
@click.option(
    "--bind",
    default="127.0.0.1",
    show_default=True,
    metavar="ADDR",
    help="Address to serve on; anything but loopback lets other machines read the preview.",
)
@click.option("--drafts", is_flag=True, help="Include draft articles (never scheduled ones).")
@click.option(
    "--poll",
    is_flag=True,
    help="Look for changes by polling (network drives, containers: where saves go unseen).",
)
def serve_command(
    content_dir: Path, out_dir: Path | None, port: int, bind: str, drafts: bool, poll: bool
) -> None:
    """Preview the publication: publish it for a local address, serve it, republish on
    every save and reload open pages.

    A content error is printed here and shown over the open page; the last good version
    stays served. Ctrl-C stops it (exit 0).
    """
    from feedsmith import serve

    options = serve.ServeOptions(content_dir, out_dir, port, bind, drafts, poll)
    try:
        serve.run(
            options,
            clock=lambda: datetime.now(UTC),
            say=click.echo,
            warn=lambda line: click.echo(line, err=True),
        )
    except WrongUsage as exc:
        _usage(exc)


def _usage(exc: WrongUsage) -> NoReturn:
    click.echo(f"error: {exc}", err=True)
    sys.exit(2)


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
def _failures(command: str, content_dir: Path) -> Iterator[None]:
    """Each way a command fails as one line on stderr and its exit status (module doc)."""
    try:
        with _no_workers_left():
            yield
    except FeedsmithError as exc:
        _fail(exc, command, content_dir)
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


def _fail(exc: FeedsmithError, command: str, content_dir: Path) -> NoReturn:
    if isinstance(exc, ContentErrors):
        _print_warnings(exc.warnings)
        for error in exc.errors:
            click.echo(str(error), err=True)
        count = len(exc.errors)
        if command == "check":
            closing = summary.check_summary(None, content_dir, count, len(exc.warnings))
        else:
            closing = f"{summary.counted(count, 'error')}: nothing was written."
        click.echo(closing, err=True)
    else:
        click.echo(f"error: {exc}", err=True)
    sys.exit(exit_status(exc))
