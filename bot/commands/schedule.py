"""`arxiv-bot schedule`: run on the cron schedule in config.toml, in the foreground."""

from __future__ import annotations

import argparse
import logging

from bot.config import load_config
from bot.environment import Environment
from bot.report import summary_line

log = logging.getLogger("bot")


def main(args: argparse.Namespace, env: Environment) -> int:
    from bot.health import health_path, load_health
    from bot.runner import run_once
    from bot.schedule import Scheduler, build_trigger, is_overdue, zoneinfo

    config = load_config(args.config)
    trigger = build_trigger(config.schedule.cron, config.schedule.timezone)
    last_run = load_health(health_path(config.target.state_file)).last_run
    catch_up = args.once_now or is_overdue(trigger, last_run, env.now)
    if catch_up and not args.once_now:
        log.info("last run %s is overdue: running now", last_run or "never")

    def job() -> str:
        config_now = load_config(args.config)  # pick up edits between runs
        return summary_line(run_once(config_now, env.later(), None, False, None))

    scheduler = Scheduler(trigger, job, zoneinfo(config.schedule.timezone))
    scheduler.install_signal_handlers()
    scheduler.start(run_now=catch_up)
    scheduler.wait()
    return 0
