"""A method applied to a model's internals, in one sentence, is evidence (issue 17).

The papers the filter used to miss name the field and speak of attention heads,
circuits or probing, words that alone are generic; the sentence that applies the
method to the internals is the evidence. Their abstracts come from
tests/data/relevance_tuning.jsonl (traffic papers labeled for tuning).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.config import RelevanceConfig, load_config
from bot.errors import ConfigError
from bot.models import Paper
from bot.relevance import RelevanceRules, compile_rules, score_paper
from bot.together import compile_together, together_evidence, together_problem
from tests.conftest import DATA, ROOT


def paper(title: str, abstract: str, primary: str = "cs.CL", cats: tuple[str, ...] = ()) -> Paper:
    categories = cats or (primary,)
    return Paper("2601.00001", 1, title, abstract, ("A",), date(2026, 1, 1), primary, categories)


def tuning_paper(arxiv_id: str) -> tuple[Paper, str]:
    for line in (DATA / "relevance_tuning.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["id"] == arxiv_id:
            cats = tuple(record["categories"])
            p = paper(record["title"], record["abstract"], record["primary_category"], cats)
            return p, record["label"]
    raise AssertionError(f"{arxiv_id} is not in relevance_tuning.jsonl")


def shipped() -> RelevanceRules:
    return compile_rules(load_config(ROOT / "config.toml").relevance)


RULES = compile_together({"probing|probe & hidden state|layer": 2, "attention head & ablat*": 1.5})


def test_both_sides_in_one_sentence_are_evidence_named_in_the_reason() -> None:
    found = together_evidence(
        "Where do models keep facts?",
        "We study recall. We train linear probes on the hidden states of every layer.",
        RULES,
    )
    assert [e.describe() for e in found] == [
        '"probe" with "hidden state" in one sentence in abstract (+2)'
    ]
    assert found[0].kind == "evidence"


def test_the_two_sides_in_different_sentences_are_not() -> None:
    found = together_evidence(
        "Probing language models",
        "We probe what models know by asking questions. Later layers are larger. "
        "Attention heads are pruned. Ablation studies confirm the speedup.",
        RULES,
    )
    assert found == []


def test_a_decimal_point_or_an_abbreviation_does_not_end_a_sentence() -> None:
    found = together_evidence(
        "X", "Ablating the 3.5 attention heads e.g. those of layer 2 removes it.", RULES
    )
    assert [e.signal for e in found] == ['"attention head" with "ablat*" in one sentence']


def test_phrases_match_plurals_hyphens_and_case() -> None:
    rules = compile_together({"reverse-engineer* & attention head": 1})
    found = together_evidence("X", "We Reverse Engineered two Attention-Heads.", rules)
    assert len(found) == 1


def test_the_title_is_a_sentence_of_its_own() -> None:
    found = together_evidence("Probing the hidden states", "Nothing here.", RULES)
    assert [(e.where, e.weight) for e in found] == [("title", 2)]
    assert together_evidence("Probing a model", "Its hidden states are large.", RULES) == []


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("probing", "exactly one '&'"),
        ("a & b & c", "exactly one '&'"),
        ("probing & ", "empty phrase"),
        ("probing | & layer", "empty phrase"),
        ("re:prob.* & layer", "plain phrases only"),
        ("probing|probe & hidden state", ""),
    ],
)
def test_rule_keys_are_checked(key: str, problem: str) -> None:
    assert (problem in together_problem(key)) and (bool(problem) == bool(together_problem(key)))


def test_config_rejects_a_bad_rule_naming_the_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[arxiv]\nqueries = ["x"]\n[relevance.together]\n"probing" = 2\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "relevance.together" in str(caught.value) and "'&'" in str(caught.value)


def test_a_paper_that_names_the_field_and_ablates_heads_passes() -> None:
    """The kind the filter used to hold back: the field's name plus heads, no listed method."""
    p, label = tuning_paper("2605.28543")  # Cultural Binding Heads in Language Models
    assert label == "relevant"
    decision = score_paper(p, shipped())
    assert decision.accepted and not decision.held, decision.reason
    assert '"attention head" with "causal*" in one sentence' in decision.reason


def test_a_paper_that_probes_hidden_states_passes() -> None:
    p, label = tuning_paper("2509.14254")  # hallucination detection with internal layers
    assert label == "relevant"
    decision = score_paper(p, shipped())
    assert decision.accepted, decision.reason
    assert "in one sentence" in decision.reason


def test_efficiency_and_behavioural_senses_stay_out() -> None:
    rules = shipped()
    efficiency = paper(
        "Faster decoding by pruning attention heads",
        "We prune redundant attention heads and layers to cut the KV cache. "
        "Ablation studies show a 2x speedup with little loss.",
    )
    behaviour = paper(
        "Probing what LLMs know about law",
        "We probe large language models with 2,000 legal questions. "
        "The models answer 61% correctly, and larger models more often.",
    )
    for p in (efficiency, behaviour):
        decision = score_paper(p, rules)
        assert not decision.accepted, decision.reason
        assert "in one sentence" not in decision.reason


def test_no_rules_no_evidence() -> None:
    rules = compile_rules(RelevanceConfig(phrases={"probing": 1}))
    assert together_evidence("Probing hidden states", "", rules.together) == []
