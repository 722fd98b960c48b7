"""WebSub publisher notifications (``feedsmith publish --ping``): tell the hub which feeds
changed, so subscribers get new articles in seconds instead of at their next poll.

https://www.w3.org/TR/websub/#publishing: a form-encoded POST with ``hub.mode=publish`` and
the topic URLs. Hubs such as Google's and websub.rocks accept ``hub.url`` repeated in one
request; this sends at most ``MAX_URLS_PER_REQUEST`` per request. Any 2xx is success. A hub
that fails is retried a bounded number of times with a short back-off; then the ping gives
up with a warning. The publish has already succeeded by then and stays as it is: readers
still get the change when they next poll.

Which feeds changed comes from the publish (``PublishReport.changed``); ``changed_feed_urls``
picks the feed documents out of it. The one side effect, the HTTP POST, is injected
(``post``), so tests can count attempts without patching globals.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

MAX_URLS_PER_REQUEST = 100
_FEED_RELPATH = re.compile(r"(categories/[^/]+/)?(archive/[0-9]+/)?(rss\.xml|atom\.xml|feed\.json)")


@dataclass(frozen=True, slots=True)
class PingPolicy:
    """How long to wait and how often to try: bounded, so a dead hub costs seconds."""

    timeout: float = 3.0  # seconds per request
    attempts: int = 3  # tries per request, the first included
    backoff: float = 0.5  # seconds before the second try, doubled before each next one


@dataclass(frozen=True, slots=True)
class PingResult:
    """What one hub made of the notification."""

    hub: str
    urls: int  # feeds notified
    requests: int  # requests that succeeded
    failure: str | None  # why the hub was not (fully) notified, or None

    def summary(self) -> str:
        """The one line ``--ping`` prints."""
        if self.failure is None:
            plural = "s" if self.urls != 1 else ""
            return f"Pinged {self.hub}: {self.urls} changed feed{plural}."
        return (
            f"warning: could not ping {self.hub}: {self.failure}; the publish stands, and"
            " subscribers see the change at their next poll"
        )


Post = Callable[[str, bytes, float], int]
"""(hub URL, form body, timeout seconds) -> HTTP status; raises OSError when unreachable."""


def changed_feed_urls(base_url: str, changed: Sequence[str]) -> list[str]:
    """The absolute URLs of the feed documents among ``changed`` (paths relative to --out):
    subscription documents and archive pages of the main feed and of each category."""
    return [base_url + relpath for relpath in changed if _FEED_RELPATH.fullmatch(relpath)]


def ping_hub(
    hub: str,
    urls: Sequence[str],
    *,
    policy: PingPolicy = PingPolicy(),
    post: Post | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> PingResult:
    """Notify ``hub`` of ``urls``, in requests of at most ``MAX_URLS_PER_REQUEST``."""
    send = post or _post
    done = 0
    for start in range(0, len(urls), MAX_URLS_PER_REQUEST):
        batch = urls[start : start + MAX_URLS_PER_REQUEST]
        body = urlencode([("hub.mode", "publish"), *(("hub.url", u) for u in batch)]).encode()
        failure = _send_with_retries(send, hub, body, policy, sleep)
        if failure is not None:
            return PingResult(hub, len(urls), done, failure)
        done += 1
    return PingResult(hub, len(urls), done, None)


def _send_with_retries(
    send: Post, hub: str, body: bytes, policy: PingPolicy, sleep: Callable[[float], None]
) -> str | None:
    """None once the hub answers 2xx, else what went wrong the last time."""
    failure = "no attempt made"
    delay = policy.backoff
    for attempt in range(policy.attempts):
        if attempt:
            sleep(delay)
            delay *= 2
        try:
            status = send(hub, body, policy.timeout)
        except TimeoutError:
            failure = f"no answer within {policy.timeout:g} s"
            continue
        except OSError as exc:
            failure = f"unreachable ({_reason(exc)})"
            continue
        if 200 <= status < 300:
            return None
        failure = f"HTTP {status}"
    tries = f"{policy.attempts} attempt{'s' if policy.attempts != 1 else ''}"
    return f"{failure} after {tries}"


def _reason(exc: OSError) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return str(exc.reason)
    return exc.strerror or str(exc)


def _post(hub: str, body: bytes, timeout: float) -> int:
    """POST ``body`` as application/x-www-form-urlencoded; the HTTP status."""
    request = urllib.request.Request(  # noqa: S310  (the hub URL is validated as http(s))
        hub,
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except urllib.error.URLError as exc:
        # A timeout while connecting arrives wrapped; it is still a timeout.
        if isinstance(exc.reason, TimeoutError):
            raise exc.reason from exc
        raise


def ping_after_publish(
    content_dir: Path,
    base_url: str | None,
    changed: Sequence[str],
    *,
    policy: PingPolicy = PingPolicy(),
    post: Post | None = None,
) -> str:
    """``--ping``: notify the site's hub of the feeds a successful publish changed; the one
    line to print (a line starting with ``warning:`` goes to stderr).

    ``base_url`` is ``--base-url``: the feeds were published under it. site.yaml is read
    again only for ``hub`` and ``base_url``; the publish has just validated it.
    """
    from feedsmith.load import load_file
    from feedsmith.validate import Problems, validate_site

    path = content_dir / "site.yaml"
    site = validate_site(load_file(path, path.as_posix(), [], []), base_url, Problems())
    if site is None or site.hub is None:
        return "warning: --ping: site.yaml sets no hub: add hub: https://… to notify one"
    urls = changed_feed_urls(site.base_url, changed)
    if not urls:
        return f"Nothing to ping: no feed changed, so {site.hub} was not notified."
    return ping_hub(site.hub, urls, policy=policy, post=post).summary()
