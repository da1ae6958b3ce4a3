"""The arXiv side of a run, in the worker process: fetch, normalize, judge.

It runs alongside the list side (`pipeline.know_papers`) in this process; the
worker gets the environment without the tokens, which it does not need.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

from bot.config import Config
from bot.errors import FetchError
from bot.state import State

if TYPE_CHECKING:
    from bot.fetch import ArxivSource
    from bot.listdoc.document import ListDocument
    from bot.pipeline import KnownPapers
    from bot.relevance import Screened
    from bot.worker import Worker

log = logging.getLogger("bot")
ARXIV_SIDE_MODULES = ("bot.fetch", "bot.relevance", "arxiv")  # what fetch_and_screen needs


def fetch_and_screen(
    config: Config, api_url: str, window: tuple[date, date]
) -> tuple[Screened, int]:
    """Fetch the window's papers and judge them (in the worker process).

    Returns the screened hits and the number of requests made.
    """
    from bot.fetch import ArxivSource
    from bot.relevance import screen

    source = ArxivSource(config.arxiv, api_url)
    records = source.fetch(*window)
    return screen(records, config.relevance), source.requests_made


def both_sides(
    worker: Worker,
    config: Config,
    api_url: str,
    window: tuple[date, date],
    document: ListDocument,
    state: State,
) -> tuple[Screened, KnownPapers]:
    """Fetch and screen in the worker process while this one parses and indexes the list."""
    from bot.pipeline import know_papers
    from bot.worker import WorkerLost

    log.info("querying arXiv for papers submitted %s to %s", *window)
    try:
        (screened, requests), known = worker.call_alongside(
            fetch_and_screen,
            (config, api_url, window),
            lambda: know_papers(document, state, config),
        )
    except WorkerLost as exc:  # killed from outside (out of memory?): a failed fetch
        raise FetchError(
            f"arXiv fetch stopped: {exc}; nothing was changed, the next run retries"
        ) from None
    log.info("%d hits in %d requests", screened.fetched, requests)
    return screened, known


def arxiv_source(config: Config, api_url: str) -> ArxivSource:
    """A client for id lookups in this process (the audit)."""
    from bot.fetch import ArxivSource

    return ArxivSource(config.arxiv, api_url)
