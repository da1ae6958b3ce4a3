"""Relevance stage: score each paper against the list's topic and explain why.

The score is a sum of weighted signals a maintainer sets in config.toml, of
three kinds (issue 17: "a topic's name is a claim, a method is evidence"):

- claims (`[relevance.claims]`): the topic's name ("mechanistic
  interpretability"). Together they add at most `claim_cap`, however often.
- evidence (`[relevance.phrases]`): the topic's methods and objects ("sparse
  autoencoder", "activation patching"), and negative phrases for other fields'
  use of the same words. A paper is accepted only with at least `min_evidence`
  of positive evidence: its name and generic words alone never pass.
- generic words (`[relevance.generic]`: "layers", "attention heads",
  "probing"): together they add at most `generic_cap`.
- methods applied to internals (`[relevance.together]`, bot/together.py): a
  method and the internals it reads in one sentence ("probing" with "hidden
  states"); evidence, so a paper that names the field and probes its layers passes.

A phrase in the title counts `title_multiplier` times its weight. arXiv
categories add theirs (primary in full, the strongest cross-list scaled by
`cross_list_factor`); a category the config leaves out counts 0 within cs.* and
stat.ML and -1 elsewhere. Every signal that moved the score is kept as evidence.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence

from msgspec import Struct

from bot.config import RelevanceConfig
from bot.models import Decision, Evidence, Paper, RawRecord
from bot.normalize import is_withdrawn, normalize_records
from bot.phrases import PhraseIndex, compile_phrases, phrase_pattern
from bot.together import TogetherRule, compile_together, together_evidence

__all__ = [
    "RelevanceRules",
    "Screened",
    "compile_rules",
    "decide",
    "phrase_pattern",
    "score_paper",
]

# Categories the config leaves out, after every configured pattern (issue 17): computer
# science and statistical ML are the list's neighbours; any other field is a mild minus.
UNLISTED_CATEGORIES = (("cs.*", 0.0), ("stat.ML", 0.0), ("*", -1.0))
CLAIM, EVIDENCE, GENERIC, LIST = "claim", "evidence", "generic", "list"
SHOWN = (EVIDENCE, LIST)  # kinds of evidence that count towards min_evidence


class RelevanceRules(Struct, frozen=True):
    """Compiled relevance settings: build once per run with `compile_rules`."""

    index: PhraseIndex
    categories: tuple[tuple[str, float], ...]
    threshold: float
    borderline_margin: float
    title_multiplier: float
    cross_list_factor: float
    claim_cap: float = float("inf")
    generic_cap: float = float("inf")
    min_evidence: float = 0.0
    together: tuple[TogetherRule, ...] = ()


def compile_rules(config: RelevanceConfig) -> RelevanceRules:
    """Compile the configured phrases (claims, evidence, generic) and category patterns."""
    weighted = {p: (w, CLAIM) for p, w in config.claims.items()}
    weighted |= {p: (w, GENERIC) for p, w in config.generic.items()}
    weighted |= {p: (w, EVIDENCE) for p, w in config.phrases.items()}
    # Most specific pattern first, so "cs.LG" beats "cs.*".
    categories = tuple(
        sorted(config.categories.items(), key=lambda item: (item[0].count("*"), -len(item[0])))
    )
    return RelevanceRules(
        index=compile_phrases(weighted),
        categories=categories,
        threshold=config.threshold,
        borderline_margin=config.borderline_margin,
        title_multiplier=config.title_multiplier,
        cross_list_factor=config.cross_list_factor,
        claim_cap=config.claim_cap,
        generic_cap=config.generic_cap,
        min_evidence=config.min_evidence,
        together=compile_together(config.together),
    )


def category_weight(category: str, rules: RelevanceRules) -> tuple[float, bool]:
    """The category's weight and whether the config names it (else the unlisted default)."""
    for pattern, weight in rules.categories:
        if fnmatch.fnmatchcase(category, pattern):
            return weight, True
    for pattern, weight in UNLISTED_CATEGORIES:
        if fnmatch.fnmatchcase(category, pattern):
            return weight, False
    raise AssertionError("'*' matches every category")  # pragma: no cover


def phrase_evidence(paper: Paper, rules: RelevanceRules) -> list[Evidence]:
    """The evidence of each phrase found: in the title (scaled) if there, else the abstract.

    Each phrase counts once, and a match inside a longer matched phrase does not
    count again, so "mechanistic interpretability" is not also "interpretability".
    """
    found = []
    title, abstract = paper.title, paper.abstract
    title_lower, abstract_lower = title.lower(), abstract.lower()
    # Most phrases are absent from a given paper: their needles rule them out before
    # any matching; a needle the title lacks rules the title out (regexes have none).
    for rule in rules.index.candidates(f"{title_lower}\n{abstract_lower}"):
        if rule.needle in title_lower and rule.matches_alone(title, title_lower):
            where, weight = "title", rule.weight * rules.title_multiplier
        elif rule.matches_alone(abstract, abstract_lower):
            where, weight = "abstract", rule.weight
        else:
            continue
        label = f'"{rule.phrase}"' if rule.kind == EVIDENCE else f'{rule.kind} "{rule.phrase}"'
        found.append(Evidence(label, where, weight, rule.kind))
    return found


def capped(kind: str, found: list[Evidence], cap: float, key: str) -> list[Evidence]:
    """The found evidence, plus one negative item taking back what exceeds `cap`."""
    total = sum(e.weight for e in found)
    if total <= cap:
        return found
    plural = "claims" if kind == CLAIM else "generic words"
    return [*found, Evidence(f"{plural} add at most {cap:g} (relevance.{key})", "", cap - total)]


def category_evidence(paper: Paper, rules: RelevanceRules) -> list[Evidence]:
    found = []
    weight, named = category_weight(paper.primary_category, rules)
    if weight:
        found.append(_category(paper.primary_category, "primary", weight, named))
    cross = [
        (cat, *category_weight(cat, rules))
        for cat in paper.categories
        if cat != paper.primary_category
    ]
    cross = [item for item in cross if item[1]]
    if cross:
        cat, weight, named = max(cross, key=lambda item: abs(item[1]))
        found.append(_category(cat, "cross-list", weight * rules.cross_list_factor, named))
    return found


def _category(category: str, where: str, weight: float, named: bool) -> Evidence:
    unlisted = "" if named else " (not in config: -1 outside cs.* and stat.ML)"
    return Evidence(f"category {category}{unlisted}", where, weight)


def score_paper(paper: Paper, rules: RelevanceRules) -> Decision:
    """Score one paper and decide: accepted, borderline (shown, not added) or rejected."""
    found = phrase_evidence(paper, rules)
    of_kind = {kind: [e for e in found if e.kind == kind] for kind in (CLAIM, EVIDENCE, GENERIC)}
    evidence = [
        *capped(CLAIM, of_kind[CLAIM], rules.claim_cap, "claim_cap"),
        *of_kind[EVIDENCE],
        *together_evidence(paper.title, paper.abstract, rules.together),
        *capped(GENERIC, of_kind[GENERIC], rules.generic_cap, "generic_cap"),
        *category_evidence(paper, rules),
    ]
    if is_withdrawn(paper):  # an exclusion, not a penalty: never added, whatever the score
        score = round(sum(e.weight for e in evidence), 2)
        return Decision(paper, score, False, False, tuple(evidence), excluded="withdrawn")
    return decide(paper, evidence, rules.threshold, rules.borderline_margin, rules.min_evidence)


def decide(
    paper: Paper,
    evidence: Sequence[Evidence],
    threshold: float,
    borderline_margin: float,
    min_evidence: float,
) -> Decision:
    """The decision the evidence makes: the one rule, for the score and for added signals.

    Accepted = score >= threshold and positive evidence (kinds "evidence" and
    "list") >= min_evidence. A paper that reaches the threshold without enough
    evidence is held back as borderline, and its reason says so.
    """
    score = round(sum(e.weight for e in evidence), 2)
    shown = round(sum(e.weight for e in evidence if e.kind in SHOWN and e.weight > 0), 2)
    held = ""
    if score >= threshold and shown < min_evidence:
        held = (
            f"held back: method evidence {shown:g} < relevance.min_evidence "
            f"{min_evidence:g} (the topic's name and generic words alone do not pass)"
        )
    accepted = score >= threshold and not held
    return Decision(
        paper=paper,
        score=score,
        accepted=accepted,
        borderline=not accepted and score >= threshold - borderline_margin,
        evidence=tuple(evidence),
        held=held,
    )


class Screened(Struct, frozen=True):
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
