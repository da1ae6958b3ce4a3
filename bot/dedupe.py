"""Dedupe stage: drop papers already listed or known, by arXiv id and by fuzzy title.

Titles are compared after `normalize_title` with rapidfuzz's `fuzz.ratio`
(normalized Indel similarity, 0-100). Exact normalized matches are found by
hash; fuzzy ones only among titles whose length can reach the threshold at all
(ratio <= 200 * min(len) / (len_a + len_b)), so the result equals an
exhaustive comparison at the same threshold.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from bot.models import Duplicate, KnownTitle, Paper
from bot.normalize import normalize_title


class TitleIndex:
    """Known papers, searchable by id, exact normalized title, and fuzzy title."""

    def __init__(self, known: Iterable[KnownTitle], threshold: float) -> None:
        self.threshold = threshold
        self._by_id: dict[str, KnownTitle] = {}
        self._by_title: dict[str, KnownTitle] = {}
        self._lengths: list[int] = []  # sorted, parallel to _titles
        self._titles: list[str] = []
        self._pending: list[tuple[str, KnownTitle]] = []
        for item in known:
            self.add(item)

    def add(self, item: KnownTitle) -> None:
        if item.id:
            self._by_id.setdefault(item.id, item)
        norm = normalize_title(item.title) if item.title else ""
        if norm and norm not in self._by_title:
            self._by_title[norm] = item
            self._pending.append((norm, item))

    def _sorted(self) -> None:
        if not self._pending:
            return
        merged = sorted(zip(self._titles, self._lengths, strict=True), key=lambda t: t[1])
        merged += [(n, len(n)) for n, _ in self._pending]
        merged.sort(key=lambda t: t[1])
        self._titles = [n for n, _ in merged]
        self._lengths = [n for _, n in merged]
        self._pending.clear()

    def match(self, paper: Paper) -> Duplicate | None:
        """The known entry this paper duplicates, or None."""
        if paper.id in self._by_id:
            return Duplicate(paper, self._by_id[paper.id], "id")
        norm = normalize_title(paper.title)
        if not norm:
            return None
        if norm in self._by_title:
            return Duplicate(paper, self._by_title[norm], "title")
        best = self.best_fuzzy(norm)
        if best is None:
            return None
        title, score = best
        return Duplicate(paper, self._by_title[title], "title", round(score, 1))

    def best_fuzzy(self, norm: str) -> tuple[str, float] | None:
        from rapidfuzz import fuzz, process

        self._sorted()
        low, high = length_bounds(len(norm), self.threshold)
        lo = bisect.bisect_left(self._lengths, low)
        hi = bisect.bisect_right(self._lengths, high)
        if lo >= hi:
            return None
        found = process.extractOne(
            norm, self._titles[lo:hi], scorer=fuzz.ratio, score_cutoff=self.threshold
        )
        return (found[0], float(found[1])) if found else None


def length_bounds(length: int, threshold: float) -> tuple[float, float]:
    """Lengths another string must have for fuzz.ratio to possibly reach `threshold`."""
    t = threshold / 100
    return length * t / (2 - t), length * (2 - t) / t


def split_duplicates(
    papers: Sequence[Paper], index: TitleIndex
) -> tuple[list[Paper], list[Duplicate]]:
    """Separate new papers from duplicates; a paper twice in one batch counts once."""
    fresh: list[Paper] = []
    duplicates: list[Duplicate] = []
    for paper in papers:
        duplicate = index.match(paper)
        if duplicate:
            duplicates.append(duplicate)
            continue
        fresh.append(paper)
        index.add(KnownTitle(paper.id, paper.title, "this run"))
    return fresh, duplicates
