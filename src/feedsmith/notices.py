"""What readers are told about an article's later history: corrections and a retraction.

Pure: model values in, text and HTML out. Pages and feeds word them the same way, with the
date in the site's time zone, spelt out in English so no locale can change it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from feedsmith.model import Article, Retraction, Site

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


@dataclass(frozen=True, slots=True)
class Dated:
    """A date as pages print it: RFC 3339 in the site's time zone, and "2 April 2025"."""

    iso: str
    text: str


def dated(site: Site, when: datetime) -> Dated:
    local = when.astimezone(ZoneInfo(site.timezone))
    return Dated(
        local.isoformat(timespec="seconds"),
        f"{local.day} {_MONTHS[local.month - 1]} {local.year}",
    )


def retraction_text(site: Site, retraction: Retraction) -> str:
    """The one-paragraph notice that takes the place of a retracted article's body."""
    notice = f"This article was retracted on {dated(site, retraction.date).text}."
    if retraction.reason:
        notice += f" {retraction.reason}"
    return notice


def corrections_feed_html(site: Site, article: Article) -> str:
    """The corrections as they follow an entry's content in every feed ("" if none).

    Plain paragraphs only: readers sanitize feed HTML, and older ones drop elements such as
    <section> or <time> together with their text.
    """
    if not article.corrections:
        return ""
    lines = "".join(
        f"<p><strong>Correction, {dated(site, c.date).text}:</strong>"
        f" {html.escape(c.text, quote=False)}</p>\n"
        for c in article.corrections
    )
    return f"<hr>\n{lines}"
