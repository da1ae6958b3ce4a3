"""The GitHub Actions files and the Dockerfile: linted, and checked for the promises in README."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTION_FILES = [*WORKFLOWS, ROOT / "action.yml"]
DEPENDABOT = ROOT / ".github" / "dependabot.yml"


def load(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not Path(found).exists():
        pytest.skip(f"{name} is not installed (pip install '.[dev]')")
    return found


def test_zizmor_finds_nothing() -> None:
    out = subprocess.run(
        [tool("zizmor"), "--offline", "--persona=pedantic", *map(str, [*ACTION_FILES, DEPENDABOT])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_workflows_match_githubs_schema() -> None:
    for schema, files in (
        ("vendor.github-workflows", WORKFLOWS),
        ("vendor.github-actions", [ROOT / "action.yml"]),
    ):
        out = subprocess.run(
            [tool("check-jsonschema"), "--builtin-schema", schema, *map(str, files)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert out.returncode == 0, out.stdout + out.stderr


def test_dockerfile_lints_clean() -> None:
    out = subprocess.run(
        [tool("hadolint"), str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_every_action_is_pinned_to_a_commit_with_its_version() -> None:
    for path in ACTION_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"\s*-?\s*uses:", line):
                assert re.search(r"@[0-9a-f]{40} # v\d+(\.\d+)*$", line), (
                    f"{path.name}: {line.strip()}"
                )


def test_update_workflow_schedule_permissions_and_safety() -> None:
    flow = load(ROOT / ".github" / "workflows" / "update.yml")
    triggers = flow["on"]
    assert "pull_request_target" not in triggers
    minute = triggers["schedule"][0]["cron"].split()[0]
    assert minute not in ("0", "*"), "scheduled on the hour"
    assert set(triggers["workflow_dispatch"]["inputs"]) == {"since", "dry_run"}
    assert flow["permissions"] == {}
    assert "vars.ARXIV_BOT_SCHEDULE == 'true'" in flow["jobs"]["update"]["if"]
    assert flow["concurrency"]["cancel-in-progress"] is False
    update = flow["jobs"]["update"]
    assert update["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert flow["jobs"]["health"]["permissions"] == {"contents": "read", "issues": "write"}
    assert flow["jobs"]["keepalive"]["permissions"] == {"actions": "write"}
    for job in flow["jobs"].values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), f"expression spliced into a shell line: {step}"


def test_action_never_splices_inputs_into_shell() -> None:
    action = load(ROOT / "action.yml")
    assert action["runs"]["using"] == "composite"
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", "")


def test_container_commands_work_in_this_environment() -> None:
    """The Dockerfile installs the package and runs `python -m bot schedule`: both must work."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'ENTRYPOINT ["python", "-P", "-m", "bot"]' in text and 'CMD ["schedule"]' in text
    assert "--require-hashes -r requirements/lock.txt" in text
    assert re.search(r"^USER \d+", text, re.M), "runs as a non-root user"
    out = subprocess.run(
        [sys.executable, "-m", "bot", "schedule", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--once-now" in out.stdout


def test_the_build_context_holds_only_what_the_image_needs() -> None:
    """An allow-list: a local .venv (hundreds of MB), .git or test data never reach it."""
    rules = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0] == "*"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    copied = re.findall(r"^COPY (\S+)", (ROOT / "Dockerfile").read_text(encoding="utf-8"), re.M)
    assert set(copied) <= allowed, "every COPY source must be let into the build context"


def test_dependabot_keeps_every_kind_of_pin_current() -> None:
    path = ROOT / ".github" / "dependabot.yml"
    out = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.dependabot", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    ecosystems = {u["package-ecosystem"] for u in load(path)["updates"]}
    assert ecosystems == {"pip", "docker", "github-actions"}
