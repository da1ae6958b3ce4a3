"""Synthetic but realistic data for the benchmarks: titles, near-duplicates, lists, records."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

DEV = Path(__file__).parent.parent / "tests" / "data" / "relevance_dev.jsonl"


def vocabulary() -> list[str]:
    words: set[str] = set()
    for line in DEV.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        words.update(
            re.findall(r"[A-Za-z][A-Za-z-]{2,}", record["title"] + " " + record["abstract"])
        )
    return sorted(words)


def make_titles(count: int, rng: random.Random, words: list[str]) -> list[str]:
    titles = []
    for _ in range(count):
        head = " ".join(rng.choice(words) for _ in range(rng.randint(2, 5)))
        tail = " ".join(rng.choice(words) for _ in range(rng.randint(3, 9)))
        titles.append(
            f"{head.title()}: {tail}" if rng.random() < 0.5 else f"{head} {tail}".capitalize()
        )
    return titles


def near_duplicate(title: str, rng: random.Random, words: list[str]) -> str:
    """One realistic way a title differs between versions or lists."""
    kind = rng.randrange(5)
    if kind == 0:
        return title.upper() if rng.random() < 0.5 else title.lower()
    if kind == 1:
        return title.replace(":", " -").rstrip(".") + "."
    if kind == 2:
        first, _, rest = title.partition(" ")
        return f"$\\mathcal{{{first}}}$ {rest}"
    if kind == 3:
        parts = title.split()
        parts[rng.randrange(len(parts))] = rng.choice(words)
        return " ".join(parts)
    i = rng.randrange(1, len(title) - 1)
    return title[:i] + title[i + 1] + title[i] + title[i + 2 :]  # a typo: two letters swapped


def dedupe_workload(
    known: int = 100_000, candidates: int = 2_000, seed: int = 1
) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    words = vocabulary()
    known_titles = make_titles(known, rng, words)
    fresh = make_titles(candidates, rng, words)
    dupes = [near_duplicate(rng.choice(known_titles), rng, words) for _ in range(candidates // 4)]
    mixed = fresh[: candidates - len(dupes)] + dupes
    rng.shuffle(mixed)
    return known_titles, mixed
