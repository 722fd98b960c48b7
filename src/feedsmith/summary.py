"""The closing lines of ``publish`` and ``check``: what was done, in words (pure)."""

from __future__ import annotations

from pathlib import Path

from feedsmith.publish import PublishReport


def counted(number: int, noun: str) -> str:
    """``1 article``, ``2 articles``, ``0 errors``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def publish_summary(report: PublishReport, out_dir: Path, seconds: float) -> list[str]:
    """What a publish did: articles published, files written, unchanged and removed, the time;
    then what it left out (drafts, scheduled articles and when the next one is due)."""
    lines = [
        f"Published {counted(report.articles, 'article')} to {out_dir}:"
        f" {counted(report.written, 'file')} written, {report.unchanged} unchanged,"
        f" {report.removed} removed in {seconds:.2f} s."
    ]
    if report.fast_path:
        # What it left out is the last publish's, which the publish state remembers.
        lines.append("Nothing changed since the last publish.")
    left_out = []
    if report.drafts:
        left_out.append(f"{counted(report.drafts, 'draft')} (--drafts includes them)")
    if report.next_scheduled is not None:
        when = report.next_scheduled.isoformat()
        left_out.append(f"{report.scheduled} scheduled (the next at {when})")
    if left_out:
        lines.append(f"Left out: {', '.join(left_out)}.")
    return lines


def check_summary(articles: int | None, content_dir: Path, errors: int, warnings: int) -> str:
    """``Checked 12 articles in content: no errors, 1 warning.``; ``articles`` is None when
    errors kept them from being counted."""
    what = f"{counted(articles, 'article')} in " if articles is not None else ""
    found = [
        counted(errors, "error") if errors else "no errors",
        counted(warnings, "warning") if warnings else "no warnings",
    ]
    return f"Checked {what}{content_dir}: {', '.join(found)}."
