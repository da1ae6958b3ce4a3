"""GitHub mode's settings, read without loading the GitHub client.

Every run asks whether it is in GitHub mode; a local run then never imports the
GitHub adapter (nor PyGithub): its modules are a noticeable share of a small
run's start-up (benchmarks/daily.py).
"""

from __future__ import annotations

from msgspec import Struct

from bot.config import Config
from bot.environment import Environment
from bot.errors import ConfigError


class GithubSettings(Struct, frozen=True):
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


def github_settings(config: Config, env: Environment) -> GithubSettings | None:
    """GitHub mode needs a token and a repository; without either the bot works locally.

    Raises ConfigError when GitHub mode is clearly meant (GITHUB_REPOSITORY or
    GITHUB_ACTIONS is set, or github.repo) but GITHUB_TOKEN is empty: a misnamed
    secret must not turn into a green job that edits a checkout.
    """
    repo = config.github.repo or env.repository
    if not env.token:
        if env.repository or env.actions:
            raise ConfigError(
                "GITHUB_TOKEN is empty or unset, but GITHUB_REPOSITORY/GITHUB_ACTIONS say "
                "GitHub mode is meant: pass the token as GITHUB_TOKEN (or use --target FILE "
                "for a local run)"
            )
        return None
    if not repo:
        return None
    if not env.token.isascii() or any(char.isspace() for char in env.token):
        # HTTP headers carry ASCII only: requests would fail with an encoding error, or the
        # token would be cut at a line break. Its value is never shown.
        raise ConfigError(
            "GITHUB_TOKEN holds a space, a line break or a non-ASCII character: copy the "
            "token again into the secret or the environment"
        )
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
