"""The `run` and `evaluate` commands: wire the edges to the pure stages."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import DEFAULT_ARXIV_API_URL, Config, load_config
from bot.models import RunReport
from bot.report import dump_json, report_text, summary_line

if TYPE_CHECKING:
    from bot.pullrequest import GithubSettings

log = logging.getLogger("bot")


def run_command(args: argparse.Namespace, now: datetime) -> int:
    from bot.fetch import ArxivSource
    from bot.files import run_lock
    from bot.pipeline import plan_run
    from bot.publish import publish_local, read_list
    from bot.state import fetch_window, load_state

    config = load_config(args.config)
    list_path = args.target or Path(config.target.file)
    state_path = Path(config.target.state_file)
    api_url = os.environ.get("ARXIV_API_URL") or DEFAULT_ARXIV_API_URL
    settings = None if args.target else github_settings(config)
    if settings is not None:
        from bot.github_run import run_github

        report = run_github(
            config, settings, ArxivSource(config.arxiv, api_url), now, args.since, args.dry_run
        )
        emit(report, args)
        return 0

    def execute() -> int:
        list_text = read_list(list_path)
        state = load_state(state_path)
        window = fetch_window(
            state, args.since, now.date(), config.arxiv.lookback_days, config.arxiv.overlap_days
        )
        log.info("querying arXiv for papers submitted %s to %s", *window)
        source = ArxivSource(config.arxiv, api_url)
        records = source.fetch(*window)
        log.info("%d hits in %d requests", len(records), source.requests_made)
        plan = plan_run(records, list_text, state, config, now, window, list_path.name)
        if not args.dry_run:
            publish_local(plan, list_path, state_path)
        elif not args.json:  # the diff of a large list is costly: only when shown
            plan.report.diff = plan.diff(list_path.name)
        emit(plan.report, args)
        return 0

    if args.dry_run:
        return execute()
    with run_lock(state_path.parent / ".arxiv-bot.lock"):
        return execute()


def github_settings(config: Config) -> GithubSettings | None:
    """GitHub mode needs a token and a repository; without either the bot works locally."""
    token = os.environ.get("GITHUB_TOKEN", "").strip()
    repo = config.github.repo or os.environ.get("GITHUB_REPOSITORY", "").strip()
    if not token or not repo:
        return None
    from bot.pullrequest import DEFAULT_API_URL, GithubSettings

    g = config.github
    return GithubSettings(
        token=token,
        repo=repo,
        api_url=os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL,
        branch=g.branch,
        base=g.base,
        pr_title=g.pr_title,
        labels=g.labels,
        draft=g.draft,
        max_retries=g.max_retries,
        backoff_seconds=g.backoff_seconds,
        write_delay_seconds=g.write_delay_seconds,
    )


def emit(report: RunReport, args: argparse.Namespace) -> None:
    if args.json:
        print(dump_json(report))
    else:
        print(report_text(report, args.dry_run))
    log.info(summary_line(report))


def evaluate_command(args: argparse.Namespace) -> int:
    from bot.evaluate import evaluate, load_labeled
    from bot.relevance import compile_rules

    config = load_config(args.config)
    result = evaluate(load_labeled(args.labels), compile_rules(config.relevance))
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(result.to_text() + "\n")
    return 0
