"""The arXiv edge against the local Atom server: paging, pacing, retries, broken pages."""

from __future__ import annotations

from datetime import date

import pytest
from msgspec.structs import replace

from bot.atomfeed import xml_safe
from bot.budget import TimeBudget
from bot.config import ArxivConfig
from bot.environment import ArxivApi
from bot.errors import FetchError, WaitTooLongError
from bot.fetch import ArxivSource, PoliteSession, build_query
from tests.conftest import record
from tests.fakes.arxiv_server import FakeArxiv, Fault, error_feed

CONFIG = ArxivConfig(
    queries=("sparse autoencoder", "residual stream"),
    page_size=10,
    delay_seconds=3,
    max_retries=3,
    timeout_seconds=5,
)
START, END = date(2026, 11, 1), date(2026, 11, 21)


class FakeTime:
    """Clock and sleep for the session: sleeping advances the clock, nothing waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def source(server: FakeArxiv, config: ArxivConfig = CONFIG) -> tuple[ArxivSource, FakeTime]:
    fake = FakeTime()
    session = PoliteSession(config, sleep=fake.sleep, clock=fake.clock, jitter=lambda: 1.0)
    return ArxivSource(config, ArxivApi(server.url), session), fake


def fill(server: FakeArxiv, count: int, day: str = "2026-11-10") -> None:
    server.add(
        *(
            record(f"2611.{i:05d}", f"Sparse autoencoder study {i}", published=day)
            for i in range(count)
        )
    )


def test_one_query_paged_by_page_size(arxiv_server: FakeArxiv) -> None:
    fill(arxiv_server, 25)
    arxiv_server.add(record("2611.99999", "Unrelated", abstract="Nothing to see."))
    src, fake = source(arxiv_server)
    records = src.fetch(START, END).records
    assert len(records) == 25
    assert len(arxiv_server.requests) == 3  # ceil(25 / 10)
    queries = {r.params["search_query"] for r in arxiv_server.requests}
    assert len(queries) == 1
    assert fake.sleeps == [3.0, 3.0]  # the polite delay between requests, none before the first


def test_query_has_all_phrases_and_the_window() -> None:
    query = build_query(CONFIG, START, END)
    assert 'ti:"sparse autoencoder" OR abs:"sparse autoencoder"' in query
    assert "submittedDate:[202611010000 TO 202611212359]" in query
    assert build_query(replace(CONFIG, queries=("cat:cs.LG AND ti:probe",)), START, END).startswith(
        "((cat:cs.LG AND ti:probe))"
    )


def test_user_agent_and_timeout(arxiv_server: FakeArxiv) -> None:
    src, _ = source(arxiv_server, replace(CONFIG, contact="maintainer@example.org"))
    src.fetch(START, END)
    agent = {k.lower(): v for k, v in arxiv_server.requests[0].headers.items()}["user-agent"]
    assert agent.startswith("arxiv-awesome-bot/") and "maintainer@example.org" in agent


def test_stops_at_results_before_the_window(arxiv_server: FakeArxiv) -> None:
    fill(arxiv_server, 3)
    arxiv_server.add(record("2609.00001", "Sparse autoencoder old", published="2026-09-01"))
    src, _ = source(arxiv_server)
    assert {r.entry_id.split("/")[-1][:10] for r in src.fetch(date(2026, 11, 5), END).records} == {
        f"2611.{i:05d}" for i in range(3)
    }


def test_503_then_success(arxiv_server: FakeArxiv) -> None:
    fill(arxiv_server, 2)
    arxiv_server.script(Fault(status=503))
    src, fake = source(arxiv_server)
    assert len(src.fetch(START, END).records) == 2
    assert len(arxiv_server.requests) == 2
    assert fake.sleeps == [3.0]  # backoff base = delay_seconds, full jitter at 1.0


def test_429_honours_retry_after(arxiv_server: FakeArxiv) -> None:
    fill(arxiv_server, 1)
    arxiv_server.script(Fault(status=429, headers={"Retry-After": "42"}))
    src, fake = source(arxiv_server)
    assert len(src.fetch(START, END).records) == 1
    assert fake.sleeps == [42.0]


def test_backoff_grows_exponentially_and_gives_up(arxiv_server: FakeArxiv) -> None:
    arxiv_server.script(*[Fault(status=502)] * 4)
    src, fake = source(arxiv_server)
    with pytest.raises(FetchError, match="failed after 4 tries: HTTP 502"):
        src.fetch(START, END)
    assert fake.sleeps == [3.0, 6.0, 12.0]


def test_hang_past_the_timeout_is_retried(arxiv_server: FakeArxiv) -> None:
    fill(arxiv_server, 1)
    arxiv_server.script(Fault(delay=1.0))
    src, _ = source(arxiv_server, replace(CONFIG, timeout_seconds=0.2))
    assert len(src.fetch(START, END).records) == 1
    assert len(arxiv_server.requests) == 2


def test_malformed_first_page_is_a_failure_not_empty(arxiv_server: FakeArxiv) -> None:
    fill(arxiv_server, 3)
    arxiv_server.script(*[Fault(body=b"<feed><entry>broken")] * 4)
    src, _ = source(arxiv_server)
    with pytest.raises(FetchError, match="unparseable page"):
        src.fetch(START, END)


def test_truncated_page_then_good_page(arxiv_server: FakeArxiv) -> None:
    fill(arxiv_server, 3)
    arxiv_server.script(Fault(truncate=True))
    src, _ = source(arxiv_server)
    assert len(src.fetch(START, END).records) == 3


def test_empty_middle_page_is_retried_then_fails(arxiv_server: FakeArxiv) -> None:
    fill(arxiv_server, 25)
    src, _ = source(arxiv_server)
    arxiv_server.script(Fault(), *[Fault(empty=True)] * 4)
    with pytest.raises(
        FetchError, match=r"page 2 holds 0 entries where totalResults 25 and start 10 promise 10"
    ):
        src.fetch(START, END)


def test_empty_middle_page_recovers(arxiv_server: FakeArxiv) -> None:
    fill(arxiv_server, 25)
    src, _ = source(arxiv_server)
    arxiv_server.script(Fault(), Fault(empty=True))
    assert len(src.fetch(START, END).records) == 25


def test_error_feed_is_a_clear_error(arxiv_server: FakeArxiv) -> None:
    src, _ = source(arxiv_server, replace(CONFIG, queries=("ti:(unbalanced",)))
    with pytest.raises(FetchError, match=r"rejected the query.*malformed query"):
        src.fetch(START, END)
    assert len(arxiv_server.requests) == 1  # a bad query is not retried


def test_connection_refused_fails_after_retries() -> None:
    server = FakeArxiv()
    url = server.url
    server._server.server_close()
    fake = FakeTime()
    session = PoliteSession(CONFIG, sleep=fake.sleep, clock=fake.clock, jitter=lambda: 1.0)
    with pytest.raises(FetchError, match="connection failed"):
        ArxivSource(CONFIG, ArxivApi(url), session).fetch(START, END)


def test_long_window_is_split_into_chunks_within_limits(arxiv_server: FakeArxiv) -> None:
    for month in range(1, 11):
        arxiv_server.add(
            *(
                record(
                    f"26{month:02d}.{i:05d}",
                    f"Sparse autoencoder {month} {i}",
                    published=f"2026-{month:02d}-15",
                )
                for i in range(4)
            )
        )
    src, _ = source(arxiv_server, replace(CONFIG, max_results=10))
    records = src.fetch(date(2026, 1, 1), date(2026, 10, 31)).records
    assert len({r.entry_id for r in records}) == 40
    assert all(int(r.params["max_results"]) <= 10 for r in arxiv_server.requests)


def test_too_long_query_says_what_to_do(arxiv_server: FakeArxiv) -> None:
    arxiv_server.script(Fault(status=414))
    src, _ = source(arxiv_server)
    with pytest.raises(FetchError, match=r"too long.*fewer or shorter"):
        src.fetch(START, END)
    assert len(arxiv_server.requests) == 1


def test_id_lookups_are_batched(arxiv_server: FakeArxiv) -> None:
    arxiv_server.add(*(record(f"2611.{i:05d}", f"Paper {i}") for i in range(250)))
    src, _ = source(arxiv_server, replace(CONFIG, page_size=200))
    found = src.fetch_ids([f"2611.{i:05d}" for i in range(250)]).records
    assert len(found) == 250
    sizes = [len(r.params["id_list"].split(",")) for r in arxiv_server.requests]
    assert max(sizes) <= 100


def test_a_retry_after_that_fits_the_budget_is_honoured_in_full(arxiv_server: FakeArxiv) -> None:
    fill(arxiv_server, 1)
    arxiv_server.script(Fault(status=429, headers={"Retry-After": "900"}))
    fake = FakeTime()
    budget = TimeBudget.start(1200, clock=fake.clock)
    session = PoliteSession(
        CONFIG, sleep=fake.sleep, clock=fake.clock, jitter=lambda: 1.0, budget=budget
    )
    assert (
        len(ArxivSource(CONFIG, ArxivApi(arxiv_server.url), session).fetch(START, END).records) == 1
    )
    assert fake.sleeps == [900.0]  # not capped at 600 s and retried early


def test_a_wait_that_does_not_fit_what_is_left_fails_at_once(arxiv_server: FakeArxiv) -> None:
    arxiv_server.script(Fault(status=503, headers={"Retry-After": "900"}))
    fake = FakeTime()
    budget = TimeBudget.start(1200, clock=fake.clock)
    fake.now += 400  # the run has spent 400 s already
    session = PoliteSession(
        CONFIG, sleep=fake.sleep, clock=fake.clock, jitter=lambda: 1.0, budget=budget
    )
    with pytest.raises(WaitTooLongError, match="asks to wait 900 s, more than the 800 s left"):
        ArxivSource(CONFIG, ArxivApi(arxiv_server.url), session).fetch(START, END)
    assert fake.sleeps == [] and len(arxiv_server.requests) == 1


def test_the_error_crosses_the_worker_pipe_whole() -> None:
    import pickle

    error = pickle.loads(pickle.dumps(WaitTooLongError("arXiv", 3600, 1200)))
    assert (error.service, error.wait_seconds, error.left_seconds) == ("arXiv", 3600, 1200)


def test_an_id_lookup_is_one_request_whatever_arxiv_leaves_out(arxiv_server: FakeArxiv) -> None:
    arxiv_server.add(record("2611.00001", "Found"), record("2611.00003", "Found too"))
    src, _ = source(arxiv_server)
    lookup = src.fetch_ids(["2611.00001", "2611.99999", "2611.00003v2"])
    assert [r.entry_id.rsplit("/", 1)[-1] for r in lookup.records] == [
        "2611.00001v1",
        "2611.00003v1",
    ]
    assert lookup.missing == ["2611.99999"]
    assert len(arxiv_server.requests) == 1  # totalResults says 3, two came: not a broken page


def test_xml_forbidden_characters_are_stripped_raw_and_as_references() -> None:
    clean, stripped = xml_safe(b"<t>a\x00b\x1bc&#0;&#x1B;&#x1b;d&#x9;&amp;</t>")
    assert clean == b"<t>abcd&#x9;&amp;</t>" and stripped == 5


def test_the_deadline_cuts_a_drip_in_the_headers_or_the_body(arxiv_server: FakeArxiv) -> None:
    import time

    fill(arxiv_server, 1)
    config = replace(CONFIG, timeout_seconds=0.2, max_retries=1)
    for pause in (0.05, 0.001):  # 75 header bytes take 3.75 s; then the body takes 2 s or so
        arxiv_server.script(Fault(drip=pause))
        src, _ = source(arxiv_server, config)
        started = time.monotonic()
        assert len(src.fetch(START, END).records) == 1  # the retry gets a whole answer
        assert time.monotonic() - started < 1.0


def test_gzipped_answers_are_inflated_errors_included(arxiv_server: FakeArxiv) -> None:
    fill(arxiv_server, 12)
    arxiv_server.gzip = True
    src, _ = source(arxiv_server)
    assert len(src.fetch(START, END).records) == 12
    assert arxiv_server.requests[0].headers["Accept-Encoding"] == "gzip"
    arxiv_server.script(Fault(status=400, body=error_feed("incorrect id format for 2611.x")))
    with pytest.raises(FetchError, match=r"rejected the query.*incorrect id format"):
        src.fetch_ids(["2611.00001"])


def test_a_damaged_gzip_answer_is_retried(arxiv_server: FakeArxiv) -> None:
    fill(arxiv_server, 1)
    arxiv_server.script(*[Fault(body=b"not gzip", headers={"Content-Encoding": "gzip"})] * 4)
    src, _ = source(arxiv_server)
    with pytest.raises(FetchError, match="4 tries: the gzip-compressed answer was damaged"):
        src.fetch(START, END)
