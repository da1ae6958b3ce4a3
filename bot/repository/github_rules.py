"""What the GitHub adapter decides without talking to GitHub: error lines, commit authorship."""

from __future__ import annotations

import re
from typing import Any

from bot.repository.seam import TRAILER

PERMISSIONS_HINT = (
    "the token needs 'contents: write' and 'pull-requests: write' on this repository; "
    "in GitHub Actions also enable Settings > Actions > General > "
    "'Allow GitHub Actions to create and approve pull requests'"
)
# The message of the commits bot versions before the trailer wrote: their branches count
# as the bot's once (their commits change nothing but the list and its state).
LEGACY_MESSAGE = re.compile(r"arXiv bot: \d+ paper\(s\) for \S+")


def is_bot_commit(message: str) -> bool:
    """Whether the bot wrote a commit: its trailer, or the message of older bot versions."""
    lines = message.strip().splitlines()
    return TRAILER in (line.strip() for line in lines) or bool(
        lines and LEGACY_MESSAGE.fullmatch(lines[0].strip()) and len(lines) == 1
    )


def with_trailer(message: str) -> str:
    """The commit message with the trailer that marks the bot's commits."""
    return f"{message}\n\n{TRAILER}\n"


def describe_github_error(status: int, data: Any, action: str, repo: str) -> str:
    """One line: what GitHub said while doing `action`, and what to fix."""
    message = data.get("message", "") if isinstance(data, dict) else str(data or "")
    details = ""
    if isinstance(data, dict) and data.get("errors"):
        first = data["errors"][0]
        details = (
            first.get("message") or first.get("code", "") if isinstance(first, dict) else str(first)
        )
    said = f"{status} {message}".strip() + (f": {details}" if details else "")
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
