"""Same paper or not: how many pairs of each kind the dedupe stage decides right.

Run from the project root: PYTHONPATH=. python benchmarks/samepaper.py
(PYTHONPATH names the checkout to measure: the script runs on older commits too, whose
dedupe knows only "duplicate" or "new"; there an unsure pair counts as right when kept.)
Pairs: tests/data/same_paper_pairs.jsonl (a listed paper `a`, a new paper `b`, the kind).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

PAIRS = Path(__file__).resolve().parent.parent / "tests" / "data" / "same_paper_pairs.jsonl"


def outcome(pair: dict[str, Any]) -> str:
    """ "same" (skipped), "unsure" (added with a note) or "different" (added), as the dedupe
    stage decides with a list holding paper `a` (with its authors, as the state keeps
    them); a pair with an abstract for `a` is two papers of one run (both fetched)."""
    from bot.dedupe import TitleIndex, split_duplicates
    from bot.models import KnownTitle, Paper

    def paper(side: str, default_id: str) -> Paper:
        return Paper(
            pair.get(f"{side}_id", default_id), 1, pair[side], pair.get(f"{side}_abstract", ""),
            tuple(pair.get(f"{side}_authors", ())), date(2026, 1, 1), "", (),
        )  # fmt: skip

    listed, new = paper("a", "2506.00001"), paper("b", "2506.00002")
    known = [KnownTitle(listed.id, listed.title, "list")]
    try:
        index = TitleIndex(known, 90.0, lambda paper_id: listed.authors)
    except TypeError:  # a commit before the verdict: titles only
        index = TitleIndex(known, 90.0)
    batch = [new]
    if listed.abstract:
        index, batch = TitleIndex([], 90.0), [listed, new]
    result = split_duplicates(batch, index)
    if any(d.paper.id == new.id for d in result[1]):
        return "same"
    return "unsure" if len(result) > 2 and new.id in result[2] else "different"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else PAIRS
    pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for pair in pairs:
        got, kind = outcome(pair), pair["kind"]
        total[kind] += 1
        right[kind] += got == kind
        if got != kind:
            print(f"  {kind} decided {got}: {pair['a']!r} / {pair['b']!r} ({pair['note']})")
    for kind in ("same", "different", "unsure"):
        print(f"{kind}: {right[kind]} of {total[kind]} decided right")


if __name__ == "__main__":
    main()
