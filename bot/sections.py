"""Route each new paper to the list's subsection by configured phrases (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.models import Paper
from bot.phrases import phrase_pattern


def compile_routes(sections: Mapping[str, Sequence[str]]) -> list[tuple[str, str, re.Pattern[str]]]:
    """(section, phrase, pattern) in config order: the first section whose phrase matches wins."""
    return [
        (name, phrase, phrase_pattern(phrase))
        for name, phrases in sections.items()
        for phrase in phrases
    ]


def route(
    paper: Paper, routes: Sequence[tuple[str, str, re.Pattern[str]]], default: str
) -> tuple[str, str]:
    """The section for a paper and why: a phrase in its title first, then in its abstract."""
    for field, text in (("title", paper.title), ("abstract", paper.abstract)):
        for name, phrase, pattern in routes:
            if pattern.search(text):
                return name, f'"{phrase}" in {field}'
    return default, "no section phrase matched: default section"
