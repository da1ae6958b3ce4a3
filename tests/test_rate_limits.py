"""GitHub's rate limits, end to end: real PyGithub against the local GitHub stand-in.

The stand-in answers as GitHub does (403 or 429, Retry-After, x-ratelimit-* headers,
GitHub's messages). Waits are recorded, never slept: whole runs use Retry-After 0 or
waits the budget cannot hold; the adapter-level tests inject the sleep and the clock.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.budget import TimeBudget
from bot.errors import PublishError, RateLimitError
from bot.repository.github import GithubRepository, GithubSettings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.github_server import (
    NAME,
    OWNER,
    FakeGitHub,
    Fault,
    Issue,
    primary_limit,
    secondary_limit,
)
from tests.test_pullrequest import TOKEN, github, run, sae

__all__ = ["github"]  # the GitHub fixture, reused


def posts(fake: FakeGitHub, path: str) -> int:
    return sum(1 for method, p in fake.log if method == "POST" and p.endswith(path))


def health(workdir: Path) -> dict[str, object]:
    result: dict[str, object] = json.loads((workdir / "state" / "health.json").read_text())
    return result


@pytest.mark.parametrize("status", [403, 429])
def test_a_secondary_limit_on_a_write_is_retried_not_blamed_on_permissions(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str], status: int
) -> None:
    arxiv_server.add(sae(1))
    github.script(secondary_limit("POST", r"/git/trees$", retry_after=0, status=status))
    code, out, err = run(capsys)
    assert code == 0 and out["pull_request"]["number"] == 1  # type: ignore[index]
    assert posts(github, "/git/trees") == 2 and "contents: write" not in err


def test_a_rate_limited_pull_request_post_opens_exactly_one(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1))
    github.script(secondary_limit("POST", r"/pulls$", retry_after=0, status=429))
    code, _, _ = run(capsys)
    assert code == 0 and len(github.pulls) == 1 and posts(github, "/pulls") == 2


def test_a_primary_limit_an_hour_away_fails_at_once_with_the_reset_time(
    github: FakeGitHub, arxiv_server: FakeArxiv, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1))
    github.script(primary_limit("GET", r"/pulls$", reset_in=3600))
    started = time.monotonic()
    code, _, err = run(capsys)
    assert code == 1 and time.monotonic() - started < 20  # not an hour
    line = err.strip().splitlines()[-1]
    assert line.startswith("error: GitHub's rate limit (HTTP 403) resets at ")
    assert "UTC, in 3" in line and "s left of [run] time_budget_seconds" in line
    assert "permission" not in line and "contents: write" not in line
    assert health(workdir)["consecutive_failures"] == 1
    assert not github.pulls


def test_a_retry_after_beyond_the_budget_fails_at_once_even_on_a_post(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1))
    github.script(secondary_limit("POST", r"/git/commits$", retry_after=3600))
    started = time.monotonic()
    code, _, err = run(capsys)
    assert code == 1 and time.monotonic() - started < 20
    assert "GitHub's rate limit (HTTP 403) resets at" in err and "in 3600 s" in err
    assert posts(github, "/git/commits") == 1  # asked to wait: not repeated early


def test_a_limit_that_outlasts_the_retries_is_named_as_a_rate_limit(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1))
    github.script(secondary_limit("POST", r"/git/trees$", retry_after=0, times=99))
    code, _, err = run(capsys)
    assert code == 1 and "GitHub's rate limit stopped writing" in err
    assert "permissions are fine" in err and "contents: write" not in err
    assert posts(github, "/git/trees") == 5  # the first try and github.max_retries (4)


def test_a_refusal_is_still_a_permissions_error_and_not_repeated(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1))
    refusal = Fault(
        "POST", r"/git/trees$", 403, 99, message="Resource not accessible by integration"
    )
    github.script(refusal)
    code, _, err = run(capsys)
    assert code == 1 and "contents: write" in err and posts(github, "/git/trees") == 1


# -- the adapter with its sleep and clock injected -----------------------------------


class Waits:
    def __init__(self) -> None:
        self.slept: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    """The stand-in with one issue (#1) to comment on."""
    with FakeGitHub(TOKEN, {"README.md": "# List\n"}) as server:
        server.issues.append(Issue(1, "t", ""))
        yield server


def adapter(fake: FakeGitHub, waits: Waits, budget: float = 1200.0) -> GithubRepository:
    settings = GithubSettings(
        token=TOKEN,
        repo=f"{OWNER}/{NAME}",
        api_url=fake.url,
        branch="arxiv-bot/updates",
        base="",
        pr_title="t",
        labels=(),
        draft=False,
        max_retries=4,
        backoff_seconds=0.0,
        write_delay_seconds=0.0,
    )
    return GithubRepository(settings, TimeBudget.start(budget), sleep=waits)


def test_a_secondary_limit_without_retry_after_waits_a_minute(fake: FakeGitHub) -> None:
    waits = Waits()
    gh = adapter(fake, waits)
    fake.script(secondary_limit("POST", r"/issues/\d+/comments$", retry_after=None))
    gh.call("POST", "/issues/1/comments", "commenting", body={"body": "hi"})
    assert waits.slept == [60.0] and fake.comments_on(1) == ["hi"]


def test_a_primary_limit_waits_until_the_reset_when_it_fits(fake: FakeGitHub) -> None:
    waits = Waits()
    gh = adapter(fake, waits)
    fake.script(primary_limit("GET", r"/branches/main$", reset_in=30))
    assert gh.base_sha()
    assert len(waits.slept) == 1 and 29 <= waits.slept[0] <= 32


def test_retry_after_is_honoured_within_the_budget(fake: FakeGitHub) -> None:
    waits = Waits()
    gh = adapter(fake, waits, budget=100)
    fake.script(secondary_limit("GET", r"/branches/main$", retry_after=90, status=429))
    assert gh.base_sha() and waits.slept == [90.0]
    fake.script(secondary_limit("GET", r"/branches/main$", retry_after=200, status=429))
    with pytest.raises(RateLimitError) as info:
        gh.base_sha()
    assert info.value.wait_seconds == 200 and info.value.status == 429
    assert waits.slept == [90.0]  # the over-budget wait was not slept


def test_a_burst_of_writes_is_paced(fake: FakeGitHub) -> None:
    waits = Waits()
    gh = adapter(fake, waits)
    for n in range(25):
        gh.call("POST", "/issues/1/comments", "commenting", body={"body": str(n)})
    assert len(waits.slept) == 5 and all(w > 0 for w in waits.slept)


def test_a_5xx_on_a_post_is_not_repeated_blindly(fake: FakeGitHub) -> None:
    waits = Waits()
    gh = adapter(fake, waits)
    fake.script(Fault("POST", r"/issues/1/comments$", 502, after=True))
    with pytest.raises(PublishError, match="502"):
        gh.call("POST", "/issues/1/comments", "commenting", body={"body": "once"})
    assert fake.comments_on(1) == ["once"]  # done once, never twice
