"""Dedupe stage: drop papers already listed or known, by arXiv id and by fuzzy title.

Titles are compared after `normalize_title` with rapidfuzz's `fuzz.ratio`
(normalized Indel similarity, 0-100). Ids and exact normalized titles are
looked up by hash; fuzzy matches come from `fuzzyindex.candidate_pairs`, whose
filter provably keeps every pair that can reach the threshold, so the result
equals an exhaustive rapidfuzz comparison at the same threshold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.fuzzyindex import candidate_pairs
from bot.models import Duplicate, KnownTitle, Paper
from bot.normalize import normalize_title


class TitleIndex:
    """Known papers, searchable by id, exact normalized title, and fuzzy title."""

    def __init__(self, known: Iterable[KnownTitle], threshold: float) -> None:
        self.threshold = threshold
        items = list(known)
        # First occurrence wins, as with setdefault; comprehensions keep 200,000 entries fast.
        self.by_id: dict[str, KnownTitle] = {k.id: k for k in reversed(items) if k.id}
        # The list and the state mostly repeat the same titles: normalize each once.
        by_raw = {k.title: k for k in reversed(items) if k.title}
        normalized = [(normalize_title(title), item) for title, item in by_raw.items()]
        # `normalized` runs newest first, so the earliest entry is written last and wins.
        self.by_title: dict[str, KnownTitle] = {norm: item for norm, item in normalized if norm}
        self.titles = sorted(self.by_title, key=len)

    def best_fuzzy(self, norms: Sequence[str]) -> dict[int, tuple[KnownTitle, float]]:
        """For each query index, the most similar known title at or above the threshold."""
        from rapidfuzz import fuzz

        best: dict[int, tuple[KnownTitle, float]] = {}
        for qi, ti in candidate_pairs(norms, self.titles, self.threshold):
            score = fuzz.ratio(norms[qi], self.titles[ti], score_cutoff=self.threshold)
            if score and (qi not in best or score > best[qi][1]):
                best[qi] = (self.by_title[self.titles[ti]], score)
        return best

    def match(self, paper: Paper) -> Duplicate | None:
        """The known entry this paper duplicates, or None."""
        duplicates = split_duplicates([paper], self)[1]
        return duplicates[0] if duplicates else None


def split_duplicates(
    papers: Sequence[Paper], index: TitleIndex
) -> tuple[list[Paper], list[Duplicate]]:
    """Separate new papers from duplicates; twins within the batch count once (first wins)."""
    norms = [normalize_title(p.title) for p in papers]
    # Only papers that no id or exact title already settles need the fuzzy search.
    open_ = [
        i
        for i, p in enumerate(papers)
        if p.id not in index.by_id and norms[i] not in index.by_title
    ]
    fuzzy_open = index.best_fuzzy([norms[i] for i in open_])
    fuzzy_known = {open_[qi]: found for qi, found in fuzzy_open.items()}
    by_length = sorted(range(len(norms)), key=lambda i: len(norms[i]))
    twins: dict[int, list[int]] = {}
    for qi, ti in candidate_pairs(norms, [norms[i] for i in by_length], index.threshold):
        other = by_length[ti]
        if other < qi:
            twins.setdefault(qi, []).append(other)

    fresh: list[Paper] = []
    fresh_ids: set[str] = set()
    duplicates: list[Duplicate] = []
    for i, (paper, norm) in enumerate(zip(papers, norms, strict=True)):
        if paper.id in index.by_id:
            duplicates.append(Duplicate(paper, index.by_id[paper.id], "id"))
        elif norm and norm in index.by_title:
            duplicates.append(Duplicate(paper, index.by_title[norm], "title"))
        elif i in fuzzy_known:
            matched, score = fuzzy_known[i]
            duplicates.append(Duplicate(paper, matched, "title", round(score, 1)))
        elif twin := _earlier_twin(i, norms, twins, fresh_ids, papers, index.threshold):
            duplicates.append(twin)
        else:
            fresh.append(paper)
            fresh_ids.add(paper.id)
    return fresh, duplicates


def _earlier_twin(
    i: int,
    norms: Sequence[str],
    twins: dict[int, list[int]],
    fresh_ids: set[str],
    papers: Sequence[Paper],
    threshold: float,
) -> Duplicate | None:
    from rapidfuzz import fuzz

    paper = papers[i]
    for j in twins.get(i, ()):
        other = papers[j]
        if other.id not in fresh_ids or not norms[i]:
            continue
        score = (
            100.0
            if norms[i] == norms[j]
            else fuzz.ratio(norms[i], norms[j], score_cutoff=threshold)
        )
        if score:
            return Duplicate(
                paper, KnownTitle(other.id, other.title, "this run"), "title", round(score, 1)
            )
    return None
