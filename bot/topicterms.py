"""Query terms and relevance phrases for a list's topic, from the list's own titles.

A term is proposed when it is frequent in the list's titles and rare in general arXiv
text: the background is how many of 79,584 arXiv papers (titles and abstracts, many
categories) contain each lowercase word (the file bot/listsim.py reads too) or word
pair, shipped in bot/data.
"""

from __future__ import annotations

import gzip
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources

from bot.listsim import BACKGROUND_FILE  # one shipped background for both

BACKGROUND_PAPERS = 79_584
PAIRS_FILE = "data/arxiv_background_pairs.tsv.gz"  # word pairs, beside the words
BACKGROUND_FLOOR = 20  # words and pairs rarer than this are not in the background file
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
# Words that carry no topic however rare they are in the background.
_SKIP = frozenset(
    {
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "for",
        "to",
        "and",
        "or",
        "with",
        "via",
        "from",
        "by",
        "at",
        "as",
        "is",
        "are",
        "be",
        "its",
        "their",
        "our",
        "we",
        "toward",
        "towards",
        "using",
        "use",
        "based",
        "new",
        "study",
        "analysis",
        "approach",
        "case",
        "demo",
    }
)


@cache
def background() -> dict[str, int]:
    """Document frequency by term (words and word pairs), from the shipped file."""
    counts: dict[str, int] = {}
    for name in (BACKGROUND_FILE, PAIRS_FILE):  # words, then word pairs
        data = resources.files("bot").joinpath(name).read_bytes()
        for line in gzip.decompress(data).decode("utf-8").splitlines():
            term, _, df = line.partition("\t")
            if df.isdigit():
                counts[term] = int(df)
    return counts


def title_terms(title: str) -> set[str]:
    """The words and adjacent word pairs of a title, lowercase (no stop words alone)."""
    words = _WORD.findall(title.casefold())
    pairs = {f"{a} {b}" for a, b in itertools.pairwise(words) if a not in _SKIP and b not in _SKIP}
    return {w for w in words if w not in _SKIP and len(w) > 2 and not w.isdigit()} | pairs


def propose_terms(
    titles: Sequence[str], counts: Mapping[str, int] | None = None, limit: int = 30
) -> list[tuple[str, float]]:
    """(term, score) best first: frequent in the titles, rare in the background.

    The score is the number of titles with the term times the log of how much more
    often it occurs in them than in the background; a term must be in at least two
    titles (and 2 % of them). A pair beats its words when it is nearly as frequent.
    """
    counts = background() if counts is None else counts
    df = Counter(term for title in titles for term in title_terms(title))
    least = max(2, math.ceil(0.02 * len(titles)))
    scored = {}
    for term, n in df.items():
        if n < least:
            continue
        seen = counts.get(term, BACKGROUND_FLOOR // 2)
        lift = (n / len(titles)) / (seen / BACKGROUND_PAPERS)
        if lift > 3:
            scored[term] = n * math.log(lift)
    ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0]))
    chosen: list[tuple[str, float]] = []
    for term, score in ranked:
        # A word inside an already chosen pair that explains most of its titles adds nothing.
        if " " not in term and any(
            term in pair.split() and df[pair] >= 0.6 * df[term] for pair, _ in chosen
        ):
            continue
        chosen.append((term, score))
        if len(chosen) == limit:
            break
    return chosen


def phrase_weights(terms: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Relevance weights for proposed terms: the strongest third 3, the next 2, the rest 1."""
    ranked = list(terms)
    third = max(1, len(ranked) // 3)
    return {
        term: 3.0 if i < third else 2.0 if i < 2 * third else 1.0
        for i, (term, _) in enumerate(ranked)
    }


DEFAULT_CATEGORIES = (("cs.LG", 0.5), ("cs.CL", 0.5), ("cs.AI", 0.5))


def category_weights(primaries: Sequence[str], most: int = 6) -> list[tuple[str, float]]:
    """(category, weight) for the primary categories of a list's papers, commonest first:
    1.0 for a category of at least a quarter of them, 0.5 for one of at least a twentieth;
    DEFAULT_CATEGORIES when none is known."""
    counts = Counter(primaries)
    total = sum(counts.values())
    weights = [
        (category, 1.0 if count >= total / 4 else 0.5)
        for category, count in counts.most_common(most)
        if count >= total / 20
    ]
    return weights or list(DEFAULT_CATEGORIES)
