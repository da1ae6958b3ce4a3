"""The arXiv side of a run: fetch, normalize, judge; and the list side beside it.

For a large list the arXiv side runs in the worker process, alongside the list side
(`pipeline.know_papers`) in this one, to use a second core; the worker gets the
environment without the tokens, which it does not need. For a list shorter than
`[run] worker_min_entries` lines both run here in turn: starting a second
interpreter costs more CPU than it saves (benchmarks/daily.py).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

from bot.budget import UNLIMITED, TimeBudget
from bot.config import Config
from bot.errors import FetchError
from bot.models import FetchOutcome
from bot.state import State

if TYPE_CHECKING:
    from bot.environment import ArxivApi, Environment
    from bot.fetch import ArxivSource
    from bot.listdoc.document import ListDocument
    from bot.listsim import ListProfile
    from bot.models import RawRecord
    from bot.pipeline import KnownPapers
    from bot.relevance import Screened
    from bot.runstore import RunStore

log = logging.getLogger("bot")
ARXIV_SIDE_MODULES = ("bot.fetch", "bot.relevance", "lxml.etree")  # what fetch_and_screen needs


def fetch_and_screen(
    config: Config,
    api: ArxivApi,
    window: tuple[date, date],
    sweep: tuple[date, date] | None = None,
    budget: TimeBudget = UNLIMITED,
) -> tuple[Screened, FetchOutcome]:
    """Fetch the window's papers and judge them (in the worker process, or here).

    `sweep` is the late-paper sweep's window on the days one is due. Returns the
    screened hits and what the fetch learned (entries, unreadable records, requests).
    """
    from bot.fetch import ArxivSource
    from bot.relevance import screen

    source = ArxivSource(config.arxiv, api, budget=budget)
    harvest = source.fetch(*window)
    entries = harvest.entries
    if sweep is not None:
        log.info("late-paper sweep: papers submitted %s to %s", *sweep)
        harvest += source.fetch(*sweep)
    outcome = FetchOutcome(entries, tuple(harvest.unreadable), source.requests_made, sweep)
    return screen(harvest.records, config.relevance), outcome


def both_sides(
    config: Config,
    env: Environment,
    window: tuple[date, date],
    document: ListDocument,
    state: State,
    sweep: tuple[date, date] | None = None,
    budget: TimeBudget = UNLIMITED,
) -> tuple[Screened, KnownPapers, FetchOutcome]:
    """Fetch and screen arXiv's papers, and parse and index the list.

    A small list is read first, in this process: a broken list is reported at once,
    without waiting on arXiv. With the worker, the fetch's error comes first when both fail.
    """
    from bot.pipeline import know_papers

    arguments = (config, env.arxiv_api, window, sweep, budget)
    if document.text.count("\n") < config.run.worker_min_entries:
        known = know_papers(document, state, config)
        log.info("querying arXiv for papers submitted %s to %s", *window)
        screened, outcome = fetch_and_screen(*arguments)
    else:
        log.info("querying arXiv for papers submitted %s to %s", *window)
        from bot.worker import Worker, WorkerLost  # only here: a small run never needs it

        try:
            with Worker(ARXIV_SIDE_MODULES, env=dict(env.worker_variables)) as worker:
                (screened, outcome), known = worker.call_alongside(
                    fetch_and_screen, arguments, lambda: know_papers(document, state, config)
                )
        except WorkerLost as exc:  # killed from outside (out of memory?): a failed fetch
            raise FetchError(
                f"arXiv fetch stopped: {exc}; nothing was changed, the next run retries"
            ) from None
    log.info("%d hits in %d requests", screened.fetched, outcome.requests)
    for record in outcome.unreadable:
        log.warning("arXiv sent a record that cannot be read: %s", record.describe())
    return screened, known, outcome


def arxiv_source(config: Config, api: ArxivApi) -> ArxivSource:
    """A client for id lookups in this process (the audit)."""
    from bot.fetch import ArxivSource

    budget = TimeBudget.start(config.run.time_budget_seconds)
    return ArxivSource(config.arxiv, api, budget=budget)


def listed_profile(
    config: Config, api: ArxivApi, listed_ids: set[str], store: RunStore
) -> tuple[ListProfile | None, RunStore]:
    """The list-similarity profile, its abstracts from the run store or looked up here."""
    from bot.listabstracts import list_profile

    def lookup(ids: list[str]) -> list[RawRecord]:
        return arxiv_source(config, api).fetch_ids(ids).records

    return list_profile(config.relevance, listed_ids, store, lookup)
