"""Relevance stage: score each paper against the list's topic and explain why.

The score is a sum of weighted signals a maintainer sets in config.toml:
phrases found in the title (weighted up by `title_multiplier`) or abstract,
negative phrases that mark other fields' use of the same words, and arXiv
categories (primary in full, the strongest cross-list scaled by
`cross_list_factor`). Every signal that fired is kept as evidence.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.config import RelevanceConfig
from bot.models import Decision, Evidence, Paper, RawRecord
from bot.normalize import is_withdrawn, normalize_records

WITHDRAWN_PENALTY = -100.0


@dataclass(frozen=True)
class PhraseRule:
    phrase: str
    # A "re:" phrase's case-insensitive regex, matched in the text. A plain phrase gets a
    # pattern for the lowercased text that starts with a literal (far faster to scan
    # for than phrase_pattern's look-behind); word-start is then checked by hand.
    pattern: re.Pattern[str]
    weight: float
    plain: bool = True
    # Longer phrases that contain this one: a match inside theirs is not counted twice.
    within: tuple[PhraseRule, ...] = ()
    # A lowercase substring every match contains: a cheap test before any regex.
    needle: str = ""

    def spans(self, text: str, lowered: str, first_only: bool = False) -> list[tuple[int, int]]:
        """Where the phrase matches; in `lowered` for plain phrases, in `text` for regexes.

        With `first_only`, stop at the first match (enough to know that it occurs).
        """
        if not self.plain:
            if first_only:
                match = self.pattern.search(text)
                return [match.span()] if match else []
            return [m.span() for m in self.pattern.finditer(text)]
        if self.needle and self.needle not in lowered:
            return []
        found = []
        position = 0
        while match := self.pattern.search(lowered, position):
            start = match.start()
            if start == 0 or not _is_word(lowered[start - 1]):
                found.append(match.span())
                if first_only:
                    break
                position = match.end()
            else:
                position = start + 1  # as the look-behind would: try the next position
        return found


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


@dataclass(frozen=True)
class RelevanceRules:
    """Compiled relevance settings: build once per run with `compile_rules`."""

    phrases: tuple[PhraseRule, ...]
    categories: tuple[tuple[str, float], ...]
    threshold: float
    borderline_margin: float
    title_multiplier: float
    cross_list_factor: float
    needles: tuple[str, ...] = ()  # of every phrase; a needle is one word (no whitespace)
    # Whitespace-separated chunks of text seen so far, and those holding needles (with
    # them). Both grow as papers are scored: a run's papers share most words, so each
    # chunk is examined once, and set operations (C loops) find a paper's known ones.
    _seen_chunks: set[str] = field(default_factory=set)
    _needles_in_chunk: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def candidates(self, lowered: str) -> list[PhraseRule]:
        """The rules whose needle occurs in `lowered` (and regex rules), in configured order.

        A needle has no whitespace, so it occurs in the text exactly when it occurs in
        one of the text's whitespace-separated chunks.
        """
        chunks = set(lowered.split())
        for chunk in chunks - self._seen_chunks:
            needles = tuple(n for n in self.needles if n in chunk)
            if needles:
                self._needles_in_chunk[chunk] = needles
        self._seen_chunks.update(chunks)
        found = {
            n
            for chunk in chunks & self._needles_in_chunk.keys()
            for n in self._needles_in_chunk[chunk]
        }
        return [rule for rule in self.phrases if not rule.needle or rule.needle in found]


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Compile a config phrase: words at word boundaries, any case, plurals, `*` prefixes.

    `re:` introduces a raw regular expression instead.
    """
    if phrase.startswith("re:"):
        return re.compile(phrase[3:], re.IGNORECASE)
    return re.compile(r"(?<!\w)" + _phrase_body(phrase) + r"(?!\w)", re.IGNORECASE)


def _lowercase_pattern(phrase: str) -> re.Pattern[str]:
    """A plain phrase for lowercased text, without phrase_pattern's leading look-behind."""
    return re.compile(_phrase_body(phrase.lower()) + r"(?!\w)")


def _phrase_body(phrase: str) -> str:
    parts = []
    for word in phrase.split():
        if word.endswith("*"):
            parts.append(re.escape(word[:-1]) + r"\w*")
        else:
            parts.append(re.escape(word) + r"(?:s|es)?")
    return r"[\s-]+".join(parts)


def phrase_needle(phrase: str) -> str:
    """A lowercase literal every match contains: the phrase's longest word ("" for regexes)."""
    if phrase.startswith("re:"):
        return ""
    return max((w.rstrip("*").lower() for w in phrase.split()), key=len)


def compile_rules(config: RelevanceConfig) -> RelevanceRules:
    """Compile the configured phrases and category patterns."""

    def rule(phrase: str, weight: float, within: tuple[PhraseRule, ...] = ()) -> PhraseRule:
        plain = not phrase.startswith("re:")
        return PhraseRule(
            phrase,
            _lowercase_pattern(phrase) if plain else phrase_pattern(phrase),
            weight,
            plain,
            within,
            phrase_needle(phrase),
        )

    plain = [p for p in config.phrases if not p.startswith("re:")]

    def containing(phrase: str) -> tuple[PhraseRule, ...]:
        if phrase.startswith("re:"):
            return ()
        core = phrase.lower().rstrip("*")
        return tuple(
            rule(other, 0.0)
            for other in plain
            if len(other) > len(phrase) and core in other.lower()
        )

    phrases = tuple(rule(p, w, containing(p)) for p, w in config.phrases.items())
    # Most specific pattern first, so "cs.LG" beats "cs.*".
    categories = tuple(
        sorted(config.categories.items(), key=lambda item: (item[0].count("*"), -len(item[0])))
    )
    return RelevanceRules(
        phrases=phrases,
        categories=categories,
        threshold=config.threshold,
        borderline_margin=config.borderline_margin,
        title_multiplier=config.title_multiplier,
        cross_list_factor=config.cross_list_factor,
        needles=tuple(dict.fromkeys(r.needle for r in phrases if r.needle)),
    )


def category_weight(category: str, rules: RelevanceRules) -> tuple[str, float] | None:
    for pattern, weight in rules.categories:
        if fnmatch.fnmatchcase(category, pattern):
            return pattern, weight
    return None


def phrase_evidence(paper: Paper, rules: RelevanceRules) -> list[Evidence]:
    """Each phrase counts once: in the title (scaled) if there, else in the abstract.

    A match inside a longer matched phrase does not count again, so
    "mechanistic interpretability" is not also scored as "interpretability".
    """
    found = []
    title, abstract = paper.title, paper.abstract
    title_lower, abstract_lower = title.lower(), abstract.lower()
    # Most phrases are absent from a given paper: their needles rule them out before
    # any regex runs.
    for rule in rules.candidates(f"{title_lower}\n{abstract_lower}"):
        if _matches_alone(rule, title, title_lower):
            found.append(
                Evidence(f'"{rule.phrase}"', "title", rule.weight * rules.title_multiplier)
            )
        elif _matches_alone(rule, abstract, abstract_lower):
            found.append(Evidence(f'"{rule.phrase}"', "abstract", rule.weight))
    return found


def _matches_alone(rule: PhraseRule, text: str, lowered: str) -> bool:
    if not rule.within:  # any match counts: the first one settles it
        return bool(rule.spans(text, lowered, first_only=True))
    spans = rule.spans(text, lowered)
    if not spans:
        return False
    covering = [span for longer in rule.within for span in longer.spans(text, lowered)]
    return any(not any(start <= s and e <= end for start, end in covering) for s, e in spans)


def category_evidence(paper: Paper, rules: RelevanceRules) -> list[Evidence]:
    found = []
    primary = category_weight(paper.primary_category, rules)
    if primary and primary[1]:
        found.append(Evidence(f"category {paper.primary_category}", "primary", primary[1]))
    cross = [
        (cat, hit[1])
        for cat in paper.categories
        if cat != paper.primary_category and (hit := category_weight(cat, rules)) and hit[1]
    ]
    if cross:
        cat, weight = max(cross, key=lambda item: abs(item[1]))
        found.append(Evidence(f"category {cat}", "cross-list", weight * rules.cross_list_factor))
    return found


def score_paper(paper: Paper, rules: RelevanceRules) -> Decision:
    """Score one paper and decide: accepted, borderline (shown, not added) or rejected."""
    evidence = phrase_evidence(paper, rules) + category_evidence(paper, rules)
    if is_withdrawn(paper):
        evidence.append(Evidence("withdrawn by its authors", "comment", WITHDRAWN_PENALTY))
    score = round(sum(e.weight for e in evidence), 2)
    accepted = score >= rules.threshold
    borderline = not accepted and score >= rules.threshold - rules.borderline_margin
    return Decision(
        paper=paper, score=score, accepted=accepted, borderline=borderline, evidence=tuple(evidence)
    )


@dataclass(frozen=True)
class Screened:
    """The arXiv side of a run, which needs no list: every hit normalized and judged."""

    fetched: int  # hits returned (a paper seen in two versions counts twice)
    decisions: list[Decision]  # one per paper, in fetch order

    @property
    def papers(self) -> list[Paper]:
        return [decision.paper for decision in self.decisions]


def screen(records: Sequence[RawRecord], relevance: RelevanceConfig) -> Screened:
    """Normalize the hits and judge each paper's relevance.

    Judging comes before dedupe here (it is per paper and pure, so the order
    changes nothing) because it can then run while the list is being read.
    """
    rules = compile_rules(relevance)
    papers = normalize_records(records)
    return Screened(len(records), [score_paper(paper, rules) for paper in papers])
