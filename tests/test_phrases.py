from __future__ import annotations

from bot.phrases import compile_phrases, phrase_needle, phrase_pattern


def test_a_hyphen_and_a_space_match_alike_in_phrase_and_text() -> None:
    for phrase in ("reverse-engineer*", "reverse engineer*"):
        pattern = phrase_pattern(phrase)
        for text in (
            "we reverse engineer it",
            "Reverse-engineering a model",
            "reverse - engineered",
        ):
            assert pattern.search(text), (phrase, text)
        assert not pattern.search("reverseengineer")


def test_the_fast_matcher_treats_hyphens_as_spaces_too() -> None:
    index = compile_phrases({"reverse-engineer*": (2.0, "evidence")})
    rule = index.rules[0]
    assert phrase_needle("reverse-engineer*") == "engineer"
    for text in ("we reverse engineer a network", "a reverse-engineered circuit"):
        assert index.candidates(text) == [rule]
        assert rule.matches_alone(text, text.lower())


def test_a_phrase_inside_a_longer_one_written_with_a_hyphen_counts_once() -> None:
    index = compile_phrases(
        {"single-cell": (-2.0, "evidence"), "cell": (1.0, "generic"), "re:x": (1.0, "evidence")}
    )
    cell = index.rules[1]
    assert not cell.matches_alone("single cell data", "single cell data")
    assert cell.matches_alone("single cell and cell", "single cell and cell")


def test_es_plurals_only_where_english_makes_them() -> None:
    assert phrase_pattern("SHAP").search("SHAP values")
    assert not phrase_pattern("SHAP").search("the shapes of curves")
    assert phrase_pattern("bias").search("biases")
    assert phrase_pattern("patch").search("patches")
    assert phrase_pattern("attention head").search("attention heads")
