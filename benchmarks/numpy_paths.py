"""Dedupe with and without numpy (the optional `large-lists` extra), same workload.

Run: python -m benchmarks.numpy_paths [KNOWN CANDIDATES]  (also part of benchmarks.run)
Without numpy the fuzzy search takes the exact length-bounded scan: the same
duplicates, found more slowly. Both paths run here, in one invocation.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.data import dedupe_workload  # noqa: E402


def bench_numpy_paths(known_count: int, candidate_count: int) -> None:
    from bot import fuzzyindex
    from bot.dedupe import TitleIndex, split_duplicates
    from bot.models import KnownTitles, Paper
    from bot.normalize import clean_title

    known, candidates = dedupe_workload(known_count, candidate_count)
    papers = [
        Paper(f"2999.{i:05d}", 1, clean_title(title), "", (), date(2026, 1, 1), "cs.LG", ())
        for i, title in enumerate(candidates)
    ]
    items = KnownTitles([None] * len(known), known, ["list"] * len(known))
    results = {}
    saved = sys.modules.get("numpy")
    for path in ("numpy", "no numpy"):
        if path == "no numpy":
            sys.modules["numpy"] = None  # type: ignore[assignment]  # `import numpy` fails
        fuzzyindex.numpy_installed.cache_clear()
        start = time.process_time()
        split = split_duplicates(papers, TitleIndex(items, 90.0))
        results[path] = (time.process_time() - start, {d.paper.id for d in split.duplicates})
    if saved is not None:
        sys.modules["numpy"] = saved
    fuzzyindex.numpy_installed.cache_clear()
    (with_cpu, with_found), (without_cpu, without_found) = results.values()
    same = "the same duplicates" if with_found == without_found else "DIFFERENT duplicates"
    print(
        f"dedupe paths: {candidate_count} candidates vs {known_count} known titles: with numpy "
        f"{with_cpu:.2f} s CPU, without (the large-lists extra missing) {without_cpu:.2f} s CPU; "
        f"{same} ({len(with_found)})"
    )
    if with_found != without_found:
        raise SystemExit(1)


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:3]] or [20_000, 500]
    bench_numpy_paths(*sizes)
