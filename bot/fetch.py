"""Fetch stage: the arXiv API edge. The only module that imports `arxiv`.

One ArxivSource serves a whole run: one HTTP session, at least `delay_seconds`
between any two requests, a timeout on each, retries with exponential backoff
and jitter on 429/5xx/connection errors/broken pages (honouring Retry-After),
and a loud FetchError instead of the `arxiv` package's silent "no results" on
a malformed page.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from bot import __version__
from bot.config import ArxivConfig
from bot.errors import FetchError
from bot.models import RawRecord

log = logging.getLogger(__name__)

_FIELD_PREFIX = re.compile(r"\b(ti|abs|au|cat|all|co|jr|rn|id|submittedDate|lastUpdatedDate):")
_ATOM = "{http://www.w3.org/2005/Atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
MAX_BACKOFF_SECONDS = 120.0
ID_LIST_BATCH = 100


def build_query(config: ArxivConfig, start: date, end: date) -> str:
    """One arXiv query string: every phrase OR-combined, limited to the submission window.

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
    window = f"submittedDate:[{start:%Y%m%d}0000 TO {end:%Y%m%d}2359]"
    query = f"({topic}) AND {window}"
    if config.categories:
        query += " AND (" + " OR ".join(f"cat:{c}" for c in config.categories) + ")"
    return query


@dataclass(frozen=True)
class Problem:
    """Why a request must be retried; `retry_after` is the server's hint in seconds."""

    message: str
    retry_after: float | None = None


class PoliteSession(requests.Session):
    """A requests session that paces, times out, retries and validates arXiv pages."""

    def __init__(
        self,
        config: ArxivConfig,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        super().__init__()
        self.config = config
        self.sleep = sleep
        self.clock = clock
        self.jitter = jitter
        self.requests_made = 0
        self.last_total_results = 0
        self._last_request: float | None = None
        contact = f"; {config.contact}" if config.contact else ""
        self.user_agent = (
            f"arxiv-awesome-bot/{__version__} (+https://github.com/topics/awesome-list{contact})"
        )

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.config.timeout_seconds)
        kwargs["headers"] = {**(kwargs.get("headers") or {}), "user-agent": self.user_agent}
        problem = Problem("no request made")
        for attempt in range(self.config.max_retries + 1):
            if attempt:
                self.sleep(self._backoff(attempt, problem))
            self._pace()
            try:
                self.requests_made += 1
                response = super().request(method, url, *args, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                problem = Problem(_describe_network_error(exc))
            else:
                checked = self._check(response, url)
                if checked is None:
                    return response
                problem = checked
            finally:
                self._last_request = self.clock()
            log.warning(
                "arXiv request failed (try %d of %d): %s",
                attempt + 1,
                self.config.max_retries + 1,
                problem.message,
            )
        raise FetchError(
            f"arXiv API failed after {self.config.max_retries + 1} tries: {problem.message}"
            f" ({_endpoint(str(url))}); nothing was changed, the next run retries"
        )

    def _pace(self) -> None:
        if self._last_request is None:
            return
        wait = self.config.delay_seconds - (self.clock() - self._last_request)
        if wait > 0:
            self.sleep(wait)

    def _backoff(self, attempt: int, problem: Problem) -> float:
        # Backoff grows from the polite delay: 3 s, 6 s, 12 s... with the default.
        base = min(MAX_BACKOFF_SECONDS, self.config.delay_seconds * float(2 ** (attempt - 1)))
        delay = base * (0.5 + self.jitter() / 2)
        if problem.retry_after is not None:
            delay = max(delay, problem.retry_after)
        return min(delay, MAX_BACKOFF_SECONDS * 5)

    def _check(self, response: requests.Response, url: str) -> Problem | None:
        """Return None for a good page, else the problem to retry.

        Raises FetchError at once for an answer that retrying cannot fix.
        """
        status = response.status_code
        if status == 429 or status >= 500:
            return Problem(f"HTTP {status}", _retry_after(response.headers.get("retry-after")))
        if status == 414:
            raise FetchError(
                f"arXiv API refused the query as too long (HTTP 414, {_endpoint(url)}): "
                "use fewer or shorter [arxiv] queries"
            )
        if status != 200:
            message = _error_feed_message(response.content) or f"HTTP {status}"
            raise FetchError(
                f"arXiv API rejected the query ({_endpoint(url)}): {message}; check [arxiv] queries"
            )
        return self._check_feed(response.content, url)

    def _check_feed(self, content: bytes, url: str) -> Problem | None:
        from lxml import etree

        try:
            root = etree.fromstring(
                content, parser=etree.XMLParser(resolve_entities=False, no_network=True)
            )
        except etree.XMLSyntaxError as exc:
            return Problem(f"unparseable page ({exc})")
        if root is None or root.tag != f"{_ATOM}feed":
            return Problem("the answer is not an Atom feed")
        message = _error_feed_message(content)
        if message:
            raise FetchError(f"arXiv API answered with an error ({_endpoint(url)}): {message}")
        total = root.findtext(f"{_OPENSEARCH}totalResults")
        if total is None or not total.strip().isdigit():
            return Problem("page lacks opensearch:totalResults")
        start = int(parse_qs(urlsplit(url).query).get("start", ["0"])[0] or 0)
        entries = root.findall(f"{_ATOM}entry")
        if start > 0 and not entries and int(total) > start:
            return Problem(f"empty page in the middle of paging (start={start} of {total})")
        if start == 0:
            self.last_total_results = int(total)
        return None


def _describe_network_error(exc: Exception) -> str:
    if isinstance(exc, requests.Timeout):
        return "request timed out (arxiv.timeout_seconds)"
    return f"connection failed ({type(exc).__name__})"


def _retry_after(value: str | None) -> float | None:
    """Retry-After is seconds or an HTTP date (RFC 9110, section 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _error_feed_message(content: bytes) -> str:
    """arXiv reports bad queries as an Atom entry whose id is .../api/errors#..."""
    if b"/api/errors" not in content:
        return ""
    match = re.search(rb"<summary[^>]*>(.*?)</summary>", content, re.S)
    text = match.group(1).decode("utf-8", "replace") if match else "unknown error"
    return " ".join(text.split())[:200]


def _endpoint(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class ArxivSource:
    """All arXiv queries of one run, through one polite session."""

    def __init__(
        self, config: ArxivConfig, api_url: str, session: PoliteSession | None = None
    ) -> None:
        import arxiv

        self.config = config
        self.session = session or PoliteSession(config)
        # Pacing and retries are the session's: the client must not add its own.
        self.client = arxiv.Client(page_size=config.page_size, delay_seconds=0, num_retries=0)
        self.client.query_url_format = api_url.rstrip("?") + "?{}"
        self.client._session = self.session

    @property
    def requests_made(self) -> int:
        return self.session.requests_made

    def fetch(self, start: date, end: date) -> list[RawRecord]:
        """Every hit submitted in [start, end], newest first; long windows are split."""
        import arxiv

        search = arxiv.Search(
            query=build_query(self.config, start, end),
            max_results=self.config.max_results,
            sort_by=arxiv.SortCriterion.SubmittedDate,
            sort_order=arxiv.SortOrder.Descending,
        )
        records: list[RawRecord] = []
        results = self._results(search)
        for index, result in enumerate(results):
            if (
                index == 0
                and self.session.last_total_results > self.config.max_results
                and end > start
            ):
                middle = start + (end - start) // 2
                log.info(
                    "%d hits from %s to %s: splitting the window",
                    self.session.last_total_results,
                    start,
                    end,
                )
                return self.fetch(middle + timedelta(days=1), end) + self.fetch(start, middle)
            record = to_raw_record(result)
            if record.published.date() < start:
                break  # sorted by submission date: everything after this is older
            records.append(record)
        if self.session.last_total_results > self.config.max_results:
            log.warning(
                "%d hits on %s alone; only the newest %d were read (raise arxiv.max_results)",
                self.session.last_total_results,
                start,
                self.config.max_results,
            )
        return records

    def fetch_ids(self, ids: list[str]) -> list[RawRecord]:
        """Current metadata of the given papers: batched id_list queries of at most 100 ids.

        Longer id lists make URLs that arXiv answers with HTTP 414.
        """
        import arxiv

        records: list[RawRecord] = []
        size = min(self.config.page_size, ID_LIST_BATCH)
        for start in range(0, len(ids), size):
            batch = ids[start : start + size]
            search = arxiv.Search(id_list=batch, max_results=len(batch))
            records += [to_raw_record(r) for r in self._results(search)]
        return records

    def _results(self, search: Any) -> Iterator[Any]:
        import arxiv

        try:
            yield from self.client.results(search)
        except (
            arxiv.UnexpectedEmptyPageError
        ) as exc:  # pragma: no cover - the session retries these
            raise FetchError(
                f"arXiv returned an empty page in the middle of paging ({exc.url})"
            ) from None
        except arxiv.ArxivError as exc:
            raise FetchError(f"arXiv API failed: {exc.message}") from None


def to_raw_record(result: Any) -> RawRecord:
    return RawRecord(
        entry_id=result.entry_id,
        title=result.title or "",
        abstract=result.summary or "",
        authors=tuple(a.name for a in result.authors),
        published=result.published,
        updated=result.updated,
        primary_category=result.primary_category or "",
        categories=tuple(result.categories),
        comment=result.comment or "",
        journal_ref=result.journal_ref or "",
    )
