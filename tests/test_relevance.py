from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.config import RelevanceConfig, load_config
from bot.evaluate import evaluate, load_labeled
from bot.models import Paper
from bot.relevance import compile_rules, phrase_pattern, score_paper
from tests.conftest import DATA, ROOT


def paper(
    title: str,
    abstract: str = "",
    primary: str = "cs.LG",
    cats: tuple[str, ...] = (),
    comment: str = "",
) -> Paper:
    return Paper(
        "2601.00001",
        1,
        title,
        abstract,
        ("A",),
        date(2026, 1, 1),
        primary,
        (primary, *cats),
        comment,
    )


def shipped_rules() -> object:
    return compile_rules(load_config(ROOT / "config.toml").relevance)


def test_shipped_config_meets_the_bar_on_the_dev_set() -> None:
    result = evaluate(load_labeled(DATA / "relevance_dev.jsonl"), shipped_rules())  # type: ignore[arg-type]
    assert result.precision >= 0.95, result.to_text()
    assert result.recall >= 0.90, result.to_text()


def test_other_fields_mechanistic_papers_are_rejected() -> None:
    rules = shipped_rules()
    chemistry = paper(
        "Mechanistic Insights into Catalytic Reaction Pathways",
        "We study the mechanistic pathway of a chemical reaction with a neural network potential.",
        primary="physics.chem-ph",
    )
    epidemic = paper(
        "Mechanistic Models of Influenza Epidemics",
        "A mechanistic model of disease spread calibrated with physics-informed neural networks.",
        primary="q-bio.PE",
    )
    for p in (chemistry, epidemic):
        decision = score_paper(p, rules)  # type: ignore[arg-type]
        assert not decision.accepted, decision.reason


def test_decision_explains_itself() -> None:
    decision = score_paper(
        paper(
            "Sparse Autoencoders on the Residual Stream",
            "We train SAEs on language model activations.",
        ),
        shipped_rules(),  # type: ignore[arg-type]
    )
    assert decision.accepted
    assert '"sparse autoencoder" in title' in decision.reason
    assert "category cs.LG in primary" in decision.reason


def test_title_counts_more_than_abstract() -> None:
    rules = compile_rules(RelevanceConfig(threshold=1, title_multiplier=2, phrases={"circuit": 1}))
    assert score_paper(paper("A circuit"), rules).score == 2
    assert score_paper(paper("Other", "a circuit"), rules).score == 1


def test_phrase_inside_a_longer_matched_phrase_counts_once() -> None:
    rules = compile_rules(
        RelevanceConfig(phrases={"mechanistic interpretability": 5, "interpretability": 1})
    )
    assert score_paper(paper("X", "mechanistic interpretability"), rules).score == 5
    assert (
        score_paper(paper("X", "mechanistic interpretability and interpretability"), rules).score
        == 6
    )


def test_categories_primary_full_cross_list_scaled() -> None:
    rules = compile_rules(
        RelevanceConfig(categories={"cs.LG": 2, "q-bio.*": -4}, cross_list_factor=0.5)
    )
    assert score_paper(paper("X", primary="q-bio.NC", cats=("cs.LG",)), rules).score == -3
    assert score_paper(paper("X", primary="cs.LG", cats=("q-bio.NC",)), rules).score == 0


def test_borderline_band() -> None:
    rules = compile_rules(RelevanceConfig(threshold=5, borderline_margin=2, phrases={"probe": 4}))
    decision = score_paper(paper("X", "a linear probe"), rules)
    assert not decision.accepted and decision.borderline
    assert not score_paper(paper("X", "nothing"), rules).borderline


def test_withdrawn_paper_is_rejected() -> None:
    decision = score_paper(
        paper(
            "Sparse Autoencoders",
            "This paper has been withdrawn by the authors.",
            comment="withdrawn",
        ),
        shipped_rules(),  # type: ignore[arg-type]
    )
    assert not decision.accepted and "withdrawn" in decision.reason


def test_phrase_syntax() -> None:
    assert phrase_pattern("attention head").search("multi-head Attention-Heads")
    assert phrase_pattern("epidemi*").search("epidemiological")
    assert not phrase_pattern("SAE").search("SAEGUSA")
    assert phrase_pattern("re:\\bGPT-\\d\\b").search("GPT-2 small")


def test_evaluate_command_reports_metrics(capsys: object, tmp_path: Path) -> None:
    from bot.cli import main

    code = main(
        [
            "evaluate",
            str(DATA / "relevance_dev.jsonl"),
            "--config",
            str(ROOT / "config.toml"),
            "--json",
        ]
    )
    import json

    out = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    assert code == 0
    assert out["records"] == 45
    c = out["confusion"]
    assert c["true_positive"] + c["false_negative"] == 22
    assert len(out["misclassified"]) == c["false_positive"] + c["false_negative"]


def test_evaluate_rejects_bad_label_file(tmp_path: Path, capsys: object) -> None:
    from bot.cli import main

    bad = tmp_path / "labels.jsonl"
    bad.write_text(
        '{"id": "1", "title": "t", "abstract": "a", "label": "maybe"}\n', encoding="utf-8"
    )
    assert main(["evaluate", str(bad), "--config", str(ROOT / "config.toml")]) == 1
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert f"{bad}:1: label must be" in err


WORDS = [
    "head",
    "heads",
    "ab",
    "attention",
    "sparse",
    "autoencoder",
    "x",
    "SAE",
    "saes",
    "Epidemic",
]
PHRASES = ["attention head", "ab ab", "head", "sparse autoencoder", "SAE", "epidemi*", "x"]


@given(
    phrase=st.sampled_from(PHRASES),
    words=st.lists(st.sampled_from(WORDS), max_size=12),
    seps=st.lists(st.sampled_from([" ", "-", ", ", "", "_", "  "]), min_size=12, max_size=12),
)
def test_fast_matcher_agrees_with_the_phrase_regex(
    phrase: str, words: list[str], seps: list[str]
) -> None:
    text = "".join(w + s for w, s in zip(words, seps, strict=False))
    rule = compile_rules(RelevanceConfig(phrases={phrase: 1})).index.rules[0]
    assert rule.spans(text, text.lower()) == [
        m.span() for m in phrase_pattern(phrase).finditer(text)
    ]


SHIPPED_RULES = compile_rules(load_config(ROOT / "config.toml").relevance)
_WORDS = sorted({w for r in SHIPPED_RULES.index.rules for w in r.phrase.lower().split()})


@given(
    st.lists(st.sampled_from(_WORDS) | st.text("abcdeinrst-é _0", max_size=8), max_size=30).map(
        " ".join
    )
)
def test_needle_candidates_equal_a_search_of_every_needle(text: str) -> None:
    expected = [r for r in SHIPPED_RULES.index.rules if not r.needle or r.needle in text]
    assert SHIPPED_RULES.index.candidates(text) == expected


def test_evaluate_on_an_empty_labels_file_says_there_is_nothing_to_measure(
    tmp_path: Path, capsys: object
) -> None:
    from bot.cli import main

    empty = tmp_path / "labels.jsonl"
    empty.write_text("\n", encoding="utf-8")
    assert main(["evaluate", str(empty), "--config", str(ROOT / "config.toml")]) == 1
    out = capsys.readouterr()  # type: ignore[attr-defined]
    assert "nothing to measure" in out.err
    assert "precision" not in out.out


def test_evaluate_json_into_a_closed_pipe_stops_quietly() -> None:
    import subprocess
    import sys

    command = [sys.executable, "-m", "bot", "evaluate", str(DATA / "relevance_dev.jsonl")]
    process = subprocess.Popen(
        [*command, "--config", str(ROOT / "config.toml"), "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # as `| head` does once it has read enough
    with process.stderr:
        err = process.stderr.read().decode()
    assert process.wait() == 141, err
    assert "BrokenPipeError" not in err and "internal error" not in err


def mi_rules(**overrides: float) -> object:
    """Small rules in the shipped shape: a claim, methods, generic words."""
    settings: dict[str, float] = {
        "threshold": 4.5,
        "min_evidence": 1.5,
        "claim_cap": 1.5,
        "generic_cap": 1.5,
    } | overrides
    return compile_rules(
        RelevanceConfig(
            claims={"mechanistic interpretability": 1.5, "interpretability": 1},
            phrases={"sparse autoencoder": 4, "internal representation": 2},
            generic={"attention head": 1, "layers": 0.5, "LLM": 0.5, "neurons": 1},
            categories={"cs.LG": 1},
            **settings,
        )
    )


def test_the_fields_name_alone_never_passes_however_often() -> None:
    rules = mi_rules(claim_cap=2.5)
    named = paper(
        "Mechanistic Interpretability for Mechanistic Interpretability",
        "Mechanistic interpretability, interpretability and more mechanistic interpretability "
        "of LLM attention heads, layers and neurons.",
    )
    decision = score_paper(named, rules)  # type: ignore[arg-type]
    assert decision.score >= 4.5  # it reaches the threshold ...
    assert not decision.accepted and decision.borderline  # ... but is held back, and shown
    assert "held back: method evidence 0 < relevance.min_evidence 1.5" in decision.reason
    assert "claims add at most 2.5 (relevance.claim_cap)" in decision.reason
    assert "generic words add at most 1.5 (relevance.generic_cap)" in decision.reason


def test_a_method_is_evidence() -> None:
    rules = mi_rules()
    decision = score_paper(paper("Sparse autoencoders on LLM layers", ""), rules)  # type: ignore[arg-type]
    assert decision.accepted and not decision.held, decision.reason


def test_generic_words_are_weak_together() -> None:
    rules = mi_rules(generic_cap=1)
    efficiency = paper(
        "Pruning attention heads and layers of an LLM",
        "We prune attention heads, layers and neurons of an LLM for speed.",
    )
    decision = score_paper(efficiency, rules)  # type: ignore[arg-type]
    assert decision.score == 2  # generic words capped at 1, plus category cs.LG
    assert not decision.accepted and not decision.borderline


def test_categories_the_config_leaves_out_have_a_documented_default() -> None:
    rules = compile_rules(RelevanceConfig(categories={"cs.LG": 1}))
    assert score_paper(paper("X", primary="cs.CR"), rules).score == 0
    assert score_paper(paper("X", primary="stat.ML"), rules).score == 0
    other = score_paper(paper("X", primary="q-fin.ST"), rules)
    assert other.score == -1
    assert "category q-fin.ST (not in config: -1 outside cs.* and stat.ML)" in other.reason
    configured = compile_rules(RelevanceConfig(categories={"*": 0, "cs.CR": -2}))
    assert score_paper(paper("X", primary="q-fin.ST"), configured).score == 0
    assert score_paper(paper("X", primary="cs.CR"), configured).score == -2


def test_config_rejects_negative_caps_and_bad_claims(tmp_path: Path) -> None:
    import pytest

    from bot.errors import ConfigError

    for body, key in (
        ("[relevance]\nclaim_cap = -1\n", "relevance.claim_cap"),
        ('[relevance.claims]\n"re:(" = 1\n', "relevance.claims"),
    ):
        path = tmp_path / "config.toml"
        path.write_text('[arxiv]\nqueries = ["x"]\n' + body, encoding="utf-8")
        with pytest.raises(ConfigError, match=key):
            load_config(path)
