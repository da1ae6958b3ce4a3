from __future__ import annotations

from datetime import date

import pytest
from rapidfuzz import fuzz

from bot.dedupe import TitleIndex, split_duplicates
from bot.fuzzyindex import candidate_pairs, length_bounds
from bot.models import KnownTitle, KnownTitles, Paper
from bot.normalize import normalize_title

THRESHOLD = 90.0


def paper(paper_id: str, title: str) -> Paper:
    return Paper(paper_id, 1, title, "", (), date(2026, 1, 1), "cs.LG", ("cs.LG",))


def index(*titles: tuple[str | None, str]) -> TitleIndex:
    return TitleIndex([KnownTitle(i, t, "list") for i, t in titles], THRESHOLD)


def test_same_id_any_version_is_duplicate() -> None:
    found = index(("2401.00001", "Old Title")).match(paper("2401.00001", "A Completely New Title"))
    assert found and found.how == "id"


@pytest.mark.parametrize(
    "variant",
    [
        "SPARSE AUTOENCODERS FIND HIGHLY INTERPRETABLE FEATURES IN LANGUAGE MODELS",
        "Sparse autoencoders find highly interpretable features in language models.",
        "Sparse Autoencoders Find Highly-Interpretable Features in Language Models",
        "Sparse Autoencoders Find Highly Interpretable Features in Language Model",
        "Sparse Autoencoders Find Highly Interpretible Features in Language Models",
    ],
)
def test_title_variants_are_duplicates(variant: str) -> None:
    known = index(
        (None, "Sparse Autoencoders Find Highly Interpretable Features in Language Models")
    )
    assert known.match(paper("2999.00001", variant)) is not None


def test_latex_title_matches_its_unicode_form() -> None:
    known = index((None, "α-Sparse Autoencoders for Circuit Discovery"))
    assert known.match(paper("2999.00002", r"$\alpha$-Sparse Autoencoders for Circuit Discovery"))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "Sparse Autoencoders Find Highly Interpretable Features in Language Models",
            "Sparse Autoencoders Find Interpretable Features in Vision Models",
        ),
        ("Towards Monosemanticity in Language Models", "Towards Monosemanticity in Vision Models"),
        ("Interpreting GPT-2 Small", "Interpreting GPT-4 Large"),
        ("Circuit Component Reuse Across Tasks", "Circuit Component Reuse Across Models"),
        ("A Survey on Sparse Autoencoders", "A Survey on Steering Vectors"),
    ],
)
def test_different_papers_sharing_words_stay_apart(a: str, b: str) -> None:
    assert index((None, a)).match(paper("2999.00003", b)) is None


def test_twin_in_the_same_batch_counts_once() -> None:
    fresh, dups, _ = split_duplicates(
        [
            paper("2999.00010", "Attention Heads Explained"),
            paper("2999.00011", "Attention heads explained."),
        ],
        index(),
    )
    assert [p.id for p in fresh] == ["2999.00010"]
    assert dups[0].matched.source == "this run"


def test_length_bounds_are_safe() -> None:
    # A string outside the bounds can never reach the threshold.
    for length in range(1, 120):
        low, high = length_bounds(length, THRESHOLD)
        for other in range(1, 200):
            best_possible = 200 * min(length, other) / (length + other)
            if best_possible >= THRESHOLD:
                assert low <= other <= high


def test_similar_titles_equal_exhaustive_comparison() -> None:
    import random

    rng = random.Random(7)
    words = [f"w{rng.randrange(400)}" for _ in range(400)]
    known = [" ".join(rng.choices(words, k=rng.randint(3, 12))) for _ in range(600)]
    queries = [k[:-2] + "xy" for k in known[:100]] + [
        " ".join(rng.choices(words, k=rng.randint(3, 12))) for _ in range(100)
    ]
    idx = TitleIndex([KnownTitle(None, k, "list") for k in known], THRESHOLD)
    norms = [normalize_title(k) for k in known]
    query_norms = [normalize_title(q) for q in queries]
    found = idx.similar(query_norms)
    for qi, nq in enumerate(query_norms):
        exhaustive = {k for k in norms if fuzz.ratio(nq, k) >= THRESHOLD}
        assert {normalize_title(k.title) for k, _ in found.get(qi, ())} == exhaustive


def test_matrix_filter_keeps_every_match() -> None:
    """The histogram bound must never drop a pair that reaches the threshold."""
    import random

    from benchmarks.data import dedupe_workload

    known, queries = dedupe_workload(known=3000, candidates=700, seed=3)
    norms_k = sorted({normalize_title(k) for k in known}, key=len)
    norms_q = [normalize_title(q) for q in queries]
    from bot import fuzzyindex

    matrix = set(fuzzyindex._matrix_pairs(norms_q, fuzzyindex.Targets(norms_k), THRESHOLD))
    rng = random.Random(5)
    exhaustive = {
        (qi, ti)
        for qi, q in enumerate(norms_q)
        for ti, k in enumerate(norms_k)
        if fuzz.ratio(q, k, score_cutoff=THRESHOLD)
    }
    assert exhaustive, "the workload must contain near-duplicates"
    assert exhaustive <= matrix
    assert len(matrix) < len(norms_q) * len(norms_k) / 100  # and it really filters
    assert rng is not None


def test_candidate_pairs_switch_is_transparent() -> None:
    titles = sorted(
        ["attention heads explained", "attention head explained", "unrelated words here"], key=len
    )
    assert set(candidate_pairs(["attention heads explaned"], titles, THRESHOLD)) >= {(0, 0), (0, 1)}


def test_the_first_known_entry_is_reported_list_before_state() -> None:
    listed = KnownTitles.of(
        [
            KnownTitle("2401.00001", "Circuits in the Wild", "list"),
            KnownTitle("2401.00002", "Sparse Probing: A Survey", "list"),
        ]
    )
    stored = KnownTitles.of(
        [
            KnownTitle("2401.00001", "Circuits in the Wild", "state:added"),
            KnownTitle("2401.00003", "SPARSE PROBING - A SURVEY", "state:added"),
            KnownTitle("2401.00004", "Grokking as Circuit Formation", "state:rejected"),
        ]
    )
    known = TitleIndex(listed + stored, THRESHOLD)
    assert known.by_id("2401.00001") == listed[0]
    by_title = known.match(paper("2999.00001", "sparse probing: a survey"))
    assert by_title is not None and by_title.matched == listed[1] and by_title.how == "title"
    rejected = known.match(paper("2999.00002", "Grokking as circuit formation."))
    assert rejected is not None and rejected.matched.source == "state:rejected"
    assert known.by_id("2401.09999") is None and known.by_title("nothing like it") is None


def test_a_series_of_near_identical_titles_is_judged_in_bounded_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 300 listed and 300 new titles of one series: every pair is a title-search candidate.
    import bot.samepaper as samepaper
    from bot.samepaper import judge

    calls = 0

    def counted(a, b):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return judge(a, b)

    monkeypatch.setattr(samepaper, "judge", counted)  # dedupe imports it where needed
    known = index(*((f"2501.{n:05d}", f"Residual stream study {n}") for n in range(300)))
    new = [paper(f"2611.{n:05d}", f"Residual stream study {n + 300}") for n in range(300)]
    new.append(paper("2611.99999", "Residual Stream Study 17."))  # the same paper as 2501.00017

    split = split_duplicates(new, known)

    assert [p.id for p in split.fresh] == [p.id for p in new[:-1]]  # another number: another paper
    assert [d.paper.id for d in split.duplicates] == ["2611.99999"]
    assert 0 < calls <= 20 * len(new)  # every pair would be 300 times as many
