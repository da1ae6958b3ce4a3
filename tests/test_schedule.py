"""The scheduler loop with a fake clock; real processes for --next and for stopping."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import ScheduleConfig
from bot.cron import parse_cron
from bot.errors import Stopped
from bot.schedule import Scheduler, is_overdue
from tests.conftest import ROOT, record
from tests.fakes.arxiv_server import FakeArxiv, Fault

EMPTY_LIST = "## Last Updated\n2025-01-01\n## Papers (0)\n"
SAE = record("2611.01234", "Sparse Autoencoders in the Residual Stream")


def test_the_default_schedule_is_valid() -> None:
    # load_config skips parsing the default schedule: this test stands for it.
    default = ScheduleConfig()
    line = parse_cron(default.cron, default.timezone)
    friday = datetime(2026, 11, 20, 7, tzinfo=UTC)
    assert line.next_after(friday) == datetime(2026, 11, 23, 6, 17, tzinfo=UTC)


def test_catch_up_when_a_run_was_missed() -> None:
    line = parse_cron("17 6 * * *", "UTC")
    now = datetime(2026, 11, 21, 12, tzinfo=UTC)
    assert is_overdue(line, None, now)
    assert is_overdue(line, datetime(2026, 11, 20, 6, 20, tzinfo=UTC), now)  # 06:17 missed
    assert not is_overdue(line, datetime(2026, 11, 21, 6, 18, tzinfo=UTC), now)


class FakeTime:
    """A clock that moves only when the scheduler naps, or a run takes time."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self.naps: list[float] = []

    def clock(self) -> datetime:
        return self.now

    def nap(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.now += timedelta(seconds=seconds)


def scheduler_with(
    cron: str, start: datetime, runs: list[datetime], until: int, lasting: float = 0
) -> tuple[Scheduler, FakeTime]:
    """A scheduler whose job records its start time and stops the loop after `until` runs."""
    fake = FakeTime(start)

    def job() -> str:
        runs.append(fake.now)
        fake.now += timedelta(seconds=lasting)
        if len(runs) == until:
            scheduler.stop()
        return "ok"

    scheduler = Scheduler(parse_cron(cron, "US/Pacific"), job, fake.clock, fake.nap)
    return scheduler, fake


def test_runs_fire_at_cron_times_across_dst() -> None:
    runs: list[datetime] = []
    start = datetime(2022, 3, 12, 23, tzinfo=parse_cron("@daily", "US/Pacific").zone)
    scheduler, fake = scheduler_with("0 0 * * *", start.astimezone(UTC), runs, until=3)
    scheduler.run_until_stopped(run_now=False)
    assert [r.astimezone(start.tzinfo).isoformat() for r in runs] == [
        "2022-03-13T00:00:00-08:00",
        "2022-03-14T00:00:00-07:00",  # the Monday the APScheduler trigger skipped
        "2022-03-15T00:00:00-07:00",
    ]
    assert max(fake.naps) <= 60  # a clock change or a suspend is noticed within a minute


def test_fire_times_missed_during_a_long_run_coalesce_into_none() -> None:
    runs: list[datetime] = []
    start = datetime(2026, 11, 2, 8, tzinfo=UTC)
    # Every 15 minutes; the first run (now) lasts an hour: the next run is the next
    # fire time after it ends, not four catch-up runs in a row.
    scheduler, _ = scheduler_with("*/15 * * * *", start, runs, until=2, lasting=3600)
    scheduler.run_until_stopped(run_now=True)
    assert runs == [start, start + timedelta(hours=1, minutes=15)]


def test_a_failed_run_is_logged_and_the_schedule_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeTime(datetime(2026, 11, 2, 8, tzinfo=UTC))
    calls: list[datetime] = []

    def job() -> str:
        calls.append(fake.now)
        if len(calls) == 2:
            scheduler.stop()
        raise RuntimeError("arXiv down")

    scheduler = Scheduler(parse_cron("0 * * * *", "UTC"), job, fake.clock, fake.nap)
    with caplog.at_level("INFO"):
        scheduler.run_until_stopped(run_now=True)
    assert len(calls) == 2
    assert "run failed: arXiv down" in caplog.text
    assert "run finished (failed: arXiv down); next run at" in caplog.text
    assert "scheduler stopped" in caplog.text


def test_a_second_stop_signal_during_a_run_stops_at_once() -> None:
    fake = FakeTime(datetime(2026, 11, 2, 8, tzinfo=UTC))
    handlers: dict[int, object] = {}

    def job() -> str:
        handler = signal.getsignal(signal.SIGTERM)
        assert callable(handler)
        handler(signal.SIGTERM, None)  # the first: the run goes on
        assert scheduler.stopping.is_set()
        handler(signal.SIGTERM, None)  # the second: raises here
        return "not reached"

    scheduler = Scheduler(parse_cron("0 * * * *", "UTC"), job, fake.clock, fake.nap)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        scheduler.install_signal_handlers()
        with pytest.raises(Stopped) as stopped:
            scheduler.run_until_stopped(run_now=True)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
    assert stopped.value.exit_code == 143


def schedule_folder(tmp_path: Path, cron: str = "17 6 * * mon-fri", zone: str = "UTC") -> Path:
    config = (ROOT / "config.toml").read_text(encoding="utf-8")
    config = config.replace("delay_seconds = 3.0", "delay_seconds = 0")
    config = config.replace('cron = "17 6 * * mon-fri"', f'cron = "{cron}"')
    config = config.replace('timezone = "UTC"', f'timezone = "{zone}"')
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    (tmp_path / "README.md").write_text(EMPTY_LIST, encoding="utf-8")
    return tmp_path


def bot_process(folder: Path, *args: str, arxiv_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "ARXIV_API_URL": arxiv_url, "ARXIV_BOT_NOW": "2026-11-21T09:00:00+00:00"}
    env.pop("GITHUB_TOKEN", None)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_next_prints_fire_times_with_their_offsets(tmp_path: Path) -> None:
    folder = schedule_folder(tmp_path, "0 0 * * *", "US/Pacific")
    proc = bot_process(
        folder, "schedule", "--next", "3", "--from", "2022-03-12T23:00", arxiv_url=""
    )
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert out.splitlines() == [
        "2022-03-13T00:00:00-08:00",
        "2022-03-14T00:00:00-07:00",
        "2022-03-15T00:00:00-07:00",
    ]


def test_next_refuses_a_bad_from_and_a_bad_line_in_one_line(tmp_path: Path) -> None:
    folder = schedule_folder(tmp_path, "0 0 * * *")
    proc = bot_process(folder, "schedule", "--next", "2", "--from", "tomorrow", arxiv_url="")
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 1 and err.strip().splitlines() == [
        "error: --from 'tomorrow' is not a local time like 2026-03-08T02:30"
    ]
    folder = schedule_folder(tmp_path, "0 0 L * *")
    proc = bot_process(folder, "schedule", "--next", "2", arxiv_url="")
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 1 and len(err.strip().splitlines()) == 1
    assert "schedule.cron '0 0 L * *' is refused" in err


@contextmanager
def schedule_with_a_run_in_progress(
    tmp_path: Path,
) -> Iterator[tuple[subprocess.Popen[str], threading.Event, list[str]]]:
    """`schedule --once-now` whose arXiv request waits until the test lets it answer."""
    folder = schedule_folder(tmp_path)
    answer = threading.Event()
    with FakeArxiv([SAE]) as server:
        server.script(Fault(hold=answer))
        proc = bot_process(folder, "schedule", "--once-now", arxiv_url=server.url)
        try:
            assert server.received.wait(20), "the run never queried the local server"
            yield proc, answer, []
        finally:
            answer.set()
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=20)


def read_until(proc: subprocess.Popen[str], text: str) -> str:
    """The process's stderr up to the first line containing `text` (or its end)."""
    assert proc.stderr is not None
    seen = ""
    for line in proc.stderr:
        seen += line
        if text in line:
            break
    return seen


def test_schedule_lets_the_run_in_progress_finish_then_exits_0(tmp_path: Path) -> None:
    with schedule_with_a_run_in_progress(tmp_path) as (proc, answer, _):
        proc.send_signal(signal.SIGTERM)
        log = read_until(proc, "waiting for the run in progress")
        answer.set()
        _, rest = proc.communicate(timeout=20)
        log += rest
    assert proc.returncode == 0, log
    assert "stopping: waiting for the run in progress to finish" in log
    assert "run finished (fetched 1, duplicates 0, rejected 0, added 1)" in log
    assert "scheduler stopped" in log
    assert "2611.01234" in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_a_second_signal_stops_the_schedule_at_once(tmp_path: Path) -> None:
    with schedule_with_a_run_in_progress(tmp_path) as (proc, _, _):
        proc.send_signal(signal.SIGTERM)
        log = read_until(proc, "waiting for the run in progress")
        proc.send_signal(signal.SIGINT)
        _, rest = proc.communicate(timeout=10)  # the fetch is still held: it was cut short
        log += rest
    assert proc.returncode == 130, log
    errors = [line for line in log.splitlines() if line.startswith("error:")]
    assert errors == ["error: stopped by SIGINT; nothing half-written was left behind"]
    assert "Traceback" not in log
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == EMPTY_LIST


def test_an_idle_schedule_stops_at_once(tmp_path: Path) -> None:
    folder = schedule_folder(tmp_path)
    (folder / "state").mkdir()
    health = '{"consecutive_failures": 0, "last_run": "2026-11-21T08:59:00+00:00"}'
    (folder / "state" / "health.json").write_text(health, encoding="utf-8")
    proc = bot_process(folder, "schedule", arxiv_url="http://127.0.0.1:9/api/query")
    read_until(proc, "scheduler started")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "scheduler stopped" in err and "run finished" not in err
