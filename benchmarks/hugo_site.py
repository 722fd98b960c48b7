"""Convert a feedsmith content folder into a Hugo site that does comparable work.

Usage: ``python benchmarks/hugo_site.py CONTENT SITE [--now DATETIME] [--force]``, then
``hugo --quiet -s SITE -d OUT``.

"Comparable" means Hugo produces what ``feedsmith publish`` produces (SPEC, Output): one page
per article at ``articles/<slug>/``, an index page, one page per category at
``categories/<slug>/``, and RSS, Atom and JSON feeds of the newest ``feed_limit`` articles with
full content for the site and for every category. Hugo's extra kinds (section lists, the list
of all categories, sitemap, robots.txt, 404) are disabled because feedsmith makes none of them.
Authors are a page parameter rather than a taxonomy for the same reason: feedsmith has no
author pages.

Differences that remain: Hugo leaves relative URLs in bodies as written (feedsmith makes them
absolute), and it does not sanitise HTML. Both cost feedsmith time, so they count against it.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import yaml

__all__ = ["MARKER", "convert", "main"]

MARKER = ".feedsmith-bench-hugo"
"""File that marks a folder as written by this script, so ``--force`` may replace it."""

DEFAULT_NOW = "2026-06-01T00:00:00+00:00"
"""The same fixed ``--now`` the runner gives feedsmith, so both skip the same articles."""

try:  # The C loader is ~20x faster (issue 5); fall back so this still works without libyaml.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")

# Hugo 0.111 is what Debian bookworm ships; config.toml (not hugo.toml) keeps older ones working.
_CONFIG = """\
baseURL = {base_url}
title = {title}
languageCode = {language}
timeZone = {timezone}
# The converter already dropped articles published after --now, as feedsmith does; Hugo must
# not drop more just because the machine's clock is earlier than the corpus.
buildFuture = true
# feedsmith writes none of these.
disableKinds = ["section", "taxonomy", "sitemap", "robotsTXT", "404"]
# Hugo 0.73-0.111 log an error for "taxonomy" above to flag the 0.73 rename; the list of all
# categories is exactly what should go, so silence it.
ignoreErrors = ["error-disable-taxonomy"]
# feedsmith's category folders are ASCII (SPEC: Rules every output follows).
removePathAccents = true

[taxonomies]
  category = "categories"

[permalinks]
  posts = "/articles/:slug/"

[params]
  description = {description}
  feedLimit = {feed_limit}

[mediaTypes]
  [mediaTypes."application/atom+xml"]
    suffixes = ["xml"]
  [mediaTypes."application/feed+json"]
    suffixes = ["json"]

[outputFormats]
  [outputFormats.RSS]
    baseName = "rss"
  [outputFormats.Atom]
    mediaType = "application/atom+xml"
    baseName = "atom"
  [outputFormats.JSONFeed]
    mediaType = "application/feed+json"
    baseName = "feed"
    isPlainText = true

[outputs]
  home = ["HTML", "RSS", "Atom", "JSONFeed"]
  term = ["HTML", "RSS", "Atom", "JSONFeed"]
  page = ["HTML"]
"""

_XML_DECL = '{{ printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}\n'
# The site feeds list every article; a category's feeds list that category's articles.
_FEED_PAGES = (
    "{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = .Site.RegularPages }}{{ end }}"
    "{{ $pages = first .Site.Params.feedLimit $pages }}\n"
)
_RFC3339 = '"2006-01-02T15:04:05Z07:00"'

_LAYOUTS: dict[str, str] = {
    "_default/baseof.html": """\
<!DOCTYPE html>
<html lang="{{ .Site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} — {{ end }}{{ .Site.Title }}</title>
{{ $feeds := cond .IsPage .Site.Home . }}
{{- range $feeds.AlternativeOutputFormats }}
<link rel="alternate" type="{{ .MediaType.Type }}" href="{{ .Permalink }}">
{{- end }}
</head>
<body>
<header><a href="{{ .Site.BaseURL }}">{{ .Site.Title }}</a></header>
<main>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
""",
    "_default/single.html": """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">\
{{ .Date.Format "2 January 2006" }}</time>\
{{ with .Params.authors }} · {{ delimit . ", " }}{{ end }}</p>
{{ with .Params.images }}<img src="{{ index . 0 }}" alt="">{{ end }}
{{ .Content }}
{{ with .GetTerms "categories" }}<ul class="categories">
{{ range . }}<li><a href="{{ .Permalink }}">{{ .LinkTitle }}</a></li>{{ end }}
</ul>{{ end }}
</article>
{{ end }}
""",
    # Home and category pages: the newest articles with title, date and summary, as feedsmith's
    # index does, and a subscribe block.
    "_default/list.html": """\
{{ define "main" }}
<h1>{{ if .IsHome }}{{ .Site.Title }}{{ else }}{{ .Title }}{{ end }}</h1>
{{ if .IsHome }}<p>{{ .Site.Params.description }}</p>{{ end }}
<ul class="subscribe">
{{ range .AlternativeOutputFormats }}<li><a href="{{ .Permalink }}">{{ .Name }}</a></li>{{ end }}
</ul>
""" + _FEED_PAGES + """\
<ul class="articles">
{{ range $pages }}
<li><a href="{{ .Permalink }}">{{ .Title }}</a>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">\
{{ .Date.Format "2 January 2006" }}</time>
<p>{{ .Summary }}</p></li>
{{ end }}
</ul>
{{ end }}
""",
    "_default/rss.xml": _XML_DECL + _FEED_PAGES + """\
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{{ if not .IsHome }}{{ .Title }} — {{ end }}{{ .Site.Title }}</title>
<link>{{ .Permalink }}</link>
<description>{{ .Site.Params.description }}</description>
<language>{{ .Site.LanguageCode }}</language>
{{ with $pages }}<lastBuildDate>{{ (index . 0).Lastmod.Format \
"Mon, 02 Jan 2006 15:04:05 -0700" }}</lastBuildDate>{{ end }}
{{ with .OutputFormats.Get "RSS" }}\
<atom:link href="{{ .Permalink }}" rel="self" type="application/rss+xml"/>{{ end }}
{{ range $pages }}
<item>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<guid>{{ .Permalink }}</guid>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" }}</pubDate>
<description>{{ .Content | html }}</description>
</item>
{{ end }}
</channel>
</rss>
""",
    "_default/list.atom.xml": _XML_DECL + _FEED_PAGES + """\
<feed xmlns="http://www.w3.org/2005/Atom">
<title>{{ if not .IsHome }}{{ .Title }} — {{ end }}{{ .Site.Title }}</title>
<id>{{ .Permalink }}</id>
<link href="{{ .Permalink }}"/>
{{ with .OutputFormats.Get "Atom" }}<link rel="self" href="{{ .Permalink }}"/>{{ end }}
<updated>{{ with $pages }}{{ (index . 0).Lastmod.Format """ + _RFC3339 + """ }}{{ end }}</updated>
{{ range $pages }}
<entry>
<title>{{ .Title }}</title>
<id>{{ .Permalink }}</id>
<link href="{{ .Permalink }}"/>
<published>{{ .Date.Format """ + _RFC3339 + """ }}</published>
<updated>{{ .Lastmod.Format """ + _RFC3339 + """ }}</updated>
{{ range .Params.authors }}<author><name>{{ . }}</name></author>{{ end }}
<summary>{{ .Summary | plainify }}</summary>
<content type="html">{{ .Content | html }}</content>
</entry>
{{ end }}
</feed>
""",
    "_default/list.jsonfeed.json": _FEED_PAGES + """\
{
  "version": "https://jsonfeed.org/version/1.1",
  "title": {{ .Site.Title | jsonify }},
  "home_page_url": {{ .Permalink | jsonify }},
  "feed_url": {{ with .OutputFormats.Get "JSONFeed" }}{{ .Permalink | jsonify }}{{ end }},
  "items": [
{{- range $i, $p := $pages }}{{ if $i }},{{ end }}
    {
      "id": {{ $p.Permalink | jsonify }},
      "url": {{ $p.Permalink | jsonify }},
      "title": {{ $p.Title | jsonify }},
      "content_html": {{ $p.Content | jsonify }},
      "summary": {{ $p.Summary | plainify | jsonify }},
      "date_published": {{ $p.Date.Format """ + _RFC3339 + """ | jsonify }},
      "date_modified": {{ $p.Lastmod.Format """ + _RFC3339 + """ | jsonify }}
    }
{{- end }}
  ]
}
""",
}


def _q(value: object) -> str:
    """A TOML basic string or YAML double-quoted scalar: JSON string syntax is valid in both."""
    return json.dumps(value, ensure_ascii=False)


def _as_datetime(value: object, zone: tzinfo) -> datetime:
    """SPEC dates: a date is midnight in the site timezone, a naive datetime is in it too."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=zone)
    if isinstance(value, str):
        return _as_datetime(datetime.fromisoformat(value), zone)
    raise ValueError(f"not a date: {value!r}")


def _author_names(value: object) -> list[str]:
    """``author``/``authors`` in any SPEC shape: a name, a mapping, or a list of either."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [str(value.get("name", ""))]
    if isinstance(value, list):
        return [name for item in value for name in _author_names(item)]
    return [str(value)]


def _articles(content: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every article mapping with its file, in path order; lists and multi-document files too."""
    files = sorted(
        p for p in (content / "articles").rglob("*") if p.suffix in {".yaml", ".yml"}
    )
    for path in files:
        with path.open("rb") as stream:
            for doc in yaml.load_all(stream, Loader=_Loader):
                items = doc if isinstance(doc, list) else [doc]
                for item in items:
                    if isinstance(item, dict):
                        yield path, item


def _front_matter(fields: dict[str, object]) -> str:
    lines = ["---"]
    for key, value in fields.items():
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(_q(v) for v in value)}]")
        elif isinstance(value, datetime):
            lines.append(f"{key}: {value.isoformat()}")
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines.extend(f"  {k}: {_q(v)}" for k, v in value.items())
        else:
            lines.append(f"{key}: {_q(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def convert(content: Path, site: Path, now: datetime, *, force: bool = False) -> int:
    """Write a Hugo site for ``content`` into ``site``; return how many articles it holds.

    Articles are left out as feedsmith leaves them out: drafts, and any published after
    ``now``. ``force`` replaces ``site`` only if this script wrote it (it holds :data:`MARKER`).
    """
    if site.exists() and any(site.iterdir()):
        if not (force and (site / MARKER).exists()):
            raise FileExistsError(
                f"{site} is not empty"
                + (" and was not written by hugo_site.py" if force else " (use --force)")
            )
        shutil.rmtree(site)
    meta = yaml.load((content / "site.yaml").read_bytes(), Loader=_Loader)
    base_url = str(meta["base_url"]).rstrip("/") + "/"
    zone = ZoneInfo(str(meta.get("timezone", "UTC")))
    default_authors = _author_names(meta.get("authors"))
    posts = site / "content" / "posts"
    posts.mkdir(parents=True)
    (site / MARKER).write_text("written by benchmarks/hugo_site.py; safe to delete\n")
    (site / "config.toml").write_text(
        _CONFIG.format(
            base_url=_q(base_url),
            title=_q(str(meta["title"])),
            language=_q(str(meta.get("language", "en"))),
            timezone=_q(str(zone)),
            description=_q(str(meta["description"])),
            feed_limit=int(meta.get("feed_limit", 20)),
        ),
        encoding="utf-8",
    )
    for rel, text in _LAYOUTS.items():
        target = site / "layouts" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    count = 0
    for path, art in _articles(content):
        if art.get("draft") is True:
            continue
        published = _as_datetime(art["published"], zone)
        if published > now:
            continue  # scheduled, as in SPEC "An article"
        slug = str(art.get("slug") or _DATE_PREFIX.sub("", path.stem))
        fields: dict[str, object] = {
            "title": str(art["title"]),
            "date": published,
            "lastmod": _as_datetime(art.get("updated", published), zone),
            "slug": slug,
            "categories": [str(c) for c in art.get("categories") or []],
            "authors": _author_names(art.get("authors", art.get("author")))
            or default_authors,
        }
        if art.get("summary"):
            fields["summary"] = str(art["summary"])
        if art.get("image"):
            fields["images"] = [urljoin(base_url, str(art["image"]))]
        if art.get("link"):
            # Listed in feeds, but no page of its own (SPEC: link).
            fields["link"] = str(art["link"])
            fields["_build"] = {"render": "never"}
        suffix = ".html" if art.get("format") == "html" else ".md"
        body = str(art.get("body") or "")
        (posts / f"{slug}{suffix}").write_text(_front_matter(fields) + body, encoding="utf-8")
        count += 1
    return count


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("content", type=Path, help="feedsmith content folder (has site.yaml)")
    parser.add_argument("site", type=Path, help="Hugo site folder to write")
    parser.add_argument(
        "--now", default=DEFAULT_NOW, help=f"leave out later articles (default {DEFAULT_NOW})"
    )
    parser.add_argument("--force", action="store_true", help="replace a site this script wrote")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        now = _as_datetime(args.now, ZoneInfo("UTC"))
        count = convert(args.content, args.site, now, force=args.force)
    except (ValueError, FileExistsError, FileNotFoundError) as err:
        parser.error(str(err))
    print(
        f"wrote a Hugo site with {count} articles to {args.site} "
        f"in {time.perf_counter() - started:.2f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
