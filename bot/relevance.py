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
from dataclasses import dataclass

from bot.config import RelevanceConfig
from bot.models import Decision, Evidence, Paper
from bot.normalize import is_withdrawn

WITHDRAWN_PENALTY = -100.0


@dataclass(frozen=True)
class PhraseRule:
    phrase: str
    pattern: re.Pattern[str]
    weight: float
    # Longer phrases that contain this one: a match inside theirs is not counted twice.
    within: tuple[re.Pattern[str], ...] = ()
    # A lowercase substring every match contains: a cheap test before the regex.
    needle: str = ""

    def search(self, text: str, lowered: str) -> bool:
        return (not self.needle or self.needle in lowered) and bool(self.pattern.search(text))


@dataclass(frozen=True)
class RelevanceRules:
    """Compiled relevance settings: build once per run with `compile_rules`."""

    phrases: tuple[PhraseRule, ...]
    categories: tuple[tuple[str, float], ...]
    threshold: float
    borderline_margin: float
    title_multiplier: float
    cross_list_factor: float


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Compile a config phrase: words at word boundaries, any case, plurals, `*` prefixes.

    `re:` introduces a raw regular expression instead.
    """
    if phrase.startswith("re:"):
        return re.compile(phrase[3:], re.IGNORECASE)
    parts = []
    for word in phrase.split():
        if word.endswith("*"):
            parts.append(re.escape(word[:-1]) + r"\w*")
        else:
            parts.append(re.escape(word) + r"(?:s|es)?")
    return re.compile(r"(?<!\w)" + r"[\s-]+".join(parts) + r"(?!\w)", re.IGNORECASE)


def phrase_needle(phrase: str) -> str:
    """A lowercase literal every match contains: the phrase's longest word ("" for regexes)."""
    if phrase.startswith("re:"):
        return ""
    return max((w.rstrip("*").lower() for w in phrase.split()), key=len)


def compile_rules(config: RelevanceConfig) -> RelevanceRules:
    """Compile the configured phrases and category patterns."""

    def containing(phrase: str) -> tuple[re.Pattern[str], ...]:
        core = phrase.lower().rstrip("*")
        return tuple(
            phrase_pattern(other)
            for other in config.phrases
            if len(other) > len(phrase) and core in other.lower() and not phrase.startswith("re:")
        )

    phrases = tuple(
        PhraseRule(p, phrase_pattern(p), w, containing(p), phrase_needle(p))
        for p, w in config.phrases.items()
    )
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
    for rule in rules.phrases:
        if rule.search(title, title_lower) and _matches_alone(rule, title):
            found.append(
                Evidence(f'"{rule.phrase}"', "title", rule.weight * rules.title_multiplier)
            )
        elif rule.search(abstract, abstract_lower) and _matches_alone(rule, abstract):
            found.append(Evidence(f'"{rule.phrase}"', "abstract", rule.weight))
    return found


def _matches_alone(rule: PhraseRule, text: str) -> bool:
    if not rule.within:
        return True
    spans = [m.span() for longer in rule.within for m in longer.finditer(text)]
    return any(
        not any(start <= m.start() and m.end() <= end for start, end in spans)
        for m in rule.pattern.finditer(text)
    )


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
