"""The reusable action's steps, run as the runner would, against the local stand-ins.

No runner exists here: the shell steps of action.yml run as bash scripts with the
environment their `env:` blocks give, and the Actions cache is played by a folder
(restore copies the newest saved entry in, save copies the paths out). Each run gets
a fresh checkout, as each Actions job does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.conftest import ROOT
from tests.fakes.arxiv_server import FakeArxiv, Fault
from tests.fakes.github_server import NAME, OWNER, FakeGitHub

TOKEN = "ghp_" + "1" * 36
LIST = "## Last Updated\n2025-01-01\n\n## Papers (0)\n"
ACTION = YAML(typ="safe").load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]


def expression(text: str, values: dict[str, str]) -> str:
    """Replace `${{ name }}` with its value; a name the test does not know fails it."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        assert name in values, f"action.yml uses ${{{{ {name} }}}}: add it to the test"
        return values[name]

    return re.sub(r"\$\{\{(.*?)\}\}", value, str(text))


class Runner:
    """Plays the steps of action.yml in one checkout; `cache` outlives the checkouts."""

    def __init__(
        self,
        tmp: Path,
        env: dict[str, str],
        inputs: dict[str, str],
        state_file: str = "state/state.json",
    ) -> None:
        self.state_file = state_file
        self.cache = tmp / "actions-cache"
        self.cache.mkdir()
        self.tmp = tmp
        self.env = env
        defaults = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
        self.inputs = {f"inputs.{k}": v for k, v in (defaults | inputs).items()}
        self.runs = 0
        # `python` on the PATH is this interpreter (the one with the dependencies).
        self.bin = tmp / "bin"
        self.bin.mkdir()
        python = self.bin / "python"
        python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
        python.chmod(0o755)

    def job(self) -> subprocess.CompletedProcess[str] | None:
        """One job: a fresh checkout of the list repository, then every step."""
        self.runs += 1
        checkout = self.tmp / f"checkout-{self.runs}"
        checkout.mkdir()
        config = (ROOT / "config.toml").read_text(encoding="utf-8")
        config = config.replace("delay_seconds = 3.0", "delay_seconds = 0")
        config = config.replace("backoff_seconds = 2.0", "backoff_seconds = 0")
        config = config.replace("write_delay_seconds = 1.0", "write_delay_seconds = 0")
        config = config.replace(
            'state_file = "state/state.json"', f'state_file = "{self.state_file}"'
        )
        (checkout / self.inputs["inputs.config"]).write_text(config, encoding="utf-8")
        values = {
            **self.inputs,
            "github.action_path": str(ROOT),
            "github.run_id": str(1000 + self.runs),
            "github.run_attempt": "1",
            "runner.os": "Linux",
            "steps.lock.outputs.hash": "0123456789abcdef",
        }
        result = None
        failed = False
        for step in STEPS:
            if failed and "always()" not in str(step.get("if", "")):
                continue
            outcome = self.step(step, checkout, values)
            if outcome is not None:
                result = outcome
                failed = failed or outcome.returncode != 0
        return result

    def step(
        self, step: dict[str, Any], checkout: Path, values: dict[str, str]
    ) -> subprocess.CompletedProcess[str] | None:
        uses = str(step.get("uses", ""))
        with_ = {k: expression(v, values) for k, v in (step.get("with") or {}).items()}
        if uses.startswith("actions/cache/restore@"):
            self.restore(checkout, with_)
        elif uses.startswith("actions/cache/save@"):
            self.save(checkout, with_)
        elif step.get("name") == "Run the bot":
            env = {k: expression(v, values) for k, v in (step.get("env") or {}).items()}
            return subprocess.run(
                ["bash", "-e", "-c", str(step["run"])],
                cwd=checkout,
                env={**self.env, **env, "PATH": f"{self.bin}:{os.environ['PATH']}"},
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        # setup-python, the pip cache and the install need a runner and PyPI: the test
        # environment already has the dependencies (their commands are checked below).
        return None

    def restore(self, checkout: Path, with_: dict[str, str]) -> None:
        """Exact key, else the newest entry whose key starts with a restore key."""
        entries = sorted(self.cache.iterdir(), key=lambda p: p.stat().st_mtime_ns)
        prefixes = [with_["key"], *with_.get("restore-keys", "").split()]
        for prefix in prefixes:
            found = [e for e in entries if e.name.startswith(prefix)]
            if found:
                shutil.copytree(found[-1], checkout, dirs_exist_ok=True)
                return

    def save(self, checkout: Path, with_: dict[str, str]) -> None:
        entry = self.cache / with_["key"]
        assert not entry.exists(), "a cache key is saved once: it must differ per run"
        for pattern in with_["path"].split():  # glob patterns, "**" any folders (or none)
            for found in checkout.glob(pattern):
                path = found.relative_to(checkout)
                (entry / path).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(found, entry / path)
        entry.mkdir(exist_ok=True)


@pytest.mark.parametrize(
    ("config", "state_file"),
    [("config.toml", "state/state.json"), ("circuits.toml", "state/circuits/state.json")],
)
def test_three_failing_runs_in_fresh_checkouts_open_the_health_issue(
    tmp_path: Path, config: str, state_file: str
) -> None:
    # The second case is a list with a state folder of its own (as `init` writes for a
    # list other than README.md): its count lives in state/circuits/health.json.
    with FakeArxiv() as arxiv, FakeGitHub(TOKEN, {"README.md": LIST}) as github:
        arxiv.script(*[Fault(status=503)] * 60)  # arXiv down for every try of every run
        env = {
            **os.environ,
            "GITHUB_REPOSITORY": f"{OWNER}/{NAME}",
            "GITHUB_API_URL": github.url,
            "ARXIV_API_URL": arxiv.url,
            "ARXIV_BOT_NOW": "2026-11-21T09:00:00+00:00",
        }
        env.pop("GITHUB_TOKEN", None)
        runner = Runner(tmp_path, env, {"github-token": TOKEN, "config": config}, state_file)
        outcomes = []
        for _ in range(3):
            result = runner.job()
            assert result is not None
            outcomes.append(result)
            assert result.returncode == 1, result.stderr
            assert "error: arXiv API failed" in result.stderr
            assert TOKEN not in result.stdout + result.stderr
            issues = [i for i in github.issues if i.state == "open"]
            assert len(issues) == (1 if runner.runs == 3 else 0), runner.runs
    issue = github.issues[0]
    assert "health" in " ".join(issue.labels) or issue.labels
    assert "3" in issue.body  # the count reached the threshold across checkouts


def test_an_entry_saved_before_keys_named_the_config_is_still_restored(tmp_path: Path) -> None:
    # Upgrading the action must not drop the run store and the failure count once.
    runner = Runner(tmp_path, dict(os.environ), {"github-token": TOKEN})
    old = runner.cache / "arxiv-bot-health-1000-1" / "state"
    old.mkdir(parents=True)
    (old / "health.json").write_text('{"consecutive_failures": 2}', encoding="utf-8")
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    restore = next(s for s in STEPS if str(s.get("uses", "")).startswith("actions/cache/restore@"))
    values = {**runner.inputs, "github.run_id": "2000", "github.run_attempt": "1"}
    runner.step(restore, checkout, values)
    assert (checkout / "state" / "health.json").read_text(encoding="utf-8").endswith("2}")


def test_the_action_installs_from_the_lock_and_execs_the_bot() -> None:
    install = next(s for s in STEPS if "pip install" in str(s.get("run", "")))
    assert "--require-hashes" in install["run"] and "requirements/lock.txt" in install["run"]
    cached = [s for s in STEPS if str(s.get("uses", "")).startswith("actions/cache@")]
    assert cached and "~/.cache/pip" in cached[0]["with"]["path"]
    run = next(s for s in STEPS if s.get("name") == "Run the bot")
    assert re.search(r"^\s*exec python ", run["run"], re.M), "signals must reach the bot"
    save = next(s for s in STEPS if str(s.get("uses", "")).startswith("actions/cache/save@"))
    assert save["if"] == "always()"  # a failed run's count must be kept too
    assert STEPS.index(save) > STEPS.index(run)


@pytest.mark.parametrize("job", ["update", "health"])
def test_the_workflow_installs_from_the_lock_with_a_pip_cache(job: str) -> None:
    flow = YAML(typ="safe").load(
        (ROOT / ".github" / "workflows" / "update.yml").read_text(encoding="utf-8")
    )
    steps = flow["jobs"][job]["steps"]
    setup = next(s for s in steps if "setup-python" in str(s.get("uses", "")))
    assert setup["with"]["cache"] == "pip"
    assert setup["with"]["cache-dependency-path"] == "requirements/lock.txt"
    installs = [s["run"] for s in steps if "pip install" in str(s.get("run", ""))]
    assert installs and all("--require-hashes -r requirements/lock.txt" in i for i in installs)
    assert flow["jobs"][job]["timeout-minutes"] <= 30
