"""The worker process: the arXiv side of a run beside the list side, errors, logs, exits."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from bot.arxiv_side import fetch_and_screen
from bot.config import Config, load_config
from bot.environment import ArxivApi, read_environment
from bot.errors import FetchError, ListFormatError
from bot.worker import Worker, WorkerLost
from tests.conftest import record
from tests.fakes.arxiv_server import FakeArxiv, Fault

WINDOW = (date(2026, 11, 1), date(2026, 11, 21))


def shipped_config() -> Config:
    return load_config(Path("config.toml"))


def broken_list() -> None:
    raise ListFormatError("list has no '## Papers' heading")


def test_the_arxiv_side_comes_back_beside_the_work(workdir: Path, arxiv_server: FakeArxiv) -> None:
    arxiv_server.add(record("2611.00001", "Sparse autoencoders find circuits"))
    arxiv_server.add(
        record(
            "2611.00002",
            "Hidden states of a catalytic reaction",
            abstract="We study reaction kinetics of a catalyst.",
            primary_category="physics.chem-ph",
            categories=("physics.chem-ph",),
        )
    )
    config = shipped_config()
    with Worker() as worker:
        (screened, outcome), parsed = worker.call_alongside(
            fetch_and_screen,
            (config, ArxivApi(arxiv_server.url), WINDOW),
            lambda: "the list, parsed",
        )
    assert parsed == "the list, parsed"
    assert outcome.requests == 1 and len(arxiv_server.requests) == 1
    assert screened.fetched == 2
    verdicts = {d.paper.id: d.accepted for d in screened.decisions}
    assert verdicts == {"2611.00001": True, "2611.00002": False}
    assert screened.decisions[0].evidence  # judged in the worker, with its reasons


def test_the_fetch_error_comes_first(workdir: Path, arxiv_server: FakeArxiv) -> None:
    arxiv_server.script(*[Fault(status=502)] * 10)
    config = shipped_config()
    with Worker() as worker, pytest.raises(FetchError, match="tries") as raised:
        worker.call_alongside(
            fetch_and_screen, (config, ArxivApi(arxiv_server.url), WINDOW), broken_list
        )
    assert isinstance(raised.value.__cause__, ListFormatError)


def test_the_work_error_after_a_good_fetch(workdir: Path, arxiv_server: FakeArxiv) -> None:
    arxiv_server.add(record("2611.00001", "Sparse autoencoders find circuits"))
    config = shipped_config()
    with Worker() as worker, pytest.raises(ListFormatError, match="Papers"):
        worker.call_alongside(
            fetch_and_screen, (config, ArxivApi(arxiv_server.url), WINDOW), broken_list
        )
    assert len(arxiv_server.requests) == 1  # the fetch finished before the error was raised


def test_worker_log_records_are_handled_here(
    workdir: Path, arxiv_server: FakeArxiv, caplog: pytest.LogCaptureFixture
) -> None:
    arxiv_server.script(Fault(status=503))
    arxiv_server.add(record("2611.00001", "Sparse autoencoders find circuits"))
    config = shipped_config()
    with caplog.at_level(logging.INFO), Worker() as worker:
        (screened, outcome), _ = worker.call_alongside(
            fetch_and_screen, (config, ArxivApi(arxiv_server.url), WINDOW), lambda: None
        )
    assert outcome.requests == 2 and screened.fetched == 1
    retries = [r for r in caplog.records if "arXiv request failed (try 1 of" in r.getMessage()]
    assert retries and retries[0].name == "bot.fetch" and retries[0].levelno == logging.WARNING
    assert retries[0].process != os.getpid()  # logged in the worker, handled here


def exit_abruptly() -> None:
    os._exit(3)


def test_a_worker_that_dies_is_reported() -> None:
    with Worker() as worker, pytest.raises(WorkerLost, match="exit code 3"):
        worker.call_alongside(exit_abruptly, (), lambda: None)


class Unpicklable(Exception):
    def __init__(self, message: str, lock: object) -> None:
        super().__init__(message)
        self.lock = lock


def raise_unpicklable() -> None:
    raise Unpicklable("the real problem", threading.Lock())


def test_an_error_that_cannot_travel_arrives_as_its_text() -> None:
    with Worker() as worker, pytest.raises(RuntimeError, match="Unpicklable: the real problem"):
        worker.call_alongside(raise_unpicklable, (), lambda: None)


def test_a_worker_never_called_ends_with_its_context() -> None:
    with Worker(preload=("bot.fetch",)) as worker:
        child = worker._child
        assert child.poll() is None
    assert child.poll() is not None


def both_variables() -> tuple[str | None, str | None]:
    return os.environ.get("GITHUB_TOKEN"), os.environ.get("ARXIV_BOT_NOW")


def test_the_worker_gets_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_worker_must_not_see_this")
    monkeypatch.setenv("ARXIV_BOT_NOW", "2026-11-21T09:30:00+00:00")
    with Worker(env=dict(read_environment().worker_variables)) as worker:
        (token, now), _ = worker.call_alongside(both_variables, (), lambda: None)
    assert token is None and now == "2026-11-21T09:30:00+00:00"


def pause_then_answer(seconds: float) -> str:
    time.sleep(seconds)
    return "answered"


def test_a_stop_signal_to_the_worker_lets_the_call_finish() -> None:
    """SIGTERM to every process (systemd, docker) leaves the parent in charge."""
    with Worker() as worker:
        child = worker._child

        def stop_the_child() -> None:
            time.sleep(0.3)  # the call is under way
            os.kill(child.pid, signal.SIGTERM)

        answer, _ = worker.call_alongside(pause_then_answer, (1.0,), stop_the_child)
        assert answer == "answered"
    assert child.returncode is not None  # ended with the context
