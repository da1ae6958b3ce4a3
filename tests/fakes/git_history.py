"""Commit-graph helpers for the GitHub stand-in: ancestry, merge bases, three-way merges.

GitHub merges line by line (`POST /repos/{owner}/{repo}/merges`, and the merge
button): changes from both sides apply when they touch different lines; two
different changes to the same lines are a conflict (409 "Merge conflict").
"""

from __future__ import annotations

import difflib
from collections.abc import Callable


def ancestors(sha: str, parents_of: Callable[[str], list[str]]) -> list[str]:
    """`sha` and every commit it descends from, nearest first (breadth first, all parents)."""
    seen: dict[str, None] = {}
    queue = [sha]
    while queue:
        current = queue.pop(0)
        if current in seen:
            continue
        seen[current] = None
        queue.extend(parents_of(current))
    return list(seen)


def merge_base(a: str, b: str, parents_of: Callable[[str], list[str]]) -> str | None:
    """The nearest common ancestor of `a` and `b`, or None."""
    of_a = set(ancestors(a, parents_of))
    return next((c for c in ancestors(b, parents_of) if c in of_a), None)


def _changes(base: list[str], side: list[str]) -> list[tuple[int, int, list[str]]]:
    """(start, end, new lines) replacements of base line ranges that make `side`."""
    matcher = difflib.SequenceMatcher(a=base, b=side, autojunk=False)
    return [
        (i1, i2, side[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    ]


def merge_texts(base: str, ours: str, theirs: str) -> str | None:
    """Three-way merge of one file's text, or None on a conflict."""
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    lines = base.splitlines(keepends=True)
    edits = sorted(
        [(s, e, new, "ours") for s, e, new in _changes(lines, ours.splitlines(keepends=True))]
        + [(s, e, new, "theirs") for s, e, new in _changes(lines, theirs.splitlines(keepends=True))]
    )
    merged: list[str] = []
    position = 0
    previous_end = -1
    previous: tuple[int, int, list[str]] | None = None
    for start, end, new, _side in edits:
        if previous == (start, end, new):
            continue  # the same change on both sides merges cleanly, as in git
        # Touching or overlapping ranges (an insertion at the same place counts) conflict.
        if start < previous_end or (start == previous_end and start == end):
            return None
        previous = (start, end, new)
        merged += lines[position:start] + new
        position = end
        previous_end = end
    return "".join(merged + lines[position:])
