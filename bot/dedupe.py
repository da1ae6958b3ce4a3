"""Dedupe stage: split new papers into fresh ones and the ones already listed or known.

A paper with a known arXiv id (any version, any link form) is a duplicate. Otherwise
its title is looked up, exactly after `normalize_title` and fuzzily with rapidfuzz's
`fuzz.ratio` (normalized Indel similarity, 0-100); every known paper found is put to
`samepaper.judge`, which weighs the titles' words, the authors, the abstracts and the
ids' dates. SAME skips the paper; UNSURE adds it with a possible-duplicate note;
DIFFERENT adds it. `title_threshold` bounds the search: titles less similar than that
are never the same paper. `fuzzyindex.candidate_pairs` provably keeps every pair that
reaches it (`scored_pairs` scores them), so the pairs judged are exactly those an
exhaustive comparison would find.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from msgspec.structs import replace

from bot.fuzzyindex import Targets, scored_pairs
from bot.models import Decision, Duplicate, KnownTitle, KnownTitles, Paper, PossibleDuplicate
from bot.normalize import normalize_titles

if TYPE_CHECKING:
    from bot.listdoc.document import ListDocument
    from bot.samepaper import Facts, Judgement

# bot.samepaper (the verdict, its word list) is imported where a title is similar to a
# known one: most papers of most runs have no such title, and need none of it.

AuthorsOf = Callable[[str], Sequence[str]]  # a known paper's authors by id; () if unknown

PREPARE_MIN_TITLES = 10_000


class TitleIndex:
    """Known papers, searchable by id, exact normalized title, and fuzzy title.

    Built with dict and sort calls over whole columns (C loops: 200,000 known papers
    take a fraction of a second); a KnownTitle is made only for a paper a match reports.
    Every title is folded: pass a paper once (`listed_then_stored`), not once per source.
    `authors_of` gives the authors the bot knows of a known paper (the state keeps them
    for the papers it proposed), for the verdict.
    """

    def __init__(
        self,
        known: KnownTitles | Iterable[KnownTitle],
        threshold: float,
        authors_of: AuthorsOf | None = None,
    ) -> None:
        self.known = known if isinstance(known, KnownTitles) else KnownTitles.of(known)
        self.threshold = threshold
        self.authors_of = authors_of
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

    def similar(self, norms: Sequence[str]) -> dict[int, list[tuple[KnownTitle, float]]]:
        """For each query index, the known titles at or above the threshold, most similar
        first (an exact title is among them, at 100)."""
        titles = self.targets.titles
        found: dict[int, list[tuple[float, str]]] = {}
        for qi, ti, score in scored_pairs(norms, self.targets, self.threshold):
            found.setdefault(qi, []).append((score, titles[ti]))
        return {
            qi: [
                (self.known[self._position_of_norm[norm]], score)
                for score, norm in sorted(pairs, key=lambda pair: -pair[0])
            ]
            for qi, pairs in found.items()
        }

    def facts(self, known: KnownTitle, abstracts: Mapping[str, str] | None = None) -> Facts:
        """What the verdict knows of a known paper: its authors from the state, and its
        abstract from `abstracts` (the run store's cache: id -> "title\nabstract")."""
        from bot.samepaper import Facts

        if not known.id:
            return Facts(known.id, known.title)
        authors = self.authors_of(known.id) if self.authors_of else ()
        abstract = abstracts.get(known.id, "").partition("\n")[2] if abstracts else ""
        return Facts(known.id, known.title, authors, abstract)

    def match(self, paper: Paper) -> Duplicate | None:
        """The known entry this paper duplicates, or None (new, or only possibly a duplicate)."""
        duplicates = split_duplicates([paper], self).duplicates
        return duplicates[0] if duplicates else None


class Split(NamedTuple):
    """Dedupe's outcome: papers to add, papers to skip, and notes on some to add."""

    fresh: list[Paper]
    duplicates: list[Duplicate]
    possible: dict[str, PossibleDuplicate]  # by the fresh paper's id


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
    papers: Sequence[Paper], index: TitleIndex, abstracts: Mapping[str, str] | None = None
) -> Split:
    """Separate new papers from duplicates; twins within the batch count once (first wins).

    Each paper is judged against every known paper its title is similar to: the first
    SAME makes it a duplicate; else the first UNSURE is noted and the paper is fresh.
    `abstracts` (id -> "title\nabstract", the run store's cache) adds known abstracts.
    """
    norms = normalize_titles([p.title for p in papers])
    open_ = [i for i, p in enumerate(papers) if norms[i] and index.by_id(p.id) is None]
    settled = _exact_twins(papers, norms, open_, index, abstracts)
    open_ = [i for i in open_ if i not in settled]  # the title search is for the rest
    similar = index.similar([norms[i] for i in open_])
    found = {open_[qi]: pairs for qi, pairs in similar.items()}
    twins = _batch_twins(norms, index.threshold)

    split = Split([], [], {})
    fresh_at: dict[str, int] = {}
    for i, paper in enumerate(papers):
        if (known := index.by_id(paper.id)) is not None:
            split.duplicates.append(Duplicate(paper, known, "id", why="same arXiv id"))
            continue
        if i in settled:
            split.duplicates.append(Duplicate(paper, *settled[i]))
            continue
        verdict = _verdict(
            paper, papers, found.get(i, ()), twins.get(i, ()), fresh_at, index, abstracts
        )
        if verdict is not None:
            from bot.samepaper import Verdict  # _verdict has loaded it

            matched, score, judgement = verdict
            if judgement.verdict is Verdict.SAME:
                why = judgement.why
                split.duplicates.append(Duplicate(paper, matched, "title", round(score, 1), why))
                continue
            split.possible[paper.id] = PossibleDuplicate(matched, judgement.why, round(score, 1))
        split.fresh.append(paper)
        fresh_at[paper.id] = i
    return split


def _exact_twins(
    papers: Sequence[Paper],
    norms: Sequence[str],
    open_: Sequence[int],
    index: TitleIndex,
    abstracts: Mapping[str, str] | None,
) -> dict[int, tuple[KnownTitle, str, float, str]]:
    """Papers whose normalized title a known paper has exactly and the verdict calls the
    same paper: (known, "title", 100, why) by position. They need no title search."""
    settled = {}
    for i in open_:
        known = index.by_title(norms[i])
        if known is not None:
            from bot.samepaper import Facts, Verdict, judge

            judgement = judge(index.facts(known, abstracts), Facts.of(papers[i]))
            if judgement.verdict is Verdict.SAME:
                settled[i] = (known, "title", 100.0, judgement.why)
    return settled


# The verdict weighs words in Python: judging every candidate would be quadratic in a
# series of near-identical titles ("Study 1" ... "Study 900"). A same-paper twin is among
# the closest titles; one missed beyond them is a visible "new" paper, never a lost one.
MOST_JUDGED = 12


def _verdict(
    paper: Paper,
    papers: Sequence[Paper],
    found: Sequence[tuple[KnownTitle, float]],
    twins: Sequence[tuple[int, float]],
    fresh_at: Mapping[str, int],
    index: TitleIndex,
    abstracts: Mapping[str, str] | None,
) -> tuple[KnownTitle, float, Judgement] | None:
    """The verdict on `paper` against its similar known titles and earlier fresh twins."""
    twins = [(j, score) for j, score in twins if papers[j].id in fresh_at]
    if not found and not twins:
        return None
    from bot.samepaper import Facts

    candidates = [(k, score, index.facts(k, abstracts)) for k, score in found]
    candidates += [
        (KnownTitle(papers[j].id, papers[j].title, "this run"), score, Facts.of(papers[j]))
        for j, score in twins
    ]
    return _first_same_or_unsure(Facts.of(paper), candidates)


def _first_same_or_unsure(
    paper: Facts, candidates: Sequence[tuple[KnownTitle, float, Facts]]
) -> tuple[KnownTitle, float, Judgement] | None:
    """The first SAME, else the first UNSURE, among the MOST_JUDGED closest candidates."""
    from bot.samepaper import Verdict, judge

    unsure = None
    closest = sorted(candidates, key=lambda candidate: -candidate[1])[:MOST_JUDGED]
    for known, score, facts in closest:
        judgement = judge(facts, paper)
        if judgement.verdict is Verdict.SAME:
            return known, score, judgement
        if judgement.verdict is Verdict.UNSURE and unsure is None:
            unsure = (known, score, judgement)
    return unsure


def _batch_twins(norms: Sequence[str], threshold: float) -> dict[int, list[tuple[int, float]]]:
    """For each paper, the earlier papers of the batch whose titles reach the threshold."""
    by_length = sorted(range(len(norms)), key=lambda i: len(norms[i]))
    twins: dict[int, list[tuple[int, float]]] = {}
    for qi, ti, score in scored_pairs(norms, [norms[i] for i in by_length], threshold):
        other = by_length[ti]
        if other < qi and norms[qi]:
            twins.setdefault(qi, []).append((other, score))
    return twins


def with_possible_duplicate(
    decision: Decision, possible: PossibleDuplicate | None, document: ListDocument
) -> Decision:
    """The decision with its possible-duplicate note and the listed paper's 1-based line
    in the list as read (before the edit): its entry's, else the first line naming it."""
    if possible is None or possible.matched.source != "list":
        return decision if possible is None else replace(decision, possible_duplicate=possible)
    matched = possible.matched
    line = next(
        (e.line + 1 for e in document.entries if (e.id, e.title) == (matched.id, matched.title)),
        None,
    )
    if line is None:  # a paper linked outside the sections (bare ids, tables elsewhere)
        needle = f"/{matched.id}" if matched.id else matched.title
        line = next((n for n, text in enumerate(document.lines, 1) if needle in text), None)
    return replace(decision, possible_duplicate=replace(possible, line=line))
