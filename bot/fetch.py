"""Fetch stage: the arXiv API edge.

One ArxivSource serves a whole run: one HTTP session, at least `delay_seconds`
between any two requests, a deadline on each whole request, retries with
exponential backoff and jitter on 429/5xx/connection errors/broken pages
(honouring Retry-After within the run's time budget), and every page checked
against what it promises. The query language and paging follow
https://info.arxiv.org/help/api/user-manual.html; pages are read by bot.atomfeed.

Paging is ours, not the `arxiv` package's: its Client.results accepts an empty
first page as "no results", drops entries it cannot parse with a log line, and
keeps requesting while it holds fewer than `max_results` (an id lookup with one
dead id would page on). Here every page must hold what `totalResults` and `start`
promise, an unreadable entry is named, and an id lookup is one request per batch.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from datetime import time as day_time
from functools import partial
from urllib.parse import urlencode

from msgspec import Struct, field

from bot.atomfeed import BadPage, Page, parse_page
from bot.budget import UNLIMITED, TimeBudget
from bot.config import ArxivConfig
from bot.environment import ArxivApi
from bot.errors import FetchError
from bot.models import RawRecord, Unreadable
from bot.session import PoliteSession

log = logging.getLogger(__name__)

_FIELD_PREFIX = re.compile(r"\b(ti|abs|au|cat|all|co|jr|rn|id|submittedDate|lastUpdatedDate):")
ID_LIST_BATCH = 100  # longer id lists make URLs arXiv answers with HTTP 414
MINUTE = timedelta(minutes=1)


def build_query(config: ArxivConfig, start: date | datetime, end: date | datetime) -> str:
    """One arXiv query string: every phrase OR-combined, limited to the submission window.

    `start` and `end` are days (the whole of both) or minutes (both included):
    arXiv's submittedDate takes YYYYMMDDHHMM.
    Query syntax: https://info.arxiv.org/help/api/user-manual.html#query_details
    """
    clauses = []
    for query in config.queries:
        if _FIELD_PREFIX.search(query):
            clauses.append(f"({query})")
            continue
        phrase = " ".join(query.replace('"', " ").split())
        term = f'"{phrase}"' if " " in phrase or "-" in phrase else phrase
        clauses.append(f"ti:{term} OR abs:{term}")
    topic = " OR ".join(clauses)
    low, high = _minutes(start, end)
    window = f"submittedDate:[{low:%Y%m%d%H%M} TO {high:%Y%m%d%H%M}]"
    query = f"({topic}) AND {window}"
    if config.categories:
        query += " AND (" + " OR ".join(f"cat:{c}" for c in config.categories) + ")"
    return query


def _minutes(start: date | datetime, end: date | datetime) -> tuple[datetime, datetime]:
    low = start if isinstance(start, datetime) else datetime.combine(start, day_time(0, 0))
    high = end if isinstance(end, datetime) else datetime.combine(end, day_time(23, 59))
    return low, high


class Harvest(Struct):
    """What a search or lookup returned: the records, and the entries that could not be read."""

    records: list[RawRecord] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)

    def __iadd__(self, other: Harvest) -> Harvest:
        self.records += other.records
        self.unreadable += other.unreadable
        return self

    @property
    def entries(self) -> int:
        """Every entry arXiv sent, read or not (an empty harvest learned nothing)."""
        return len(self.records) + len(self.unreadable)


class Lookup(Struct, frozen=True):
    """An id lookup: arXiv's current records, and the ids it does not know."""

    records: list[RawRecord]
    missing: list[str]
    unreadable: list[Unreadable]


class ArxivSource:
    """All arXiv queries of one run, through one polite session."""

    def __init__(
        self,
        config: ArxivConfig,
        api: ArxivApi,
        session: PoliteSession | None = None,
        budget: TimeBudget = UNLIMITED,
    ) -> None:
        self.config = config
        self.api_url = api.url.rstrip("?")
        self.session = session or PoliteSession(config, budget=budget, ca_file=api.ca_file)
        self.pages = 0

    @property
    def requests_made(self) -> int:
        return self.session.requests_made

    def fetch(self, start: date, end: date) -> Harvest:
        """Every hit submitted from the first minute of `start` to the last of `end`.

        A window with more hits than `max_results` is halved until each part fits,
        down to single minutes; raises FetchError (nothing read counts) where even
        one minute holds more, and for a page that contradicts itself after retries.
        """
        return self._window(*_minutes(start, end))

    def _window(self, low: datetime, high: datetime) -> Harvest:
        query = build_query(self.config, low, high)
        first = self._search_page(query, 0)
        if first.total > self.config.max_results:
            if high - low < MINUTE:
                raise FetchError(
                    f"{first.total} hits submitted in the single minute {low:%Y-%m-%d %H:%M}"
                    f" alone, more than arxiv.max_results ({self.config.max_results}): raise"
                    " it (arXiv serves up to 30000); nothing was changed"
                )
            middle = low + (high - low) // 2
            middle -= timedelta(seconds=middle.second, microseconds=middle.microsecond)
            log.info("%d hits from %s to %s: splitting the window", first.total, low, high)
            harvest = self._window(middle + MINUTE, high)
            harvest += self._window(low, middle)
            return harvest
        harvest = Harvest(list(first.records), list(first.unreadable))
        start = first.entries
        while start < first.total:
            page = self._search_page(query, start)
            if page.total < first.total:  # hits left the window: later pages shifted up
                raise FetchError(
                    f"arXiv's hit count changed while paging ({first.total}, then {page.total});"
                    " nothing was changed, the next run reads the window again"
                )
            harvest += Harvest(list(page.records), list(page.unreadable))
            start += page.entries
        return harvest

    def _search_page(self, query: str, start: int) -> Page:
        size = self.config.page_size
        params = {
            "search_query": query,
            "start": str(start),
            "max_results": str(size),
            "sortBy": "submittedDate",
            "sortOrder": "descending",
        }
        self.pages += 1
        number = self.pages

        def check(content: bytes) -> Page:
            page = parse_page(content, number, start)
            promised = max(0, min(size, page.total - start))
            if page.entries < promised:
                raise BadPage(
                    f"page {number} holds {page.entries} entries where totalResults"
                    f" {page.total} and start {start} promise {promised}"
                )
            return page

        return self.session.get_checked(f"{self.api_url}?{urlencode(params)}", check)

    def fetch_ids(self, ids: Sequence[str]) -> Lookup:
        """arXiv's current records of these ids: one request per batch of at most 100.

        arXiv counts the requested ids in totalResults, found or not: a lookup is
        never paged. Ids it does not return are `missing`. The caller checks ids
        against arXiv's scheme first (bot.arxivid): one bad id fails its batch (HTTP 400).
        """
        records: list[RawRecord] = []
        unreadable: list[Unreadable] = []
        size = min(self.config.page_size, ID_LIST_BATCH)
        for first in range(0, len(ids), size):
            batch = list(ids[first : first + size])
            params = {"id_list": ",".join(batch), "start": "0", "max_results": str(len(batch))}
            self.pages += 1
            number = self.pages
            page = self.session.get_checked(
                f"{self.api_url}?{urlencode(params)}", partial(parse_page, page=number, start=0)
            )
            records += page.records
            unreadable += page.unreadable
        from bot.normalize import canonical_arxiv_id

        found = {canonical_arxiv_id(r.entry_id) for r in records}
        found |= {canonical_arxiv_id(u.id) for u in unreadable}
        missing = [i for i in ids if canonical_arxiv_id(i) not in found]
        return Lookup(records, missing, unreadable)
