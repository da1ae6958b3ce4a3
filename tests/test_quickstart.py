"""The README's quickstart: a sample list outside tests/, a window a few weeks back, and
human output that shows every group (added, duplicates, rejected, borderline)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import ROOT, record
from tests.fakes.arxiv_server import FakeArxiv


def quickstart_command() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quickstart", 1)[1].split("## Command line", 1)[0]
    line = next(ln for ln in block.splitlines() if ln.startswith("python -m bot run"))
    return line.split()[3:]


def test_the_quickstart_uses_a_sample_outside_tests_and_a_window_weeks_back() -> None:
    args = quickstart_command()
    target = Path(args[args.index("--target") + 1])
    assert target.parts[0] == "examples" and (ROOT / target).is_file()
    assert "--dry-run" in args and re.fullmatch(r"\d+d", args[args.index("--since") + 1])


def test_the_quickstart_dry_run_shows_all_four_groups_and_changes_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    arxiv_server: FakeArxiv,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = (ROOT / "config.toml").read_text(encoding="utf-8")
    config = config.replace("delay_seconds = 3.0", "delay_seconds = 0")
    # Wide bands, so the groups do not hang on the shipped weights of the day: the
    # sparse-autoencoder paper scores far above 8, the probing one between 2 and 8, the
    # neuroscience one below 2.
    config = re.sub(r"(?m)^threshold = .*$", "threshold = 8.0", config, count=1)
    config = re.sub(r"(?m)^borderline_margin = .*$", "borderline_margin = 6.0", config, count=1)
    (tmp_path / "config.toml").write_text(config)
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARXIV_API_URL", arxiv_server.url)
    monkeypatch.setenv("ARXIV_BOT_NOW", "2026-11-21T09:00:00+00:00")
    arxiv_server.add(
        record("2611.00001", "Sparse Autoencoders Find Circuits in the Residual Stream"),
        record("2506.04373", "Mechanistic Decomposition of Sentence Representations"),
        record(
            "2611.00002",
            "Neurons of the Mouse Visual Cortex",
            abstract="Recordings of neurons in brain areas of mice: a spike train analysis.",
            primary_category="q-bio.NC",
            categories=("q-bio.NC",),
        ),
        record(
            "2611.00003",
            "Probing Neurons of a Language Model",
            abstract="We probe hidden states of a language model.",
            published="2026-11-05",
        ),
    )
    before = (tmp_path / "examples/awesome-mechanistic-interpretability.md").read_bytes()
    assert main(quickstart_command()) == 0
    out = capsys.readouterr().out
    for group in ("would add:", "duplicates (already listed", "rejected (off-topic)", "borderline"):
        assert group in out, out
    assert "2506.04373" in out.split("duplicates", 1)[1]
    assert (tmp_path / "examples/awesome-mechanistic-interpretability.md").read_bytes() == before
    assert not (tmp_path / "state").exists()
