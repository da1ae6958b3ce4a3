from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest

from bot.config import SECTIONS, load_config
from bot.errors import ConfigError
from tests.conftest import ROOT


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    message = str(info.value)
    assert "\n" not in message
    return message


def test_shipped_config_loads() -> None:
    config = load_config(ROOT / "config.toml")
    assert config.arxiv.delay_seconds == 3.0
    assert config.target.section == "Papers"
    assert config.github.repo == ""  # GitHub Actions supplies GITHUB_REPOSITORY


def test_unknown_key_names_key_and_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[arxiv]\nqueries = ["x"]\n\nmax_resluts = 5\n')
    assert "config.toml:4" in message and "arxiv.max_resluts" in message


def test_unknown_section(tmp_path: Path) -> None:
    assert "unknown section [arxvi]" in error_of(tmp_path, "[arxvi]\nx = 1\n")


def test_wrong_type(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[arxiv]\nqueries = ["x"]\npage_size = "ten"\n')
    assert "config.toml:3" in message and "arxiv.page_size" in message and "whole number" in message


def test_bad_toml(tmp_path: Path) -> None:
    assert "invalid TOML" in error_of(tmp_path, "[arxiv\n")


def test_bad_regex_phrase(tmp_path: Path) -> None:
    message = error_of(
        tmp_path, '[arxiv]\nqueries = ["x"]\n[relevance.phrases]\n"re:(unclosed" = 2\n'
    )
    assert "relevance.phrases" in message and "regular expression" in message


def test_bad_template(tmp_path: Path) -> None:
    message = error_of(
        tmp_path, '[arxiv]\nqueries = ["x"]\n[target]\nentry_template = "- {titel}"\n'
    )
    assert "target.entry_template" in message and "{titel}" in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_every_key_is_documented_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for section, cls in SECTIONS.items():
        for f in msgspec.structs.fields(cls):
            assert f"`{section}.{f.name}`" in readme, f"{section}.{f.name} is not in README.md"


def test_every_cli_flag_is_documented_in_readme_and_help() -> None:
    from bot.cli import build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, sub in subparsers.choices.items():  # type: ignore[attr-defined]
        assert f"python -m bot {name}" in readme
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help" and action.help != "==SUPPRESS==":
                    assert re.search(rf"`{re.escape(flag)}\b", readme), (
                        f"{name} {flag} missing in README"
                    )
                    assert flag in sub.format_help()


def test_bad_cron_is_caught_on_load(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[arxiv]\nqueries = ["x"]\n[schedule]\ncron = "61 6 * * *"\n')
    assert "config.toml:4" in message and "schedule.cron" in message


def test_bad_timezone_is_caught_on_load(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[arxiv]\nqueries = ["x"]\n[schedule]\ntimezone = "Mars/Base"\n')
    assert "schedule.timezone" in message and "Mars/Base" in message


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("file", "../other/README.md", "no '..'"),
        ("file", "/etc/passwd", "relative to the list's repository"),
        ("file", "docs/../../x.md", "no '..'"),
        ("state_file", "/var/lib/state.json", "relative to the list's repository"),
        ("state_file", "..\\\\state.json", "no '..'"),
        ("state_file", "C:/state.json", "relative to the list's repository"),
        ("state_file", "state/", "not a folder"),
    ],
)
def test_target_paths_stay_inside_the_repository(
    tmp_path: Path, key: str, value: str, problem: str
) -> None:
    message = error_of(tmp_path, f'[arxiv]\nqueries = ["x"]\n[target]\n{key} = "{value}"\n')
    assert f"config.toml:4: 'target.{key}'" in message and problem in message


def test_nested_relative_target_paths_are_fine(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, '[arxiv]\nqueries = ["x"]\n[target]\nfile = "docs/LIST.md"\n')
    )
    assert config.target.file == "docs/LIST.md"


@pytest.mark.parametrize("token", ["ghp_abc\ndef", "ghp_abc def", "ghp_abcé"])
def test_a_token_that_cannot_be_sent_is_one_line_that_never_shows_it(token: str) -> None:
    from bot.config import Config
    from bot.environment import read_environment
    from bot.errors import ConfigError
    from bot.repository.settings import github_settings

    env = read_environment({"GITHUB_TOKEN": token, "GITHUB_REPOSITORY": "octo/list"})
    with pytest.raises(ConfigError) as info:
        github_settings(Config(), env)
    assert "GITHUB_TOKEN holds a space, a line break or a non-ASCII" in str(info.value)
    assert token not in str(info.value) and "abc" not in str(info.value)


def test_a_pinned_clock_with_an_offset_is_read_in_utc() -> None:
    from datetime import UTC, datetime

    from bot.environment import read_clock

    # 08:00 in Tokyo is 23:00 UTC the day before: "today" is the UTC date.
    assert read_clock("2026-12-01T08:00:00+09:00") == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert read_clock("2026-12-01T08:00:00+09:00").date().isoformat() == "2026-11-30"


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[arxiv]\ntimeout_seconds = nan", "'arxiv.timeout_seconds' must be a finite number"),
        ("[arxiv]\ndelay_seconds = inf", "'arxiv.delay_seconds' must be a finite number"),
        ("[arxiv]\ndelay_seconds = 1e300", "'arxiv.delay_seconds' must be at most 3600"),
        ("[arxiv]\nlookback_days = 99999999999", "'arxiv.lookback_days' must be at most 36500"),
        ('[arxiv]\nqueries = ["", "  "]', "'arxiv.queries' has an empty query"),
        ("[relevance]\nthreshold = nan", "'relevance.threshold' must be a finite number"),
        ('[relevance.phrases]\n"probe" = nan', "'relevance.phrases.\"probe\"' must be a finite"),
        ('[github]\naudit_branch = "arxiv-bot/updates"', "'github.audit_branch' is 'arxiv-bot/"),
        ('[github]\naudit_branch = ""', "'github.audit_branch' must not be empty"),
        ('[github]\naudit_branch = "bad..name~"', "is not a valid branch name"),
        ('[target]\nstamp_format = "%Q %"', "'target.stamp_format' '%Q %' is not a date format"),
        ('[target]\nstamp_format = "no date"', "is not a date format the bot can write"),
        ('[target]\nstate_file = "state"', "'target.state_file' must name a .json file"),
    ],
)
def test_a_value_no_run_can_use_is_refused_at_load(
    tmp_path: Path, toml: str, expected: str
) -> None:
    # Each was accepted: nan thresholds rejected every paper, an infinite pause hung the
    # run, an audit branch equal to the base was force-pushed, "%Q %" became the stamp.
    if "queries" not in toml:
        toml = (
            toml.replace("[arxiv]\n", '[arxiv]\nqueries = ["sae"]\n')
            if toml.startswith("[arxiv]")
            else '[arxiv]\nqueries = ["sae"]\n' + toml
        )
    message = error_of(tmp_path, toml)
    assert expected in message and "\n" not in message


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"ARXIV_API_URL": "notaurl"}, "ARXIV_API_URL='notaurl' is not an http(s) address"),
        ({"ARXIV_API_URL": "ftp://example.org/api"}, "ARXIV_API_URL='ftp://"),
        ({"ARXIV_API_URL": "http://[::1"}, "ARXIV_API_URL='http://[::1'"),
        ({"GITHUB_API_URL": "notaurl"}, "GITHUB_API_URL='notaurl'"),
        ({"GITHUB_REPOSITORY": "a/b/c"}, "GITHUB_REPOSITORY='a/b/c' must look like"),
        ({"ARXIV_BOT_NOW": "0001-01-01"}, "outside the years 1991 to 9000"),
    ],
)
def test_a_malformed_variable_is_one_line_naming_it(
    variables: dict[str, str], expected: str
) -> None:
    from bot.environment import read_environment
    from bot.errors import ConfigError

    with pytest.raises(ConfigError) as raised:
        read_environment(variables)
    assert expected in str(raised.value) and "\n" not in str(raised.value)
