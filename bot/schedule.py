"""`python -m bot schedule`: run the bot on its cron line, in the foreground.

A loop in the main thread: sleep until the next fire time (in naps of at most a
minute, so that a clock change or a suspended machine is noticed), run, repeat. One
run at a time by construction; fire times missed while a run lasted or the machine
slept coalesce into one run; a catch-up run at start-up when the last run is overdue.
SIGTERM or SIGINT lets a run in progress finish, then the loop ends (exit 0); a
second signal stops the run at once (exit 128 + its number). Fire times are
`bot.cron`'s (cronsim): a sleep loop on them needs no scheduler library.
"""

from __future__ import annotations

import itertools
import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from types import FrameType

from bot.cron import CronLine
from bot.errors import Stopped

log = logging.getLogger(__name__)
MAX_NAP_SECONDS = 60.0


def is_overdue(cron: CronLine, last_run: datetime | None, now: datetime) -> bool:
    """True when a fire time passed since the last run (or there never was one)."""
    if last_run is None:
        return True
    return cron.next_after(last_run) <= now


class Scheduler:
    """Runs `job` at the fire times of `cron` until `stop()`.

    `clock` gives the aware current time and `nap(seconds)` sleeps up to that long,
    returning early on `stop()`: tests pass their own to go without waiting.
    """

    def __init__(
        self,
        cron: CronLine,
        job: Callable[[], str],
        clock: Callable[[], datetime],
        nap: Callable[[float], object] | None = None,
    ) -> None:
        self.cron = cron
        self.job = job
        self.clock = clock
        self.stopping = threading.Event()
        self.nap = nap or self.stopping.wait
        self.running = False

    def run_until_stopped(self, run_now: bool) -> None:
        """Loop until `stop()`; a run in progress always finishes first."""
        due = self.clock() if run_now else self.cron.next_after(self.clock())
        log.info("scheduler started; next run at %s", due.isoformat())
        while not self.stopping.is_set():
            wait = (due - self.clock()).total_seconds()
            if wait > 0:
                self.nap(min(wait, MAX_NAP_SECONDS))
                continue
            outcome = self._run()
            due = self.cron.next_after(self.clock())  # fire times missed meanwhile: coalesced
            log.info("run finished (%s); next run at %s", outcome, due.isoformat())
        log.info("scheduler stopped")

    def _run(self) -> str:
        self.running = True
        try:
            return self.job()
        except Exception as exc:  # a failed run is logged; the schedule goes on
            log.error("run failed: %s", exc)
            return f"failed: {exc}"
        finally:
            self.running = False

    def stop(self) -> None:
        """Ask the loop to end once a run in progress (if any) has finished."""
        first = not self.stopping.is_set()
        self.stopping.set()
        if first and self.running:
            log.info("stopping: waiting for the run in progress to finish")

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT: stop after the run in progress; a second one: stop at once."""

        def handle(signum: int, frame: FrameType | None) -> None:
            # Counted first and atomically: a second signal can interrupt this handler.
            if next(signals) > 0 and self.running:
                raise Stopped(signum)
            self.stop()

        signals = itertools.count()

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, handle)
