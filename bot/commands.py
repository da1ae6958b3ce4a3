"""The commands: wire the edges (clients, files, clock, environment) to the pure stages."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import DEFAULT_ARXIV_API_URL, Config, load_config
from bot.errors import BotError, FetchError, LockedError, PublishError
from bot.models import RunReport
from bot.report import dump_json, report_text, step_summary, summary_line

if TYPE_CHECKING:
    from bot.fetch import ArxivSource
    from bot.health import Health
    from bot.listdoc.document import ListDocument
    from bot.pipeline import KnownPapers
    from bot.pullrequest import GithubSettings
    from bot.relevance import Screened
    from bot.state import State
    from bot.worker import Worker

log = logging.getLogger("bot")


def run_command(args: argparse.Namespace, now: datetime) -> int:
    config = load_config(args.config)
    report = run_once(config, args.target, args.dry_run, args.since, now, want_diff=not args.json)
    if args.json:
        print(dump_json(report))
    else:
        print(report_text(report, args.dry_run))
    log.info(summary_line(report))
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as handle:
            handle.write(step_summary(report, args.dry_run))
    return 0


def run_once(
    config: Config,
    target: Path | None,
    dry_run: bool,
    since: date | None,
    now: datetime,
    want_diff: bool = False,
) -> RunReport:
    """One run in local or GitHub mode, with its outcome recorded for the health check.

    A run that writes holds the lock in the state folder, in both modes: two runs
    from one working directory never interleave (a dry run writes nothing, not even a lock).
    """
    from contextlib import nullcontext

    from bot.files import run_lock
    from bot.worker import Worker

    settings = None if target else github_settings(config)
    lock = run_lock(Path(config.target.state_file).parent / ".arxiv-bot.lock")
    with nullcontext() if dry_run else lock, cyclic_gc_paused():
        try:
            # The worker starts now: its start-up overlaps reading the list and state.
            with Worker(ARXIV_SIDE_MODULES, env=environment_without_secrets()) as worker:
                if settings is not None:
                    from bot.github_run import run_github

                    report = run_github(config, settings, worker, now, since, dry_run)
                else:
                    report = run_local(config, target, worker, dry_run, since, now, want_diff)
        except BotError as exc:
            if not dry_run and not isinstance(exc, LockedError):
                record_health(config, settings, now, failure=str(exc))
            raise
        if not dry_run:
            record_health(config, settings, now, failure=None)
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


ARXIV_SIDE_MODULES = ("bot.fetch", "bot.relevance", "arxiv")  # what fetch_and_screen needs


def fetch_and_screen(
    config: Config, api_url: str, window: tuple[date, date]
) -> tuple[Screened, int]:
    """The arXiv side of a run, in the worker process: fetch, normalize, judge.

    Returns the screened hits and the number of requests made.
    """
    from bot.fetch import ArxivSource
    from bot.relevance import screen

    source = ArxivSource(config.arxiv, api_url)
    records = source.fetch(*window)
    return screen(records, config.relevance), source.requests_made


def both_sides(
    worker: Worker, config: Config, window: tuple[date, date], document: ListDocument, state: State
) -> tuple[Screened, KnownPapers]:
    """Fetch and screen in the worker process while this one parses and indexes the list."""
    from bot.pipeline import know_papers
    from bot.worker import WorkerLost

    log.info("querying arXiv for papers submitted %s to %s", *window)
    try:
        (screened, requests), known = worker.call_alongside(
            fetch_and_screen,
            (config, arxiv_api_url(), window),
            lambda: know_papers(document, state, config),
        )
    except WorkerLost as exc:  # killed from outside (out of memory?): a failed fetch
        raise FetchError(
            f"arXiv fetch stopped: {exc}; nothing was changed, the next run retries"
        ) from None
    log.info("%d hits in %d requests", screened.fetched, requests)
    return screened, known


def environment_without_secrets() -> dict[str, str]:
    """This process's environment minus the tokens: the worker talks to arXiv only."""
    from bot.cli import SECRET_VARIABLES

    return {name: value for name, value in os.environ.items() if name not in SECRET_VARIABLES}


def arxiv_api_url() -> str:
    """The arXiv API endpoint: ARXIV_API_URL overrides it (a mirror, or a local test server)."""
    return os.environ.get("ARXIV_API_URL") or DEFAULT_ARXIV_API_URL


def arxiv_source(config: Config) -> ArxivSource:
    from bot.fetch import ArxivSource

    return ArxivSource(config.arxiv, arxiv_api_url())


def run_local(
    config: Config,
    target: Path | None,
    worker: Worker,
    dry_run: bool,
    since: date | None,
    now: datetime,
    want_diff: bool,
) -> RunReport:
    from bot.enrich import make_enricher
    from bot.listdoc.document import ListDocument
    from bot.pipeline import keep_enrichment, plan_run
    from bot.publish import publish_local, read_list
    from bot.runstore import load_run_store, run_store_path, with_store_watermark
    from bot.state import fetch_window, load_state

    list_path = target or Path(config.target.file)
    state_path = Path(config.target.state_file)

    list_text = read_list(list_path)
    store = load_run_store(run_store_path(state_path))
    state = with_store_watermark(load_state(state_path), store)
    window = fetch_window(
        state, since, now.date(), config.arxiv.lookback_days, config.arxiv.overlap_days
    )
    document = ListDocument(list_text, config.target)  # parsed alongside the fetch
    screened, known = both_sides(worker, config, window, document, state)
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
    )
    if enricher:
        plan = keep_enrichment(plan, enricher.cache)
    if not dry_run:
        publish_local(plan, list_path, state_path)
    elif want_diff:  # the diff of a large list is costly: only when shown
        plan.report.diff = plan.diff(list_path.name)
    return plan.report


def record_health(
    config: Config, settings: GithubSettings | None, now: datetime, failure: str | None
) -> None:
    """Count consecutive failures in state/health.json, and keep the health issue in step."""
    from bot.health import health_path, load_health, save_health

    path = health_path(config.target.state_file)
    health = load_health(path)
    if failure is not None:
        if settings is not None:
            failure = failure.replace(settings.token, "***")
        health = health.failed(now, failure)
    else:
        health = health.succeeded(now)
    # In GitHub Actions a separate job with `issues: write` syncs the issue (see update.yml).
    if settings is not None and os.environ.get("ARXIV_BOT_HEALTH_ISSUE") != "skip":
        health = sync_health_issue(config, settings, health)
    try:
        save_health(path, health)
    except OSError as exc:
        log.warning("could not record run health in %s: %s", path, exc)


def sync_health_issue(config: Config, settings: GithubSettings, health: Health) -> Health:
    """Open or update the issue past the threshold; close it once runs succeed again."""
    from dataclasses import replace

    from bot.health import issue_body
    from bot.pullrequest import GithubRepository

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


def health_command(args: argparse.Namespace) -> int:
    """Bring the GitHub health issue in line with state/health.json (for CI jobs)."""
    from bot.health import health_path, load_health, save_health

    config = load_config(args.config)
    settings = github_settings(config)
    if settings is None:
        raise PublishError(
            "health needs GITHUB_TOKEN and a repository (github.repo or GITHUB_REPOSITORY)"
        )
    path = health_path(config.target.state_file)
    health = sync_health_issue(config, settings, load_health(path))
    save_health(path, health)
    print(f"consecutive failures: {health.consecutive_failures}; issue open: {health.issue_open}")
    return 0


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


def schedule_command(args: argparse.Namespace, now: datetime) -> int:
    from bot.cli import now_utc
    from bot.health import health_path, load_health
    from bot.schedule import Scheduler, build_trigger, is_overdue, zoneinfo

    config = load_config(args.config)
    trigger = build_trigger(config.schedule.cron, config.schedule.timezone)
    last_run = load_health(health_path(config.target.state_file)).last_run
    catch_up = args.once_now or is_overdue(trigger, last_run, now)
    if catch_up and not args.once_now:
        log.info("last run %s is overdue: running now", last_run or "never")

    def job() -> str:
        config_now = load_config(args.config)  # pick up edits between runs
        return summary_line(run_once(config_now, None, False, None, now_utc()))

    scheduler = Scheduler(trigger, job, zoneinfo(config.schedule.timezone))
    scheduler.install_signal_handlers()
    scheduler.start(run_now=catch_up)
    scheduler.wait()
    return 0


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


def audit_command(args: argparse.Namespace) -> int:
    """Report what is wrong with the list; with GitHub settings, propose the safe fixes in a PR."""
    from bot.audit import audit_entries, cleanup_list
    from bot.listdoc.document import ListDocument
    from bot.normalize import to_paper
    from bot.relevance import compile_rules

    config = load_config(args.config)
    settings = None if args.target else github_settings(config)
    if settings is not None:
        from bot.pullrequest import GithubRepository

        gh = GithubRepository(settings)
        base_sha = gh.base_sha()
        text = gh.read_file(config.target.file, base_sha)
        if text is None:
            raise PublishError(
                f"{config.target.file} not found on branch '{gh.base}'; fix target.file"
            )
        list_name = config.target.file
    else:
        from bot.publish import read_list

        list_path = args.target or Path(config.target.file)
        text, list_name = read_list(list_path), str(list_path)
    document = ListDocument(text, config.target)
    ids = sorted({e.id for e in document.entries if e.id})
    current = {paper.id: paper for paper in map(to_paper, arxiv_source(config).fetch_ids(ids))}
    findings = audit_entries(
        document, current, compile_rules(config.relevance), config.dedupe.title_threshold
    )
    pull = None
    if settings is not None:
        from bot.prbody import audit_body

        cleaned = cleanup_list(document, findings, current)
        if cleaned != text:
            branch = config.github.audit_branch
            gh.commit(branch, base_sha, {config.target.file: cleaned}, "arXiv bot: list clean-up")
            pull = gh.open_or_update_pull(
                branch, audit_body(findings, list_name), title="arXiv bot: list clean-up"
            )
    if args.json:
        data = {
            "entries": len(document.entries),
            "looked_up": len(current),
            "findings": [f.__dict__ for f in findings],
            "pull_request": {"number": pull.number, "url": pull.url} if pull else None,
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(
        f"{list_name}: {len(document.entries)} entries, {len(current)} found on arXiv, "
        f"{len(findings)} findings"
    )
    for finding in findings:
        print(
            f"  line {finding.line} [{finding.kind}] {finding.title[:70]}\n      {finding.detail}"
        )
    if pull is not None:
        print(f"clean-up pull request: #{pull.number} {pull.url}")
    return 0
