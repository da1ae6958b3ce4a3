"""`arxiv-bot run`: fetch new papers and add them (local file or pull request)."""

from __future__ import annotations

import argparse
import logging
from datetime import timedelta
from pathlib import Path

from bot.config import load_config
from bot.environment import Environment
from bot.report import dump_json, report_text, step_summary, summary_line
from bot.runner import run_once

log = logging.getLogger("bot")


def main(args: argparse.Namespace, env: Environment) -> int:
    config = load_config(args.config)
    target = args.target
    other_list = (
        target and target.is_file() and target.resolve() != Path(config.target.file).resolve()
    )
    if other_list and not args.dry_run:
        # Not an error, and a dry run records nothing. But a run writes this list's papers
        # into another list's state, where each list's papers count as known: say so.
        log.warning(
            "--target %s uses the state of %s (%s): papers recorded there count as known "
            "and are skipped. A second list needs its own: python -m bot init --target %s "
            "--config OTHER.toml",
            args.target,
            config.target.file,
            config.target.state_file,
            args.target,
        )
    since = args.since
    if isinstance(since, timedelta):  # "--since 21d": days before today (UTC)
        since = env.now.date() - since
    report = run_once(config, env, args.target, args.dry_run, since, want_diff=not args.json)
    if args.json:
        print(dump_json(report))
    else:
        print(report_text(report, args.dry_run))
    log.info(summary_line(report))
    if env.step_summary:
        try:
            with open(env.step_summary, "a", encoding="utf-8") as handle:
                handle.write(step_summary(report, args.dry_run))
        except OSError as exc:  # the run itself succeeded: its summary is a nicety
            log.warning("could not write the step summary %s: %s", env.step_summary, exc)
    return 0
