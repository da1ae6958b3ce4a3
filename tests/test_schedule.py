"""The scheduler's wiring, with a fake clock where time matters; one real start and SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import ScheduleConfig
from bot.errors import ConfigError
from bot.schedule import (
    MISFIRE_GRACE_SECONDS,
    Scheduler,
    build_trigger,
    cron_weekdays_to_names,
    is_overdue,
)
from tests.conftest import ROOT, record
from tests.fakes.arxiv_server import FakeArxiv


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("1-5", "mon-fri"),
        ("0", "sun"),
        ("7", "sun"),
        ("mon-fri", "mon-fri"),
        ("*", "*"),
        ("*/2", "*/2"),
        ("0,6", "sun,sat"),
    ],
)
def test_cron_weekdays_follow_cron_not_apscheduler(field: str, expected: str) -> None:
    assert cron_weekdays_to_names(field) == expected


def test_numeric_weekdays_mean_what_cron_means() -> None:
    trigger = build_trigger("17 6 * * 1-5", "UTC")
    saturday = datetime(2026, 11, 21, 12, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, saturday) == datetime(
        2026, 11, 23, 6, 17, tzinfo=UTC
    )  # Monday


def test_the_default_schedule_is_valid() -> None:
    # load_config skips building the default schedule's trigger: this test stands for it.
    default = ScheduleConfig()
    trigger = build_trigger(default.cron, default.timezone)
    friday = datetime(2026, 11, 20, 7, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, friday) == datetime(2026, 11, 23, 6, 17, tzinfo=UTC)


def test_bad_cron_and_timezone_are_config_errors() -> None:
    with pytest.raises(ConfigError, match=r"schedule\.cron"):
        build_trigger("61 * * * *", "UTC")
    with pytest.raises(ConfigError, match="5 fields"):
        build_trigger("* * *", "UTC")
    with pytest.raises(ConfigError, match=r"schedule\.timezone"):
        build_trigger("17 6 * * *", "Mars/Olympus")


def test_catch_up_when_a_run_was_missed() -> None:
    trigger = build_trigger("17 6 * * *", "UTC")
    now = datetime(2026, 11, 21, 12, tzinfo=UTC)
    assert is_overdue(trigger, None, now)
    assert is_overdue(
        trigger, datetime(2026, 11, 20, 6, 20, tzinfo=UTC), now
    )  # today's 06:17 missed
    assert not is_overdue(trigger, datetime(2026, 11, 21, 6, 18, tzinfo=UTC), now)


def test_job_policies() -> None:
    scheduler = Scheduler(build_trigger("17 6 * * *", "UTC"), lambda: "ok", UTC)
    scheduler.scheduler.start(paused=True)
    try:
        job = scheduler.scheduler.get_job("arxiv-bot")
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS >= 3600
    finally:
        scheduler.scheduler.shutdown(wait=False)


def test_failed_run_is_logged_and_schedule_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    calls = []

    def job() -> str:
        calls.append(1)
        raise RuntimeError("arXiv down")

    scheduler = Scheduler(build_trigger("17 6 * * *", "UTC"), job, UTC)
    scheduler.scheduler.start(paused=True)
    try:
        with caplog.at_level("INFO"):
            scheduler._run()
            scheduler._run()
    finally:
        scheduler.scheduler.shutdown(wait=False)
    assert len(calls) == 2
    assert "run failed: arXiv down" in caplog.text and "next run at" in caplog.text


def test_schedule_runs_now_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    with FakeArxiv([record("2611.01234", "Sparse Autoencoders in the Residual Stream")]) as server:
        config = (
            (ROOT / "config.toml")
            .read_text(encoding="utf-8")
            .replace("delay_seconds = 3.0", "delay_seconds = 0")
        )
        (tmp_path / "config.toml").write_text(config, encoding="utf-8")
        (tmp_path / "README.md").write_text(
            "## Last Updated\n2025-01-01\n## Papers (0)\n", encoding="utf-8"
        )
        env = {
            **os.environ,
            "ARXIV_API_URL": server.url,
            "ARXIV_BOT_NOW": "2026-11-21T09:00:00+00:00",
        }
        env.pop("GITHUB_TOKEN", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "schedule", "--once-now"],
            cwd=tmp_path,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 20
        lines: list[str] = []
        assert proc.stderr is not None
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            lines.append(line)
            if "run finished" in line:
                break
        proc.send_signal(signal.SIGTERM)
        rest = proc.communicate(timeout=20)[1]
    log = "".join(lines) + rest
    assert proc.returncode == 0, log
    assert "run finished (fetched 1, duplicates 0, rejected 0, added 1); next run at" in log
    assert "scheduler stopped" in log
    assert "2611.01234" in (tmp_path / "README.md").read_text(encoding="utf-8")
