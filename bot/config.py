"""Load and validate config.toml into frozen records (msgspec.Struct).

Every problem is reported as one line naming the file, the key (with its line
when it can be found) and what is wrong, so a maintainer can fix it without
reading code.
"""

from __future__ import annotations

import math
import re
import tomllib
import types
import typing
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
from msgspec import Struct, field

from bot.environment import is_repository_name
from bot.errors import ConfigError
from bot.listdoc.template import entry_template_problem
from bot.together import together_problem


class ArxivConfig(Struct, frozen=True):
    queries: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    max_results: int = 2000
    page_size: int = 200
    delay_seconds: float = 3.0
    timeout_seconds: float = 30.0
    max_retries: int = 4
    lookback_days: int = 7
    overlap_days: int = 4
    sweep_every_days: int = 7
    sweep_days: int = 60
    contact: str = ""


class DedupeConfig(Struct, frozen=True):
    title_threshold: float = 90.0


JUDGE_SCOPES = ("borderline", "all")
GITHUB_MODELS_URL = "https://models.github.ai/inference"


class JudgeConfig(Struct, frozen=True):
    """`[relevance.judge]`: an optional model asked about papers (an OpenAI-compatible API)."""

    enabled: bool = False
    endpoint: str = GITHUB_MODELS_URL  # base URL; `/chat/completions` is appended
    model: str = "openai/gpt-4.1-mini"
    topic: str = ""
    batch_size: int = 10
    timeout_seconds: float = 30.0
    scope: str = "borderline"


class RelevanceConfig(Struct, frozen=True):
    threshold: float = 4.0
    borderline_margin: float = 2.0
    title_multiplier: float = 1.5
    cross_list_factor: float = 0.5
    claim_cap: float = 3.0
    generic_cap: float = 2.0
    min_evidence: float = 0.0
    list_similarity_weight: float = 0.0
    list_similarity_low: float = 0.15
    list_similarity_high: float = 0.25
    phrases: dict[str, float] = field(default_factory=dict)
    claims: dict[str, float] = field(default_factory=dict)
    generic: dict[str, float] = field(default_factory=dict)
    together: dict[str, float] = field(default_factory=dict)
    categories: dict[str, float] = field(default_factory=dict)
    judge: JudgeConfig = field(default_factory=JudgeConfig)


class TargetConfig(Struct, frozen=True):
    file: str = "README.md"
    section: str = "Papers"
    last_updated_heading: str = "Last Updated"
    entry_template: str = "- [{title}]({url})"
    position: str = "top"
    stamp_format: str = ""
    state_file: str = "state/state.json"
    placeholder: str = "-"
    default_venue: str = "arXiv"
    sections: dict[str, tuple[str, ...]] = field(default_factory=dict)


class GithubConfig(Struct, frozen=True):
    repo: str = ""
    branch: str = "arxiv-bot/updates"
    audit_branch: str = "arxiv-bot/audit"
    base: str = ""
    pr_title: str = "arXiv bot: new papers"
    labels: tuple[str, ...] = ("arxiv-bot",)
    draft: bool = False
    max_retries: int = 4
    backoff_seconds: float = 2.0
    write_delay_seconds: float = 0.0


class ScheduleConfig(Struct, frozen=True):
    cron: str = "17 6 * * mon-fri"
    timezone: str = "UTC"


class EnrichConfig(Struct, frozen=True):
    enabled: bool = False
    huggingface_url: str = "https://huggingface.co/api/papers"
    semantic_scholar_url: str = "https://api.semanticscholar.org/graph/v1/paper"
    timeout_seconds: float = 10.0
    delay_seconds: float = 1.0
    max_lookups: int = 100


class HealthConfig(Struct, frozen=True):
    failures_before_issue: int = 3
    label: str = "arxiv-bot-health"


class RunConfig(Struct, frozen=True):
    time_budget_seconds: float = 1200.0  # bounds every wait a server asks for, in one run
    worker_min_entries: int = 10_000  # from this many list lines on, fetch in a second process


class Config(Struct, frozen=True):
    arxiv: ArxivConfig = field(default_factory=ArxivConfig)
    dedupe: DedupeConfig = field(default_factory=DedupeConfig)
    relevance: RelevanceConfig = field(default_factory=RelevanceConfig)
    target: TargetConfig = field(default_factory=TargetConfig)
    github: GithubConfig = field(default_factory=GithubConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    health: HealthConfig = field(default_factory=HealthConfig)
    enrich: EnrichConfig = field(default_factory=EnrichConfig)
    run: RunConfig = field(default_factory=RunConfig)
    path: Path = Path("config.toml")


SECTIONS: dict[str, type[Any]] = {
    "arxiv": ArxivConfig,
    "dedupe": DedupeConfig,
    "relevance": RelevanceConfig,
    "target": TargetConfig,
    "github": GithubConfig,
    "schedule": ScheduleConfig,
    "health": HealthConfig,
    "enrich": EnrichConfig,
    "run": RunConfig,
}


def load_config(path: Path) -> Config:
    """Read, parse and validate the configuration file at `path`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: configuration file not found (pass --config PATH or create it)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return parse_config(raw, path, text)


def parse_config(raw: dict[str, Any], path: Path, text: str = "") -> Config:
    """Validate an already-parsed TOML document."""
    sections: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in SECTIONS:
            known = ", ".join(f"[{s}]" for s in SECTIONS)
            raise ConfigError(
                f"{_where(path, text, name, None)}: unknown section [{name}] (known: {known})"
            )
        if not isinstance(value, dict):
            raise ConfigError(f"{_where(path, text, name, None)}: [{name}] must be a table")
        sections[name] = _build_section(SECTIONS[name], name, value, path, text)
    config = Config(**sections, path=path)
    _check_semantics(config, path, text)
    return config


def _build_section(
    cls: type[Any], section: str, values: dict[str, Any], path: Path, text: str
) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in msgspec.structs.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(
                f"{_where(path, text, section, key)}: unknown key '{section}.{key}'"
                f" (known: {', '.join(sorted(known))})"
            )
        name = f"{section}.{key}"
        if isinstance(hints[key], type) and issubclass(hints[key], msgspec.Struct):  # [a.b]
            if not isinstance(value, dict):
                raise ConfigError(f"{_where(path, text, section, key)}: [{name}] must be a table")
            kwargs[key] = _build_section(hints[key], name, value, path, text)
            continue
        try:
            kwargs[key] = _coerce(value, hints[key], name)
        except ConfigError as exc:  # the line is looked up only for an error: it is slow
            raise ConfigError(f"{_where(path, text, section, key)}: {exc}") from None
    return cls(**kwargs)


def _coerce(value: Any, hint: Any, key: str) -> Any:
    """`value` as the type `hint`; ConfigError says what is wrong (the caller adds where)."""
    origin = typing.get_origin(hint)
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"'{key}' must be true or false, got {value!r}")
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ConfigError(f"'{key}' must be a whole number, got {value!r}")
    if hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value):  # TOML has nan and inf: no threshold or pause means them
                raise ConfigError(f"'{key}' must be a finite number, got {value!r}")
            return float(value)
        raise ConfigError(f"'{key}' must be a number, got {value!r}")
    if hint is str:
        if isinstance(value, str):
            return value
        raise ConfigError(f"'{key}' must be a string, got {value!r}")
    if origin is tuple:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise ConfigError(f"'{key}' must be a list of strings, got {value!r}")
    if origin is dict and typing.get_args(hint)[1] is not float:
        if not isinstance(value, dict) or not all(
            isinstance(v, list) and all(isinstance(p, str) for p in v) for v in value.values()
        ):
            raise ConfigError(f'\'{key}\' must be a table of "Section" = ["phrase", ...]')
        return {name: tuple(phrases) for name, phrases in value.items()}
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"'{key}' must be a table of \"phrase\" = weight")
        for name, weight in value.items():
            if isinstance(weight, bool) or not isinstance(weight, int | float):
                raise ConfigError(f"'{key}.\"{name}\"' must be a number (a weight), got {weight!r}")
            if not math.isfinite(weight):
                raise ConfigError(f"'{key}.\"{name}\"' must be a finite number, got {weight!r}")
        return {name: float(weight) for name, weight in value.items()}
    if isinstance(hint, types.UnionType):  # pragma: no cover - no optional keys yet
        return value
    raise AssertionError(f"unsupported config type {hint!r}")  # pragma: no cover


def _check_semantics(config: Config, path: Path, text: str) -> None:
    def fail(section: str, key: str, problem: str) -> typing.NoReturn:
        raise ConfigError(f"{_where(path, text, section, key)}: '{section}.{key}' {problem}")

    a = config.arxiv
    if not a.queries:
        fail("arxiv", "queries", "must list at least one phrase or arXiv query")
    if any(not query.strip() for query in a.queries):
        fail("arxiv", "queries", "has an empty query: remove it, or write the phrase")
    if not 1 <= a.page_size <= 2000:
        fail("arxiv", "page_size", "must be between 1 and 2000 (the arXiv API's page limit)")
    if not 1 <= a.max_results <= 30000:
        fail("arxiv", "max_results", "must be between 1 and 30000 (the arXiv API's limit)")
    for key in ("delay_seconds", "timeout_seconds"):
        if getattr(a, key) < 0:
            fail("arxiv", key, "must not be negative")
    if a.timeout_seconds == 0:
        fail("arxiv", "timeout_seconds", "must be above 0, or a hung connection hangs the run")
    for key in ("delay_seconds", "timeout_seconds"):
        if getattr(a, key) > 3600:
            fail("arxiv", key, "must be at most 3600 (an hour)")
    for key in ("max_retries", "lookback_days", "overlap_days", "sweep_every_days", "sweep_days"):
        if getattr(a, key) < 0:
            fail("arxiv", key, "must not be negative")
        if getattr(a, key) > 36500:  # arXiv began in 1991: more reaches past any date
            fail("arxiv", key, "must be at most 36500")
    if not 0 < config.dedupe.title_threshold <= 100:
        fail("dedupe", "title_threshold", "must be above 0 and at most 100")
    r = config.relevance
    if r.borderline_margin < 0:
        fail("relevance", "borderline_margin", "must not be negative")
    for key in ("claim_cap", "generic_cap", "min_evidence", "list_similarity_weight"):
        if getattr(r, key) < 0:
            fail("relevance", key, "must not be negative")
    if r.list_similarity_weight > r.borderline_margin:
        fail(
            "relevance",
            "list_similarity_weight",
            f"must not exceed relevance.borderline_margin ({r.borderline_margin:g}): the list's"
            " similarity may lift a borderline paper, never outvote the explained score",
        )
    if not 0 <= r.list_similarity_low < r.list_similarity_high <= 1:
        fail(
            "relevance", "list_similarity_low", "and list_similarity_high need 0 <= low < high <= 1"
        )
    for key in ("phrases", "claims", "generic"):
        for phrase in getattr(r, key):
            problem = phrase_problem(phrase)
            if problem:
                fail("relevance", key, f"has a bad phrase {phrase!r}: {problem}")
    for rule in r.together:
        problem = together_problem(rule)
        if problem:
            fail("relevance", "together", f"has a bad rule {rule!r}: {problem}")
    for pattern in r.categories:
        if not re.fullmatch(r"[A-Za-z-]+(\.[A-Za-z-]+)?(\.\*)?|[A-Za-z-]+\.\*|\*", pattern):
            fail(
                "relevance",
                "categories",
                f"has a bad category pattern {pattern!r} (use cs.LG or q-bio.*)",
            )
    _check_judge(r.judge, fail)
    t = config.target
    for key in ("file", "state_file"):
        problem = relative_path_problem(getattr(t, key))
        if problem:
            fail("target", key, problem)
    if not t.state_file.endswith(".json"):  # "state" wrote its neighbours into the root
        fail("target", "state_file", "must name a .json file, such as state/state.json")
    if t.position not in ("top", "bottom"):
        fail("target", "position", f'must be "top" or "bottom", got {t.position!r}')
    for section, phrases in t.sections.items():
        for phrase in phrases:
            problem = phrase_problem(phrase)
            if problem:
                fail(
                    "target", "sections", f"has a bad phrase {phrase!r} for {section!r}: {problem}"
                )
    template_problem = entry_template_problem(t.entry_template)
    if template_problem:
        fail("target", "entry_template", template_problem)
    if t.stamp_format and not stamp_format_works(t.stamp_format):
        fail(
            "target",
            "stamp_format",
            f"{t.stamp_format!r} is not a date format the bot can write and read back "
            '(strftime directives, e.g. "%B %-d, %Y")',
        )
    if not t.section.strip():
        fail("target", "section", "must name the heading the papers go under")
    if config.github.repo and not is_repository_name(config.github.repo):
        fail("github", "repo", f'must look like "owner/name", got {config.github.repo!r}')
    for key in ("branch", "audit_branch"):
        problem = branch_name_problem(getattr(config.github, key))
        if problem:
            fail("github", key, problem)
    if config.github.audit_branch in (config.github.base, config.github.branch):
        fail(
            "github",
            "audit_branch",
            f"is {config.github.audit_branch!r}, the "
            f"{'base' if config.github.audit_branch == config.github.base else 'update'} "
            "branch: audit force-pushes its clean-up there; give it a branch of its own "
            "(default arxiv-bot/audit)",
        )
    if config.github.branch == config.github.base:
        fail(
            "github",
            "branch",
            f"is {config.github.branch!r}, the base branch: the bot would push to it without "
            "review; give the bot a branch of its own (default arxiv-bot/updates)",
        )
    if config.enrich.timeout_seconds <= 0:
        fail("enrich", "timeout_seconds", "must be above 0")
    if config.enrich.delay_seconds < 0 or config.enrich.max_lookups < 0:
        fail(
            "enrich",
            "delay_seconds" if config.enrich.delay_seconds < 0 else "max_lookups",
            "must not be negative",
        )
    if config.run.time_budget_seconds <= 0:
        fail("run", "time_budget_seconds", "must be above 0 (seconds a run may spend waiting)")
    if config.run.worker_min_entries < 0:
        fail("run", "worker_min_entries", "must not be negative (0 = always a second process)")
    if config.health.failures_before_issue < 1:
        fail("health", "failures_before_issue", "must be at least 1")
    # The default schedule is valid (a test parses it): only a changed one is worth
    # loading cronsim for at every start.
    if config.schedule != ScheduleConfig():
        try:
            from bot.cron import parse_cron

            parse_cron(config.schedule.cron, config.schedule.timezone)
        except ConfigError as exc:  # its message names the key and the problem
            key = "timezone" if "schedule.timezone" in str(exc) else "cron"
            raise ConfigError(f"{_where(path, text, 'schedule', key)}: {exc}") from None
    for key in ("max_retries", "backoff_seconds", "write_delay_seconds"):
        if getattr(config.github, key) < 0:
            fail("github", key, "must not be negative")


def _check_judge(j: JudgeConfig, fail: Callable[[str, str, str], typing.NoReturn]) -> None:
    section = "relevance.judge"
    if j.scope not in JUDGE_SCOPES:
        fail(section, "scope", f'must be "borderline" or "all", got {j.scope!r}')
    if j.batch_size < 1:
        fail(section, "batch_size", "must be at least 1")
    if j.timeout_seconds <= 0:
        fail(section, "timeout_seconds", "must be above 0, or a hung connection hangs the run")
    if not re.match(r"https?://[^/\s]+", j.endpoint):
        fail(section, "endpoint", f"must be an http(s) URL, got {j.endpoint!r}")
    if j.enabled and not j.model.strip():
        fail(section, "model", "must name the model to ask (for example openai/gpt-4.1-mini)")
    if j.enabled and not j.topic.strip():
        fail(section, "topic", "must describe the list's topic in a sentence or two")


def relative_path_problem(value: str) -> str:
    """Why `value` cannot name a file inside the list's repository, or "" when it can.

    The same path is a file in the working directory (local mode) and in the repository
    (GitHub mode), so it must be relative and stay inside: no `..`, no absolute path.
    """
    parts = re.split(r"[\\/]", value)
    if not value.strip():
        return "must name a file"
    if value.startswith(("/", "\\", "~")) or re.match(r"[A-Za-z]:", value):
        return f"must be a path relative to the list's repository, got {value!r}"
    if ".." in parts:
        return f"must stay inside the list's repository (no '..'), got {value!r}"
    if not parts[-1] or parts[-1] == ".":
        return f"must name a file, not a folder, got {value!r}"
    return ""


def phrase_problem(phrase: str) -> str:
    """Return why a relevance phrase is unusable, or "" when it is fine."""
    if phrase.startswith("re:"):
        try:
            re.compile(phrase[3:])
        except re.error as exc:
            return f"invalid regular expression ({exc})"
        return ""
    if not phrase.strip():
        return "empty phrase"
    return ""


def _where(path: Path, text: str, section: str, key: str | None) -> str:
    line = _line_of(text, section, key)
    return f"{path}:{line}" if line else str(path)


def _line_of(text: str, section: str, key: str | None) -> int | None:
    """Best-effort line number of `key` inside `[section]` (tomllib keeps no positions)."""
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.fullmatch(r"\[\s*([^\[\]]+?)\s*\]", stripped)
        if header:
            current = header.group(1)
            if key is None and current == section:
                return number
            continue
        if key is not None and section in (current, current.split(".")[0]):
            name = re.match(r"[\"']?([\w.-]+)[\"']?\s*=", stripped)
            if name and name.group(1) == key:
                return number
    return None


def branch_name_problem(name: str) -> str:
    """Why `name` cannot be a branch (git check-ref-format's rules), or ""."""
    if not name.strip():
        return "must not be empty"
    if (
        re.search(r"[\s~^:?*\[\\]|\.\.|@\{|//", name)
        or name.startswith(("/", "-", "."))
        or name.endswith(("/", ".", ".lock"))
    ):
        return f"{name!r} is not a valid branch name (git check-ref-format)"
    return ""


def stamp_format_works(fmt: str) -> bool:
    """Whether a date written in `fmt` reads back (a stray "%Q" would be written as is)."""
    from bot.listdoc.stamp import render_stamp

    when = datetime(2026, 11, 21, 9, 30, 5)
    readable = re.sub(r"%-([dmIH])", r"%\1", fmt)
    if not re.search(r"%[a-zA-Z]", readable):  # no date at all: the stamp would be this text
        return False
    try:
        datetime.strptime(render_stamp(fmt, when), readable)
    except ValueError:
        return False
    return True
