"""Candidate pairs for `fuzz.ratio >= threshold`, without comparing every pair.

Exactness rests on a lower bound. fuzz.ratio(a, b) = 100 * (1 - D / (la + lb))
with D the Indel distance, so ratio >= t needs D <= (1 - t/100)(la + lb). Every
insertion or deletion changes one character count by one, so D is at least the
L1 distance between the two strings' character histograms, and still at least
that distance after counts are capped and symbols grouped. Capped counts in
thermometer code (count > k for k < cap) turn the sum of minimums into a dot
product, so one matrix product bounds D for a whole block of pairs; only pairs
the bound cannot rule out are checked with rapidfuzz. The result is exactly what
an exhaustive comparison at the threshold finds.

numpy is optional (the `large-lists` extra): without it every search takes the
length-bounded scan, which finds the same pairs, only more slowly on large lists;
the log says so once, naming the extra.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from msgspec import Struct

log = logging.getLogger(__name__)
# Below this many pairs a plain length-bounded scan is cheaper than numpy.
MATRIX_MIN_PAIRS = 2_000_000
EXTRA = "large-lists"  # the optional dependency group that brings numpy
KNOWN_BLOCK = 2048  # known titles per matrix product: bounds memory (2,000 x 2,048 floats)
_SYMBOLS = " etaoinsrlcdhumpfgbywvkxjqz0123456789"
# Caps near the largest count a title has of each symbol: lower caps lose bound strength.
_CAPS = {" ": 24, "e": 16, **dict.fromkeys("taoinsr", 12), **dict.fromkeys("lcdhum", 8)}
_DEFAULT_CAP = 5  # other letters, digits, and every non-ASCII character (one bucket)
_EPS = 1e-3


def length_bounds(length: int, threshold: float) -> tuple[float, float]:
    """Lengths another string must have for fuzz.ratio to possibly reach `threshold`."""
    t = threshold / 100
    return length * t / (2 - t) - _EPS, length * (2 - t) / t + _EPS


class Targets:
    """Titles to search, sorted by length, with the counts the bound needs of them.

    The counts are computed on first use, or at once by `prepare` (while the fetch
    runs, for a large list); they cost one byte per title and symbol.
    """

    def __init__(self, titles: Sequence[str]) -> None:
        self.titles = titles
        self._counts: _Counts | None = None

    def __len__(self) -> int:
        return len(self.titles)

    def prepare(self) -> None:
        if numpy_installed():
            self.counts()

    def counts(self) -> _Counts:
        if self._counts is None:
            self._counts = _counts_in_blocks(self.titles)
        return self._counts


def candidate_pairs(
    queries: Sequence[str], targets: Sequence[str] | Targets, threshold: float
) -> Iterator[tuple[int, int]]:
    """Yield (query index, target index) for every pair that may reach the threshold.

    The targets must be sorted by length.
    """
    if not isinstance(targets, Targets):
        targets = Targets(targets)
    if _use_matrix(len(queries), len(targets)):
        yield from _matrix_pairs(queries, targets, threshold)
        return
    yield from _length_pairs(queries, targets.titles, threshold)


def _use_matrix(queries: int, targets: int) -> bool:
    """Whether the matrix filter pays (and numpy is there: else say so, once)."""
    if queries * targets < MATRIX_MIN_PAIRS:
        return False
    if numpy_installed():
        return True
    _say_once(
        f"{queries} titles against {targets} without numpy: the exact search "
        f"scans by length, more slowly; install the {EXTRA} extra (pip install "
        f"'arxiv-awesome-bot[{EXTRA}]') to speed it up"
    )
    return False


def scored_pairs(
    queries: Sequence[str], targets: Sequence[str] | Targets, threshold: float
) -> Iterator[tuple[int, int, float]]:
    """Yield (query index, target index, fuzz.ratio) for every pair at or above the threshold.

    The targets must be sorted by length. The pairs and scores are those of scoring each
    of `candidate_pairs` with fuzz.ratio (tested). Without the matrix filter, each query's
    length window is scored by rapidfuzz's process.extract in one C loop (target index
    ascending, as the scan yields them): a small list's dedupe costs no Python per pair.
    """
    from rapidfuzz import fuzz, process

    if not isinstance(targets, Targets):
        targets = Targets(targets)
    titles = targets.titles
    if _use_matrix(len(queries), len(targets)):
        for qi, ti in _matrix_pairs(queries, targets, threshold):
            if score := fuzz.ratio(queries[qi], titles[ti], score_cutoff=threshold):
                yield qi, ti, score
        return
    lengths = [len(t) for t in titles]
    for qi, query in enumerate(queries):
        low, high = length_bounds(len(query), threshold)
        lo, hi = bisect.bisect_left(lengths, low), bisect.bisect_right(lengths, high)
        found = process.extract(
            query, titles[lo:hi], scorer=fuzz.ratio, score_cutoff=threshold, limit=None
        )
        for ti, score in sorted((lo + index, score) for _, score, index in found if score):
            yield qi, ti, score


@cache
def numpy_installed() -> bool:
    """Whether numpy imports (it is the optional `large-lists` extra)."""
    try:
        import numpy  # noqa: F401
    except ImportError:
        return False
    return True


_told: set[str] = set()


def _say_once(message: str) -> None:
    """Log that the slower path is taken, once per process (a scheduler runs many times)."""
    if not _told:
        _told.add(message)
        log.info(message)


def _length_pairs(
    queries: Sequence[str], targets: Sequence[str], threshold: float
) -> Iterator[tuple[int, int]]:
    lengths = [len(t) for t in targets]
    for qi, query in enumerate(queries):
        low, high = length_bounds(len(query), threshold)
        for ti in range(bisect.bisect_left(lengths, low), bisect.bisect_right(lengths, high)):
            yield qi, ti


def _matrix_pairs(
    queries: Sequence[str], targets: Targets, threshold: float
) -> Iterator[tuple[int, int]]:
    import numpy as np

    slack = 1 - threshold / 100
    q_len = np.array([len(q) for q in queries], dtype=np.float32)
    order = np.argsort(q_len, kind="stable")
    q_len = q_len[order]
    # Two extra columns fold the bound into the product:
    # sum(min) - (mass_a - slack*la)/2 - (mass_b - slack*lb)/2 >= 0 <=> capped L1 <= allowed D.
    q_codes = _codes(
        _counts([queries[i] for i in order]),
        lambda mass, n: (np.ones_like(mass), _EPS - (mass - slack * n) / 2),
    )
    # A column no query has set adds nothing to any product: targets skip it (exactly;
    # e.g. digits when no new title has one, and the high levels of long titles).
    width = q_codes.shape[1] - 2
    columns = np.append(np.flatnonzero(q_codes[:, :width].any(axis=0)), [width, width + 1])
    q_codes = np.ascontiguousarray(q_codes[:, columns])
    titles, counts = targets.titles, targets.counts()
    for start in range(0, len(titles), KNOWN_BLOCK):
        stop = min(start + KNOWN_BLOCK, len(titles))
        # Targets are sorted by length: the block spans len(titles[start]) .. len(titles[stop - 1]).
        lo = int(np.searchsorted(q_len, length_bounds(len(titles[start]), threshold)[0]))
        high = length_bounds(len(titles[stop - 1]), threshold)[1]
        hi = int(np.searchsorted(q_len, high, side="right"))
        if lo >= hi:
            continue
        t_codes = _codes(
            counts.rows(start, stop),
            lambda mass, n: (-(mass - slack * n) / 2, np.ones_like(mass)),
            columns,
        )
        hits = np.flatnonzero((q_codes[lo:hi] @ t_codes.T) >= 0)
        rows, cols = np.divmod(hits, stop - start)
        yield from zip(order[lo + rows].tolist(), (start + cols).tolist(), strict=True)


class _Counts(Struct, frozen=True):
    """Per string: capped symbol counts (int8), capped mass and length (float32)."""

    small: Any
    mass: Any
    lengths: Any

    def rows(self, start: int, stop: int) -> _Counts:
        return _Counts(self.small[start:stop], self.mass[start:stop], self.lengths[start:stop])


def _counts(strings: Sequence[str]) -> _Counts:
    import numpy as np

    plan = _code_plan()
    symbols = plan["symbols"]
    # One byte per character (non-ASCII characters become "?", the "other" bucket),
    # counted per string with one bincount over (string index, symbol) keys.
    raw = np.frombuffer("".join(strings).encode("ascii", "replace"), dtype=np.uint8)
    lengths = np.fromiter(map(len, strings), dtype=np.int32, count=len(strings))
    keys = np.repeat(np.arange(len(strings), dtype=np.int32) * symbols, lengths)
    keys += plan["lookup"][raw]
    counts = np.bincount(keys, minlength=len(strings) * symbols).reshape(len(strings), symbols)
    mass = np.minimum(counts[:, : len(plan["caps"])], plan["caps"]).sum(axis=1)
    # Caps are far below 127: int8 counts take little room and gather fast.
    small = np.minimum(counts, 127).astype(np.int8)
    return _Counts(small, mass.astype(np.float32), lengths.astype(np.float32))


def _counts_in_blocks(strings: Sequence[str]) -> _Counts:
    """`_counts` a block at a time: the temporary arrays stay small."""
    import numpy as np

    parts = [_counts(strings[i : i + KNOWN_BLOCK]) for i in range(0, len(strings), KNOWN_BLOCK)]
    if not parts:
        return _counts(strings)
    return _Counts(
        np.concatenate([p.small for p in parts]),
        np.concatenate([p.mass for p in parts]),
        np.concatenate([p.lengths for p in parts]),
    )


def _codes(counts: _Counts, extra: Any, columns: Any = None) -> Any:
    """Thermometer codes of capped character counts, plus the two bound columns `extra`
    makes; only the code `columns` given (all, by default: the two extra ones are last)."""
    import numpy as np

    plan = _code_plan()
    width = plan["width"]
    if columns is None:
        columns = np.arange(width + 2)
    code_columns = columns[columns < width]
    codes = np.empty((len(counts.small), len(columns)), dtype=np.float32)
    codes[:, : len(code_columns)] = (
        np.take(counts.small, plan["column_symbol"][code_columns], axis=1)
        > plan["column_level"][code_columns]
    )
    codes[:, -2], codes[:, -1] = extra(counts.mass, counts.lengths)
    return codes


@cache
def _code_plan() -> dict[str, Any]:
    import numpy as np

    caps = np.array([_CAPS.get(c, _DEFAULT_CAP) for c in _SYMBOLS] + [_DEFAULT_CAP])
    lookup = np.full(256, len(_SYMBOLS), dtype=np.int32)  # unknown bytes: the "other" bucket
    for index, char in enumerate(_SYMBOLS):
        lookup[ord(char)] = index
    return {
        "caps": caps,
        "lookup": lookup,
        "symbols": len(_SYMBOLS) + 1,
        "width": int(caps.sum()),
        "column_symbol": np.repeat(np.arange(len(caps)), caps),
        "column_level": np.concatenate([np.arange(c) for c in caps]).astype(np.int8),
    }
