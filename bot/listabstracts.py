"""The listed papers' abstracts, for the list-similarity signal (bot/listsim.py).

Gathered at the run's edge: the ids come from the list document, the abstracts
from the run store's "abstracts" cache (state/run.json locally, the Actions cache in
GitHub Actions; not the committed state), and only the missing ones are looked up,
by `id_list` in batches of at most 100 (bot/fetch.py): no request at all on a run
whose cache is warm. An id arXiv does not return is cached as "" so that it is not
asked for again; ids no longer listed leave the cache. A failed lookup is a warning,
never a failed run: the signal then uses what is cached.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from bot.arxivid import id_scheme_problem
from bot.config import RelevanceConfig
from bot.errors import FetchError
from bot.models import Paper, RawRecord
from bot.normalize import to_paper
from bot.runstore import RunStore

if TYPE_CHECKING:  # bot.listsim loads only when the signal is on (off as shipped)
    from bot.listsim import ListProfile

log = logging.getLogger(__name__)

CACHE = "abstracts"  # run store cache: arXiv id -> "title\nabstract" ("" = not on arXiv)
Lookup = Callable[[list[str]], Sequence[RawRecord]]  # ArxivSource.fetch_ids


def cache_entry(paper: Paper) -> str:
    """A paper as the cache keeps it: "title\nabstract"."""
    return f"{paper.title}\n{paper.abstract}"


def listed_abstracts(
    listed_ids: Iterable[str], store: RunStore, lookup: Lookup
) -> tuple[dict[str, str], RunStore]:
    """`{id: "title\\nabstract"}` of the listed papers, and the store with its cache updated."""
    # Only ids arXiv's scheme allows: one bad id would fail its whole batch (HTTP 400).
    ids = sorted({i for i in listed_ids if not id_scheme_problem(i)})
    cached = store.cache(CACHE)
    missing = [paper_id for paper_id in ids if paper_id not in cached]
    fetched: dict[str, str] = {}
    if missing:
        try:
            records = lookup(missing)
        except FetchError as exc:
            log.warning("list similarity: listed papers' abstracts not looked up (%s)", exc)
        else:
            fetched = dict.fromkeys(missing, "")
            for record in records:
                paper = to_paper(record)
                fetched[paper.id] = cache_entry(paper)
            log.info("list similarity: %d listed papers looked up on arXiv", len(missing))
    stale = set(cached) - set(ids)
    store = store.with_cache(CACHE, fetched)
    if stale:
        store = store.without_cache(CACHE, stale)
    now = store.cache(CACHE)
    return {i: now[i] for i in ids if now.get(i)}, store


def list_profile(
    config: RelevanceConfig, listed_ids: Iterable[str], store: RunStore, lookup: Lookup
) -> tuple[ListProfile | None, RunStore]:
    """The list's profile for `with_list_similarity` (None when the signal is off or empty)."""
    if not config.list_similarity_weight:
        return None, store
    abstracts, store = listed_abstracts(listed_ids, store, lookup)
    if not abstracts:
        return None, store
    from bot.listsim import Ignored, arxiv_background, build_profile

    return build_profile(abstracts, arxiv_background(), Ignored.from_phrases(config.claims)), store
