"""``feedsmith serve`` for real: a process on a free port, HTTP over loopback, Debian's chromium.

Each test starts ``python -m feedsmith serve --port 0`` in its own temporary folder (its
``TMPDIR`` too, so the private preview folder can be seen to go away), reads the address
from its first lines, edits the content as an editor would and watches what is served. Waits
are bounded loops that fail with what they were waiting for; nothing asserts a duration.
The pure decisions (media types, paths, events) are tested directly at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar

import feedparser
import lxml.html
import pytest

from feedsmith import serve
from feedsmith.errors import ContentErrors, InputError
from tests.support import missing_tool

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[1]
OVERLAY_SHOT = Path(tempfile.gettempdir()) / "feedsmith-overlay.png"
WAIT_SECONDS = 20.0  # generous for a loaded CI machine; a working serve takes about one
SERVING = re.compile(r"^Serving (http://\S+/) from (.+) \(")

SITE = """\
title: "The Quayside Courier"
base_url: "https://example.org/courier/"
description: "News from the quays, the ferries and the streets behind them."
language: en
timezone: Europe/Lisbon
"""

# Explicit ids, as `feedsmith new` writes them: a slug can then change (publish refuses an
# apparent rename of an article whose id is derived from its slug).
FERRY = """\
title: "Night ferry returns to the island route"
id: "urn:uuid:3f0c4a56-7f7e-4d0e-9d55-2f1d7c0e6a11"
published: 2026-02-03T08:00:00+00:00
categories: ["Transport"]
body: |
  The night ferry to Ilha Verde sailed again on Monday after a winter in dry dock, its hull
  repainted and its engines rebuilt by the shipyard at Cais Novo.

  ## Passengers were waiting

  > "I work the late shift at the hospital. For four months I slept on a friend's sofa on
  > Tuesdays," said one passenger, a nurse, as the ramp came down.
"""

MARKET = """\
title: "Fish market moves indoors for the winter"
id: "urn:uuid:8b1e2f0a-3c4d-4e5f-8a6b-7c8d9e0f1a2b"
published: 2026-02-10T07:30:00+00:00
body: |
  Stallholders at the old fish market carried their scales and ice boxes into the restored
  rope works on Saturday, where the market will stay until the spring tides.
"""

REGATTA = """\
title: "Regatta crews train in the fog"
published: 2026-02-14T10:00:00+00:00
body: |
  Eight crews rowed the harbour course at dawn on Saturday, steering by the foghorn.
"""

DRAFT = """\
title: "Harbour dredging: what the survey found"
published: 2026-02-12T09:00:00+00:00
draft: true
body: |
  Notes for a later story about the dredging survey.
"""

# A date that does not exist, on line 3 of the file.
BROKEN_MARKET = MARKET.replace("2026-02-10T07:30:00+00:00", "2026-02-30T07:30:00+00:00")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    (folder / "articles").mkdir(parents=True)
    (folder / "site.yaml").write_text(SITE, encoding="utf-8")
    for name, text in (
        ("2026-02-03-night-ferry.yaml", FERRY),
        ("2026-02-10-fish-market.yaml", MARKET),
        ("2026-02-12-dredging.yaml", DRAFT),
    ):
        (folder / "articles" / name).write_text(text, encoding="utf-8")
    return folder


@dataclass
class Preview:
    """A running ``feedsmith serve`` and what it has printed so far."""

    process: subprocess.Popen[str]
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    url: str = ""
    out: Path = Path()
    readers: list[threading.Thread] = field(default_factory=list)

    def stop(self, signum: int = signal.SIGINT) -> int:
        """Send ``signum`` and wait for the process and its output to end; its exit status."""
        self.process.send_signal(signum)
        status = self.process.wait(timeout=WAIT_SECONDS)
        for reader in self.readers:
            reader.join(timeout=WAIT_SECONDS)
        return status

    @property
    def errors(self) -> str:
        return "".join(self.stderr)


def _read_lines(stream: IO[str], into: list[str]) -> None:
    for line in stream:
        into.append(line)


@contextlib.contextmanager
def start_serve(cwd: Path, *args: str) -> Iterator[Preview]:
    """``feedsmith serve --port 0 ARGS`` in ``cwd``, with a private TMPDIR; stopped at the end."""
    temp = cwd / "tmp"
    temp.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(REPO / "src")}
    process = subprocess.Popen(
        [sys.executable, "-m", "feedsmith", "serve", "--port", "0", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    preview = Preview(process)
    for stream, lines in ((process.stdout, preview.stdout), (process.stderr, preview.stderr)):
        assert stream is not None
        reader = threading.Thread(target=_read_lines, args=(stream, lines), daemon=True)
        reader.start()
        preview.readers.append(reader)
    try:
        match = wait_until(
            lambda: (
                next(filter(None, map(SERVING.match, preview.stdout)), None)
                or (process.poll() is not None and "exited")
            ),
            "the Serving line",
            preview,
        )
        assert match != "exited", preview.errors
        assert isinstance(match, re.Match)
        preview.url, preview.out = match.group(1), Path(match.group(2))
        yield preview
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for reader in preview.readers:
            reader.join(timeout=WAIT_SECONDS)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def wait_until(check: Callable[[], T | None], what: str, preview: Preview | None = None) -> T:
    """``check()`` once it is truthy, polled for at most WAIT_SECONDS; else the test fails."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            printed = (
                f"\nstdout: {''.join(preview.stdout)}\nstderr: {preview.errors}" if preview else ""
            )
            pytest.fail(f"waited {WAIT_SECONDS:.0f} s for {what}; last: {result!r}{printed}")
        time.sleep(0.05)


# Loopback only: no proxy from the environment may see these requests.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    cache_control: str | None = None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def get(url: str) -> Answer:
    try:
        with _OPENER.open(url, timeout=WAIT_SECONDS) as response:
            headers = response.headers
            return Answer(
                response.status, headers["Content-Type"], response.read(), headers["Cache-Control"]
            )
    except urllib.error.HTTPError as error:
        headers = error.headers
        return Answer(error.code, headers["Content-Type"], error.read(), headers["Cache-Control"])


def _answer_if(answer: Answer, status: int) -> Answer | None:
    return answer if answer.status == status else None


def feed_titles(url: str) -> list[str]:
    return [entry.title for entry in feedparser.parse(get(url).body).entries]


def page_title(answer: Answer) -> str:
    return str(lxml.html.document_fromstring(answer.body).findtext(".//h1") or "")


def edit(path: Path, text: str) -> None:
    """Save as an editor does: the whole file rewritten in place."""
    path.write_text(text, encoding="utf-8")


# --- over HTTP ------------------------------------------------------------------------------


def test_index_and_feeds_are_served_with_their_media_types(content: Path) -> None:
    with start_serve(content.parent) as preview:
        base = preview.url
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", base)
        index = get(base)
        assert (index.status, index.content_type) == (200, "text/html; charset=utf-8")
        document = lxml.html.document_fromstring(index.body)
        assert document.findtext(".//title") == "The Quayside Courier"
        # Published for the local address: every link of ours points at the preview.
        feeds = {
            link.get("type"): link.get("href")
            for link in document.iterfind(".//link[@rel='alternate']")
        }
        assert feeds == {
            "application/rss+xml": f"{base}rss.xml",
            "application/atom+xml": f"{base}atom.xml",
            "application/feed+json": f"{base}feed.json",
        }
        scripts = [s.get("src") for s in document.iterfind(".//script[@src]")]
        assert scripts == [serve.SCRIPT_PATH]
        script = get(base + serve.SCRIPT_PATH.lstrip("/"))
        assert script.content_type == "text/javascript; charset=utf-8"
        assert "EventSource" in script.text

        for name, media_type in (
            ("rss.xml", "application/rss+xml; charset=utf-8"),
            ("atom.xml", "application/atom+xml; charset=utf-8"),
            ("feed.json", "application/feed+json; charset=utf-8"),
            ("categories/transport/rss.xml", "application/rss+xml; charset=utf-8"),
            ("categories/transport/atom.xml", "application/atom+xml; charset=utf-8"),
            ("categories/transport/feed.json", "application/feed+json; charset=utf-8"),
        ):
            answer = get(base + name)
            assert (answer.status, answer.content_type) == (200, media_type), name
            # A reader or browser polling the preview must never get a stale copy.
            assert answer.cache_control == "no-store", name
        rss = feedparser.parse(get(f"{base}rss.xml").body)
        atom = feedparser.parse(get(f"{base}atom.xml").body)
        items = json.loads(get(f"{base}feed.json").body)["items"]
        expected = [
            "Fish market moves indoors for the winter",
            "Night ferry returns to the island route",
        ]
        assert [e.title for e in rss.entries] == expected
        assert [e.title for e in atom.entries] == expected
        assert [i["title"] for i in items] == expected
        assert [e.link for e in atom.entries] == [
            f"{base}articles/fish-market/",
            f"{base}articles/night-ferry/",
        ]
        page = get(f"{base}articles/night-ferry/")
        assert (page.status, page_title(page)) == (200, "Night ferry returns to the island route")
        # The folder without its slash is redirected, as a static host does.
        assert get(f"{base}articles/night-ferry").body == page.body
        # A draft is not served without --drafts; feedsmith's own hidden files never are.
        assert get(f"{base}articles/dredging/").status == 404
        for hidden in (".feedsmith-manifest.json", "articles/.feedsmith-tmp-x", "..%2fsite.yaml"):
            assert get(base + hidden).status == 404, hidden
        # The preview went to a private folder: nothing was written where a deploy looks.
        assert preview.out.is_relative_to(content.parent / "tmp")
        assert (preview.out / "index.html").is_file()
        assert not (content.parent / "public").exists()


def test_an_edit_is_served_within_seconds(content: Path) -> None:
    with start_serve(content.parent) as preview:
        page = f"{preview.url}articles/night-ferry/"
        assert page_title(get(page)) == "Night ferry returns to the island route"
        edit(
            content / "articles" / "2026-02-03-night-ferry.yaml",
            FERRY.replace("returns to", "is back on"),
        )
        wait_until(
            lambda: page_title(get(page)) == "Night ferry is back on the island route",
            "the edited title on the article page",
            preview,
        )
        assert "Night ferry is back on the island route" in feed_titles(f"{preview.url}atom.xml")
        # A new article appears too, without a restart.
        edit(content / "articles" / "2026-02-14-regatta.yaml", REGATTA)
        wait_until(
            lambda: get(f"{preview.url}articles/regatta/").status == 200,
            "the new article's page",
            preview,
        )
        assert feed_titles(f"{preview.url}rss.xml")[0] == "Regatta crews train in the fog"


def test_a_deleted_article_answers_404_and_leaves_the_feeds(content: Path) -> None:
    with start_serve(content.parent) as preview:
        page = f"{preview.url}articles/fish-market/"
        assert get(page).status == 200
        (content / "articles" / "2026-02-10-fish-market.yaml").unlink()
        missing = wait_until(lambda: _answer_if(get(page), 404), "a 404", preview)
        assert missing.content_type == "text/html; charset=utf-8"
        # The 404 page reloads by itself too, when something is published there again.
        assert serve.SCRIPT_PATH.encode() in missing.body
        for feed in ("rss.xml", "atom.xml"):
            assert feed_titles(preview.url + feed) == ["Night ferry returns to the island route"]
        items = json.loads(get(f"{preview.url}feed.json").body)["items"]
        assert [i["url"] for i in items] == [f"{preview.url}articles/night-ferry/"]
        assert b"articles/fish-market/" not in get(preview.url).body


def test_a_changed_slug_moves_the_page(content: Path) -> None:
    with start_serve(content.parent) as preview:
        old, new = (f"{preview.url}articles/{slug}/" for slug in ("night-ferry", "island-ferry"))
        edit(content / "articles" / "2026-02-03-night-ferry.yaml", "slug: island-ferry\n" + FERRY)
        wait_until(lambda: get(new).status == 200, "the page at the new slug", preview)
        assert get(old).status == 404
        atom = feedparser.parse(get(f"{preview.url}atom.xml").body)
        assert [e.link for e in atom.entries] == [f"{preview.url}articles/fish-market/", new]


def test_a_broken_article_is_reported_and_the_last_good_site_stays(content: Path) -> None:
    with start_serve(content.parent) as preview:
        page = f"{preview.url}articles/fish-market/"
        before = get(page).body
        feed_before = get(f"{preview.url}atom.xml").body
        edit(content / "articles" / "2026-02-10-fish-market.yaml", BROKEN_MARKET)
        line = wait_until(
            lambda: next((x for x in preview.stderr if "fish-market.yaml" in x), None),
            "the error in the terminal",
            preview,
        )
        assert line.startswith("content/articles/2026-02-10-fish-market.yaml:3: published:")
        assert "Traceback" not in preview.errors
        assert get(page).body == before
        assert get(f"{preview.url}atom.xml").body == feed_before
        edit(
            content / "articles" / "2026-02-10-fish-market.yaml",
            MARKET.replace("moves indoors", "moves into the rope works"),
        )
        wait_until(
            lambda: page_title(get(page)) == "Fish market moves into the rope works for the winter",
            "the fixed article published",
            preview,
        )


def test_content_broken_from_the_start_is_served_once_fixed(content: Path) -> None:
    path = content / "articles" / "2026-02-10-fish-market.yaml"
    edit(path, BROKEN_MARKET)
    with start_serve(content.parent) as preview:
        wait_until(lambda: "nothing published" in preview.errors, "the error summary", preview)
        assert "content/articles/2026-02-10-fish-market.yaml:3: published:" in preview.errors
        missing = get(preview.url)
        assert missing.status == 404 and serve.SCRIPT_PATH.encode() in missing.body
        edit(path, MARKET)
        wait_until(lambda: get(preview.url).status == 200, "the index once fixed", preview)


def test_publish_recording_ids_does_not_start_another_publish(content: Path) -> None:
    # The first publish writes feedsmith.lock into the watched folder: not an edit.
    with start_serve(content.parent) as preview:
        assert (content / "feedsmith.lock").is_file()
        edit(content / "articles" / "2026-02-14-regatta.yaml", REGATTA)  # an edit: one publish
        wait_until(lambda: get(f"{preview.url}articles/regatta/").status == 200, "regatta", preview)
        time.sleep(1.5)  # long enough for a publish the ledger's rewrite would have started
        published = [line for line in preview.stdout if " published " in line]
        assert len(published) == 2, published


def test_drafts_are_served_with_drafts(content: Path) -> None:
    with start_serve(content.parent, "--drafts") as preview:
        page = get(f"{preview.url}articles/dredging/")
        assert (page.status, page_title(page)) == (200, "Harbour dredging: what the survey found")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_it_cleanly(content: Path, signum: int) -> None:
    with start_serve(content.parent) as preview:
        assert preview.out.is_dir()
        status = preview.stop(signum)
    assert status == 0
    assert "Traceback" not in preview.errors and preview.errors == ""
    assert preview.stdout[-1] == "Stopped.\n"
    # The private preview folder is gone, and the cache's note about it with it.
    assert list((content.parent / "tmp").iterdir()) == []
    with contextlib.closing(sqlite3.connect(content / ".feedsmith-cache" / "state.sqlite")) as db:
        remembered = db.execute("SELECT count(*) FROM runs").fetchone()[0]
        outputs = db.execute("SELECT count(*) FROM outputs").fetchone()[0]
    assert (remembered, outputs) == (0, 0)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(preview.url.rsplit(":", 1)[1].strip("/"))), 1)


def test_out_keeps_the_preview_and_warns_it_is_not_for_deploying(content: Path) -> None:
    out = content.parent / "preview"
    out.mkdir()
    (content.parent / "secret.txt").write_text("not for the web", encoding="utf-8")
    (out / "secret.txt").symlink_to(content.parent / "secret.txt")
    with start_serve(content.parent, "--out", "preview") as preview:
        assert preview.out == Path("preview")
        assert get(f"{preview.url}rss.xml").status == 200
        # A link in the folder leading out of it is not followed.
        assert get(f"{preview.url}secret.txt").status == 404
        assert preview.stop() == 0
    assert f"warning: the pages in preview link to {preview.url}:" in preview.errors
    assert f'href="{preview.url}rss.xml"' in (out / "index.html").read_text("utf-8")


def test_a_busy_port_is_one_clear_line(content: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "feedsmith", "serve", "--port", str(port)],
            cwd=content.parent,
            capture_output=True,
            text=True,
            timeout=WAIT_SECONDS,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
            check=False,
        )
    assert result.returncode == 2
    assert result.stderr == (
        f"error: port {port} on 127.0.0.1 is already in use (another feedsmith serve?):"
        " pass --port N, or --port 0 for any free port\n"
    )


def test_a_missing_content_folder_is_wrong_usage(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "feedsmith", "serve", "--port", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        check=False,
    )
    assert result.returncode == 2
    # The same usage error as publish and check give for --content.
    assert "Error: Invalid value for '--content': content: no such content folder:" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


# --- in a real browser ------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from tests.test_pages_browser import CHROMIUM_ARGS

    executable = os.environ.get("FEEDSMITH_CHROMIUM", "/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_tool("needs Playwright for Python: pip install -e '.[test]'")
    if not Path(executable).is_file():
        missing_tool(f"needs Debian's chromium at {executable}: run bash .ci/install-page-tools")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def open_page(browser: Browser, url: str) -> Page:
    page = browser.new_context(viewport={"width": 1000, "height": 700}).new_page()
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url
    # Listening before the test edits anything: otherwise a reload could be missed.
    page.wait_for_function("window.feedsmithLiveReload?.readyState === 1")
    return page


@pytest.mark.browser
def test_an_open_page_reloads_by_itself_after_an_edit(browser: Browser, content: Path) -> None:
    with start_serve(content.parent) as preview:
        page = open_page(browser, f"{preview.url}articles/night-ferry/")
        assert page.locator("h1").inner_text() == "Night ferry returns to the island route"
        page.evaluate("window.notReloaded = true")
        edit(
            content / "articles" / "2026-02-03-night-ferry.yaml",
            FERRY.replace("returns to", "is back on"),
        )
        page.wait_for_function(
            "document.querySelector('h1').textContent"
            " === 'Night ferry is back on the island route'",
            timeout=WAIT_SECONDS * 1000,
        )
        # The page was reloaded (its script state is new), not patched or navigated by us.
        assert page.evaluate("window.notReloaded") is None
        assert page.url == f"{preview.url}articles/night-ferry/"
        page.context.close()


@pytest.mark.browser
def test_a_content_error_shows_over_the_page_until_fixed(browser: Browser, content: Path) -> None:
    with start_serve(content.parent) as preview:
        page = open_page(browser, preview.url)
        edit(content / "articles" / "2026-02-10-fish-market.yaml", BROKEN_MARKET)
        overlay = page.locator(f"#{serve.OVERLAY_ID}")
        overlay.wait_for(state="visible", timeout=WAIT_SECONDS * 1000)
        assert "content/articles/2026-02-10-fish-market.yaml:3: published:" in overlay.inner_text()
        # Under it, the last good version: the article is still listed.
        assert "Fish market moves indoors for the winter" in page.locator("main").inner_text()
        page.screenshot(path=OVERLAY_SHOT)
        # A page opened while the error stands shows it at once.
        late = open_page(browser, f"{preview.url}articles/night-ferry/")
        late.locator(f"#{serve.OVERLAY_ID}").wait_for(state="visible", timeout=WAIT_SECONDS * 1000)
        late.context.close()
        page.evaluate("window.notReloaded = true")
        edit(
            content / "articles" / "2026-02-10-fish-market.yaml",
            MARKET.replace("moves indoors", "moves into the rope works"),
        )
        page.wait_for_function(
            "document.body.innerText.includes('Fish market moves into the rope works')",
            timeout=WAIT_SECONDS * 1000,
        )
        assert overlay.count() == 0
        assert page.evaluate("window.notReloaded") is None
        page.context.close()


@pytest.mark.browser
def test_a_fix_that_changes_nothing_clears_the_overlay(browser: Browser, content: Path) -> None:
    with start_serve(content.parent) as preview:
        page = open_page(browser, preview.url)
        path = content / "articles" / "2026-02-10-fish-market.yaml"
        edit(path, BROKEN_MARKET)
        overlay = page.locator(f"#{serve.OVERLAY_ID}")
        overlay.wait_for(state="visible", timeout=WAIT_SECONDS * 1000)
        page.evaluate("window.notReloaded = true")
        edit(path, MARKET)  # back to what is served: nothing to write, the overlay goes
        overlay.wait_for(state="detached", timeout=WAIT_SECONDS * 1000)
        assert page.evaluate("window.notReloaded") is True
        page.context.close()


# --- the decisions, directly --------------------------------------------------------------


def test_media_types_follow_the_format_not_the_name() -> None:
    rss = b"<?xml version='1.0' encoding='UTF-8'?>\n<rss version=\"2.0\">"
    atom = b"<?xml version='1.0'?>\n<!-- archive -->\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"
    json_feed = b'{\n  "version": "https://jsonfeed.org/version/1.1",'
    assert serve.media_type("archive/2019.xml", rss) == "application/rss+xml; charset=utf-8"
    assert serve.media_type("rss.xml", atom) == "application/atom+xml; charset=utf-8"
    assert serve.media_type("sitemap.xml", b"<urlset>") == "application/xml; charset=utf-8"
    assert serve.media_type("archive/1.json", json_feed) == "application/feed+json; charset=utf-8"
    assert serve.media_type("data.json", b"{}") == "application/json; charset=utf-8"
    assert serve.media_type("a/index.html", b"") == "text/html; charset=utf-8"
    assert serve.media_type("style.css", b"") == "text/css; charset=utf-8"
    assert serve.media_type("images/x.png", b"") == "image/png"
    assert serve.media_type("audio/x.mp3", b"") == "audio/mpeg"
    assert serve.media_type("file.unknown-kind", b"") == "application/octet-stream"


def test_request_paths() -> None:
    assert serve.request_relpath("/") == "index.html"
    assert serve.request_relpath("/articles/x/?utm=1") == "articles/x/index.html"
    assert serve.request_relpath("/articles/x") == "articles/x"
    assert serve.request_relpath("/caf%C3%A9.png") == "café.png"
    for refused in (
        "/../etc/passwd",
        "/a/%2e%2e/b",
        "/.feedsmith-manifest.json",
        "/a/.git/config",
        "/a\\b",
        "/a%00b",
    ):
        assert serve.request_relpath(refused) is None, refused


def test_the_script_goes_before_the_end_of_the_body() -> None:
    page = b"<html><body><p>x</p><script>inline()</script>\n</BODY>\n</html>"
    injected = serve.inject_script(page, "s-3")
    tag = f'<script src="{serve.SCRIPT_PATH}" data-build="s-3"></script>\n'.encode()
    assert injected == page.replace(b"</BODY>", tag + b"</BODY>")
    assert serve.inject_script(b"<p>fragment", "s-3") == b"<p>fragment" + tag


def test_events_after_each_publish() -> None:
    view = serve.View("s", 1)
    view, events = serve.next_view(view, changed=True, problems=())
    assert (view.build, events) == ("s-2", [serve.Event("reload", "s-2")])
    view, events = serve.next_view(view, changed=False, problems=())
    assert (view.build, events) == ("s-2", [])
    view, events = serve.next_view(view, changed=False, problems=("a.yaml:2: bad",))
    assert (view.build, events) == ("s-2", [serve.Event("problems", '["a.yaml:2: bad"]')])
    assert serve.greeting(view, "s-2") == [serve.Event("problems", '["a.yaml:2: bad"]')]
    assert serve.greeting(view, "s-1")[0] == serve.Event("reload", "s-2")
    cleared, events = serve.next_view(view, changed=False, problems=())
    assert (cleared.build, events) == ("s-2", [serve.Event("clear")])
    reloaded, events = serve.next_view(view, changed=True, problems=())
    assert (reloaded.build, reloaded.problems, events) == (
        "s-3",
        (),
        [serve.Event("reload", "s-3")],
    )
    assert serve.greeting(reloaded, "s-3") == []
    assert (
        serve.Event("problems", "[1,\n2]").encode() == b"event: problems\ndata: [1,\ndata: 2]\n\n"
    )


def test_problem_lines_name_file_and_line() -> None:
    errors = ContentErrors([InputError("content/articles/a.yaml", 4, "published: not a date")])
    assert serve.problem_lines(errors) == ("content/articles/a.yaml:4: published: not a date",)


def test_which_changes_are_edits(tmp_path: Path) -> None:
    content = tmp_path / "content"
    out = content / "public"
    ignored = (content / ".feedsmith-cache", out)
    assert serve.is_edit(content / "articles" / "a.yaml", content, ignored)
    assert serve.is_edit(content / "templates" / "base.html", content, ignored)
    assert serve.is_edit(content / "site.yaml", content, ignored)
    for not_an_edit in (
        content / ".feedsmith-cache" / "index.pickle",
        out / "index.html",
        content / "articles" / ".a.yaml.swp",
        content / "articles" / "a.yaml~",
        content / ".feedsmith-tmp-123",
    ):
        assert not serve.is_edit(not_an_edit, content, ignored), not_an_edit


def test_addresses_and_the_bind_warning() -> None:
    assert serve.preview_base_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert serve.preview_base_url("::1", 8000) == "http://[::1]:8000/"
    assert serve.preview_base_url("0.0.0.0", 8000) == "http://127.0.0.1:8000/"  # noqa: S104
    for loopback in ("127.0.0.1", "127.0.0.2", "::1", "localhost"):
        assert serve.bind_warning(loopback) is None, loopback
    assert "anyone" in (serve.bind_warning("192.0.2.7") or "")
    assert "--bind" in (serve.bind_warning("0.0.0.0") or "")  # noqa: S104


def test_a_publish_waits_for_open_requests_and_new_requests_wait_for_it() -> None:
    lock = serve._SiteLock()
    order: list[str] = []
    reading, writer_waiting, written = threading.Event(), threading.Event(), threading.Event()

    def request(name: str) -> None:
        with lock.reading():
            order.append(name)
            reading.set()

    def publish() -> None:
        writer_waiting.set()
        with lock.writing():
            order.append("publish")
        written.set()

    with lock.reading():  # a request being answered
        writer = threading.Thread(target=publish)
        writer.start()
        writer_waiting.wait(WAIT_SECONDS)
        time.sleep(0.2)  # let the publish reach its wait
        late = threading.Thread(target=request, args=("late request",))
        late.start()
        time.sleep(0.2)
        assert order == []  # the publish waits for the open request; the late one waits too
    writer.join(WAIT_SECONDS)
    late.join(WAIT_SECONDS)
    assert order == ["publish", "late request"]
