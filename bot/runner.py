"""One run, in local or GitHub mode, with its outcome recorded for the health check."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.budget import UNLIMITED, TimeBudget
from bot.config import Config
from bot.environment import Environment
from bot.errors import BotError, FileWriteError, LockedError, PublishError
from bot.models import RunReport
from bot.repository import github_settings

if TYPE_CHECKING:
    from bot.health import Health
    from bot.repository.github import GithubSettings

log = logging.getLogger("bot")


def run_once(
    config: Config,
    env: Environment,
    target: Path | None,
    dry_run: bool,
    since: date | None,
    want_diff: bool = False,
) -> RunReport:
    """One run in local or GitHub mode, with its outcome recorded for the health check.

    A run that writes holds the lock in the state folder, in both modes: two runs
    from one working directory never interleave (a dry run writes nothing, not even a lock).
    """
    from bot.files import run_lock
    from bot.state import check_since

    check_since(since, env.now.date())  # before the lock, the worker and the health count
    budget = TimeBudget.start(config.run.time_budget_seconds)
    settings = None if target else github_settings(config, env)
    lock = run_lock(Path(config.target.state_file).parent / ".arxiv-bot.lock")
    with ExitStack() as held, cyclic_gc_paused():
        try:
            if not dry_run:  # inside the try: a lock that cannot be made is a failed run
                held.enter_context(lock)
            if settings is not None:
                from bot.github_run import run_github

                report = run_github(config, settings, env, since, dry_run, budget)
            else:
                report = run_local(config, target, dry_run, since, env, want_diff, budget)
        except BotError as exc:
            if not dry_run and not isinstance(exc, LockedError):
                record_health(config, settings, env, failure=str(exc))
            raise
        if not dry_run:
            record_health(config, settings, env, failure=None)
    return report


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one run.

    A run on a large list builds a few hundred thousand long-lived objects at once
    (list entries, state records, titles); the collector would rescan them again and
    again while they grow (about a fifth of such a run) and free nothing: reference
    counting frees them. Cycles made meanwhile wait for the next collection.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_local(
    config: Config,
    target: Path | None,
    dry_run: bool,
    since: date | None,
    env: Environment,
    want_diff: bool,
    budget: TimeBudget = UNLIMITED,
) -> RunReport:
    from bot.arxiv_side import both_sides
    from bot.enrich import make_enricher
    from bot.judge import model_judge
    from bot.listdoc.document import ListDocument
    from bot.pipeline import keep_enrichment, plan_run
    from bot.repository.local import publish_local, read_list
    from bot.runstore import load_run_store, run_store_path, run_windows, with_store_watermark
    from bot.state import load_state

    now = env.now
    list_path = target or Path(config.target.file)
    state_path = Path(config.target.state_file)

    list_text = read_list(list_path)
    store = load_run_store(run_store_path(state_path))
    state = with_store_watermark(load_state(state_path), store)
    window, sweep = run_windows(state, store, since, now.date(), config.arxiv)
    document = ListDocument(list_text, config.target)  # parsed alongside the fetch
    screened, known, outcome = both_sides(config, env, window, document, state, sweep, budget)
    enricher = make_enricher(config.enrich, state.enrichment)
    plan = plan_run(
        screened,
        known,
        list_text,
        state,
        config,
        now,
        window,
        list_path.name,
        enrich=enricher.enrich if enricher else None,
        store=store,
        judge=model_judge(config.relevance.judge, env, budget),
        outcome=outcome,
    )
    if enricher:
        plan = keep_enrichment(plan, enricher.cache)
    if not dry_run:
        publish_local(plan, list_path, state_path, Path.cwd())
    elif want_diff:  # the diff of a large list is costly: only when shown
        plan.report.diff = plan.diff(list_path.name)
    return plan.report


def record_health(
    config: Config, settings: GithubSettings | None, env: Environment, failure: str | None
) -> None:
    """Count consecutive failures in state/health.json, and keep the health issue in step."""
    from bot.health import health_path, load_health, save_health

    path = health_path(config.target.state_file)
    health = load_health(path)
    if failure is not None:
        if settings is not None:
            failure = failure.replace(settings.token, "***")
        health = health.failed(env.now, failure)
    else:
        health = health.succeeded(env.now)
    # In GitHub Actions a separate job with `issues: write` syncs the issue (see update.yml).
    if settings is not None and env.health_issue != "skip":
        health = sync_health_issue(config, settings, health)
    try:
        save_health(path, health)
    except FileWriteError as exc:  # the run's own error (if any) is the one to report
        log.warning("could not record run health: %s", exc)


def sync_health_issue(config: Config, settings: GithubSettings, health: Health) -> Health:
    """Open or update the issue past the threshold; close it once runs succeed again."""
    from bot.health import issue_body
    from bot.repository.github import GithubRepository

    failing = health.consecutive_failures >= config.health.failures_before_issue
    if not failing and not health.issue_open:
        return health
    try:
        GithubRepository(settings).report_health(
            config.health.label,
            failing=failing,
            title="arXiv bot: runs are failing",
            body=issue_body(health),
        )
    except PublishError as exc:  # GitHub itself may be what is failing
        log.warning("could not update the health issue: %s", exc)
        return health
    return replace(health, issue_open=failing)
