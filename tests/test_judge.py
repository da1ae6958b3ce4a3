"""The model judge against a local stand-in of the chat completions API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from msgspec.structs import replace

from bot.budget import TimeBudget
from bot.chat import ChatEndpoint, completions_url, endpoint_and_key, is_github_models
from bot.config import JudgeConfig, load_config
from bot.environment import read_environment
from bot.errors import ConfigError, JudgeError
from bot.judge import consult, messages_for, parse_verdicts
from bot.models import Decision, Paper
from tests.conftest import ROOT
from tests.fakes.chat_server import FakeChat

TOKEN = "sk-judge-0123456789abcdef"
TOPIC = "Interpretability of neural networks: how trained models compute."


def decision(n: int, score: float = 3.5, title: str = "", abstract: str = "") -> Decision:
    paper = Paper(
        id=f"2611.{n:05d}",
        version=1,
        title=title or f"Paper {n}",
        abstract=abstract or "We study an interpretability method for transformers.",
        authors=("A. Author",),
        published=date(2026, 11, 19),
        primary_category="cs.LG",
        categories=("cs.LG", "cs.CL"),
    )
    return Decision(paper, score, accepted=score >= 5, borderline=3 <= score < 5, evidence=())


def judge_config(**overrides: object) -> JudgeConfig:
    values: dict[str, object] = {"enabled": True, "topic": TOPIC, "timeout_seconds": 5.0}
    return JudgeConfig(**(values | overrides))  # type: ignore[arg-type]


@pytest.fixture
def chat() -> Iterator[FakeChat]:
    with FakeChat(token=TOKEN) as server:
        yield server


def endpoint(chat: FakeChat, timeout: float = 5.0, key: str = TOKEN) -> ChatEndpoint:
    return ChatEndpoint(chat.base, "openai/gpt-4.1-mini", key, timeout)


def test_batches_carry_the_topic_and_the_model(chat: FakeChat) -> None:
    decisions = [decision(n) for n in range(23)]
    judged, note = consult(decisions, judge_config(batch_size=10), endpoint(chat).ask)
    assert [len(ids) for ids in chat.papers_asked()] == [10, 10, 3]
    assert chat.papers_asked()[2] == ["2611.00020", "2611.00021", "2611.00022"]
    for request in chat.requests:
        assert request["model"] == "openai/gpt-4.1-mini"
        assert TOPIC in request["messages"][0]["content"]
    assert (note.asked, note.answered, note.problem) == (23, 23, "")
    assert all(d.by_judge and d.accepted for d in judged)


def test_borderline_scope_leaves_other_papers_unasked(chat: FakeChat) -> None:
    withdrawn = replace(decision(4, score=-96), excluded="withdrawn")
    decisions = [decision(1, score=9), decision(2, score=3.5), decision(3, score=0), withdrawn]
    judged, note = consult(decisions, judge_config(), endpoint(chat).ask)
    assert chat.papers_asked() == [["2611.00002"]]
    assert note.asked == 1
    assert [d.verdict is not None for d in judged] == [False, True, False, False]
    consult(decisions, judge_config(scope="all"), endpoint(chat).ask)
    assert chat.papers_asked()[1] == ["2611.00001", "2611.00002", "2611.00003"]  # not withdrawn


def test_a_verdict_moves_a_borderline_paper_and_flags_an_accepted_one(chat: FakeChat) -> None:
    on_topic = decision(1, score=3.5, abstract="Circuits found by interpretability tools.")
    off_topic = decision(2, score=6, abstract="A faster KV cache for serving models.")
    far_below = decision(3, score=0.5, abstract="An interpretability study of neurons.")
    judged, note = consult(
        [on_topic, off_topic, far_below], judge_config(scope="all"), endpoint(chat).ask
    )
    moved, flagged, suggested = judged
    assert moved.accepted and moved.by_judge and moved.verdict is not None
    assert moved.verdict.reason == "discusses interpretab"
    assert flagged.accepted and flagged.doubted and not flagged.by_judge  # never dropped
    assert not suggested.accepted and suggested.verdict and suggested.verdict.relevant
    assert note.answered == 3


def test_a_timeout_leaves_the_score_in_charge(chat: FakeChat) -> None:
    chat.faults = ["timeout"]
    decisions = [decision(n) for n in range(4)]
    judged, note = consult(decisions, judge_config(batch_size=2), endpoint(chat, 0.05).ask)
    assert judged == decisions
    assert note.problem == "timed out after 0.05 s"
    assert len(chat.requests) == 1  # an outage costs one timeout, not one per batch
    assert "unavailable" in note.describe() and "the score decided" in note.describe()


def test_an_error_answer_never_shows_the_key(chat: FakeChat) -> None:
    chat.faults = ["error"]
    judged, note = consult([decision(1)], judge_config(), endpoint(chat).ask)
    assert not judged[0].accepted and judged[0].verdict is None
    assert note.problem.startswith("HTTP 500 from 127.0.0.1:")
    assert "upstream failed for Bearer ***" in note.problem
    assert TOKEN not in note.problem


@pytest.mark.parametrize("fault", ["malformed", "not_chat"])
def test_a_malformed_answer_leaves_the_score_in_charge(chat: FakeChat, fault: str) -> None:
    chat.faults = [fault]
    judged, note = consult([decision(1), decision(2)], judge_config(), endpoint(chat).ask)
    assert [d.accepted for d in judged] == [False, False]
    assert note.problem.startswith("malformed answer") and note.answered == 0


def test_a_wrong_key_and_an_unknown_model_are_explained(chat: FakeChat) -> None:
    _, note = consult([decision(1)], judge_config(), endpoint(chat, key="wrong-key").ask)
    assert (
        note.problem == "HTTP 401 from " + chat.base.removeprefix("http://") + ": Bad credentials"
    )
    other = ChatEndpoint(chat.base, "nobody/model", TOKEN, 5.0)
    _, note = consult([decision(1)], judge_config(), other.ask)
    assert "Unknown model: nobody/model" in note.problem


def test_a_closed_port_is_unavailable_not_a_crash() -> None:
    closed = ChatEndpoint("http://127.0.0.1:9", "m", TOKEN, 1.0)
    _, note = consult([decision(1)], judge_config(), closed.ask)
    assert note.problem == "cannot reach 127.0.0.1:9: ConnectError"


def test_papers_left_out_of_an_answer_keep_their_score() -> None:
    answer = '{"verdicts": [{"id": "arXiv:2611.00001v2", "relevant": "yes", "reason": "ok"}]}'
    judged, note = consult([decision(1), decision(2)], judge_config(), lambda _: answer)
    assert [d.accepted for d in judged] == [True, False]
    assert note.problem == "no verdict for 1 paper(s)"


def test_parse_verdicts_reads_only_papers_asked_about() -> None:
    answer = 'Here: [{"id": "2611.00001", "relevant": false, "reason": " off\\n topic "}, {"id": "9999.99999", "relevant": true}]'
    verdicts = parse_verdicts(answer, ["2611.00001"])
    assert list(verdicts) == ["2611.00001"]
    assert verdicts["2611.00001"].reason == "off topic"
    with pytest.raises(JudgeError, match="malformed answer"):
        parse_verdicts('{"verdicts": [{"id": "9999.99999", "relevant": true}]}', ["2611.00001"])
    with pytest.raises(JudgeError, match="malformed answer"):
        parse_verdicts('{"verdicts": [', ["2611.00001"])


def test_messages_cut_long_abstracts() -> None:
    long = decision(1, abstract="word " * 2000)
    content = messages_for([long], TOPIC)[1]["content"]
    assert len(content) < 1700 and content.endswith(" ...")


def test_endpoints() -> None:
    assert completions_url("https://models.github.ai/inference/") == (
        "https://models.github.ai/inference/chat/completions"
    )
    assert completions_url("http://h/v1/chat/completions") == "http://h/v1/chat/completions"
    assert is_github_models("https://models.github.ai/inference")
    assert not is_github_models("http://models.github.ai/inference")
    assert not is_github_models("https://models.github.ai.example.com/inference")


def test_judge_keys_are_checked_with_their_line(tmp_path: Path) -> None:
    def error_of(text: str) -> str:
        path = tmp_path / "config.toml"
        path.write_text('[arxiv]\nqueries = ["x"]\n\n[relevance.judge]\n' + text, encoding="utf-8")
        with pytest.raises(ConfigError) as info:
            load_config(path)
        return str(info.value)

    assert "config.toml:5: 'relevance.judge.scope' must be" in error_of('scope = "most"\n')
    assert "unknown key 'relevance.judge.modle'" in error_of('modle = "x"\n')
    assert "config.toml:5: 'relevance.judge.batch_size'" in error_of("batch_size = 0\n")
    assert "'relevance.judge.topic' must describe" in error_of("enabled = true\n")
    shipped = load_config(ROOT / "config.toml").relevance.judge
    assert not shipped.enabled and shipped.scope == "borderline" and shipped.topic


def test_no_batch_is_sent_once_the_time_budget_cannot_hold_a_request(chat: FakeChat) -> None:
    clock = iter([0.0, 0.0, 80.0])  # started; first batch at 0 s; second at 80 s
    budget = TimeBudget.start(100.0, clock=lambda: next(clock))
    decisions = [decision(n) for n in range(4)]
    judged, note = consult(
        decisions, judge_config(batch_size=2, timeout_seconds=30.0), endpoint(chat).ask, budget
    )
    assert chat.papers_asked() == [["2611.00000", "2611.00001"]]
    assert note.answered == 2 and "time_budget_seconds" in note.problem
    assert [d.by_judge for d in judged] == [True, True, False, False]


def test_the_key_comes_from_the_environment_and_a_github_token_goes_to_github_only() -> None:
    github_models = JudgeConfig(enabled=True, topic=TOPIC)
    env = read_environment({"GITHUB_TOKEN": "ghp_x", "ARXIV_BOT_NOW": "2026-11-21T09:30:00Z"})
    assert endpoint_and_key(github_models, env) == ("https://models.github.ai/inference", "ghp_x")
    elsewhere = JudgeConfig(enabled=True, topic=TOPIC, endpoint="https://llm.example.com/v1")
    assert endpoint_and_key(elsewhere, env) == ("https://llm.example.com/v1", "")
    variables = {
        "GITHUB_TOKEN": "ghp_x",
        "ARXIV_BOT_JUDGE_KEY": "sk-y",
        "ARXIV_BOT_JUDGE_URL": "http://127.0.0.1:8080/v1",
        "ARXIV_BOT_NOW": "2026-11-21T09:30:00Z",
    }
    env = read_environment(variables)
    assert endpoint_and_key(github_models, env) == ("http://127.0.0.1:8080/v1", "sk-y")
    assert "sk-y" in env.secrets and "ARXIV_BOT_JUDGE_KEY" not in env.worker_variables
