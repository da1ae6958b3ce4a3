"""arXiv retitles a listed paper in a new version: the list line is edited, not duplicated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import TargetConfig
from bot.models import TitleChange
from bot.render import retitle_entries
from tests.conftest import record
from tests.fakes.arxiv_server import FakeArxiv

LIST = """# List

## Last Updated
2025-01-01

## Papers (3)
- [Old Title of a Circuit Paper](https://arxiv.org/abs/2611.00001)
- [A Title the Maintainer Reworded](https://arxiv.org/abs/2611.00002)
- [Hand-Added Paper \\[v1\\]](https://arxiv.org/abs/2611.00003)
"""
STATE = {
    "version": 1,
    "watermark": "2026-11-15",
    "papers": [
        {
            "id": "2611.00001",
            "title": "Old Title of a Circuit Paper",
            "status": "added",
            "since": "2026-11-10",
        },
        {
            "id": "2611.00002",
            "title": "The Original arXiv Title",
            "status": "added",
            "since": "2026-11-10",
        },
    ],
}


def setup_list(workdir: Path) -> None:
    (workdir / "README.md").write_text(LIST, encoding="utf-8")
    (workdir / "state").mkdir()
    (workdir / "state" / "state.json").write_text(json.dumps(STATE), encoding="utf-8")


def test_retitled_paper_edits_its_line(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_list(workdir)
    arxiv_server.add(
        record("2611.00001", "New Title: Circuits in the Wild", version=2),
        record("2611.00002", "Yet Another arXiv Title", version=2),  # maintainer's wording wins
        record("2611.00003", "Hand-Added Paper, Now Retitled", version=3),  # v3: arXiv changed it
    )
    assert main(["run", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(c["id"], c["new"]) for c in out["title_changes"]] == [
        ("2611.00001", "New Title: Circuits in the Wild"),
        ("2611.00003", "Hand-Added Paper, Now Retitled"),
    ]
    assert out["added"] == []
    text = (workdir / "README.md").read_text(encoding="utf-8")
    assert "- [New Title: Circuits in the Wild](https://arxiv.org/abs/2611.00001)\n" in text
    assert "- [A Title the Maintainer Reworded](https://arxiv.org/abs/2611.00002)\n" in text
    assert "- [Hand-Added Paper, Now Retitled](https://arxiv.org/abs/2611.00003)\n" in text
    assert "## Papers (3)" in text and "2025-01-01" in text  # no new entry, stamp unchanged
    state = {
        p["id"]: p["title"]
        for p in json.loads((workdir / "state" / "state.json").read_text())["papers"]
    }
    assert state["2611.00001"] == "New Title: Circuits in the Wild"
    before = text
    assert main(["run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["title_changes"] == []
    assert (workdir / "README.md").read_text(encoding="utf-8") == before


def test_first_version_of_an_unrecorded_paper_is_left_alone(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_list(workdir)
    arxiv_server.add(record("2611.00003", "Some Other Wording"))
    assert main(["run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["title_changes"] == []


def test_table_row_keeps_its_emphasis_and_cells() -> None:
    text = (
        "## Papers\n|[**Old \\[x\\] Title**](https://arxiv.org/pdf/2611.00001)| ICML | 2024 | - |\n"
    )
    target = TargetConfig(last_updated_heading="")
    out = retitle_entries(text, [TitleChange("2611.00001", "Old [x] Title", "New | Title")], target)
    assert (
        out
        == "## Papers\n|[**New \\| Title**](https://arxiv.org/pdf/2611.00001)| ICML | 2024 | - |\n"
    )
