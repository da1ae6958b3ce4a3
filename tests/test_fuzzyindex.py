"""numpy is optional: without it, large lists take the exact length scan, and the log says so."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from datetime import date

import pytest

from benchmarks.data import dedupe_workload
from bot import fuzzyindex
from bot.dedupe import TitleIndex, split_duplicates
from bot.models import KnownTitles, Paper

THRESHOLD = 90.0


@pytest.fixture
def without_numpy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As if numpy were not installed: its import fails."""
    monkeypatch.setitem(sys.modules, "numpy", None)  # `import numpy` raises ImportError
    fuzzyindex.numpy_installed.cache_clear()
    fuzzyindex._told.clear()
    yield
    fuzzyindex.numpy_installed.cache_clear()


def duplicates_found() -> set[tuple[str, str]]:
    known, candidates = dedupe_workload(known=1500, candidates=300, seed=3)
    papers = [
        Paper(f"2999.{i:05d}", 1, title, "", (), date(2026, 1, 1), "cs.LG", ())
        for i, title in enumerate(candidates)
    ]
    index = TitleIndex(KnownTitles([None] * len(known), known, ["list"] * len(known)), THRESHOLD)
    duplicates = split_duplicates(papers, index).duplicates
    return {(d.paper.id, d.matched.title) for d in duplicates}


def test_large_lists_find_the_same_duplicates_without_numpy(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(fuzzyindex, "MATRIX_MIN_PAIRS", 1000)  # this workload counts as large
    with_numpy = duplicates_found()
    assert with_numpy, "the workload must contain near-duplicates"
    monkeypatch.setitem(sys.modules, "numpy", None)
    fuzzyindex.numpy_installed.cache_clear()
    fuzzyindex._told.clear()
    try:
        with caplog.at_level(logging.INFO, logger="bot"):
            assert duplicates_found() == with_numpy
    finally:
        fuzzyindex.numpy_installed.cache_clear()
    notes = [r.getMessage() for r in caplog.records if "without numpy" in r.getMessage()]
    assert len(notes) == 1  # once, however many searches
    assert (
        "install the large-lists extra (pip install 'arxiv-awesome-bot[large-lists]')" in notes[0]
    )


def test_small_lists_never_mention_numpy(
    without_numpy: None, caplog: pytest.LogCaptureFixture
) -> None:
    titles = sorted(["attention heads explained", "attention head explained"], key=len)
    with caplog.at_level(logging.INFO, logger="bot"):
        pairs = set(fuzzyindex.candidate_pairs(["attention heads explaned"], titles, THRESHOLD))
    assert pairs == {(0, 0), (0, 1)}
    assert "numpy" not in caplog.text


@pytest.mark.parametrize("matrix_from", [fuzzyindex.MATRIX_MIN_PAIRS, 1000])
def test_scored_pairs_are_the_candidate_pairs_scored_in_the_same_order(
    monkeypatch: pytest.MonkeyPatch, matrix_from: int
) -> None:
    """process.extract over each length window finds what scoring every candidate finds."""
    from rapidfuzz import fuzz

    from bot.normalize import normalize_titles

    monkeypatch.setattr(fuzzyindex, "MATRIX_MIN_PAIRS", matrix_from)
    known, candidates = dedupe_workload(known=1500, candidates=300, seed=5)
    targets = sorted(set(normalize_titles(known)), key=len)
    queries = normalize_titles(candidates)
    expected = [
        (qi, ti, score)
        for qi, ti in fuzzyindex.candidate_pairs(queries, targets, THRESHOLD)
        if (score := fuzz.ratio(queries[qi], targets[ti], score_cutoff=THRESHOLD))
    ]
    found = list(fuzzyindex.scored_pairs(queries, targets, THRESHOLD))
    assert len(expected) > 50  # the workload has near-duplicates
    assert sorted(found) == sorted(expected)
    if matrix_from == fuzzyindex.MATRIX_MIN_PAIRS:  # the length scan's order, query by query
        assert found == expected
