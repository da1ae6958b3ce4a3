"""The run's outside world, read once: environment variables, ./.env, secrets and the clock.

`read_environment` is the only place the bot reads `os.environ` or the clock; the
commands receive an `Environment` and pass its values down. Nothing below them
looks at the process environment again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from msgspec import Struct, field
from msgspec.structs import replace

from bot.errors import ConfigError

DEFAULT_ARXIV_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_GITHUB_API_URL = "https://api.github.com"
# The CA bundle for arXiv over HTTPS: requests' two variables first (PyGithub honours them).
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")
# Environment variables that may hold a token: redacted from output, kept from the worker.
SECRET_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN", "ARXIV_BOT_GITHUB_TOKEN", "ARXIV_BOT_JUDGE_KEY")


class ArxivApi(Struct, frozen=True):
    """Where the arXiv API answers (ARXIV_API_URL), and the CA bundle HTTPS trusts there.

    `ca_file` is REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE or SSL_CERT_FILE, the first set
    (a PEM file or a folder of them); "" trusts certifi's bundle.
    """

    url: str = DEFAULT_ARXIV_API_URL
    ca_file: str = ""


class Environment(Struct, frozen=True):
    """What a run takes from outside its configuration.

    `now` is the run's one reading of the clock (UTC); `pinned_now` is ARXIV_BOT_NOW
    (tests and replays), kept so that a later run of the scheduler reads it again.
    `worker_variables` is the environment without the tokens, for the arXiv worker.
    """

    now: datetime
    token: str = ""
    repository: str = ""  # GITHUB_REPOSITORY, "owner/name"
    github_api_url: str = DEFAULT_GITHUB_API_URL
    arxiv_api: ArxivApi = ArxivApi()
    step_summary: str = ""  # GITHUB_STEP_SUMMARY: a file to append the run's summary to
    health_issue: str = ""  # ARXIV_BOT_HEALTH_ISSUE: "skip" leaves the issue to another job
    actions: bool = False  # GITHUB_ACTIONS: running in a GitHub Actions job
    pinned_now: str = ""
    judge_url: str = ""  # ARXIV_BOT_JUDGE_URL: overrides relevance.judge.endpoint
    judge_key: str = ""  # ARXIV_BOT_JUDGE_KEY: the model judge's API key
    worker_variables: Mapping[str, str] = field(default_factory=dict)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values to redact from every message."""
        return tuple(secret for secret in (self.token, self.judge_key) if secret)

    def later(self) -> Environment:
        """The same environment with the clock read again (for the next scheduled run)."""
        return replace(self, now=read_clock(self.pinned_now))


def read_environment(variables: Mapping[str, str] | None = None) -> Environment:
    """Read the variables (default: this process's, with ./.env loaded) and the clock.

    Raises ConfigError when ARXIV_BOT_NOW is set but not an ISO date-time.
    """
    if variables is None:
        variables = os.environ
    pinned = variables.get("ARXIV_BOT_NOW", "")
    repository = variables.get("GITHUB_REPOSITORY", "").strip()
    if repository and not is_repository_name(repository):
        raise ConfigError(f'GITHUB_REPOSITORY={repository!r} must look like "owner/name"')
    return Environment(
        now=read_clock(pinned),
        token=variables.get("GITHUB_TOKEN", "").strip(),
        repository=repository,
        github_api_url=web_address(variables, "GITHUB_API_URL", DEFAULT_GITHUB_API_URL),
        arxiv_api=ArxivApi(
            url=web_address(variables, "ARXIV_API_URL", DEFAULT_ARXIV_API_URL),
            ca_file=next((variables[n] for n in CA_VARIABLES if variables.get(n)), ""),
        ),
        step_summary=variables.get("GITHUB_STEP_SUMMARY", ""),
        health_issue=variables.get("ARXIV_BOT_HEALTH_ISSUE", ""),
        actions=variables.get("GITHUB_ACTIONS", "") == "true",
        pinned_now=pinned,
        judge_url=variables.get("ARXIV_BOT_JUDGE_URL", "").strip(),
        judge_key=variables.get("ARXIV_BOT_JUDGE_KEY", "").strip(),
        worker_variables={k: v for k, v in variables.items() if k not in SECRET_VARIABLES},
    )


def secret_values(variables: Mapping[str, str] | None = None) -> list[str]:
    """Every token-like variable's value (for redaction, before the environment is read)."""
    variables = os.environ if variables is None else variables
    return [variables.get(name, "") for name in SECRET_VARIABLES]


def is_repository_name(name: str) -> bool:
    """Whether `name` is a GitHub repository's "owner/name"."""
    return re.fullmatch(r"[\w.-]+/[\w.-]+", name) is not None


def web_address(variables: Mapping[str, str], name: str, default: str) -> str:
    """The http(s) address in variable `name` (else `default`); ConfigError names it."""
    value = variables.get(name) or default
    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # "http://[::1": a bracket that does not close
        ok = False
    if not ok:
        raise ConfigError(f"{name}={value[:80]!r} is not an http(s) address with a host")
    return value


def load_dotenv_file(env_file: Path) -> None:
    """Load `env_file` (the working directory's .env) into the process environment, if any.

    Raises ConfigError when it is not UTF-8 text."""
    if env_file.is_file():
        from dotenv import load_dotenv

        try:
            load_dotenv(env_file, override=False)
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"{env_file}: not UTF-8 text (byte {exc.start}); save it as UTF-8"
            ) from None


def read_clock(pinned: str) -> datetime:
    """The time now, in UTC, or the pinned ISO date-time (ARXIV_BOT_NOW) when one is given."""
    if pinned:
        try:
            value = datetime.fromisoformat(pinned.replace("Z", "+00:00"))
        except ValueError:
            raise ConfigError(f"ARXIV_BOT_NOW={pinned!r} is not an ISO date-time") from None
        if not 1991 <= value.year <= 9000:  # arXiv began in 1991; date sums need room
            raise ConfigError(f"ARXIV_BOT_NOW={pinned!r} is outside the years 1991 to 9000")
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.now(UTC)
