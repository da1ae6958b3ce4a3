"""`arxiv-bot health`: bring the GitHub health issue in line with state/health.json."""

from __future__ import annotations

import argparse

from bot.budget import TimeBudget
from bot.config import load_config
from bot.environment import Environment
from bot.errors import PublishError
from bot.repository.settings import github_settings


def main(args: argparse.Namespace, env: Environment) -> int:
    """Open, update or close the health issue (for CI jobs with `issues: write`)."""
    from bot.health import health_path, load_health, save_health
    from bot.runner import sync_health_issue

    config = load_config(args.config)
    settings = github_settings(config, env)
    if settings is None:
        raise PublishError(
            "health needs GITHUB_TOKEN and a repository (github.repo or GITHUB_REPOSITORY)"
        )
    path = health_path(config.target.state_file)
    budget = TimeBudget.start(config.run.time_budget_seconds)
    health = sync_health_issue(config, settings, load_health(path), budget)
    save_health(path, health)
    print(f"consecutive failures: {health.consecutive_failures}; issue open: {health.issue_open}")
    return 0
