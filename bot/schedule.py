"""`python -m bot schedule`: run the bot on a cron expression, in the foreground (APScheduler 3.x).

One run at a time; missed runs coalesce into one, with a grace time long enough
that a short stall does not silently skip a day; a catch-up run at start-up
when the last run is overdue; SIGTERM/SIGINT let a run in progress finish.
"""

from __future__ import annotations

import logging
import re
import signal
import threading
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from bot.errors import ConfigError

log = logging.getLogger(__name__)
MISFIRE_GRACE_SECONDS = 6 * 3600
_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def cron_weekdays_to_names(field: str) -> str:
    """Rewrite cron's numeric weekdays (0 or 7 = Sunday) as names APScheduler reads right.

    APScheduler 3.x numbers weekdays from Monday = 0, cron and GitHub Actions from
    Sunday = 0: "1-5" would silently mean Tuesday to Saturday.
    """
    return re.sub(r"(?<![/\w])([0-7])(?![\w])", lambda m: _CRON_DAYS[int(m.group(1))], field)


def build_trigger(cron: str, timezone: str) -> Any:
    """A CronTrigger for a standard five-field crontab line; ConfigError names the key."""
    from apscheduler.triggers.cron import CronTrigger

    fields = cron.split()
    if len(fields) != 5:
        raise ConfigError(
            f"schedule.cron must have 5 fields (minute hour day month weekday), got {cron!r}"
        )
    fields[4] = cron_weekdays_to_names(fields[4])
    try:
        zone = zoneinfo(timezone)
        return CronTrigger(
            minute=fields[0],
            hour=fields[1],
            day=fields[2],
            month=fields[3],
            day_of_week=fields[4],
            timezone=zone,
        )
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"schedule.cron {cron!r} is not a valid cron expression: {exc}") from None


def zoneinfo(name: str) -> tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"schedule.timezone {name!r} is not a known time zone (e.g. UTC, Europe/Berlin)"
        ) from None


def is_overdue(trigger: Any, last_run: datetime | None, now: datetime) -> bool:
    """True when a scheduled time passed since the last run (or there never was one)."""
    if last_run is None:
        return True
    next_after_last = trigger.get_next_fire_time(None, last_run)
    return next_after_last is not None and next_after_last <= now


class Scheduler:
    """The bot's schedule: wraps an APScheduler BackgroundScheduler with our policies."""

    def __init__(self, trigger: Any, job: Callable[[], str], timezone: tzinfo) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self.trigger = trigger
        self.job = job
        self.stopping = threading.Event()
        self.scheduler = BackgroundScheduler(
            timezone=timezone,
            job_defaults={
                "coalesce": True,  # several missed runs become one
                "max_instances": 1,  # never two runs at once
                # The default grace of 1 s silently skips a run after a short stall.
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            },
        )
        self.scheduler.add_job(self._run, trigger, id="arxiv-bot", name="arxiv-bot run")

    def _run(self) -> None:
        try:
            outcome = self.job()
        except Exception as exc:  # a failed run is logged; the schedule goes on
            outcome = f"failed: {exc}"
            log.error("run failed: %s", exc)
        job = self.scheduler.get_job("arxiv-bot")
        upcoming = job.next_run_time.isoformat() if job and job.next_run_time else "none"
        log.info("run finished (%s); next run at %s", outcome, upcoming)

    def start(self, run_now: bool) -> None:
        self.scheduler.start()
        if run_now:
            # Same job, fired now: max_instances=1 still keeps runs from overlapping.
            self.scheduler.modify_job(
                "arxiv-bot", next_run_time=datetime.now(self.trigger.timezone)
            )
        job = self.scheduler.get_job("arxiv-bot")
        log.info("scheduler started; next run at %s", job.next_run_time if job else "none")

    def wait(self) -> None:
        """Block until SIGTERM/SIGINT, then let a run in progress finish."""
        self.stopping.wait()
        log.info("stopping: waiting for a run in progress to finish")
        self.scheduler.shutdown(wait=True)
        log.info("scheduler stopped")

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stopping.set())
