"""What the GitHub adapter decides without talking to GitHub: error lines, commit authorship,
and how long a rate limit asks to wait (GitHub REST docs, "Rate limits for the REST API")."""

from __future__ import annotations

import email.utils
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from bot.repository.seam import TRAILER

PERMISSIONS_HINT = (
    "the token needs 'contents: write' and 'pull-requests: write' on this repository; "
    "in GitHub Actions also enable Settings > Actions > General > "
    "'Allow GitHub Actions to create and approve pull requests'"
)
RATE_LIMIT_STATUSES = frozenset({403, 429})
SECONDARY_WAIT = 60.0  # "wait for at least one minute before retrying" (GitHub docs)
# The message of the commits bot versions before the trailer wrote: their branches count
# as the bot's once (their commits change nothing but the list and its state).
LEGACY_MESSAGE = re.compile(r"arXiv bot: \d+ paper\(s\) for \S+")


def commit_author(message: str) -> Literal["bot", "older bot", "someone"]:
    """Who wrote a commit, by its message: the trailer marks the bot's; an older bot
    version's message (one line, no trailer) is the bot's if its tree says so too."""
    lines = message.strip().splitlines()
    if TRAILER in (line.strip() for line in lines):
        return "bot"
    if len(lines) == 1 and LEGACY_MESSAGE.fullmatch(lines[0].strip()):
        return "older bot"
    return "someone"


def foreign_commits(compared: Mapping[str, Any]) -> tuple[str, ...]:
    """ "sha subject" of each commit in a compare answer (GitHub's) the bot did not write,
    and how many more the answer did not list (it lists 250)."""
    commits = compared["commits"]
    foreign = tuple(
        f"{c['sha'][:7]} {c['commit']['message'].splitlines()[0][:60]}"
        for c in commits
        if commit_author(c["commit"]["message"]) == "someone"
    )
    if compared.get("total_commits", len(commits)) > len(commits):
        foreign += (f"and {compared['total_commits'] - len(commits)} more commit(s)",)
    return foreign


def is_bot_commit(message: str) -> bool:
    """Whether the bot (this version or an older one) wrote a commit, by its message."""
    return commit_author(message) != "someone"


def with_trailer(message: str) -> str:
    """The commit message with the trailer that marks the bot's commits."""
    return f"{message}\n\n{TRAILER}\n"


def rate_limit_wait(
    status: int, headers: Mapping[str, str], now: float, message: str = ""
) -> float | None:
    """Seconds GitHub asks to wait before repeating a request it answered with `status`.

    None when the answer is not a rate limit (a 403 for missing permissions, say).
    `now` is the wall clock in epoch seconds (the reset header is one).
    """
    if status not in RATE_LIMIT_STATUSES:
        return None
    lowered = {name.lower(): value for name, value in headers.items()}
    retry_after = _seconds_from_retry_after(lowered.get("retry-after", ""), now)
    if retry_after is not None:
        return retry_after
    reset = lowered.get("x-ratelimit-reset", "")
    if lowered.get("x-ratelimit-remaining") == "0" and reset.isdigit():
        return max(0.0, int(reset) - now) + 1.0  # the reset happens within that second
    if status == 429 or is_rate_limit_message(message):
        return SECONDARY_WAIT
    return None


def is_rate_limit_message(message: str) -> bool:
    """Whether GitHub's error message names a primary or secondary rate limit."""
    from github.Requester import Requester

    return bool(message) and Requester.isRateLimitError(message)


def _seconds_from_retry_after(value: str, now: float) -> float | None:
    """Retry-After as seconds: a number of seconds, or an HTTP date (RFC 9110)."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def describe_github_error(
    status: int, data: Any, action: str, repo: str, headers: Mapping[str, str] | None = None
) -> str:
    """One line: what GitHub said while doing `action`, and what to fix.

    A rate limit (403 or 429 with its headers or message) is never blamed on permissions.
    """
    message = data.get("message", "") if isinstance(data, dict) else str(data or "")
    details = ""
    if isinstance(data, dict) and data.get("errors"):
        first = data["errors"][0]
        details = (
            first.get("message") or first.get("code", "") if isinstance(first, dict) else str(first)
        )
    said = f"{status} {message}".strip() + (f": {details}" if details else "")
    if rate_limit_wait(status, headers or {}, 0.0, message) is not None:
        return rate_limited_line(status, headers or {}, said, action)
    if status == 401:
        return f"GitHub rejected the token ({said}) while {action}: set a valid GITHUB_TOKEN"
    if status == 403:
        return f"GitHub refused {action} in {repo} ({said}): {PERMISSIONS_HINT}"
    if status == 404:
        return (
            f"GitHub found nothing while {action} ({said}): check that {repo} exists "
            f"(github.repo or GITHUB_REPOSITORY) and that the token can see it; {PERMISSIONS_HINT}"
        )
    if status == 422:
        return (
            f"GitHub refused {action} as invalid ({said}); "
            "check github.base, github.branch and github.labels"
        )
    if status >= 500:
        return (
            f"GitHub kept failing while {action} ({said}); "
            "a rerun duplicates nothing, try again later"
        )
    return f"GitHub answered {said} while {action}"


def rate_limited_line(status: int, headers: Mapping[str, str], said: str, action: str) -> str:
    """GitHub still rate-limited `action` after the retries: when it resets, what to do."""
    lowered = {name.lower(): value for name, value in headers.items()}
    reset = lowered.get("x-ratelimit-reset", "")
    when = ""
    if lowered.get("x-ratelimit-remaining") == "0" and reset.isdigit():
        when = f"; the limit resets at {datetime.fromtimestamp(int(reset), UTC):%H:%M:%S} UTC"
    return (
        f"GitHub's rate limit stopped {action} ({said}) after the retries (github.max_retries)"
        f"{when}: the token's permissions are fine; nothing half-done is left, the next run "
        "retries; if it recurs, set github.write_delay_seconds = 1"
    )
