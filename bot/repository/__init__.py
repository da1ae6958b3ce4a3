"""The repository seam: where the list lives, behind one small interface.

A run reads what it needs through a `Repository` and writes its change through
it. `local` keeps the list in files on disk; `github` (the only importer of
PyGithub) keeps it in a GitHub repository and proposes changes by pull request.
Another forge is one more adapter module beside these.
"""

from __future__ import annotations

from typing import Protocol

from bot.config import Config
from bot.environment import Environment
from bot.repository.github import GithubSettings


class Repository(Protocol):
    """Read access to the list's files, as the base of a change sees them."""

    def read_file(self, path: str, ref: str | None = None) -> str | None:
        """The text of `path` (at `ref`, where the repository has versions), or None if absent."""
        ...


def github_settings(config: Config, env: Environment) -> GithubSettings | None:
    """GitHub mode needs a token and a repository; without either the bot works locally."""
    repo = config.github.repo or env.repository
    if not env.token or not repo:
        return None
    g = config.github
    return GithubSettings(
        token=env.token,
        repo=repo,
        api_url=env.github_api_url,
        branch=g.branch,
        base=g.base,
        pr_title=g.pr_title,
        labels=g.labels,
        draft=g.draft,
        max_retries=g.max_retries,
        backoff_seconds=g.backoff_seconds,
        write_delay_seconds=g.write_delay_seconds,
    )
