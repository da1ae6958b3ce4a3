"""`arxiv-bot schedule`: run on the cron line in config.toml, in the foreground.

With `--next N`, print the line's next N fire times instead, and exit.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from bot.config import load_config
from bot.environment import Environment
from bot.errors import ConfigError
from bot.report import summary_line

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

log = logging.getLogger("bot")


def main(args: argparse.Namespace, env: Environment) -> int:
    from bot.cron import parse_cron
    from bot.health import health_path, load_health
    from bot.runner import run_once
    from bot.schedule import Scheduler, is_overdue

    gc.enable()  # a long-lived process: cycles must be collected (__main__ pauses it)
    config = load_config(args.config)
    cron = parse_cron(config.schedule.cron, config.schedule.timezone)
    if args.next is not None:
        start = env.now if args.start is None else from_option(args.start, cron.zone)
        shown = 0
        for fire in itertools.islice(cron.times_after(start), args.next):  # N may be huge
            print(fire.isoformat())
            shown += 1
        if shown < args.next:
            log.warning("only %d fire times: the calendar ends in 9999", shown)
        return 0
    if args.start is not None:
        raise ConfigError("--from only counts with --next N; drop it to run the schedule")
    last_run = load_health(health_path(config.target.state_file)).last_run
    catch_up = args.once_now or is_overdue(cron, last_run, env.now)
    if catch_up and not args.once_now:
        log.info("last run %s is overdue: running now", last_run or "never")

    def job() -> str:
        config_now = load_config(args.config)  # pick up edits between runs
        return summary_line(run_once(config_now, env.later(), None, False, None))

    scheduler = Scheduler(cron, job, lambda: env.later().now)
    scheduler.install_signal_handlers()
    scheduler.run_until_stopped(run_now=catch_up)
    return 0


def from_option(value: str, zone: ZoneInfo) -> datetime:
    """--from: a local minute in schedule.timezone; ConfigError for another shape."""
    from bot.cron import counting_from

    try:
        return counting_from(value, zone)
    except ValueError:
        raise ConfigError(f"--from {value!r} is not a local time like 2026-03-08T02:30") from None
