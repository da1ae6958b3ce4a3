"""GitHub's rate limits and write pacing (part of the GitHub adapter: imports `github`).

GitHub's REST docs ("Rate limits for the REST API", "Best practices"): a request
over a limit gets 403 or 429 and was not processed, so repeating it is safe, POSTs
included. Wait as the answer says: `retry-after` seconds; else, with
`x-ratelimit-remaining: 0`, until `x-ratelimit-reset` (UTC epoch seconds); else (a
secondary limit named only in the message) at least a minute. Every such wait must
fit what is left of the run's time budget (`[run] time_budget_seconds`), or the run
fails at once with the reset time. A 5xx on a POST may have been processed: it is
not repeated here (the adapter looks before repeating it).

PyGithub's GithubRetry does most of this (403 rate-limit detection from the
message, primary reset waits, `max_rate_limit_wait`); `RateLimitRetry` adds the
budget to every wait (urllib3 honours Retry-After without a cap), 429 without
Retry-After, POSTs retried only when rate-limited, and an injectable sleep.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from github import GithubRetry

from bot.budget import UNLIMITED, TimeBudget
from bot.errors import RateLimitError
from bot.repository.github_rules import RATE_LIMIT_STATUSES, SECONDARY_WAIT, rate_limit_wait

log = logging.getLogger(__name__)
BURST_WRITES = 20  # content-creating requests in a minute before the bot paces them
BURST_GAP = 1.0  # "wait at least one second between each request" in a burst of writes


def rate_limit_error(status: int, wait: float, now: float, left: float) -> RateLimitError:
    """The error for a wait the budget cannot hold: it names the reset time (UTC)."""
    reset = datetime.fromtimestamp(now + wait, UTC)
    return RateLimitError(status, wait, max(0.0, left), reset)


class RateLimitRetry(GithubRetry):
    """PyGithub's GithubRetry, with every wait bounded by the run's time budget.

    `budget` bounds each wait (a wait that does not fit raises RateLimitError);
    `sleep` and `clock` (epoch seconds) are injectable, so tests never sleep.
    """

    def __init__(
        self,
        budget: TimeBudget = UNLIMITED,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.time,
        **kwargs: Any,
    ) -> None:
        self.budget = budget
        self.sleep_for = sleep or pause
        self.clock = clock
        kwargs.setdefault("secondary_rate_wait", SECONDARY_WAIT)
        # PyGithub's own cap for the waits it computes (a primary limit's reset).
        kwargs.setdefault("max_rate_limit_wait", None if budget is UNLIMITED else budget.left())
        # Rate limits repeated past max_retries reach PyGithub as the last answer,
        # so the error can say "rate limit", not a bare RetryError.
        kwargs.setdefault("raise_on_status", False)
        super().__init__(**kwargs)

    def new(self, **kw: Any) -> RateLimitRetry:
        kw.update(budget=self.budget, sleep=self.sleep_for, clock=self.clock)
        retry: RateLimitRetry = super().new(**kw)
        return retry

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        """403 and 429 go to `increment` for every method, POST included (GithubRetry
        tells a rate limit from a refusal by the message; a 429 is always one); other
        statuses follow `allowed_methods`, which leaves POST out: a 5xx POST may have
        been done, so the adapter looks before repeating it."""
        if status_code in RATE_LIMIT_STATUSES:
            return True
        return bool(super().is_retry(method, status_code, has_retry_after))

    def sleep(self, response: Any = None) -> None:
        """Wait as GitHub asks (see rate_limit_wait), else the backoff; within the budget."""
        now = self.clock()
        wait = None
        if response is not None:
            wait = rate_limit_wait(int(response.status), dict(response.headers), now)
        if wait is None:
            wait = float(self.get_backoff_time())
        status = int(response.status) if response is not None else 0
        if not self.budget.allows(wait):
            raise rate_limit_error(status, wait, now, self.budget.left())
        if wait > 0:
            if status in RATE_LIMIT_STATUSES:
                log.warning(
                    "GitHub's rate limit (HTTP %d): waiting %.0f s as it asks, then repeating "
                    "the request",
                    status,
                    wait,
                )
            self.sleep_for(wait)


def route_pygithub_logging() -> None:
    """Send PyGithub's log records through the bot's handler, at the bot's level.

    Importing `github` adds a stderr handler at INFO to the "github" logger
    (github/__init__.py): its lines would skip the bot's token redaction and repeat
    what the bot says itself ("waiting 60 s as GitHub asks").
    """
    logger = logging.getLogger("github")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)  # the root logger's level: WARNING, or DEBUG with --debug


def pause(seconds: float) -> None:
    """time.sleep, looked up at call time."""
    time.sleep(seconds)


class WritePacer:
    """Space content-creating requests as GitHub's best practices ask, only when needed.

    `delay` (github.write_delay_seconds, default 0) is always kept between two
    writes; once BURST_WRITES writes went out within a minute, at least BURST_GAP
    is kept too (GitHub: about 80 content-creating requests a minute at most).
    A usual run (about ten writes) is never paced.
    """

    def __init__(
        self,
        delay: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.delay = delay
        self.clock = clock
        self.sleep = sleep or pause
        self.sent: deque[float] = deque()

    def before_write(self) -> float:
        """Wait if this write must be paced; return the seconds waited."""
        now = self.clock()
        while self.sent and now - self.sent[0] >= 60.0:
            self.sent.popleft()
        gap = max(self.delay, BURST_GAP if len(self.sent) >= BURST_WRITES else 0.0)
        waited = max(0.0, self.sent[-1] + gap - now) if self.sent else 0.0
        if waited > 0:
            self.sleep(waited)
        self.sent.append(now + waited)
        return waited
