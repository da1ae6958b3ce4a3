"""List similarity: how much a paper reads like the papers already on the list (pure).

The maintainer's list is the best description of its topic (issue 17). Each text
(title and abstract) becomes a TF-IDF vector of its words: term frequency damped as
1 + ln(tf), inverse document frequency from a background of 79,584 recent arXiv
papers shipped in bot/data (a word rare on arXiv but common on the list weighs
most). The claims' words (the topic's name) are left out: naming the field is a
claim, not evidence, here as in the score.

Two figures per paper: its cosine to the list's centroid (the sum of the listed
papers' unit vectors; the score uses this one, since an average shrugs off the
list's off-topic entries), and the closest listed paper with its cosine (shown,
so the maintainer sees why). A paper that is itself on the list is left out of
both comparisons. Lexical on purpose: an embedding model would rank meaning
better, but needs a model download and a runtime the bot does not assume (see the
README, "List similarity").
"""

from __future__ import annotations

import gzip
import math
import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources

from msgspec import Struct
from msgspec.structs import replace

from bot.config import RelevanceConfig
from bot.models import Decision, Evidence
from bot.relevance import LIST, decide

WORD = re.compile(r"[a-z][a-z0-9]+")
BACKGROUND_FILE = "data/arxiv_background_df.tsv.gz"
MIN_BACKGROUND_DF = 20  # the background lists words seen in at least 20 papers
# Words in more than a tenth of arXiv papers ("the", "model", "language") say nothing
# about a topic and would make every comparison touch every listed paper: left out.
MIN_IDF = math.log(10)


class Background(Struct, frozen=True):
    """Inverse document frequencies of words on arXiv (ln(papers / df))."""

    idf: Mapping[str, float]
    unseen: float  # for a word in fewer than MIN_BACKGROUND_DF papers


@cache
def arxiv_background() -> Background:
    """The shipped background: document frequencies of words in recent arXiv papers."""
    text = gzip.decompress(resources.files("bot").joinpath(BACKGROUND_FILE).read_bytes())
    lines = text.decode("utf-8").splitlines()
    papers = int(re.search(r"of (\d+) arXiv papers", lines[0]).group(1))  # type: ignore[union-attr]
    rows = (line.split("\t") for line in lines if line and not line.startswith(("#", "term\t")))
    idf = {term: math.log(papers / int(df)) for term, df in rows}
    return Background(idf, math.log(papers / MIN_BACKGROUND_DF))


class Ignored(Struct, frozen=True):
    """Words left out of every vector: whole words and prefixes (from `word*` phrases)."""

    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()

    @classmethod
    def from_phrases(cls, phrases: Iterable[str]) -> Ignored:
        words = [w for p in phrases if not p.startswith("re:") for w in WORD.findall(p.lower())]
        stars = [p.lower().rstrip("*") for p in phrases if p.endswith("*") and " " not in p]
        return cls(frozenset(words), tuple(stars))

    def __contains__(self, word: object) -> bool:
        return word in self.words or (isinstance(word, str) and word.startswith(self.prefixes))


def text_vector(text: str, background: Background, ignored: Ignored) -> dict[str, float]:
    """The unit TF-IDF vector of a text's words (empty for a text without words)."""
    counts: dict[str, int] = {}
    for word in WORD.findall(text.lower()):
        if word not in ignored:
            counts[word] = counts.get(word, 0) + 1
    idf = background.idf
    weights = {
        w: (1 + math.log(n)) * idf.get(w, background.unseen)
        for w, n in counts.items()
        if idf.get(w, background.unseen) >= MIN_IDF
    }
    norm = math.sqrt(sum(x * x for x in weights.values()))
    return {w: x / norm for w, x in weights.items() if x} if norm else {}


class ListProfile(Struct, frozen=True):
    """The listed papers as vectors: built once per run with `build_profile`."""

    vectors: Mapping[str, Mapping[str, float]]  # arXiv id -> unit vector
    titles: Mapping[str, str]
    total: Mapping[str, float]  # the sum of every vector: the centroid, not normalized
    total_norm2: float
    postings: Mapping[str, tuple[tuple[str, float], ...]]  # word -> (id, weight) pairs
    background: Background
    ignored: Ignored

    def __len__(self) -> int:
        return len(self.vectors)


def build_profile(
    listed: Mapping[str, str], background: Background, ignored: Ignored
) -> ListProfile:
    """Vectors of the listed papers, from `{id: "title\\nabstract"}` (the run store's cache)."""
    vectors = {i: text_vector(text, background, ignored) for i, text in listed.items()}
    titles = {i: text.split("\n", 1)[0] for i, text in listed.items()}
    total: dict[str, float] = {}
    postings: dict[str, list[tuple[str, float]]] = {}
    for paper_id, vector in vectors.items():
        for word, weight in vector.items():
            total[word] = total.get(word, 0.0) + weight
            postings.setdefault(word, []).append((paper_id, weight))
    return ListProfile(
        vectors,
        titles,
        total,
        sum(x * x for x in total.values()),
        {w: tuple(p) for w, p in postings.items()},
        background,
        ignored,
    )


class Similarity(Struct, frozen=True):
    """How a paper compares with the list (cosines, 0 to 1)."""

    centroid: float
    closest_title: str = ""
    closest: float = 0.0


def similarity(paper_id: str, text: str, profile: ListProfile, closest: bool = True) -> Similarity:
    """Cosine to the list's centroid and (`closest`) the closest listed paper.

    `paper_id` is left out of both when it is listed. The closest paper costs a pass
    over the postings of the text's words: ask for it only when it will be shown.
    """
    vector = text_vector(text, profile.background, profile.ignored)
    own = profile.vectors.get(paper_id, {})
    # Centroid without the paper itself: (total - own), whose squared norm is
    # |total|^2 - 2 total.own + |own|^2.
    dot_total = sum(x * profile.total.get(w, 0.0) for w, x in vector.items())
    dot_own = sum(x * own.get(w, 0.0) for w, x in vector.items())
    own_total = sum(x * profile.total.get(w, 0.0) for w, x in own.items())
    norm2 = profile.total_norm2 - 2 * own_total + sum(x * x for x in own.values())
    centroid = (dot_total - dot_own) / math.sqrt(norm2) if norm2 > 1e-12 else 0.0
    if not closest:
        return Similarity(round(centroid, 4))
    scores: dict[str, float] = {}
    for word, x in vector.items():
        for listed_id, weight in profile.postings.get(word, ()):
            scores[listed_id] = scores.get(listed_id, 0.0) + x * weight
    scores.pop(paper_id, None)
    if not scores:
        return Similarity(round(centroid, 4))
    best = max(scores, key=lambda i: (scores[i], i))
    return Similarity(round(centroid, 4), profile.titles[best], round(scores[best], 4))


def similarity_points(centroid: float, config: RelevanceConfig) -> float:
    """Points for a centroid cosine: 0 up to `low`, rising to `weight` at `high`."""
    low, high = config.list_similarity_low, config.list_similarity_high
    share = min(1.0, max(0.0, (centroid - low) / (high - low)))
    return round(config.list_similarity_weight * share, 2)


def with_list_similarity(
    decision: Decision, profile: ListProfile, config: RelevanceConfig
) -> Decision:
    """The decision with the list-similarity signal added, and decided again.

    Only accepted and borderline papers get it: a clear rejection stays one. It adds
    at most `list_similarity_weight` points, which the config keeps within
    `borderline_margin`, and never takes points away: it can lift a borderline paper
    over the threshold, it cannot outvote the explained score.
    """
    if decision.excluded:  # excluded whatever the score (withdrawn): nothing to add
        return decision
    if not (decision.accepted or decision.borderline):
        return decision  # a clear rejection stays one (and is spared the lookups)
    paper = decision.paper
    text = f"{paper.title}\n{paper.abstract}"
    found = similarity(paper.id, text, profile)
    centroid = found.centroid
    points = similarity_points(centroid, config)
    closest = (
        f'closest listed: "{found.closest_title}", {found.closest:.2f}; '
        if found.closest_title
        else ""
    )
    signal = f"list similarity {centroid:.2f} ({closest}{len(profile)} listed papers)"
    evidence = (*decision.evidence, Evidence(signal, "", points, LIST))
    new = decide(paper, evidence, config.threshold, config.borderline_margin, config.min_evidence)
    return replace(
        decision,
        **{f: getattr(new, f) for f in ("score", "accepted", "borderline", "evidence", "held")},
    )
