"""The run's time budget: one bound on every wait a server asks for (arXiv's and GitHub's).

A scheduled job has a time limit (30 minutes in the shipped workflow). A server
that answers "Retry-After: 3600" must not make the run sleep past it: a wait that
does not fit what is left of `[run] time_budget_seconds` fails the run at once
(WaitTooLongError), and the next scheduled run retries.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from msgspec import Struct

from bot.errors import WaitTooLongError


class TimeBudget(Struct, frozen=True):
    """`seconds` of run time from `started` (a `clock()` reading, monotonic seconds).

    Picklable (the clock is a module-level function), so the arXiv worker process
    shares the parent's budget: time.monotonic is system-wide.
    """

    seconds: float
    started: float
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def start(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> TimeBudget:
        """A budget that starts now."""
        return cls(seconds, clock(), clock)

    def left(self) -> float:
        """Seconds left (negative once spent)."""
        return self.seconds - (self.clock() - self.started)

    def allows(self, wait: float) -> bool:
        """Whether a wait of `wait` seconds ends inside the budget."""
        return wait <= self.left()

    def check_wait(self, service: str, wait: float) -> None:
        """Raise WaitTooLongError when `service` asks for a wait the budget cannot hold."""
        if not self.allows(wait):
            raise WaitTooLongError(service, wait, max(0.0, self.left()))


UNLIMITED = TimeBudget(float("inf"), 0.0)
