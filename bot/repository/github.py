"""The GitHub adapter of the repository seam: one branch, one commit, one pull request.

The only module that imports `github` (PyGithub). Every GitHub failure becomes a
PublishError saying what to fix; the token never appears in a message.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.errors import PublishError
from bot.models import OVERFLOW_MARKER, PullRequestRef

log = logging.getLogger(__name__)
T = TypeVar("T")
PERMISSIONS_HINT = (
    "the token needs 'contents: write' and 'pull-requests: write' on this repository; "
    "in GitHub Actions also enable Settings > Actions > General > "
    "'Allow GitHub Actions to create and approve pull requests'"
)


@dataclass(frozen=True)
class GithubSettings:
    token: str
    repo: str
    api_url: str
    branch: str
    base: str
    pr_title: str
    labels: tuple[str, ...]
    draft: bool
    max_retries: int
    backoff_seconds: float
    write_delay_seconds: float


@dataclass(frozen=True)
class PullInfo:
    number: int
    url: str
    merged: bool
    head_sha: str
    body: str


class GithubRepository:
    """The handful of GitHub operations the bot needs, with actionable errors."""

    def __init__(
        self, settings: GithubSettings, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        from github import Auth, Github, GithubRetry

        self.settings = settings
        self.sleep = sleep
        # POST is left out of automatic retries: a retried "create pull request"
        # could open two. Idempotent POSTs are retried by `_retrying` below.
        retry = GithubRetry(
            total=settings.max_retries,
            backoff_factor=settings.backoff_seconds,
            allowed_methods=frozenset({"GET", "HEAD", "PATCH", "PUT", "DELETE"}),
        )
        self.client = Github(
            auth=Auth.Token(settings.token),
            base_url=settings.api_url.rstrip("/"),
            timeout=30,
            retry=retry,
            seconds_between_requests=0,
            seconds_between_writes=settings.write_delay_seconds,
        )
        with self._errors(f"reading repository {settings.repo}"):
            self.repo = self.client.get_repo(settings.repo)
            self.owner = self.repo.owner.login
            self.base = settings.base or self.repo.default_branch

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        from github import GithubException
        from requests import RequestException

        try:
            yield
        except GithubException as exc:
            raise PublishError(
                describe_github_error(exc.status, exc.data, action, self.settings.repo)
            ) from None
        except RequestException as exc:
            raise PublishError(
                f"cannot reach GitHub at {self.settings.api_url} while {action} "
                f"({type(exc).__name__}); check GITHUB_API_URL and the network, then rerun"
            ) from None

    def head_sha(self, branch: str) -> str | None:
        from github import GithubException

        try:
            return str(self.repo.get_git_ref(f"heads/{branch}").object.sha)
        except GithubException as exc:
            if exc.status == 404:
                return None
            raise PublishError(
                describe_github_error(
                    exc.status, exc.data, f"reading branch {branch}", self.settings.repo
                )
            ) from None

    def base_sha(self) -> str:
        sha = self.head_sha(self.base)
        if sha is None:
            raise PublishError(
                f"base branch '{self.base}' not found in {self.settings.repo}; fix github.base"
            )
        return sha

    def parent_of(self, sha: str) -> str | None:
        with self._errors("reading the pull request's commit"):
            parents = self.repo.get_git_commit(sha).parents
        return str(parents[0].sha) if parents else None

    def commit_message(self, sha: str) -> str:
        """The message of commit `sha`."""
        with self._errors("reading a commit"):
            return str(self.repo.get_git_commit(sha).message)

    def read_file(self, path: str, ref: str | None = None) -> str | None:
        """The file's text at a commit (default: the base branch), or None if absent there."""
        from github import GithubException

        ref = ref or self.base_sha()
        try:
            contents = self.repo.get_contents(path, ref=ref)
        except GithubException as exc:
            if exc.status == 404:
                return None
            raise PublishError(
                describe_github_error(exc.status, exc.data, f"reading {path}", self.settings.repo)
            ) from None
        if isinstance(contents, list):
            raise PublishError(f"{path} is a directory in {self.settings.repo}; fix target.file")
        with self._errors(f"reading {path}"):
            if contents.encoding == "base64" and contents.content:
                return base64.b64decode(contents.content).decode("utf-8")
            # Files over 1 MB come without content: read the blob instead.
            blob = self.repo.get_git_blob(contents.sha)
            return base64.b64decode(blob.content).decode("utf-8")

    def commit(self, branch: str, parent_sha: str, files: dict[str, str], message: str) -> str:
        """One commit on top of `parent_sha` with `files`; point `branch` at it."""
        from github import InputGitTreeElement

        with self._errors("writing the commit"):
            parent = self.repo.get_git_commit(parent_sha)
            elements = [
                InputGitTreeElement(path, "100644", "blob", sha=self._upload(path, text))
                for path, text in files.items()
            ]
            tree = self._retry_write(
                "writing the tree",
                lambda: self.repo.create_git_tree(elements, base_tree=parent.tree),
            )
            commit = self._retry_write(
                "writing the commit", lambda: self.repo.create_git_commit(message, tree, [parent])
            )
        sha = str(commit.sha)
        with self._errors(f"moving branch {branch}"):
            if self.head_sha(branch) is None:
                self.repo.create_git_ref(f"refs/heads/{branch}", sha)
            else:
                # The bot's own branch is rebuilt from the base each run: force is intended.
                self.repo.get_git_ref(f"heads/{branch}").edit(sha, force=True)
        return sha

    def _upload(self, path: str, text: str) -> str:
        blob = self._retry_write(
            f"uploading {path}", lambda: self.repo.create_git_blob(text, "utf-8")
        )
        return str(blob.sha)

    def _retry_write(self, action: str, call: Callable[[], T]) -> T:
        from github import GithubException
        from requests import RequestException

        for attempt in range(self.settings.max_retries + 1):
            try:
                return call()
            except RequestException as exc:
                raise PublishError(
                    f"cannot reach GitHub at {self.settings.api_url} while {action} "
                    f"({type(exc).__name__}); check GITHUB_API_URL and the network, then rerun"
                ) from None
            except GithubException as exc:
                if exc.status < 500 or attempt == self.settings.max_retries:
                    raise PublishError(
                        describe_github_error(exc.status, exc.data, action, self.settings.repo)
                    ) from None
                log.warning("GitHub answered %s while %s; retrying", exc.status, action)
                self.sleep(self.settings.backoff_seconds * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def report_health(self, label: str, failing: bool, title: str, body: str) -> None:
        """Open or update the health issue while failing; comment and close it on recovery."""
        with self._errors("updating the health issue"):
            issues = list(self.repo.get_issues(state="open", labels=[label]))
            if failing:
                if issues:
                    if issues[0].body != body:
                        issues[0].edit(body=body)
                else:
                    self.repo.create_issue(title=title, body=body, labels=[label])
                return
            for issue in issues:
                issue.create_comment("The arXiv bot ran successfully again; closing.")
                issue.edit(state="closed")

    def _pull_info(self, pull: Any) -> PullInfo:
        return PullInfo(
            int(pull.number),
            str(pull.html_url),
            bool(pull.merged),
            str(pull.head.sha),
            pull.body or "",
        )

    def open_pull(self, branch: str) -> PullInfo | None:
        with self._errors("listing pull requests"):
            for pull in self.repo.get_pulls(
                state="open", head=f"{self.owner}:{branch}", base=self.base
            ):
                return self._pull_info(pull)
        return None

    def closed_pulls(self, branch: str) -> list[PullInfo]:
        with self._errors("listing closed pull requests"):
            return [
                self._pull_info(p)
                for p in self.repo.get_pulls(
                    state="closed", head=f"{self.owner}:{branch}", base=self.base
                )
            ]

    def open_or_update_pull(
        self, branch: str, body: str, title: str = "", comments: Sequence[str] = ()
    ) -> PullRequestRef:
        """Update the bot's open PR, or open one; never two (check, create, treat 422 as found).

        `comments` (each starting with OVERFLOW_MARKER) replace the overflow comments an
        earlier run left; they are only looked for when this or the last body had overflow.
        """
        from github import GithubException

        title = title or self.settings.pr_title
        existing = self.open_pull(branch)
        had_overflow = existing is not None and OVERFLOW_MARKER in existing.body
        if existing is None:
            for attempt in range(self.settings.max_retries + 1):
                try:
                    pull = self.repo.create_pull(
                        base=self.base,
                        head=branch,
                        title=title,
                        body=body,
                        draft=self.settings.draft,
                    )
                    existing = self._pull_info(pull)
                    break
                except GithubException as exc:
                    # A 5xx may have created it anyway, and a 422 says one exists: look again.
                    found = (
                        self.open_pull(branch) if exc.status >= 500 or exc.status == 422 else None
                    )
                    if found is not None:
                        existing = found
                        break
                    if exc.status < 500 or attempt == self.settings.max_retries:
                        raise PublishError(
                            describe_github_error(
                                exc.status, exc.data, "opening the pull request", self.settings.repo
                            )
                        ) from None
                    self.sleep(self.settings.backoff_seconds * 2**attempt)
            assert existing is not None
        else:
            with self._errors(f"updating pull request #{existing.number}"):
                pull = self.repo.get_pull(existing.number)
                if pull.body != body or pull.title != title:
                    pull.edit(title=title, body=body)
        if comments or had_overflow:
            self._replace_overflow_comments(existing.number, comments)
        if self.settings.labels:
            number = existing.number
            self._retry_write(
                "labelling the pull request",
                lambda: self.repo.get_issue(number).add_to_labels(*self.settings.labels),
            )
        return PullRequestRef(existing.number, existing.url)

    def _replace_overflow_comments(self, number: int, comments: Sequence[str]) -> None:
        """Edit, add or delete the bot's overflow comments on PR `number` to match `comments`."""
        with self._errors(f"updating the comments of pull request #{number}"):
            issue = self.repo.get_issue(number)
            old = [c for c in issue.get_comments() if (c.body or "").startswith(OVERFLOW_MARKER)]
            for comment, body in zip(old, comments, strict=False):
                if comment.body != body:
                    comment.edit(body)
            # Not retried on a 5xx (it may have been posted): the next run replaces them all.
            for body in comments[len(old) :]:
                issue.create_comment(body)
            for comment in old[len(comments) :]:
                comment.delete()


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
