"""Evidence from two phrases in one sentence: a method applied to a model's internals.

A word such as "probing" or "attention heads" is weak alone (behavioural papers
probe a model's answers, efficiency papers prune attention heads), but a sentence
that names a method AND the internals it is applied to ("we probe the hidden
states of each layer", "ablating these attention heads removes the behaviour")
is evidence (issue 17; the labelling rule counts probing, attention heads as
mechanisms and circuits when they are applied to a trained network's internals).

A rule of `[relevance.together]` is written `"left & right" = weight`, each side
one phrase or several separated by `|`, in the phrase syntax of
`[relevance.phrases]` (any case, plurals, a hyphen like a space, a trailing `*`
for any ending; no "re:"). It counts once per paper, as evidence, when one
phrase of each side occurs in the same sentence of the title or the abstract;
the reason names the two phrases: `"probing" with "hidden state" in one sentence`.
"""

from __future__ import annotations

import bisect
import re

from msgspec import Struct

from bot.models import Evidence
from bot.phrases import PhraseRule, compile_phrases

__all__ = ["TogetherRule", "compile_together", "together_evidence", "together_problem"]

AND, OR = "&", "|"
# A sentence ends at ., ! or ? before whitespace and a capital, digit or bracket (so
# "e.g. the" and "0.5 points" stay inside one); the title is a sentence of its own.
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z0-9(\[\"'$\\])")


class TogetherRule(Struct, frozen=True):
    """One compiled `[relevance.together]` rule."""

    key: str
    left: tuple[PhraseRule, ...]
    right: tuple[PhraseRule, ...]
    weight: float


def _sides(key: str) -> list[list[str]]:
    return [[alt.strip() for alt in side.split(OR)] for side in key.split(AND)]


def together_problem(key: str) -> str:
    """Why a `[relevance.together]` key is unusable, or "" when it is fine."""
    sides = _sides(key)
    if len(sides) != 2:
        return f"needs exactly one '{AND}' between two sides (\"probing & hidden state\")"
    for side in sides:
        if not all(side):
            return f"has an empty phrase (sides are phrases separated by '{OR}')"
        if any(alt.startswith("re:") for alt in side):
            return "takes plain phrases only, not 're:' regular expressions"
    return ""


def compile_together(table: dict[str, float]) -> tuple[TogetherRule, ...]:
    """Compile `{"left & right": weight}` (keys checked by `together_problem`)."""
    rules = []
    for key, weight in table.items():
        left, right = (
            compile_phrases({alt: (0.0, "together") for alt in side}).rules for side in _sides(key)
        )
        rules.append(TogetherRule(key, left, right, weight))
    return tuple(rules)


def _sentence_starts(text: str) -> list[int]:
    starts = [0]
    for match in _SENTENCE_END.finditer(text):
        starts.append(match.end())
    return starts


def together_evidence(title: str, abstract: str, rules: tuple[TogetherRule, ...]) -> list[Evidence]:
    """One Evidence per rule whose two sides meet in one sentence (the first such sentence)."""
    if not rules:
        return []
    text = f"{title}\n{abstract}"
    lowered = text.lower()
    starts = [0, *(len(title) + 1 + s for s in _sentence_starts(abstract))]
    seen: dict[str, dict[int, str]] = {}  # phrase -> {sentence index: phrase}

    def sentences(side: tuple[PhraseRule, ...]) -> dict[int, str]:
        found: dict[int, str] = {}
        for rule in side:
            if rule.phrase not in seen:
                spans = rule.spans(text, lowered)
                seen[rule.phrase] = {
                    bisect.bisect_right(starts, start) - 1: rule.phrase for start, _ in spans
                }
            for index, phrase in seen[rule.phrase].items():
                found.setdefault(index, phrase)
        return found

    evidence = []
    for rule in rules:
        left = sentences(rule.left)
        if not left:
            continue
        right = sentences(rule.right)
        shared = sorted(left.keys() & right.keys())
        if shared:
            index = shared[0]
            signal = f'"{left[index]}" with "{right[index]}" in one sentence'
            where = "title" if index == 0 else "abstract"
            evidence.append(Evidence(signal, where, rule.weight, "evidence"))
    return evidence
