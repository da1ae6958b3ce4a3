"""`python -m bot audit` on the real list and on a list built to show every kind of finding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import DATA, record
from tests.fakes.arxiv_server import FakeArxiv

BUILT = """# List

## Last Updated
2025-01-01

## Papers (7)
- [Sparse Autoencoders Find Features](https://arxiv.org/abs/2601.00001)
- [Sparse autoencoders find features.](https://arxiv.org/abs/2601.00009)
- [Sparse Autoencoders Find Features (again)](http://arxiv.org/pdf/2601.00001v2.pdf)
- [: Interpreting and leveraging semantic information](https://arxiv.org/abs/2601.00002)
- [Old Title of the Paper](https://arxiv.org/abs/2601.00003)
- [Mechanistic Models of Enzyme Reaction Kinetics](https://arxiv.org/abs/2601.00004)
- [(Un)Reliable Probes of the Residual Stream](https://arxiv.org/abs/2601.00005)
"""


def audit_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["audit", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_every_kind_of_finding(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "built.md").write_text(BUILT, encoding="utf-8")
    arxiv_server.add(
        record(
            "2601.00003",
            "A New Title After Revision",
            abstract="Sparse autoencoders on the residual stream.",
        ),
        record(
            "2601.00004",
            "Mechanistic Models of Enzyme Reaction Kinetics",
            abstract="A mechanistic model of a chemical reaction.",
            primary_category="physics.chem-ph",
        ),
    )
    out = audit_json(capsys, "--target", "built.md")
    assert out["entries"] == 7 and out["looked_up"] == 2
    found = {(f["kind"], f["line"]) for f in out["findings"]}  # type: ignore[union-attr]
    assert found == {
        ("duplicate_id", 9),
        ("duplicate_title", 8),
        ("title_changed", 11),
        ("off_topic", 12),
        ("broken_title", 10),
        ("non_canonical_link", 9),
    }
    requests = [r for r in arxiv_server.requests if r.params.get("id_list")]
    assert len(requests) == 1  # one batched id_list query


def test_audit_of_the_real_list(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.load_jsonl(DATA / "relevance_dev.jsonl")
    out = audit_json(capsys)
    kinds = {(f["kind"], f["line"]) for f in out["findings"]}  # type: ignore[union-attr]
    assert ("duplicate_id", 99) in kinds  # "From memories to maps" listed twice
    assert ("broken_title", 51) in kinds  # ": Interpreting and leveraging ..." lost its LaTeX head
    assert ("off_topic", 48) in kinds  # a neuroscience paper about brain circuits
    before = (DATA / "awesome-mechanistic-interpretability.md").read_bytes()
    assert (workdir / "README.md").read_bytes() == before  # audit changes nothing
