"""Phrase matching for the relevance filter and section routing (pure).

A config phrase matches at word starts, in any case, with plurals ("heads"), and
treats a hyphen and whitespace alike: "reverse-engineer*" and "reverse engineer*"
both match "reverse engineering" and "reverse-engineered". A trailing `*` matches
any ending; "re:..." is a raw regular expression, used as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

# A word of a phrase: the phrase split at whitespace and hyphens.
_WORD_SPLIT = re.compile(r"[\s-]+")


@dataclass(frozen=True)
class PhraseRule:
    """One configured phrase, its weight and its kind ("claim", "evidence", "generic")."""

    phrase: str
    weight: float
    kind: str = "evidence"
    plain: bool = True
    # Longer phrases that contain this one: a match inside theirs is not counted twice.
    within: tuple[PhraseRule, ...] = ()
    # A lowercase substring every match contains: a cheap test before any regex.
    needle: str = ""

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """A "re:" phrase's case-insensitive regex, matched in the text. A plain phrase gets
        a pattern for the lowercased text that starts with a literal (far faster to scan
        for than phrase_pattern's look-behind); word-start is then checked by hand.

        Compiled on first use: the needles rule most phrases out of every paper of a
        run, and compiling all of them took a tenth of a daily run's work.
        """
        return _lowercase_pattern(self.phrase) if self.plain else phrase_pattern(self.phrase)

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

    def matches_alone(self, text: str, lowered: str) -> bool:
        """Whether the phrase occurs at least once outside every longer phrase containing it."""
        if not self.within:  # any match counts: the first one settles it
            return bool(self.spans(text, lowered, first_only=True))
        spans = self.spans(text, lowered)
        if not spans:
            return False
        covering = [span for longer in self.within for span in longer.spans(text, lowered)]
        return any(not any(start <= s and e <= end for start, end in covering) for s, e in spans)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


@dataclass(frozen=True)
class PhraseIndex:
    """Finds which rules may match a text by their needles, learning words as it goes."""

    rules: tuple[PhraseRule, ...]
    needles: tuple[str, ...] = ()  # of every plain phrase; a needle has no whitespace
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
        new = chunks - self._seen_chunks
        # A needle in a new chunk is in their joined text: one search per needle there
        # leaves few needles to try on each chunk.
        joined = "\n".join(new)
        present = [n for n in self.needles if n in joined]
        for chunk in new:
            needles = tuple(n for n in present if n in chunk)
            if needles:
                self._needles_in_chunk[chunk] = needles
        self._seen_chunks.update(chunks)
        found = {
            n
            for chunk in chunks & self._needles_in_chunk.keys()
            for n in self._needles_in_chunk[chunk]
        }
        return [rule for rule in self.rules if not rule.needle or rule.needle in found]


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Compile a config phrase: words at word boundaries, any case, plurals, `*` endings.

    `re:` introduces a raw regular expression instead.
    """
    if phrase.startswith("re:"):
        return re.compile(phrase[3:], re.IGNORECASE)
    return re.compile(r"(?<!\w)" + _phrase_body(phrase) + r"(?!\w)", re.IGNORECASE)


def _lowercase_pattern(phrase: str) -> re.Pattern[str]:
    """A plain phrase for lowercased text, without phrase_pattern's leading look-behind."""
    return re.compile(_phrase_body(phrase.lower()) + r"(?!\w)")


def _words(phrase: str) -> list[str]:
    return [word for word in _WORD_SPLIT.split(phrase) if word]


def _phrase_body(phrase: str) -> str:
    parts = []
    for word in _words(phrase):
        if word.endswith("*"):
            parts.append(re.escape(word[:-1]) + r"\w*")
        else:  # English plurals: "-es" only after s, x, z, ch, sh ("SHAP" never matches "shapes")
            plural = r"(?:es)?" if re.search(r"(?:[sxz]|[cs]h)$", word) else r"s?"
            parts.append(re.escape(word) + plural)
    return r"[\s-]+".join(parts)


def phrase_needle(phrase: str) -> str:
    """A lowercase literal every match contains: the phrase's longest word ("" for regexes)."""
    if phrase.startswith("re:"):
        return ""
    return max((w.rstrip("*").lower() for w in _words(phrase)), key=len)


def compile_phrases(weighted: dict[str, tuple[float, str]]) -> PhraseIndex:
    """Compile `{"phrase": (weight, kind)}` into an index of rules in the given order."""

    def rule(phrase: str, weight: float, kind: str, within: tuple[PhraseRule, ...]) -> PhraseRule:
        plain = not phrase.startswith("re:")
        return PhraseRule(phrase, weight, kind, plain, within, phrase_needle(phrase))

    plain = [" ".join(_words(p.lower())) for p in weighted if not p.startswith("re:")]
    joined = "\n".join(plain)

    def containing(phrase: str) -> tuple[PhraseRule, ...]:
        if phrase.startswith("re:"):
            return ()
        normalized = " ".join(_words(phrase.lower()))
        core = normalized.rstrip("*")
        if joined.count(core) < 2:  # in its own phrase only: most phrases
            return ()
        return tuple(
            rule(other, 0.0, "", ())
            for other in plain
            if len(other) > len(normalized) and core in other
        )

    rules = tuple(rule(p, w, kind, containing(p)) for p, (w, kind) in weighted.items())
    return PhraseIndex(rules, tuple(dict.fromkeys(r.needle for r in rules if r.needle)))
