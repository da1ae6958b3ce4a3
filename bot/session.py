"""The HTTP session under the arXiv edge: pacing, deadlines, retries, the time budget.

On urllib.request (proxies from the environment, redirects, TLS): one GET at a time
to one host needs no connection pool, and importing requests cost a tenth of a
daily run's CPU.

- at least `arxiv.delay_seconds` between any two requests (arXiv's terms of use);
- `arxiv.timeout_seconds` bounds each whole request, from connect to the last
  byte: a server that drips a byte every half second cannot hold a run;
- 429, 5xx, timeouts, connection errors and pages the caller's check rejects
  are retried with exponential backoff and jitter; a Retry-After is honoured
  in full when it fits the run's time budget, and fails the run at once when
  it does not (WaitTooLongError: the next run retries);
- 4xx answers fail at once (FetchError naming the endpoint and arXiv's message).
"""

from __future__ import annotations

import http.client
import logging
import os
import random
import ssl
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import partial
from typing import TypeVar
from urllib.parse import urlsplit

from msgspec import Struct

from bot import __version__
from bot.atomfeed import BadPage, error_message
from bot.budget import UNLIMITED, TimeBudget
from bot.config import ArxivConfig
from bot.deadline import Deadline
from bot.errors import FetchError

log = logging.getLogger("bot.fetch")
T = TypeVar("T")
MAX_BACKOFF_SECONDS = 120.0
# What a failed connection, a timeout or an answer cut short raises: retried.
NETWORK_ERRORS = (OSError, http.client.HTTPException, zlib.error)


class Problem(Struct, frozen=True):
    """Why a request must be retried; `retry_after` is the server's hint in seconds."""

    message: str
    retry_after: float | None = None


class PoliteSession:
    """An HTTP session that paces, bounds, retries and checks arXiv requests.

    `ca_file` is the CA bundle (a PEM file or a folder) HTTPS trusts; "" for certifi's.
    """

    def __init__(
        self,
        config: ArxivConfig,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        budget: TimeBudget = UNLIMITED,
        ca_file: str = "",
    ) -> None:
        self.config = config
        self.sleep = sleep
        self.clock = clock
        self.jitter = jitter
        self.budget = budget
        self.requests_made = 0
        self._last_request: float | None = None
        self.deadline = Deadline()
        self.opener = urllib.request.build_opener(
            *self.deadline.handlers(partial(tls_context, ca_file))
        )
        contact = f"; {config.contact}" if config.contact else ""
        self.user_agent = (
            f"arxiv-awesome-bot/{__version__} (+https://github.com/topics/awesome-list{contact})"
        )

    def get_checked(self, url: str, check: Callable[[bytes], T]) -> T:
        """GET `url` until `check(body)` accepts it (it raises BadPage to have it retried).

        Raises FetchError after the last try, or at once for an answer retrying cannot
        fix; WaitTooLongError when a wait does not fit the time budget.
        """
        problem = Problem("no request made")
        for attempt in range(self.config.max_retries + 1):
            if attempt:
                self._wait(self._backoff(attempt, problem))
            self._pace()
            try:
                self.requests_made += 1
                status, retry_after, body = self._get_whole(url)
            except NETWORK_ERRORS as exc:
                problem = Problem(_describe_network_error(exc))
            else:
                problem = self._status_problem(status, retry_after, body, url) or Problem("")
                if not problem.message:
                    try:
                        return check(body)
                    except BadPage as exc:
                        problem = Problem(str(exc))
            finally:
                self._last_request = self.clock()
            log.warning(
                "arXiv request failed (try %d of %d): %s",
                attempt + 1,
                self.config.max_retries + 1,
                problem.message,
            )
        raise FetchError(
            f"arXiv API failed after {self.config.max_retries + 1} tries: {problem.message}"
            f" ({_endpoint(url)}); nothing was changed, the next run retries"
        )

    def _get_whole(self, url: str) -> tuple[int, str | None, bytes]:
        """One GET with a deadline on the whole of it: (status, Retry-After, body).

        `timeout_seconds` bounds the connect and each read, and (bot.deadline) the
        whole request: a server that drips its answer ends as a TimeoutError.
        """
        limit = self.config.timeout_seconds
        # gzip, as requests asked for: a page of 200 entries is some 500 kB of XML, a
        # quarter of that gzipped, and inflating it takes about a millisecond.
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "gzip"}
        try:
            with self.deadline.running(limit):
                status, retry_after, encoding, body = self._open(
                    urllib.request.Request(url, headers=headers), limit
                )
        except NETWORK_ERRORS as exc:
            if self.deadline.expired.is_set():
                raise TimeoutError("whole-request deadline") from exc
            raise
        if self.deadline.expired.is_set():  # cut just as the last byte came
            raise TimeoutError("whole-request deadline")
        if encoding and encoding.strip().lower() == "gzip":
            body = zlib.decompress(body, wbits=zlib.MAX_WBITS | 16)
        return status, retry_after, body

    def _open(
        self, request: urllib.request.Request, limit: float
    ) -> tuple[int, str | None, str | None, bytes]:
        """(status, Retry-After, Content-Encoding, body) of one answer, whatever its status."""
        try:
            response = self.opener.open(request, timeout=limit)
        except urllib.error.HTTPError as answer:  # 4xx, 5xx: arXiv's message is in the body
            response = answer
        with response:
            headers = response.headers
            return (
                response.getcode(),
                headers["retry-after"],
                headers["content-encoding"],
                response.read(),
            )

    def _pace(self) -> None:
        if self._last_request is None:
            return
        wait = self.config.delay_seconds - (self.clock() - self._last_request)
        if wait > 0:
            self.sleep(wait)

    def _backoff(self, attempt: int, problem: Problem) -> float:
        # Backoff grows from the polite delay: 3 s, 6 s, 12 s... with the default.
        base = min(MAX_BACKOFF_SECONDS, self.config.delay_seconds * float(2 ** (attempt - 1)))
        delay = base * (0.5 + self.jitter() / 2)
        if problem.retry_after is not None:
            delay = max(delay, problem.retry_after)  # in full: an early retry is refused again
        return delay

    def _wait(self, seconds: float) -> None:
        """Sleep `seconds`, or fail at once when the wait does not fit the time budget."""
        self.budget.check_wait("arXiv", seconds)
        self.sleep(seconds)

    def _status_problem(
        self, status: int, retry_after: str | None, body: bytes, url: str
    ) -> Problem | None:
        """None for a 200, a Problem to retry, or FetchError for what retrying cannot fix."""
        if status == 429 or status >= 500:
            return Problem(f"HTTP {status}", _retry_after(retry_after))
        if status == 414:
            raise FetchError(
                f"arXiv API refused the query as too long (HTTP 414, {_endpoint(url)}): "
                "use fewer or shorter [arxiv] queries"
            )
        message = error_message(body)
        if status != 200:
            raise FetchError(
                f"arXiv API rejected the query ({_endpoint(url)}): "
                f"{message or f'HTTP {status}'}; check [arxiv] queries"
            )
        if message:
            raise FetchError(f"arXiv API answered with an error ({_endpoint(url)}): {message}")
        return None


def _describe_network_error(exc: Exception) -> str:
    # urllib wraps what fails while connecting and sending in a URLError.
    reason = getattr(exc, "reason", None) if isinstance(exc, urllib.error.URLError) else None
    cause = reason if isinstance(reason, Exception) else exc
    if isinstance(cause, TimeoutError):
        return "request timed out (arxiv.timeout_seconds bounds each whole request)"
    if isinstance(cause, zlib.error):
        return "the gzip-compressed answer was damaged"
    return f"connection failed ({type(cause).__name__})"


def tls_context(ca_file: str) -> ssl.SSLContext:
    """The TLS context for arXiv: trusting `ca_file` (a PEM file or a folder), else certifi.

    certifi's bundle, as requests used: Python from python.org on macOS has no system
    store until its "Install Certificates" step is run. Raises FetchError when
    `ca_file` cannot be read.
    """
    if not ca_file:
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    try:
        if os.path.isdir(ca_file):
            return ssl.create_default_context(capath=ca_file)
        return ssl.create_default_context(cafile=ca_file)
    except OSError as exc:  # ssl.SSLError included: not PEM certificates
        raise FetchError(
            f"cannot use the CA certificates in {ca_file} ({exc}): fix or unset"
            " REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE or SSL_CERT_FILE; nothing was changed"
        ) from None


def _retry_after(value: str | None) -> float | None:
    """Retry-After is seconds or an HTTP date (RFC 9110, section 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _endpoint(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
