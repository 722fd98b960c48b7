"""``feedsmith serve``: a live preview that republishes on every save and reloads open pages.

How it holds together:

- **What is served.** The publication is published in this process (``jobs=1``: no forking
  from a threaded server) with ``base_url`` set to the local address, into a folder that is
  not the deployable ``public/``: by default a private temporary folder removed on exit, so
  no page linking to ``http://127.0.0.1`` can be deployed by mistake. Ids still come from
  site.yaml's own base_url (publish's rule), so the preview never mints a different id.
- **Never a half-written site.** Every request opens its file under a shared lock and every
  publish holds that lock exclusively (a waiting publish goes before new requests). A request
  arriving during a publish waits for it, typically a fraction of a second, then sees the new
  site; a request already being answered finishes from the file it opened (publish replaces
  files by renaming, so an open file keeps its old bytes). The lock is enough because the only
  writer of the folder is this process. A publish that fails validation writes nothing, so the
  last good output simply stays.
- **Live reload.** Each HTML response gets a small script tagged with the build it was read
  from. The script listens on ``/__feedsmith/events`` (Server-Sent Events). After a publish
  that changed files, and only after it has finished writing, every listener is told to
  reload; a page whose build is already old when it connects (a publish finished between
  loading it and connecting) is told at once. Content errors travel the same channel as an
  overlay, which clears on the next good publish.
- **Watching.** watchfiles (Rust ``notify``; ``--poll`` for network and container mounts
  where events do not arrive) watches the content folder, templates included, groups a
  burst of saves and republishes within about a second. Changes inside the cache, the output
  folder, hidden files (editors' swap files) and feedsmith's own rewrite of ``feedsmith.lock``
  are not edits and start nothing.

Which events to send is decided by pure functions (``next_view``, ``greeting``); the clock
comes from the caller.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import json
import mimetypes
import os
import queue
import re
import secrets
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from types import FrameType
from urllib.parse import parse_qs, unquote, urlsplit

from feedsmith.errors import ContentErrors, FeedsmithError, InputError, WrongUsage

EVENTS_PATH = "/__feedsmith/events"
SCRIPT_PATH = "/__feedsmith/live-reload.js"
OVERLAY_ID = "feedsmith-problems"
# watchfiles: yield once no new change came for STEP ms, at most DEBOUNCE ms after the first.
# An editor's save is a burst of events (write, rename, chmod) within a few milliseconds.
WATCH_STEP_MS = 100
WATCH_DEBOUNCE_MS = 800
POLL_DELAY_MS = 250
# How long the watcher waits before answering "nothing yet": the first answer tells that it
# is watching; later ones are ignored.
WATCH_TIMEOUT_MS = 200
# An idle event stream says something this often, so a closed tab's thread notices and ends.
KEEP_ALIVE_SECONDS = 15.0
# EventSource reconnects after this long when the connection drops (e.g. serve restarted).
RECONNECT_MS = 1000
_WILDCARDS = ("0.0.0.0", "::", "")  # noqa: S104 - named only to recognise them

LIVE_RELOAD_SCRIPT = f"""\
// feedsmith serve: reloads this page after a republish that changed the site, and shows the
// content's errors over it until the next good publish. Only the preview adds this script.
(function () {{
  "use strict";
  var build = document.currentScript.dataset.build;
  var source = new EventSource("{EVENTS_PATH}?build=" + encodeURIComponent(build));
  // Visible from the console (and to tests): readyState 1 is listening.
  window.feedsmithLiveReload = source;
  function hide() {{
    var old = document.getElementById("{OVERLAY_ID}");
    if (old) old.remove();
  }}
  function show(lines) {{
    hide();
    var box = document.createElement("div");
    box.id = "{OVERLAY_ID}";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;left:0;right:0;top:0;max-height:70vh;overflow:auto;" +
      "z-index:2147483647;margin:0;padding:1rem 1.25rem;background:#fff4f4;color:#5a0000;" +
      "border-bottom:4px solid #c00000;box-shadow:0 4px 18px rgba(0,0,0,.3);" +
      "font:15px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left";
    var heading = document.createElement("p");
    heading.style.cssText = "margin:0 0 .5rem;font-weight:bold;font-family:system-ui,sans-serif";
    heading.textContent = "The content has errors, so the site was not published again. " +
      "Fix them and save: the page reloads by itself.";
    var list = document.createElement("pre");
    list.style.cssText = "margin:0;white-space:pre-wrap;overflow-wrap:anywhere;font:inherit";
    list.textContent = lines.join("\\n");
    box.append(heading, list);
    document.body.append(box);
  }}
  source.addEventListener("reload", function () {{ source.close(); location.reload(); }});
  source.addEventListener("problems", function (event) {{ show(JSON.parse(event.data)); }});
  source.addEventListener("clear", hide);
}})();
"""


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """The options of ``feedsmith serve``; ``out_dir`` None is a private temporary folder."""

    content_dir: Path
    out_dir: Path | None = None
    port: int = 8000
    bind: str = "127.0.0.1"
    drafts: bool = False
    poll: bool = False


# --- decisions: pure ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Event:
    """One Server-Sent Event: ``reload`` (data: the new build), ``problems`` (data: a JSON
    list of error lines) or ``clear``."""

    name: str
    data: str = ""

    def encode(self) -> bytes:
        lines = self.data.split("\n") if self.data else [""]
        return (f"event: {self.name}\n" + "".join(f"data: {x}\n" for x in lines) + "\n").encode()


@dataclass(frozen=True, slots=True)
class View:
    """What open pages should be showing: the build of the served files and the problems of
    the last publish (empty after a good one). ``session`` tells builds of two runs apart."""

    session: str
    number: int = 0
    problems: tuple[str, ...] = ()

    @property
    def build(self) -> str:
        return f"{self.session}-{self.number}"


def next_view(
    view: View, *, changed: bool, problems: tuple[str, ...]
) -> tuple[View, list[Event]]:
    """The view after a publish and what every open page is told.

    ``problems`` non-empty: the publish failed and wrote nothing; pages keep what they show
    and get the overlay. Otherwise a publish that changed files means a new build and a
    reload; one that changed nothing only clears an overlay that was up.
    """
    if problems:
        return replace(view, problems=problems), [Event("problems", json.dumps(problems))]
    if changed:
        new = replace(view, number=view.number + 1, problems=())
        return new, [Event("reload", new.build)]
    if view.problems:
        return replace(view, problems=()), [Event("clear")]
    return view, []


def greeting(view: View, page_build: str | None) -> list[Event]:
    """What a page is told when it connects: reload if it was read from an older build; the
    overlay if the content has errors now."""
    events = []
    if page_build is not None and page_build != view.build:
        events.append(Event("reload", view.build))
    if view.problems:
        events.append(Event("problems", json.dumps(view.problems)))
    return events


def request_relpath(target: str) -> str | None:
    """The file a request path names, relative to the served folder; None for a path that
    may not be served (hidden names such as the manifest and temporaries, ``..``)."""
    path = unquote(urlsplit(target).path)
    if not path.startswith("/") or "\\" in path or "\x00" in path:
        return None
    parts = [part for part in path.split("/") if part]
    if any(part.startswith(".") for part in parts):
        return None
    relpath = "/".join(parts)
    if path.endswith("/"):
        relpath = f"{relpath}/index.html" if relpath else "index.html"
    return relpath


_FIRST_ELEMENT = re.compile(rb"<([A-Za-z][\w.:-]*)")
_JSON_FEED = re.compile(rb'"version"\s*:\s*"https://jsonfeed\.org/version/')


def media_type(relpath: str, head: bytes) -> str:
    """The Content-Type for a published file, from its name and its first bytes.

    Feeds are recognised by their first element or their JSON Feed version rather than by
    name, so archive pages, whatever their names, get their format's type too.
    """
    suffix = PurePosixPath(relpath).suffix.lower()
    if suffix in (".html", ".htm"):
        return "text/html; charset=utf-8"
    if suffix == ".xml":
        root = _FIRST_ELEMENT.search(re.sub(rb"<[?!][^>]*>", b"", head))
        name = root.group(1).rpartition(b":")[2] if root else b""
        kind = {b"rss": "rss+xml", b"feed": "atom+xml"}.get(name, "xml")
        return f"application/{kind}; charset=utf-8"
    if suffix == ".json":
        return (
            "application/feed+json; charset=utf-8"
            if _JSON_FEED.search(head)
            else "application/json; charset=utf-8"
        )
    guessed, _ = mimetypes.guess_type(relpath, strict=False)
    if guessed is None:
        return "application/octet-stream"
    if guessed.startswith("text/") or guessed in ("application/javascript", "image/svg+xml"):
        return f"{guessed}; charset=utf-8"
    return guessed


def inject_script(html: bytes, build: str) -> bytes:
    """``html`` with the live-reload script before its closing ``</body>`` (or at its end)."""
    tag = f'<script src="{SCRIPT_PATH}" data-build="{build}"></script>\n'.encode()
    end = html.lower().rfind(b"</body>")
    if end < 0:
        return html + tag
    return html[:end] + tag + html[end:]


def preview_base_url(bind: str, port: int) -> str:
    """The base URL pages are published with: the bound address, or 127.0.0.1 for a
    wildcard bind (a link needs one address to point at)."""
    host = "127.0.0.1" if bind in _WILDCARDS else bind
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def bind_warning(bind: str) -> str | None:
    """The warning for an address other machines may reach; None for loopback."""
    try:
        loopback = ipaddress.ip_address(bind).is_loopback
    except ValueError:
        loopback = bind == "localhost"
    if loopback:
        return None
    warning = (
        f"warning: serving on {bind or 'every interface'}, not only on this machine: anyone"
        " who can reach it can read the preview, drafts included"
    )
    if bind in _WILDCARDS:
        warning += (
            "; its links point at 127.0.0.1, so for another device pass this machine's own"
            " address to --bind"
        )
    return warning


def is_edit(path: Path, content_dir: Path, ignored: tuple[Path, ...]) -> bool:
    """Whether a changed path is an editor's change to the publication (all absolute)."""
    if any(path == folder or path.is_relative_to(folder) for folder in ignored):
        return False
    try:
        parts = path.relative_to(content_dir).parts
    except ValueError:
        return True  # reached through a link: the walk follows links inside the content
    # Hidden names are never published (editors' swap files, .git, feedsmith's temporaries).
    return not any(part.startswith(".") or part.endswith("~") for part in parts)


def problem_lines(exc: FeedsmithError) -> tuple[str, ...]:
    """A failed publish as the lines the terminal and the overlay show."""
    if isinstance(exc, ContentErrors):
        return tuple(str(error) for error in exc.errors)
    return (f"error: {exc}",)


# --- the server ---------------------------------------------------------------------------


class _SiteLock:
    """Many requests or one publish at a time; a waiting publish goes before new requests."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        with self._condition:
            while self._writing or self._writers_waiting:
                self._condition.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._condition:
                self._readers -= 1
                if not self._readers:
                    self._condition.notify_all()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        with self._condition:
            self._writers_waiting += 1
            while self._writing or self._readers:
                self._condition.wait()
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._condition:
                self._writing = False
                self._condition.notify_all()


_Listener = queue.SimpleQueue[Event | None]


class _Live:
    """The current view and the queues of the pages listening for events."""

    def __init__(self, view: View) -> None:
        self._mutex = threading.Lock()
        self.view = view
        self._listeners: set[_Listener] = set()
        self._closed = False

    def subscribe(self, page_build: str | None) -> _Listener:
        listener: _Listener = queue.SimpleQueue()
        with self._mutex:
            for event in greeting(self.view, page_build):
                listener.put(event)
            if self._closed:
                listener.put(None)
            self._listeners.add(listener)
        return listener

    def unsubscribe(self, listener: _Listener) -> None:
        with self._mutex:
            self._listeners.discard(listener)

    def publish_done(self, *, changed: bool, problems: tuple[str, ...]) -> int:
        """Move to the next view and tell every page; returns how many pages were told."""
        with self._mutex:
            self.view, events = next_view(self.view, changed=changed, problems=problems)
            for listener in self._listeners:
                for event in events:
                    listener.put(event)
            return len(self._listeners) if events else 0

    def close(self) -> None:
        with self._mutex:
            self._closed = True
            for listener in self._listeners:
                listener.put(None)


class _PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream must not keep the process alive on exit

    def __init__(self, address: tuple[str, int], root: Path, lock: _SiteLock, live: _Live):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.root = root
        self.lock = lock
        self.live = live
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _PreviewServer
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return "feedsmith-serve"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal shows publishes and errors, not every request

    def _answer(self, *, send_body: bool) -> None:
        route = urlsplit(self.path).path
        try:
            if route == EVENTS_PATH and send_body:
                self._stream_events()
            elif route == SCRIPT_PATH:
                self._send(HTTPStatus.OK, "text/javascript; charset=utf-8",
                           LIVE_RELOAD_SCRIPT.encode(), send_body)
            else:
                self._send_file(route, send_body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the browser went away; nothing to answer

    def _send_file(self, route: str, send_body: bool) -> None:
        relpath = request_relpath(self.path)
        root = self.server.root
        with self.server.lock.reading():
            # Decided and read under the lock, sent after it: a slow client never holds up
            # a publish.
            build = self.server.live.view.build
            target = _served_file(root, relpath)
            if target is None or relpath is None:
                if relpath is not None and _served_file(root, f"{relpath}/index.html"):
                    self._redirect(route + "/")
                    return
                status, page = HTTPStatus.NOT_FOUND, _missing_page(route)
            elif media_type(relpath, b"").startswith("text/html"):
                status, page = HTTPStatus.OK, target.read_bytes()
            else:
                # The open file keeps its bytes even if a publish replaces it meanwhile.
                file = target.open("rb")
                status, page = HTTPStatus.OK, None
        if page is not None:
            self._send(status, "text/html; charset=utf-8", inject_script(page, build), send_body)
            return
        with file:
            head = file.read(512)
            size = os.fstat(file.fileno()).st_size
            self._send_headers(status, media_type(str(relpath), head), size)
            if send_body:
                self.wfile.write(head)
                shutil.copyfileobj(file, self.wfile)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, content_type: str, body: bytes, send_body: bool) -> None:
        self._send_headers(status, content_type, len(body))
        if send_body:
            self.wfile.write(body)

    def _send_headers(self, status: HTTPStatus, content_type: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        # Every answer is of the moment: a reload must never be served from the cache.
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _stream_events(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        page_build = query["build"][0] if query.get("build") else None
        self.close_connection = True  # the stream ends with the connection
        listener = self.server.live.subscribe(page_build)
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(f"retry: {RECONNECT_MS}\n\n".encode())
            self.wfile.flush()
            while True:
                try:
                    event = listener.get(timeout=KEEP_ALIVE_SECONDS)
                except queue.Empty:
                    self.wfile.write(b": still here\n\n")
                else:
                    if event is None:
                        return
                    self.wfile.write(event.encode())
                self.wfile.flush()
        finally:
            self.server.live.unsubscribe(listener)


# --- running it ---------------------------------------------------------------------------


@dataclass
class _Session:
    """One run of serve: where it publishes, what it serves, how it reports."""

    options: ServeOptions
    out_dir: Path
    base_url: str
    clock: Callable[[], datetime]
    say: Callable[[str], None]
    warn: Callable[[str], None]
    lock: _SiteLock
    live: _Live
    ledger_stat: tuple[int, int] | None = None
    served: bool = False  # whether a publish has succeeded yet

    def publish(self) -> None:
        """Publish into the served folder, keeping requests out until it is done."""
        from feedsmith.publish import PublishOptions, publish

        options = PublishOptions(
            content_dir=self.options.content_dir,
            out_dir=self.out_dir,
            now=self.clock(),
            base_url=self.base_url,
            drafts=self.options.drafts,
            jobs=1,
        )
        started = time.perf_counter()
        with self.lock.writing():
            try:
                report = publish(options)
            except FeedsmithError as exc:
                problems = problem_lines(exc)
                self.live.publish_done(changed=False, problems=problems)
                failure: FeedsmithError | None = exc
            else:
                changed = report.written + report.removed > 0
                told = self.live.publish_done(changed=changed, problems=())
                failure = None
            self.ledger_stat = _stat(self.options.content_dir / "feedsmith.lock")
        moment = time.strftime("%H:%M:%S")
        if failure is not None:
            for warning in failure.warnings if isinstance(failure, ContentErrors) else []:
                self.warn(_warning_line(warning))
            for line in problems:
                self.warn(line)
            count = len(problems)
            kept = "still serving the last good version" if self.served else "nothing published"
            self.warn(
                f"{moment} {count} error{'s' if count != 1 else ''}: {kept};"
                " fix and save to publish again"
            )
            return
        self.served = True
        for warning in report.warnings:
            self.warn(_warning_line(warning))
        seconds = time.perf_counter() - started
        reloaded = f"; reloading {told} open page{'s' if told != 1 else ''}" if told else ""
        self.say(
            f"{moment} published {report.articles} articles: {report.written} files written,"
            f" {report.removed} removed in {seconds:.2f} s{reloaded}"
        )

    def edits(self, changes: Iterable[tuple[object, str]]) -> bool:
        """Whether a batch of file changes holds an edit worth a publish."""
        content = self.options.content_dir.absolute()
        ignored = (content / ".feedsmith-cache", self.out_dir.absolute(), self.out_dir.resolve())
        ledger = content / "feedsmith.lock"
        for _, raw in changes:
            path = Path(raw)
            if path == ledger and _stat(ledger) == self.ledger_stat:
                continue  # publish itself recorded new ids there
            if is_edit(path, content, ignored) or is_edit(path, content.resolve(), ignored):
                return True
        return False


def _served_file(root: Path, relpath: str | None) -> Path | None:
    """The file at ``relpath`` in the served folder, if it is one and stays inside it."""
    if relpath is None:
        return None
    target = root / relpath
    if not target.is_file() or not target.resolve().is_relative_to(root.resolve()):
        return None
    return target


def _missing_page(route: str) -> bytes:
    shown = route.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>Not found</title>\n</head>\n<body>\n<h1>Not found</h1>\n"
        f"<p>Nothing is published at <code>{shown}</code>: the article may have been"
        " deleted, made a draft or given another slug. This page reloads by itself when"
        ' something is published here.</p>\n<p><a href="/">The index</a></p>\n'
        "</body>\n</html>\n"
    ).encode()


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _warning_line(warning: InputError) -> str:
    where = f"{warning.path}:{warning.line}" if warning.line is not None else warning.path
    return f"{where}: warning: {warning.message}"


def _listen(bind: str, port: int, lock: _SiteLock, live: _Live) -> _PreviewServer:
    try:
        return _PreviewServer((bind, port), Path(), lock, live)
    except socket.gaierror as exc:
        raise WrongUsage(
            f"--bind {bind}: not an address of this machine ({exc.strerror})"
        ) from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise WrongUsage(
                f"port {port} on {bind} is already in use (another feedsmith serve?):"
                " pass --port N, or --port 0 for any free port"
            ) from None
        if exc.errno == errno.EACCES:
            raise WrongUsage(
                f"port {port} needs privileges this user does not have: pass --port 8000,"
                " or --port 0 for any free port"
            ) from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise WrongUsage(f"--bind {bind}: not an address of this machine") from None
        raise


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # `kill` and Ctrl-C stop the preview the same clean way


def run(
    options: ServeOptions,
    clock: Callable[[], datetime],
    say: Callable[[str], None],
    warn: Callable[[str], None],
) -> None:
    """Publish, serve and republish on every change until Ctrl-C (or SIGTERM); returns then.

    Raises ``WrongUsage`` for a missing content folder or an address that cannot be bound.
    """
    import watchfiles

    content_dir = options.content_dir
    if not content_dir.is_dir():
        raise WrongUsage(
            f"{content_dir}: no such content folder: run from the folder that holds it or"
            " pass --content DIR (feedsmith init makes one)"
        )
    lock = _SiteLock()
    live = _Live(View(secrets.token_hex(4)))
    server = _listen(options.bind, options.port, lock, live)
    temporary = options.out_dir is None
    out_dir = (
        Path(tempfile.mkdtemp(prefix="feedsmith-serve-"))
        if options.out_dir is None
        else options.out_dir
    )
    server.root = out_dir
    session = _Session(
        options, out_dir, preview_base_url(options.bind, server.server_port),
        clock, say, warn, lock, live,
    )
    previous_sigterm = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    thread = threading.Thread(target=server.serve_forever, name="feedsmith-serve", daemon=True)
    try:
        warning = bind_warning(options.bind)
        if warning:
            warn(warning)
        if not temporary:
            warn(
                f"warning: the pages in {out_dir} link to {session.base_url}: run feedsmith"
                " publish before deploying anything from there"
            )
        changes_seen = watchfiles.watch(
            content_dir,
            watch_filter=None,
            debounce=WATCH_DEBOUNCE_MS,
            step=WATCH_STEP_MS,
            rust_timeout=WATCH_TIMEOUT_MS,
            yield_on_timeout=True,
            force_polling=True if options.poll else None,
            poll_delay_ms=POLL_DELAY_MS,
            raise_interrupt=True,
        )
        # The watcher exists once it has answered (changes or a timeout); only then the first
        # publish, so that a save made while it runs is seen and published next.
        next(changes_seen)
        session.publish()
        thread.start()
        kept = "a temporary folder, removed on exit" if temporary else "kept on exit"
        say(f"Serving {session.base_url} from {out_dir} ({kept}); press Ctrl-C to stop")
        for changes in changes_seen:
            if changes and session.edits(changes):
                session.publish()
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C must not interrupt the clean-up and print a traceback.
        previous_sigint = signal.signal(signal.SIGINT, signal.SIG_IGN)
        live.close()
        if thread.is_alive():
            server.shutdown()
        server.server_close()
        if temporary:
            _remove_preview(content_dir, out_dir)
        signal.signal(signal.SIGTERM, previous_sigterm)
        signal.signal(signal.SIGINT, previous_sigint)
    say("Stopped.")


def _remove_preview(content_dir: Path, out_dir: Path) -> None:
    from feedsmith.records import build_key
    from feedsmith.state import State

    # What the publish state remembers of the folder goes with it.
    state = State.open(content_dir, build_key())
    try:
        state.forget_output_folder(str(out_dir.resolve()))
    finally:
        state.close()
    shutil.rmtree(out_dir, ignore_errors=True)
