"""``feedsmith publish --ping``: the hub hears of exactly the feeds that changed, and a hub
that fails never fails the publish.

Real hubs on 127.0.0.1: one that records every request and answers 204, one that answers
500, one that accepts the connection and never answers.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from feedsmith.websub import (
    MAX_URLS_PER_REQUEST,
    PingPolicy,
    changed_feed_urls,
    ping_hub,
)
from tests.input_support import publish_cli, snapshot, write_site

BASE = "https://news.example.org/"


class _Hub(ThreadingHTTPServer):
    status = 204
    received: list[tuple[str, str, list[tuple[str, str]]]]


class _Handler(BaseHTTPRequestHandler):
    server: _Hub

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        body = self.rfile.read(length).decode("ascii")
        self.server.received.append(
            (self.path, self.headers["Content-Type"], parse_qsl(body, strict_parsing=True))
        )
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def hub() -> Iterator[_Hub]:
    server = _Hub(("127.0.0.1", 0), _Handler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def silent_hub() -> Iterator[str]:
    """Accepts connections (the kernel's backlog does) and never answers."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        listener.close()


def _url(server: _Hub) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/hub"


def _site(hub_url: str) -> str:
    return (
        'title: "Test Gazette"\n'
        f'base_url: "{BASE}"\n'
        'description: "Pinging hubs."\n'
        f'hub: "{hub_url}"\n'
        "feed_limit: 2\n"
        "archive_size: 2\n"
    )


def _article(day: int, category: str) -> str:
    return (
        f"title: Story of day {day}\n"
        f"published: 2025-06-{day:02d}T09:00:00+00:00\n"
        f"categories: [{category}]\n"
        "body: Words.\n"
    )


def _notified(server: _Hub) -> list[str]:
    return [v for _path, _type, form in server.received for k, v in form if k == "hub.url"]


def test_a_publish_pings_the_hub_with_every_feed_it_wrote(hub: _Hub, tmp_path: Path) -> None:
    articles: dict[str, str | bytes] = {
        f"2025-06-0{d}-day-{d}.yaml": _article(d, "City") for d in range(1, 6)
    }
    content = write_site(tmp_path, articles, _site(_url(hub)))
    out = tmp_path / "out"
    result = publish_cli(content, out, "--ping")
    assert result.exit_code == 0, result.output
    assert len(hub.received) == 1
    path, content_type, form = hub.received[0]
    assert path == "/hub"
    assert content_type == "application/x-www-form-urlencoded"
    assert form[0] == ("hub.mode", "publish")
    written = sorted(
        BASE + p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.name in ("rss.xml", "atom.xml", "feed.json")
    )
    # Main and category subscription documents and archive pages: five articles, two in the
    # feeds, three archived on pages of two.
    assert len(written) == 2 * 3 * 3
    assert sorted(_notified(hub)) == written
    assert result.stdout.splitlines()[-1] == f"Pinged {_url(hub)}: {len(written)} changed feeds."


def test_only_the_feeds_whose_bytes_changed_are_pinged(hub: _Hub, tmp_path: Path) -> None:
    articles: dict[str, str | bytes] = {
        f"2025-06-0{d}-day-{d}.yaml": _article(d, "City") for d in range(1, 6)
    }
    articles["2025-06-06-day-6.yaml"] = _article(6, "Sport")
    content = write_site(tmp_path, articles, _site(_url(hub)))
    out = tmp_path / "out"
    assert publish_cli(content, out).exit_code == 0
    assert hub.received == []  # no --ping, no ping
    # A new Sport article: the main feed and Sport change; City's feeds do not.
    (content / "articles" / "2025-06-07-day-7.yaml").write_text(_article(7, "Sport"))
    result = publish_cli(content, out, "--ping")
    assert result.exit_code == 0, result.output
    notified = _notified(hub)
    assert notified, result.output
    assert not [u for u in notified if "/categories/city/" in u]
    assert f"{BASE}atom.xml" in notified and f"{BASE}categories/sport/feed.json" in notified
    # Each one did change: it is among what the publish wrote.
    for url in notified:
        assert (out / url.removeprefix(BASE)).is_file()
    # Nothing changed: nothing to ping.
    again = publish_cli(content, out, "--ping")
    assert again.exit_code == 0
    assert len(hub.received) == 1
    assert "Nothing to ping" in again.stdout


def test_a_hub_answering_500_is_a_warning_and_the_publish_stands(
    hub: _Hub, tmp_path: Path
) -> None:
    hub.status = 500
    content = write_site(tmp_path, {"2025-06-01-day-1.yaml": _article(1, "City")}, _site(_url(hub)))
    out = tmp_path / "out"
    result = publish_cli(content, out, "--ping")
    assert result.exit_code == 0
    assert len(hub.received) == PingPolicy().attempts  # retried, then given up
    warning = result.stderr.splitlines()[-1]
    assert warning.startswith(f"warning: could not ping {_url(hub)}: HTTP 500 after 3 attempts")
    assert (out / "atom.xml").is_file()
    assert "Published 1 article to" in result.stdout


def test_a_hub_that_never_answers_times_out_and_the_publish_stands(
    silent_hub: str, tmp_path: Path
) -> None:
    one: dict[str, str | bytes] = {"2025-06-01-day-1.yaml": _article(1, "City")}
    content = write_site(tmp_path, one, _site(silent_hub))
    out = tmp_path / "out"
    assert publish_cli(content, out).exit_code == 0
    before = snapshot(out)
    slept: list[float] = []
    policy = PingPolicy(timeout=0.3, attempts=3, backoff=0.1)
    result = ping_hub(silent_hub, [BASE + "atom.xml"], policy=policy, sleep=slept.append)
    assert result.failure == "no answer within 0.3 s after 3 attempts"
    assert slept == [0.1, 0.2]  # the back-off doubles
    assert result.summary().startswith(f"warning: could not ping {silent_hub}")
    assert snapshot(out) == before


def test_the_cli_gives_up_on_a_silent_hub_in_bounded_time(
    silent_hub: str, tmp_path: Path
) -> None:
    one: dict[str, str | bytes] = {"2025-06-01-day-1.yaml": _article(1, "City")}
    content = write_site(tmp_path, one, _site(silent_hub))
    started = time.monotonic()
    result = publish_cli(content, tmp_path / "out", "--ping")
    assert result.exit_code == 0
    assert "no answer within 3 s after 3 attempts" in result.stderr
    policy = PingPolicy()
    bound = policy.attempts * policy.timeout + policy.backoff * (2**policy.attempts)
    # Not a speed claim: the ping must end, at the policy's bound plus publishing time.
    assert time.monotonic() - started < bound + 30


def test_a_hub_that_fails_once_is_retried_and_succeeds(hub: _Hub) -> None:
    calls: list[bytes] = []

    def flaky(url: str, body: bytes, timeout: float) -> int:
        calls.append(body)
        if len(calls) == 1:
            raise ConnectionRefusedError(111, "Connection refused")
        return 202

    result = ping_hub("http://127.0.0.1:9/", [BASE + "rss.xml"], post=flaky, sleep=lambda s: None)
    assert result.failure is None and result.requests == 1
    assert len(calls) == 2


def test_at_most_a_hundred_urls_per_request(hub: _Hub) -> None:
    urls = [f"{BASE}categories/c{n}/atom.xml" for n in range(MAX_URLS_PER_REQUEST * 2 + 5)]
    result = ping_hub(_url(hub), urls)
    assert result.failure is None
    assert [len([k for k, _v in form if k == "hub.url"]) for _p, _t, form in hub.received] == [
        100,
        100,
        5,
    ]
    assert _notified(hub) == urls


def test_only_feed_documents_count_as_changed_feeds() -> None:
    changed = [
        "archive/3/atom.xml",
        "articles/x/index.html",
        "atom.xml",
        "categories/sport/archive/12/feed.json",
        "categories/sport/rss.xml",
        "images/rss.xml",
        "index.html",
    ]
    assert changed_feed_urls(BASE, changed) == [
        f"{BASE}archive/3/atom.xml",
        f"{BASE}atom.xml",
        f"{BASE}categories/sport/archive/12/feed.json",
        f"{BASE}categories/sport/rss.xml",
    ]


def test_ping_without_a_hub_is_a_warning(tmp_path: Path) -> None:
    content = write_site(tmp_path)
    result = publish_cli(content, tmp_path / "out", "--ping")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1].startswith("warning: --ping: site.yaml sets no hub")
