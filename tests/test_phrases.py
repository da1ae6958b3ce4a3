from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

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


# The hand matcher of plain phrases must find exactly what the phrase's regex finds.
# Small alphabets make near-misses likely: plurals, "es", hyphens, word-character
# neighbours, non-ASCII letters and digits, non-breaking space.
PHRASE_WORD = st.text(alphabet="abehsx", min_size=1, max_size=4).map(
    lambda w: w if len(w) < 3 else w + "*" if w.startswith("x") else w
)
PHRASE = st.lists(PHRASE_WORD, min_size=1, max_size=3).flatmap(
    lambda words: st.lists(
        st.sampled_from([" ", "-"]), min_size=len(words) - 1, max_size=len(words) - 1
    ).map(lambda seps: words[0] + "".join(s + w for s, w in zip(seps, words[1:], strict=True)))
)
TEXT = st.text(alphabet="abehsxABES -_é1.\u00a0\n", max_size=40)


@given(phrase=PHRASE, text=TEXT)
@settings(max_examples=600, deadline=None)
def test_the_hand_matcher_finds_what_the_phrase_regex_finds(phrase: str, text: str) -> None:
    rule = compile_phrases({phrase: (1.0, "evidence")}).rules[0]
    lowered = text.lower()
    expected = [m.span() for m in phrase_pattern(phrase).finditer(lowered)]
    assert rule.spans(text, lowered) == expected
    assert rule.spans(text, lowered, first_only=True) == expected[:1]


def test_the_hand_matcher_on_the_plural_and_ending_rules() -> None:
    def spans(phrase: str, text: str) -> list[tuple[int, int]]:
        return compile_phrases({phrase: (1.0, "evidence")}).rules[0].spans(text, text.lower())

    assert spans("bias", "biases and biass") == [(0, 6)]
    assert spans("bias", "biase. bias") == [(7, 11)]  # "-es" whole or not at all
    assert spans("SHAP", "shapes, SHAP's") == [(8, 12)]
    assert spans("attention head", "attention\u00a0heads, attention-head_x") == [(0, 15)]
    assert spans("interpret*", "uninterpretable interpretability") == [(16, 32)]
    assert spans("c++", "c++ and c++s") == [(0, 3), (8, 12)]
