"""Optional enrichment against a local stand-in: fills code links and venues, never fails a run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import record
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.enrich_server import FakeEnrichment


@pytest.fixture
def enrichment(workdir: Path) -> Iterator[FakeEnrichment]:
    with FakeEnrichment() as fake:
        config = (workdir / "config.toml").read_text(encoding="utf-8")
        config = config.replace("enabled = false", "enabled = true")
        config = config.replace(
            'huggingface_url = "https://huggingface.co/api/papers"',
            f'huggingface_url = "{fake.base}/api/papers"',
        )
        config = config.replace(
            'semantic_scholar_url = "https://api.semanticscholar.org/graph/v1/paper"',
            f'semantic_scholar_url = "{fake.base}/graph/v1/paper"',
        )
        config = config.replace(
            "delay_seconds = 1.0     # pause between lookups", "delay_seconds = 0"
        )
        config = config.replace("timeout_seconds = 10.0\n", "timeout_seconds = 0.5\n", 1)
        config = config.replace(
            'entry_template = "- [{title}]({url})"',
            'entry_template = "- [{title}]({url}) · {venue} · {code}"',
        )
        (workdir / "config.toml").write_text(config, encoding="utf-8")
        yield fake


def test_code_and_venue_are_filled_and_cached(
    workdir: Path,
    arxiv_server: FakeArxiv,
    enrichment: FakeEnrichment,
    capsys: pytest.CaptureFixture[str],
) -> None:
    arxiv_server.add(record("2611.01234", "Sparse Autoencoders Reveal Induction Circuits"))
    enrichment.repos["2611.01234"] = "https://github.com/org/sae-circuits"
    enrichment.venues["2611.01234"] = "NeurIPS 2026"
    assert main(["run", "--json"]) == 0
    capsys.readouterr()
    text = (workdir / "README.md").read_text(encoding="utf-8")
    assert (
        "- [Sparse Autoencoders Reveal Induction Circuits](https://arxiv.org/abs/2611.01234) · NeurIPS 2026 · [Github](https://github.com/org/sae-circuits)"
        in text
    )
    state = json.loads((workdir / "state" / "state.json").read_text(encoding="utf-8"))
    assert state["enrichment"]["2611.01234"] == {
        "code_url": "https://github.com/org/sae-circuits",
        "venue": "NeurIPS 2026",
    }
    assert len(enrichment.requests) == 2


@pytest.mark.parametrize(("status", "delay"), [(503, 0.0), (200, 2.0)], ids=["503", "hang"])
def test_failing_or_hanging_api_never_fails_the_run(
    workdir: Path,
    arxiv_server: FakeArxiv,
    enrichment: FakeEnrichment,
    capsys: pytest.CaptureFixture[str],
    status: int,
    delay: float,
) -> None:
    arxiv_server.add(record("2611.01234", "Sparse Autoencoders Reveal Induction Circuits"))
    enrichment.status, enrichment.delay = status, delay  # the hang outlasts timeout_seconds
    assert main(["run", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [a["id"] for a in out["added"]] == ["2611.01234"]
    assert "(https://arxiv.org/abs/2611.01234) · arXiv · -" in (workdir / "README.md").read_text(
        encoding="utf-8"
    )


def test_cached_answers_are_not_looked_up_again(
    workdir: Path,
    arxiv_server: FakeArxiv,
    enrichment: FakeEnrichment,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (workdir / "state").mkdir()
    cache = {"2611.05555": {"code_url": "https://github.com/cached/repo", "venue": "ICLR 2027"}}
    (workdir / "state" / "state.json").write_text(
        json.dumps({"version": 1, "papers": [], "enrichment": cache}), encoding="utf-8"
    )
    arxiv_server.add(record("2611.05555", "Steering Vectors in the Residual Stream"))
    assert main(["run", "--json"]) == 0
    capsys.readouterr()
    assert enrichment.requests == []
    assert "· ICLR 2027 · [Github](https://github.com/cached/repo)" in (
        workdir / "README.md"
    ).read_text(encoding="utf-8")
