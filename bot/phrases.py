"""Phrase matching for the relevance filter and section routing (pure).

A config phrase matches at word starts, in any case, with plurals ("heads"), and
treats a hyphen and whitespace alike: "reverse-engineer*" and "reverse engineer*"
both match "reverse engineering" and "reverse-engineered". A trailing `*` matches
any ending; "re:..." is a raw regular expression, used as written.
"""

from __future__ import annotations

import re
from functools import cached_property

from msgspec import Struct, field

# A word of a phrase: the phrase split at whitespace and hyphens.
_WORD_SPLIT = re.compile(r"[\s-]+")
_ES_PLURAL = re.compile(r"(?:[sxz]|[cs]h)$")


class PhraseRule(Struct, frozen=True, dict=True):
    """One configured phrase, its weight and its kind ("claim", "evidence", "generic")."""

    phrase: str
    weight: float
    kind: str = "evidence"
    plain: bool = True
    # Longer phrases that contain this one: a match inside theirs is not counted twice.
    within: tuple[PhraseRule, ...] = ()
    # A lowercase substring every match contains: a cheap test before any matching.
    needle: str = ""
    # A plain phrase's lowercase words, each with its ending: "*", "es" or "s".
    words: tuple[tuple[str, str], ...] = ()

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """A "re:" phrase's case-insensitive regex, matched in the text (compiled on first use)."""
        return phrase_pattern(self.phrase)

    def spans(self, text: str, lowered: str, first_only: bool = False) -> list[tuple[int, int]]:
        """Where the phrase matches; in `lowered` for plain phrases, in `text` for regexes.

        A plain phrase is matched by hand, as phrase_pattern's regex would match it: a
        daily run meets some 200 phrases, and compiling a regex for each cost more than
        all the matching (the hand matcher agrees with the regex: tests/test_phrases.py).
        With `first_only`, stop at the first match (enough to know that it occurs).
        """
        if not self.plain:
            if first_only:
                match = self.pattern.search(text)
                return [match.span()] if match else []
            return [m.span() for m in self.pattern.finditer(text)]
        if self.needle and self.needle not in lowered:
            return []
        words = self.words
        first = words[0][0]
        found = []
        start = lowered.find(first)
        while start >= 0:
            end = _match_at(words, lowered, start)
            if end is not None and (start == 0 or not _is_word(lowered[start - 1])):
                found.append((start, end))
                if first_only:
                    break
                start = lowered.find(first, end)
            else:
                start = lowered.find(first, start + 1)
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
    """Python's regex \\w for str patterns: alphanumeric or "_"."""
    return char.isalnum() or char == "_"


def _is_separator(char: str) -> bool:
    """Python's regex [\\s-]: whitespace or a hyphen."""
    return char.isspace() or char == "-"


def _match_at(words: tuple[tuple[str, str], ...], text: str, position: int) -> int | None:
    """Where a match of the phrase's `words` starting at `position` ends, or None.

    The regex of _phrase_body never needs to backtrack: an ending is a run of word
    characters or an optional "s"/"es", and what follows must be a separator or a
    non-word character, so taking the ending whole is the only way to match.
    """
    size = len(text)
    for index, (literal, ending) in enumerate(words):
        if index:
            after = position
            while after < size and _is_separator(text[after]):
                after += 1
            if after == position:
                return None
            position = after
        if not text.startswith(literal, position):
            return None
        position += len(literal)
        if ending == "*":
            while position < size and _is_word(text[position]):
                position += 1
        elif text.startswith(ending, position):
            position += len(ending)
    if position < size and _is_word(text[position]):
        return None
    return position


class PhraseIndex(Struct, frozen=True):
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


def _words(phrase: str) -> list[str]:
    return [word for word in _WORD_SPLIT.split(phrase) if word]


def _word_and_ending(word: str) -> tuple[str, str]:
    """A phrase word's literal and its ending: "*" (any), "es" or "s" (an optional plural).

    English plurals: "-es" only after s, x, z, ch, sh ("SHAP" never matches "shapes").
    """
    if word.endswith("*"):
        return word[:-1], "*"
    return word, "es" if _ES_PLURAL.search(word) else "s"


def _phrase_body(phrase: str) -> str:
    parts = []
    for word in _words(phrase):
        literal, ending = _word_and_ending(word)
        suffix = r"\w*" if ending == "*" else f"(?:{ending})?"
        parts.append(re.escape(literal) + suffix)
    return r"[\s-]+".join(parts)


def phrase_needle(phrase: str) -> str:
    """A lowercase literal every match contains: the phrase's longest word ("" for regexes)."""
    if phrase.startswith("re:"):
        return ""
    return max((w.rstrip("*").lower() for w in _words(phrase)), key=len)


def compile_phrases(weighted: dict[str, tuple[float, str]]) -> PhraseIndex:
    """Compile `{"phrase": (weight, kind)}` into an index of rules in the given order."""

    def rule(phrase: str, weight: float, kind: str, within: tuple[PhraseRule, ...]) -> PhraseRule:
        if phrase.startswith("re:"):
            return PhraseRule(phrase, weight, kind, False, within)
        words = tuple(_word_and_ending(word) for word in _words(phrase.lower()))
        return PhraseRule(phrase, weight, kind, True, within, phrase_needle(phrase), words)

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
