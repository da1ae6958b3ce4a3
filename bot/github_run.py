"""A run in GitHub mode: read the list and state from the base branch, reconcile with
the bot's pull requests, fetch, plan, and publish through one pull request."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date

from bot.arxiv_side import both_sides
from bot.budget import UNLIMITED, TimeBudget
from bot.config import Config
from bot.enrich import make_enricher
from bot.environment import Environment
from bot.judge import model_judge
from bot.listdoc.document import ListDocument
from bot.models import RunReport, TitleChange
from bot.pipeline import keep_enrichment, plan_run
from bot.prbody import pull_request_text
from bot.reconcile import (
    as_proposals,
    carry_pending,
    carry_titles,
    reject_closed,
    settle_merged,
    with_pending,
)
from bot.repository.github import GithubRepository, GithubSettings
from bot.runstore import (
    load_run_store,
    run_store_path,
    run_windows,
    save_run_store,
    with_store_watermark,
)
from bot.state import State, state_from_json, state_to_json

log = logging.getLogger(__name__)


def read_state(gh: GithubRepository, path: str, ref: str, label: str) -> State | None:
    text = gh.read_file(path, ref)
    return state_from_json(text, f"{label}:{path}") if text is not None else None


def run_github(
    config: Config,
    settings: GithubSettings,
    env: Environment,
    since: date | None,
    dry_run: bool,
    budget: TimeBudget = UNLIMITED,
) -> RunReport:
    now = env.now
    gh = GithubRepository(settings)
    list_path = config.target.file
    state_path = config.target.state_file
    base_sha = gh.base_sha()
    log.debug("%s: base branch %s at %s", settings.repo, gh.base, base_sha)
    base_text = gh.read_file(list_path, base_sha)
    if base_text is None:
        from bot.errors import ListFormatError

        raise ListFormatError(
            f"{list_path} not found on branch '{gh.base}' of {settings.repo}; fix target.file"
        )
    # The run's one parse of the list: read lazily, so usually alongside the arXiv fetch.
    base_listed = ListDocument(base_text, config.target)
    state = settle_merged(read_state(gh, state_path, base_sha, gh.base) or State(), base_listed)
    closed = [
        (p.number, p.merged, read_state(gh, state_path, p.head_sha, f"PR #{p.number}"))
        for p in gh.closed_pulls(settings.branch)
        if p.number not in state.handled_pulls
    ]
    state = reject_closed(state, closed)

    open_pull = gh.open_pull(settings.branch)
    carried = []
    carried_titles: list[TitleChange] = []
    unchanged_branch: dict[str, str] = {}
    branch_parent = None
    if open_pull is not None:
        branch_text = gh.read_file(list_path, open_pull.head_sha) or base_text
        branch_state = (
            read_state(gh, state_path, open_pull.head_sha, f"PR #{open_pull.number}") or State()
        )
        keep, removed = carry_pending(
            state, base_listed, branch_state, ListDocument(branch_text, config.target)
        )
        if removed:
            log.info(
                "the maintainer removed %d paper(s) from PR #%d: rejected",
                len(removed),
                open_pull.number,
            )
        state = with_pending(state.with_status("rejected", removed), keep)
        if branch_state.watermark and (
            state.watermark is None or branch_state.watermark > state.watermark
        ):
            state = replace(state, watermark=branch_state.watermark)
        carried = as_proposals(keep)
        carried_titles = carry_titles(state, base_listed, branch_state)
        branch_parent = gh.parent_of(open_pull.head_sha)
        unchanged_branch = {list_path: branch_text}

    # The run store (Actions cache) knows the watermark of runs that added nothing;
    # without it the committed state is the fallback: a re-read, never a lost paper.
    store_path = run_store_path(state_path)
    store = load_run_store(store_path)
    state = with_store_watermark(state, store)
    enricher = make_enricher(config.enrich, state.enrichment)
    window, sweep = run_windows(state, store, since, now.date(), config.arxiv)
    screened, known, outcome = both_sides(config, env, window, base_listed, state, sweep, budget)
    plan = plan_run(
        screened,
        known,
        base_text,
        state,
        config,
        now,
        window,
        list_path,
        carried=carried,
        status="pending",
        carried_titles=carried_titles,
        enrich=enricher.enrich if enricher else None,
        store=store,
        judge=model_judge(config.relevance.judge, env, budget),
        outcome=outcome,
    )
    if enricher:
        plan = keep_enrichment(plan, enricher.cache)
    report = plan.report
    if dry_run:
        report.diff = plan.diff(list_path)
    if dry_run or not plan.changes_list:
        if not plan.changes_list:
            log.info("nothing new and nothing pending: no pull request")
        if not dry_run:
            save_run_store(store_path, plan.store)
        return report

    if open_pull is not None and (
        not report.added
        and branch_parent == base_sha
        and unchanged_branch.get(list_path) == plan.list_text
    ):
        log.info("PR #%d is up to date", open_pull.number)
    else:
        files = {list_path: plan.list_text, state_path: state_to_json(plan.state)}
        message = f"arXiv bot: {len(report.added) + len(report.carried)} paper(s) for {list_path}"
        gh.commit(settings.branch, base_sha, files, message)
    text = pull_request_text(report, list_path)
    report.pull_request = gh.open_or_update_pull(settings.branch, text.body, comments=text.comments)
    save_run_store(store_path, plan.store)  # only once the papers are in the pull request
    return report
