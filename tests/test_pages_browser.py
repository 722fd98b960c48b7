"""The published pages in a real browser: Debian's chromium driven by Playwright (issue 6).

The bundled content is published with ``base_url`` pointing at a local HTTP server, served
under the same path as its real base_url (so root-relative links in bodies behave as they
will in production), and loaded at phone and desktop sizes in both colour schemes.
Screenshots go to the test's tmp folder and to ``<tmp>/feedsmith-shots/`` for people to look at.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import lxml.html
import pytest
import yaml

from feedsmith.publish import PublishOptions, publish
from tests.support import missing_tool

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
SHOTS = Path(tempfile.gettempdir()) / "feedsmith-shots"
PHONE: ViewportSize = {"width": 375, "height": 812}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
# Debian's chromium in a container: no sandbox (no user namespaces), no GPU, and nothing that
# phones home (the network is closed; those requests would only slow the start).
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Served:
    """A published site on a local server: its base URL and its pages' URLs."""

    base: str
    out: Path
    index: str
    article: str  # the newest article that has its own page
    pages: tuple[str, ...]  # every HTML page, index first


class _Handler(SimpleHTTPRequestHandler):
    """Serves ``directory`` under ``prefix`` (the base_url's path) and 404s everything else."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        route = urlsplit(path).path
        if not route.startswith(self.prefix):
            return str(Path(self.directory) / ".feedsmith-not-under-base")  # -> 404
        return super().translate_path("/" + path[len(self.prefix) :])

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest's output for failures


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("browser")
    content = root / "content"
    shutil.copytree(CONTENT, content)  # publish writes feedsmith.lock beside the content
    out = root / "public"
    out.mkdir()
    # Serve under the real base_url's path (e.g. /harbour-ledger/), so root-relative links in
    # bodies resolve here exactly as they will in production.
    site = yaml.safe_load((content / "site.yaml").read_text("utf-8"))

    class Handler(_Handler):
        prefix = urlsplit(site["base_url"]).path or "/"

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=out))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}{Handler.prefix}"
        publish(PublishOptions(content_dir=content, out_dir=out, now=NOW, base_url=base))
        folders = sorted(p.parent.relative_to(out).as_posix() for p in out.rglob("index.html"))
        pages = tuple(base if f == "." else f"{base}{f}/" for f in folders)
        assert pages[0] == base and any("/articles/" in p for p in pages)
        yield Served(base, out, base, _newest_article_page(out, base), pages)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _newest_article_page(out: Path, base: str) -> str:
    # The index lists the newest first; take the first entry that links to a page of ours.
    index = lxml.html.document_fromstring((out / "index.html").read_bytes())
    for link in index.iterfind(".//section[@class='latest']//h3/a"):
        href = link.get("href") or ""
        if href.startswith(f"{base}articles/"):
            return href
    raise AssertionError("no article page linked from the index")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = os.environ.get("FEEDSMITH_CHROMIUM", "/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_tool("needs Playwright for Python: pip install -e '.[test]'")
    if not Path(executable).is_file():
        missing_tool(f"needs Debian's chromium at {executable}: run bash .ci/install-page-tools")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(
    browser: Browser,
    url: str,
    viewport: ViewportSize,
    scheme: Literal["light", "dark"] = "light",
    responses: list[tuple[str, int]] | None = None,
) -> Page:
    """``url`` loaded in a fresh context; ``responses`` collects every (URL, status) it fetched."""
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    page = context.new_page()
    if responses is not None:
        page.on("response", lambda r: responses.append((r.url, r.status)))
        page.on("requestfailed", lambda r: responses.append((r.url, 0)))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url
    return page


def shoot(page: Page, tmp_path: Path, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for suffix, full in (("top", False), ("full", True)):
        path = tmp_path / f"{name}-{suffix}.png"
        page.screenshot(path=path, full_page=full)
        shutil.copyfile(path, SHOTS / path.name)


def test_no_horizontal_scroll_on_a_phone(browser: Browser, served: Served) -> None:
    too_wide = {}
    for url in served.pages:
        page = open_page(browser, url, PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[url] = width
        page.context.close()
    assert too_wide == {}, "pages wider than the 375 px screen (scrollWidth)"


def test_subscribe_block_and_newest_headline_visible_without_scrolling(
    browser: Browser, served: Served
) -> None:
    page = open_page(browser, served.index, DESKTOP)
    for selector in ("section.subscribe", "section.latest article:first-of-type h3"):
        box = page.locator(selector).bounding_box()
        assert box is not None, selector
        assert box["y"] >= 0 and box["y"] + box["height"] <= DESKTOP["height"], (selector, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= DESKTOP["width"], (selector, box)
    # The script revealed the copy buttons (they start hidden for readers without JS).
    assert page.locator("button.copy").count() == 3
    assert all(b.is_visible() for b in page.locator("button.copy").all())
    page.context.close()


def test_copy_button_copies_the_feed_address(browser: Browser, served: Served) -> None:
    page = open_page(browser, served.index, DESKTOP)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    button = page.locator("button.copy").first
    button.click()
    # The label changes once the (asynchronous) clipboard write has finished.
    page.wait_for_function("document.querySelector('button.copy').textContent === 'Copied'")
    assert page.evaluate("navigator.clipboard.readText()") == f"{served.base}rss.xml"
    page.context.close()


@pytest.mark.parametrize("which", ["index", "article"])
def test_every_link_and_resource_on_the_page_resolves(
    browser: Browser, served: Served, which: str
) -> None:
    url = served.index if which == "index" else served.article
    responses: list[tuple[str, int]] = []
    page = open_page(browser, url, DESKTOP, responses=responses)
    # Everything the page loads comes from our own server: no fonts, scripts or styles from
    # other hosts (issue 6); and all of it loads.
    assert responses and all(u.startswith(served.base) for u, _ in responses), responses
    assert [(u, s) for u, s in responses if not 200 <= s < 400] == []
    targets = page.evaluate(
        "[...document.querySelectorAll('[href], [src]')].map(e => e.href || e.src)"
    )
    page.context.close()
    local = sorted({str(t).split("#")[0] for t in targets if str(t).startswith(served.base)})
    assert served.base in local
    broken = {t: status for t in local if (status := _status(t)) >= 400}
    assert broken == {}, f"{url} links to missing files"


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def _rgb(css: str) -> tuple[float, float, float]:
    channels = [float(v) for v in re.findall(r"[\d.]+", css)[:3]]
    return channels[0], channels[1], channels[2]


def _luminance(rgb: tuple[float, float, float]) -> float:
    # WCAG 2 relative luminance.
    def linear(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(_rgb(a)), _luminance(_rgb(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_light_and_dark_schemes_both_render(
    browser: Browser, served: Served, tmp_path: Path
) -> None:
    colours = {}
    for scheme in ("light", "dark"):
        for name, url in (("index", served.index), ("article", served.article)):
            for label, viewport in (("375", PHONE), ("1280", DESKTOP)):
                page = open_page(browser, url, viewport, scheme)
                shoot(page, tmp_path, f"{name}-{scheme}-{label}")
                if name == "article" and label == "1280":
                    colours[scheme] = page.evaluate(
                        """() => {
                            const style = (s) => getComputedStyle(document.querySelector(s));
                            return {
                                background: style('html').backgroundColor,
                                text: style('.body p').color,
                                muted: style('.story .meta').color,
                                link: style('.body a, .subscribe a').color,
                            };
                        }"""
                    )
                page.context.close()
    light, dark = colours["light"], colours["dark"]
    assert light["background"] != dark["background"]
    assert _luminance(_rgb(light["background"])) > _luminance(_rgb(dark["background"]))
    for scheme, c in colours.items():
        # WCAG AA for body text and links; the muted dateline is small but still AA.
        for role in ("text", "muted", "link"):
            ratio = _contrast(c[role], c["background"])
            assert ratio >= 4.5, f"{scheme} {role}: contrast {ratio:.1f} ({c})"
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(
        f"{n}-{s}-{w}-{k}.png"
        for n in ("index", "article")
        for s in ("light", "dark")
        for w in ("375", "1280")
        for k in ("top", "full")
    )
