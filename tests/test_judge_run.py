"""Whole runs with the model judge: the local arXiv, chat and GitHub stand-ins."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import DATA, record
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.chat_server import FakeChat
from tests.fakes.github_server import FakeGitHub

KEY = "sk-judge-SECRET-0123456789"
GITHUB_TOKEN = "ghp_TESTTOKEN1234567890abcdefSECRET"

# A small config of its own, so that these tests do not hang on the shipped weights.
CONFIG = """\
[arxiv]
queries = ["sparse autoencoder", "interpretability", "kv cache"]
delay_seconds = 0

[relevance]
threshold = 4
borderline_margin = 2

[relevance.phrases]
"sparse autoencoder" = 4
"interpretability" = 2
"kv cache" = 1

[relevance.judge]
enabled = true
endpoint = "{endpoint}"
topic = "Interpretability of neural networks."
timeout_seconds = 5
scope = "{scope}"

[github]
backoff_seconds = 0
write_delay_seconds = 0
"""

ACCEPTED = record(
    "2611.00001",
    "Sparse Autoencoders for a Faster KV Cache",
    abstract="We compress the KV cache of a served model.",
)
BORDERLINE = record(
    "2611.00002",
    "What Attention Heads Compute",
    abstract="An interpretability study of attention heads in small transformers.",
)
UNLIKELY = record(
    "2611.00003",
    "A KV Cache Study",
    abstract="We measure memory; interpretab(ility) is mentioned in passing.",
)


@pytest.fixture
def chat(
    workdir: Path, arxiv_server: FakeArxiv, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeChat]:
    """The chat stand-in, its key in the environment, and three papers on arXiv."""
    arxiv_server.add(ACCEPTED, BORDERLINE, UNLIKELY)
    monkeypatch.setenv("ARXIV_BOT_JUDGE_KEY", KEY)
    with FakeChat(token=KEY) as server:
        yield server


def configure(workdir: Path, chat: FakeChat, scope: str = "borderline") -> None:
    text = CONFIG.format(endpoint=chat.base + "/v1", scope=scope)
    (workdir / "config.toml").write_text(text, encoding="utf-8")


def test_the_judge_moves_a_borderline_paper_into_the_list(
    workdir: Path, chat: FakeChat, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(workdir, chat)
    assert main(["run", "--dry-run", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert chat.papers_asked() == [["2611.00002"]]  # the borderline band only
    added = {a["id"]: a for a in out["added"]}
    assert set(added) == {"2611.00001", "2611.00002"}
    assert added["2611.00002"]["added_by_judge"] is True
    assert added["2611.00002"]["judge"] == {"relevant": True, "reason": "discusses interpretab"}
    assert "judge" not in added["2611.00001"]  # not asked: no verdict
    assert out["judge"] == {
        "model": "openai/gpt-4.1-mini",
        "asked": 1,
        "answered": 1,
        "unavailable": None,
    }

    assert main(["run", "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "added on the judge's advice: discusses interpretab" in text
    assert "model judge (openai/gpt-4.1-mini): 1 of 1 paper(s) judged" in text


def test_scope_all_flags_an_accepted_paper_and_never_drops_it(
    workdir: Path, chat: FakeChat, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(workdir, chat, scope="all")
    assert main(["run", "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "flagged: the judge thinks it off-topic: never discusses interpretab" in text
    assert "+ 2611.00001" in text  # still added: the reviewer decides
    assert "the judge calls these relevant; their score is too low" in text
    assert "! 2611.00003" in text


def test_an_unavailable_judge_never_fails_the_run_nor_shows_the_key(
    workdir: Path, chat: FakeChat, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(workdir, chat)
    chat.faults = ["error"]  # its message echoes the Authorization header
    assert main(["--debug", "run", "--dry-run", "--json"]) == 0
    captured = capsys.readouterr()
    assert KEY not in captured.out + captured.err
    out = json.loads(captured.out)
    assert [a["id"] for a in out["added"]] == ["2611.00001"]  # the score decided
    assert out["judge"]["unavailable"].startswith("HTTP 500 from 127.0.0.1:")
    assert "Bearer ***" in out["judge"]["unavailable"]


@pytest.fixture
def github(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    readme = (DATA / "awesome-mechanistic-interpretability.md").read_text(encoding="utf-8")
    with FakeGitHub(GITHUB_TOKEN, {"README.md": readme}) as fake:
        fake.use(workdir, monkeypatch)
        yield fake


def test_pull_request_says_what_the_judge_did_and_the_github_token_stays_home(
    workdir: Path,
    chat: FakeChat,
    arxiv_server: FakeArxiv,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure(workdir, chat)
    monkeypatch.delenv("ARXIV_BOT_JUDGE_KEY")
    chat.token = ""  # a local model server that needs no key
    assert main(["run", "--json"]) == 0
    out = capsys.readouterr()
    assert GITHUB_TOKEN not in out.out + out.err
    body = github.pull(json.loads(out.out)["pull_request"]["number"]).body
    assert "**added on the judge's advice** (its score is below the threshold)" in body
    assert "Model judge (openai/gpt-4.1-mini): 1 of 1 paper(s) judged" in body
    readme = github.file("README.md", "arxiv-bot/updates")
    assert "https://arxiv.org/abs/2611.00002" in readme
    # GITHUB_TOKEN goes to GitHub Models over https only, never to another endpoint.
    assert chat.requests and all("authorization" not in r for r in chat.headers)

    arxiv_server.add(record("2611.00004", "Sparse Autoencoders, Again", abstract="More."))
    assert main(["run", "--json"]) == 0  # the next run carries the paper: still marked
    body = github.pull(json.loads(capsys.readouterr().out)["pull_request"]["number"]).body
    carried = body.split("### Still proposed from earlier runs")[1].split("###")[0]
    assert "What Attention Heads Compute" in carried
    assert "score 2 · added on the judge's advice" in carried


def test_a_paper_rejected_by_an_earlier_run_is_not_asked_about_again(
    workdir: Path, chat: FakeChat, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(workdir, chat)
    chat.judgement = lambda paper_id, text: (False, "off-topic")
    assert main(["run", "--target", "README.md"]) == 0
    assert "judge: not relevant: off-topic" in capsys.readouterr().out
    assert main(["run", "--target", "README.md"]) == 0  # re-reads the same window
    assert "model judge (openai/gpt-4.1-mini): nothing in scope" in capsys.readouterr().out
    assert chat.papers_asked() == [["2611.00002"]]


def test_evaluate_measures_the_score_alone_and_with_the_judge(
    workdir: Path, chat: FakeChat, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(workdir, chat, scope="all")
    labels = workdir / "labels.jsonl"
    rows = [
        (ACCEPTED, "relevant"),
        (BORDERLINE, "relevant"),
        (UNLIKELY, "irrelevant"),
    ]
    rows_json = [
        {
            "id": r.id,
            "title": r.title,
            "abstract": r.abstract.replace("interpretab(ility)", "nothing"),
            "primary_category": "cs.LG",
            "published": "2026-11-19",
            "label": label,
        }
        for r, label in rows
    ]
    rows_json.append(rows_json[0] | {"id": "2611.00009", "label": "skipped"})  # not counted
    labels.write_text("".join(json.dumps(r) + "\n" for r in rows_json), encoding="utf-8")

    assert main(["evaluate", str(labels)]) == 0
    text = capsys.readouterr().out
    score_alone, with_judge = text.split("with the model judge (scope all)")
    assert "records:   3" in score_alone and "recall:    0.500" in score_alone
    assert "model judge (openai/gpt-4.1-mini): 3 of 3 paper(s) judged" in with_judge
    assert "its own verdicts agree with the labels on 2 of 3" in with_judge
    assert "recall:    1.000" in with_judge and "precision: 1.000" in with_judge

    assert main(["evaluate", str(labels), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["recall"] == 0.5 and data["with_judge"]["recall"] == 1.0
    assert data["with_judge"]["judge"]["verdicts_agreeing_with_labels"] == 2
