"""The GitHub client of the GitHub adapter: every request, the reads.

With github_limits (PyGithub's retry, extended) and github_rules (its rate-limit
message test), the only module that imports `github` (PyGithub). Every request goes through
`GithubClient.call` (one place to count, pace, retry and explain them); every
GitHub failure becomes a PublishError saying what to fix, and the token never
appears in a message. Rules that need no request live in github_rules, rate
limits in github_limits.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from msgspec import Struct

from bot.budget import TimeBudget
from bot.errors import ConfigError, PublishError
from bot.repository.github_rules import describe_github_error
from bot.repository.seam import Snapshot
from bot.repository.settings import GithubSettings
from bot.state import State, state_from_json

log = logging.getLogger(__name__)


class ClosedPullInfo(Struct, frozen=True):
    number: int
    merged: bool
    head_sha: str


class _Retry(Exception):
    """A 5xx answer to a request that is safe to repeat."""


class GithubClient:
    """The GitHub requests the bot makes, each through `call`, with actionable errors."""

    def __init__(
        self,
        settings: GithubSettings,
        budget: TimeBudget,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Connect to `settings.repo`; every wait GitHub asks for must fit `budget`.

        `sleep` and `clock` (epoch seconds) are injectable for tests; raises
        PublishError, or RateLimitError when a rate limit outlasts the budget.
        """
        from github import Auth, Github

        # github_limits imports PyGithub: loaded here, with the client, never by a local
        # run (PyGithub costs a tenth of a second).
        from bot.repository.github_limits import (
            RateLimitRetry,
            WritePacer,
            pause,
            route_pygithub_logging,
        )

        route_pygithub_logging()
        self.settings = settings
        self.budget = budget
        self.sleep = sleep or pause
        self.clock = clock
        self.pacer = WritePacer(settings.write_delay_seconds, sleep=self.sleep)
        self.requests_made = 0
        self.last_status: int = 0
        self.last_error: Any = None
        self.snapshot: Snapshot | None = None
        # A file read through a symbolic link -> the link's target: changes are written
        # to the target, so the link stays a link (path -> target, both in the repository).
        self.links: dict[str, str] = {}
        self.base_tree = self.head_tree = ""
        # A rate-limited request was not processed: RateLimitRetry repeats any of them,
        # POSTs included, after the wait GitHub asks for (within the budget). A 5xx POST
        # may have been processed (a second "create pull request" could open two): it is
        # not repeated blindly; `call` repeats the idempotent ones (blobs, trees, commits).
        retry = RateLimitRetry(
            budget,
            self.sleep,
            clock,
            total=settings.max_retries,
            backoff_factor=settings.backoff_seconds,
            allowed_methods=frozenset({"GET", "HEAD", "PATCH", "PUT", "DELETE"}),
        )
        self.client = Github(
            auth=Auth.Token(settings.token),
            base_url=settings.api_url.rstrip("/"),
            timeout=30,
            retry=retry,
            per_page=100,
            seconds_between_requests=0,
            seconds_between_writes=0,  # paced by self.pacer, only when a run needs it
        )
        self.requests_made += 1
        with self._errors(f"reading repository {settings.repo}"):
            self.repo = self.client.get_repo(settings.repo)
            self.owner = self.repo.owner.login
            self.default_branch = str(self.repo.default_branch)
            self.base = settings.base or self.default_branch

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        from github import GithubException, RateLimitExceededExceedsMaxWait
        from requests import RequestException

        from bot.repository.github_limits import rate_limit_error

        try:
            yield
        except RateLimitExceededExceedsMaxWait as exc:  # PyGithub's own cap (primary limit)
            raise rate_limit_error(
                exc.status, exc.wait or 0.0, self.clock(), self.budget.left()
            ) from None
        except GithubException as exc:
            raise PublishError(
                describe_github_error(exc.status, exc.data, action, self.settings.repo, exc.headers)
            ) from None
        except RequestException as exc:
            raise PublishError(
                f"cannot reach GitHub at {self.settings.api_url} while {action} "
                f"({type(exc).__name__}); check GITHUB_API_URL and the network, then rerun"
            ) from None

    def call(
        self,
        verb: str,
        path: str,
        action: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        retry: bool = False,
        tolerate: frozenset[int] = frozenset(),
    ) -> Any:
        """One REST request on the repository (`path` under /repos/{owner}/{repo}).

        The one place the adapter's requests are made: counted in `requests_made`.
        Returns the JSON answer, or None for a status in `tolerate` (404: absent,
        409: a merge conflict), kept in `last_status` and `last_error`. `retry`
        repeats a POST that is safe to repeat on a 5xx; GETs and PATCHes are
        retried by the client's GithubRetry. Raises PublishError otherwise.
        """
        from github import GithubException

        for attempt in range(self.settings.max_retries + 1):
            self.requests_made += 1
            if verb != "GET":
                self.pacer.before_write()
            try:
                with self._errors(action):
                    try:
                        _, data = self.client.requester.requestJsonAndCheck(
                            verb, f"{self.repo.url}{path}", parameters=params, input=body
                        )
                    except GithubException as exc:
                        self.last_status, self.last_error = exc.status, exc.data
                        if exc.status in tolerate:
                            return None
                        if not retry or exc.status < 500 or attempt == self.settings.max_retries:
                            raise
                        raise _Retry from None
            except _Retry:
                log.warning("GitHub answered %s while %s; retrying", self.last_status, action)
                self.sleep(self.settings.backoff_seconds * 2**attempt)
                continue
            self.last_status, self.last_error = 200, None
            return data
        raise AssertionError("unreachable")  # pragma: no cover

    def check_own_branch(self, name: str, key: str, default: str) -> None:
        """Refuse to write to the repository's default or base branch through `key`
        (ConfigError: the bot would push there without review)."""
        if name in (self.base, self.default_branch):
            raise ConfigError(
                f"{key} '{name}' is the {'default' if name == self.default_branch else 'base'} "
                f"branch of {self.settings.repo}: the bot would push to it without review; "
                f"give it a branch of its own (default {default})"
            )

    # -- reading -------------------------------------------------------------
    def base_head(self) -> tuple[str, str]:
        """The base branch's head commit and its tree."""
        data = self.call(
            "GET",
            f"/branches/{quote(self.base, safe='')}",
            f"reading base branch {self.base}",
            tolerate=frozenset({404}),
        )
        if data is None:
            raise PublishError(
                f"base branch '{self.base}' not found in {self.settings.repo}; fix github.base"
            )
        commit = data["commit"]
        return str(commit["sha"]), str(commit["commit"]["tree"]["sha"])

    def base_sha(self) -> str:
        return self.base_head()[0]

    def read_file(self, path: str, ref: str | None = None) -> str | None:
        """The file's text at a commit (default: the base branch), or None if absent there."""
        ref = ref or self.base_sha()
        found = self.call(
            "GET",
            f"/contents/{quote(path)}",
            f"reading {path}",
            params={"ref": ref},
            tolerate=frozenset({404}),
        )
        if found is None:
            return None
        if isinstance(found, dict) and found.get("type") == "symlink":
            raise PublishError(
                f"{path} is a symbolic link to {found.get('target')}, not a file in "
                f"{self.settings.repo}: the bot writes only inside the repository; "
                "set target.file to the real file"
            )
        if isinstance(found, list) or found.get("type") != "file":
            raise PublishError(f"{path} is a directory in {self.settings.repo}; fix target.file")
        if found.get("path", path) != path:  # GitHub followed a symbolic link to a file
            self.links[path] = str(found["path"])
        if found.get("encoding") != "base64" or not found.get("content"):
            # Files over 1 MB come without content (encoding "none"): read the blob.
            found = self.call("GET", f"/git/blobs/{found['sha']}", f"reading {path}")
        return base64.b64decode(found["content"]).decode("utf-8")

    def compare(self, base_sha: str, head: str) -> dict[str, Any] | None:
        """GitHub's three-dot compare of `head` (a sha or branch) with `base_sha`: its
        commits since they forked, oldest first, and the files changed; None when `head`
        does not exist."""
        found: dict[str, Any] | None = self.call(
            "GET",
            f"/compare/{base_sha}...{quote(head, safe='')}",
            f"comparing {head} with {self.base}",
            tolerate=frozenset({404}),
        )
        return found

    def messages_since(self, base_sha: str, head: str) -> list[str] | None:
        """The messages of the commits on `head` since it forked from `base_sha`."""
        compared = self.compare(base_sha, head)
        if compared is None:
            return None
        return [str(c["commit"]["message"]) for c in compared["commits"]]

    def closed_pulls(self, branch: str) -> list[ClosedPullInfo]:
        """The closed pull requests from `branch` into the base (number, merged, head)."""
        pulls = self.call(
            "GET",
            "/pulls",
            "listing closed pull requests",
            params={"state": "closed", "head": f"{self.owner}:{branch}", "base": self.base},
        )
        return [
            ClosedPullInfo(int(p["number"]), bool(p.get("merged_at")), str(p["head"]["sha"]))
            for p in pulls
        ]

    def read_state(self, path: str, ref: str, label: str) -> State | None:
        text = self.read_file(path, ref)
        return state_from_json(text, f"{label}:{path}") if text is not None else None
