"""GitHub's rate limits and write pacing as plain values (the rules in github_limits)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.repository.github_limits import BURST_WRITES, WritePacer, rate_limit_error
from bot.repository.github_rules import SECONDARY_WAIT, rate_limit_wait

NOW = 1_800_000_000.0  # epoch seconds


@pytest.mark.parametrize(
    ("status", "headers", "message", "wait"),
    [
        (403, {"Retry-After": "30"}, "", 30.0),  # secondary, with the wait
        (429, {"retry-after": "5"}, "", 5.0),
        (429, {"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}, "", None),  # a date: see below
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 600)}, "", 601.0),
        (429, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) - 5)}, "", 1.0),
        (403, {}, "You have exceeded a secondary rate limit. Please wait.", SECONDARY_WAIT),
        (429, {}, "", SECONDARY_WAIT),  # a 429 is always a rate limit
        (403, {"x-ratelimit-remaining": "4000"}, "Resource not accessible by integration", None),
        (502, {"Retry-After": "30"}, "", None),  # not a rate limit
    ],
)
def test_the_wait_github_asks_for(
    status: int, headers: dict[str, str], message: str, wait: float | None
) -> None:
    if "GMT" in headers.get("Retry-After", ""):
        when = datetime(2026, 10, 21, 7, 28, tzinfo=UTC).timestamp()
        assert rate_limit_wait(status, headers, when - 90, message) == 90.0
        return
    assert rate_limit_wait(status, headers, NOW, message) == wait


def test_the_error_names_the_reset_time_and_no_permission() -> None:
    error = rate_limit_error(403, 3600.0, NOW, 1150.0)
    message = str(error)
    reset = datetime.fromtimestamp(NOW + 3600, UTC)
    assert f"resets at {reset:%Y-%m-%d %H:%M:%S} UTC" in message and "in 3600 s" in message
    assert "1150 s left of [run] time_budget_seconds" in message
    assert "permission" not in message and "\n" not in message
    assert error.reset == reset and error.status == 403


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_usual_run_is_never_paced() -> None:
    clock = Clock()
    pacer = WritePacer(0.0, clock, clock.sleep)
    for _ in range(BURST_WRITES):
        pacer.before_write()
    assert clock.slept == []


def test_a_burst_of_writes_is_paced_a_second_apart() -> None:
    clock = Clock()
    pacer = WritePacer(0.0, clock, clock.sleep)
    for _ in range(BURST_WRITES + 5):
        pacer.before_write()
    assert clock.slept == [1.0] * 5
    sent_in_a_minute = [t for t in pacer.sent if t > pacer.sent[-1] - 60]
    assert len(sent_in_a_minute) <= 80  # GitHub's guidance for content-creating requests


def test_a_burst_spread_over_minutes_is_not_paced() -> None:
    clock = Clock()
    pacer = WritePacer(0.0, clock, clock.sleep)
    for _ in range(3 * BURST_WRITES):
        pacer.before_write()
        clock.now += 3.5  # about 17 writes a minute
    assert clock.slept == []


def test_write_delay_seconds_is_kept_between_any_two_writes() -> None:
    clock = Clock()
    pacer = WritePacer(2.0, clock, clock.sleep)
    for _ in range(3):
        pacer.before_write()
    assert clock.slept == [2.0, 2.0]
