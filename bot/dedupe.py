"""Dedupe stage: drop papers already listed or known, by arXiv id and by fuzzy title.

Titles are compared after `normalize_title` with rapidfuzz's `fuzz.ratio`
(normalized Indel similarity, 0-100). Ids and exact normalized titles are
looked up by hash; fuzzy matches come from `fuzzyindex.candidate_pairs`, whose
filter provably keeps every pair that can reach the threshold, so the result
equals an exhaustive rapidfuzz comparison at the same threshold.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence

from bot.fuzzyindex import Targets, candidate_pairs
from bot.models import Duplicate, KnownTitle, KnownTitles, Paper
from bot.normalize import normalize_titles

PREPARE_MIN_TITLES = 10_000


class TitleIndex:
    """Known papers, searchable by id, exact normalized title, and fuzzy title.

    Built with dict and sort calls over whole columns (C loops: 200,000 known papers
    take a fraction of a second); a KnownTitle is made only for a paper a match reports.
    Every title is folded: pass a paper once (`listed_then_stored`), not once per source.
    """

    def __init__(self, known: KnownTitles | Iterable[KnownTitle], threshold: float) -> None:
        self.known = known if isinstance(known, KnownTitles) else KnownTitles.of(known)
        self.threshold = threshold
        # Built from the end so that the first position of each key is written last and wins
        # (one list of positions: both dicts share its int objects).
        backwards = list(range(len(self.known) - 1, -1, -1))
        self._position_of_id = dict(zip(reversed(self.known.ids), backwards, strict=True))
        self._position_of_id.pop(None, None)
        norms = normalize_titles(self.known.titles)
        self._position_of_norm = dict(zip(reversed(norms), backwards, strict=True))
        self._position_of_norm.pop("", None)
        self.targets = Targets(sorted(self._position_of_norm, key=len))  # the fuzzy search's
        # A long list is searched with the matrix filter: its side of the bound is computed
        # now, while the fetch runs, rather than once the hits arrive.
        if len(self.targets) >= PREPARE_MIN_TITLES:
            self.targets.prepare()

    def by_id(self, paper_id: str) -> KnownTitle | None:
        position = self._position_of_id.get(paper_id)
        return None if position is None else self.known[position]

    def by_title(self, norm: str) -> KnownTitle | None:
        """The first known paper whose normalized title is exactly `norm`."""
        position = self._position_of_norm.get(norm)
        return None if position is None else self.known[position]

    def best_fuzzy(self, norms: Sequence[str]) -> dict[int, tuple[KnownTitle, float]]:
        """For each query index, the most similar known title at or above the threshold."""
        from rapidfuzz import fuzz

        titles = self.targets.titles
        best: dict[int, tuple[str, float]] = {}
        for qi, ti in candidate_pairs(norms, self.targets, self.threshold):
            score = fuzz.ratio(norms[qi], titles[ti], score_cutoff=self.threshold)
            if score and (qi not in best or score > best[qi][1]):
                best[qi] = (titles[ti], score)
        return {
            qi: (self.known[self._position_of_norm[norm]], score)
            for qi, (norm, score) in best.items()
        }

    def match(self, paper: Paper) -> Duplicate | None:
        """The known entry this paper duplicates, or None."""
        duplicates = split_duplicates([paper], self)[1]
        return duplicates[0] if duplicates else None


def listed_then_stored(listed: KnownTitles, stored: KnownTitles) -> KnownTitles:
    """The list's papers, then the stored ones the list does not show under the same title.

    The list comes first in every lookup, so a stored paper listed with its stored
    title would never be reported: leaving it out halves the index of a list the bot
    has kept for years.
    """
    title_of = dict(zip(listed.ids, listed.titles, strict=True))
    listed_titles = map(title_of.get, stored.ids)  # map and ne: C loops over long columns
    return listed + stored.where(map(operator.ne, listed_titles, stored.titles))


def split_duplicates(
    papers: Sequence[Paper], index: TitleIndex
) -> tuple[list[Paper], list[Duplicate]]:
    """Separate new papers from duplicates; twins within the batch count once (first wins)."""
    norms = normalize_titles([p.title for p in papers])
    by_id = [index.by_id(p.id) for p in papers]
    by_title = [index.by_title(norm) if norm else None for norm in norms]
    # Only papers that no id or exact title already settles need the fuzzy search.
    open_ = [i for i in range(len(papers)) if by_id[i] is None and by_title[i] is None]
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
    for i, paper in enumerate(papers):
        if (known := by_id[i]) is not None:
            duplicates.append(Duplicate(paper, known, "id"))
        elif (known := by_title[i]) is not None:
            duplicates.append(Duplicate(paper, known, "title"))
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
