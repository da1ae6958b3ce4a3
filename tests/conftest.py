"""Shared fixtures: the local arXiv server, a working directory, record builders."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.fakes.arxiv_server import ArxivRecord, FakeArxiv

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_real_arxiv(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the bot at a closed local port unless a test serves arXiv itself.

    The fetch runs in a worker process, beyond pytest-socket's reach: this keeps a
    test that forgot the local server off the internet.
    """
    monkeypatch.setenv("ARXIV_API_URL", "http://127.0.0.1:9/api/query")


@pytest.fixture
def arxiv_server() -> Iterator[FakeArxiv]:
    with FakeArxiv() as server:
        yield server


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arxiv_server: FakeArxiv) -> Path:
    """A list repository: the shipped config (no pacing), the real list, no state yet."""
    config = (ROOT / "config.toml").read_text(encoding="utf-8")
    config = config.replace("delay_seconds = 3.0", "delay_seconds = 0")
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    shutil.copy(DATA / "awesome-mechanistic-interpretability.md", tmp_path / "README.md")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARXIV_API_URL", arxiv_server.url)
    monkeypatch.setenv("ARXIV_BOT_NOW", NOW.isoformat())
    for name in ("GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def record(
    paper_id: str,
    title: str,
    abstract: str = "We use sparse autoencoders on the residual stream of a language model.",
    published: str = "2026-11-19",
    **fields: object,
) -> ArxivRecord:
    when = datetime.fromisoformat(published).replace(hour=12, tzinfo=UTC)
    return ArxivRecord(id=paper_id, title=title, abstract=abstract, published=when, **fields)  # type: ignore[arg-type]


def dev_records() -> list[dict[str, object]]:
    lines = (DATA / "relevance_dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
