"""A small local run stays light: no GitHub client or requests, no worker process, no numpy.

Start-up is most of a daily run's CPU (benchmarks/daily.py): each of these costs a
noticeable share of it, and none is needed to update a local list of a few hundred
entries. A fresh interpreter tells what the run imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, record
from tests.fakes.arxiv_server import FakeArxiv

PROBE = """
import json, sys
from bot.cli import main
code = main(["run", "--dry-run", "--json", *sys.argv[1:]])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""
HEAVY = {"github", "jwt", "cryptography", "nacl", "numpy", "bot.worker", "requests", "urllib3"}
# GitHub mode's modules, the list-similarity signal (off as shipped) and the PR body.
UNUSED = {
    "bot.repository.github",
    "bot.repository.github_client",
    "bot.repository.github_publish",
    "bot.repository.github_rules",
    "bot.listsim",
    "bot.prbody",
}


@pytest.mark.parametrize("target", [["--target", "README.md"], []], ids=["target", "config"])
def test_a_small_local_run_imports_nothing_it_does_not_use(
    tmp_path: Path, target: list[str]
) -> None:
    config = (ROOT / "config.toml").read_text(encoding="utf-8")
    (tmp_path / "config.toml").write_text(
        config.replace("delay_seconds = 3.0", "delay_seconds = 0")
    )
    (tmp_path / "README.md").write_text("## Last Updated\n2025-01-01\n## Papers (0)\n")
    with FakeArxiv([record("2611.01234", "Sparse Autoencoders in the Residual Stream")]) as server:
        env = {**os.environ, "ARXIV_API_URL": server.url, "GITHUB_TOKEN": ""}
        for name in ("GITHUB_ACTIONS", "GITHUB_REPOSITORY"):  # local mode without --target
            env.pop(name, None)
        out = subprocess.run(
            [sys.executable, "-c", PROBE, *target],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    report = json.loads(out.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, out.stderr
    assert not HEAVY & set(report["modules"]), HEAVY & set(report["modules"])
    assert not UNUSED & set(report["modules"]), UNUSED & set(report["modules"])
