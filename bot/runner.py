"""One run, in local or GitHub mode, with its outcome recorded for the health check."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec.structs import replace

from bot.budget import UNLIMITED, TimeBudget
from bot.config import Config
from bot.environment import Environment
from bot.errors import BotError, FileWriteError, LockedError, PublishError, WaitTooLongError
from bot.models import RunReport
from bot.repository.seam import Repository
from bot.repository.settings import github_settings

if TYPE_CHECKING:
    from bot.health import Health
    from bot.judge import Judge
    from bot.pipeline import Plan
    from bot.reconcile import Reconciled
    from bot.repository.settings import GithubSettings

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
    if settings is None:  # a mistyped list path is bad input, not a failed run: nothing written
        from bot.repository.local import check_list_file

        check_list_file(target or Path(config.target.file))
    lock = run_lock(Path(config.target.state_file).parent / ".arxiv-bot.lock")
    with ExitStack() as held, cyclic_gc_paused():
        try:
            if not dry_run:  # inside the try: a lock that cannot be made is a failed run
                held.enter_context(lock)
            repo, list_path, state_path = open_repository(config, settings, target, dry_run, budget)
            paths = (list_path, state_path)
            report = run_in(repo, paths, config, env, since, dry_run, want_diff, budget)
            if repo.proposes:
                log.debug("GitHub requests this run: %d", repo.requests_made)
        except BotError as exc:
            if not dry_run and not isinstance(exc, LockedError):
                record_health(config, settings, env, failure=str(exc), budget=budget)
            raise
        if not dry_run:
            record_health(config, settings, env, failure=None, budget=budget)
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


def open_repository(
    config: Config,
    settings: GithubSettings | None,
    target: Path | None,
    dry_run: bool,
    budget: TimeBudget,
) -> tuple[Repository, str, str]:
    """The run's repository adapter, and the list's and state's paths in it."""
    if settings is not None:
        from bot.repository.github import GithubRepository

        return GithubRepository(settings, budget), config.target.file, config.target.state_file
    from bot.repository.local import LocalFiles

    list_path = target or Path(config.target.file)
    state_path = Path(config.target.state_file)
    files = LocalFiles(list_path, state_path, config.target, Path.cwd(), dry_run)
    return files, str(list_path), str(state_path)


def run_in(
    repo: Repository,
    paths: tuple[str, str],
    config: Config,
    env: Environment,
    since: date | None,
    dry_run: bool,
    want_diff: bool,
    budget: TimeBudget = UNLIMITED,
) -> RunReport:
    """gather -> plan -> publish, the same in both modes (GitHub mode proposes by PR)."""
    from bot.change import local_change, pull_request_change
    from bot.reconcile import reconcile
    from bot.runstore import run_store_path, save_run_store

    list_path, state_path = paths
    github = repo.proposes
    snapshot = repo.gather(list_path, state_path)
    reconciled = reconcile(snapshot, config.target, env.now.date())
    for note in reconciled.notes:
        log.info("%s", note)
    plan = plan_on(reconciled, config, env, since, budget, Path(list_path).name, github)
    report = plan.report
    report.carried = reconciled.pending
    report.notes = reconciled.notes
    if dry_run:
        if want_diff or github:  # the diff of a large list is costly: only when shown
            report.diff = plan.diff(Path(list_path).name)
        return report
    if github:
        change = pull_request_change(plan, reconciled, snapshot, list_path, state_path)
        if not change.files:
            log.info("nothing new: nothing written, no pull request opened or edited")
    else:
        change = local_change(plan, list_path, state_path)
    published = repo.publish(change)
    report.pull_request = published.pull
    report.notes = [*report.notes, *published.notes]
    if not published.held_back:  # only once the papers are published
        save_run_store(run_store_path(config.target.state_file), plan.store)
    return report


def plan_on(
    reconciled: Reconciled,
    config: Config,
    env: Environment,
    since: date | None,
    budget: TimeBudget,
    list_name: str,
    proposes: bool,
) -> Plan:
    """Fetch (the arXiv side) and plan on the reconciled list and state (the list side)."""
    from bot.arxiv_side import both_sides, listed_profile
    from bot.enrich import make_enricher
    from bot.listdoc.document import ListDocument
    from bot.pipeline import keep_enrichment, plan_run
    from bot.runstore import load_run_store, run_store_path, run_windows, with_store_watermark

    # The run store (Actions cache) knows the watermark of runs that added nothing;
    # without it the committed state is the fallback: a re-read, never a lost paper.
    store = load_run_store(run_store_path(config.target.state_file))
    state = with_store_watermark(reconciled.state, store)
    window, sweep = run_windows(state, store, since, env.now.date(), config.arxiv)
    document = ListDocument(reconciled.list_text, config.target)  # parsed alongside the fetch
    screened, known, outcome = both_sides(config, env, window, document, state, sweep, budget)
    profile, store = listed_profile(config, env.arxiv_api, document.ids, store)
    enricher = make_enricher(config.enrich, state.enrichment)
    plan = plan_run(
        screened,
        known,
        reconciled.list_text,
        state,
        config,
        env.now,
        window,
        list_name,
        carried=reconciled.carried,
        status="pending" if proposes else "added",
        carried_titles=reconciled.carried_titles,
        enrich=enricher.enrich if enricher else None,
        store=store,
        judge=_model_judge(config, env, budget),
        outcome=outcome,
        profile=profile,
    )
    return keep_enrichment(plan, enricher.cache) if enricher else plan


def record_health(
    config: Config,
    settings: GithubSettings | None,
    env: Environment,
    failure: str | None,
    budget: TimeBudget = UNLIMITED,
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
        health = sync_health_issue(config, settings, health, budget)
    try:
        save_health(path, health)
    except FileWriteError as exc:  # the run's own error (if any) is the one to report
        log.warning("could not record run health: %s", exc)


def sync_health_issue(
    config: Config, settings: GithubSettings, health: Health, budget: TimeBudget
) -> Health:
    """Open or update the issue past the threshold; close it once runs succeed again.

    GitHub's waits count against `budget` (the run's, or the health command's own).
    """
    from bot.health import issue_body
    from bot.repository.github import GithubRepository
    from bot.repository.github_publish import report_health

    failing = health.consecutive_failures >= config.health.failures_before_issue
    if not failing and not health.issue_open:
        return health
    try:
        report_health(
            GithubRepository(settings, budget),
            config.health.label,
            failing=failing,
            title="arXiv bot: runs are failing",
            body=issue_body(health),
        )
    except (PublishError, WaitTooLongError) as exc:  # GitHub itself may be what is failing
        log.warning("could not update the health issue: %s", exc)
        return health
    return replace(health, issue_open=failing)


def _model_judge(config: Config, env: Environment, budget: TimeBudget) -> Judge | None:
    """The model judge, when enabled: its HTTP edge (httpx) loads only then."""
    if not config.relevance.judge.enabled:
        return None
    from bot.chat import model_judge

    return model_judge(config.relevance.judge, env, budget)
