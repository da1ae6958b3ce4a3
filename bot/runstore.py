"""Run store: the bookkeeping of runs, kept outside the list's history.

What the maintainer reviews (papers added, pending, rejected by them) lives in
the state file and changes only through the list's pull request. The bookkeeping
of runs lives here instead: the watermark of runs that added nothing, the day of
the last late-paper sweep, the papers the relevance filter rejected (id -> score),
lookup caches (for example listed papers' abstracts), and run health (health.json,
beside this file).

Locally it is `run.json` in the state folder. In GitHub Actions that folder is
carried between runs by the Actions cache (see .github/workflows/update.yml); when
the cache is gone the committed state is the fallback. Losing the store costs
re-reads, never a paper, so a missing or corrupt file is an empty store, and
writing it is not a repository write.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import msgspec
from msgspec import Struct, field
from msgspec.structs import replace

from bot.config import ArxivConfig
from bot.errors import FileWriteError
from bot.files import atomic_write_text
from bot.state import State, fetch_window, late_sweep_window

log = logging.getLogger(__name__)

RUN_STORE_VERSION = 1
RUN_STORE_NAME = "run.json"


class RunStore(Struct, frozen=True):
    """What earlier runs learned that the list's history does not hold.

    `watermark`: last submission day a successful run fully covered (ISO date),
    whether or not it added papers. `last_sweep`: day of the last late-paper sweep.
    `rejected`: arXiv id -> relevance score of papers the filter rejected.
    `caches`: named lookup caches, each a str -> str mapping (e.g. "abstracts").
    """

    watermark: date | None = None
    last_sweep: date | None = None
    rejected: Mapping[str, float] = field(default_factory=dict)
    caches: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def cache(self, name: str) -> Mapping[str, str]:
        """The named lookup cache (empty when it was never filled or the store was lost)."""
        return self.caches.get(name, {})

    def with_cache(self, name: str, entries: Mapping[str, str]) -> RunStore:
        """The store with `entries` merged into the named cache (new values win)."""
        if not entries:
            return self
        merged = {**self.cache(name), **entries}
        return replace(self, caches={**self.caches, name: merged})

    def without_cache(self, name: str, keys: set[str]) -> RunStore:
        """The store with `keys` dropped from the named cache (e.g. papers no longer listed)."""
        kept = {k: v for k, v in self.cache(name).items() if k not in keys}
        return replace(self, caches={**self.caches, name: kept})

    def with_rejected(self, scores: Mapping[str, float]) -> RunStore:
        """The store remembering these filter rejections (arXiv id -> score)."""
        if not scores:
            return self
        return replace(self, rejected={**self.rejected, **scores})

    def forget_rejected_before(self, day: date) -> RunStore:
        """The store without rejections of papers submitted before `day`'s month.

        A new-style id starts with its submission's YYMM; no search reaches back past the
        sweep's window, so older rejections would only grow the file.
        """
        cutoff = f"{day:%y%m}"
        kept = {
            paper_id: score
            for paper_id, score in self.rejected.items()
            if "/" not in paper_id and paper_id[:4] >= cutoff
        }
        return self if len(kept) == len(self.rejected) else replace(self, rejected=kept)

    def with_watermark(self, watermark: date | None) -> RunStore:
        return replace(self, watermark=watermark)

    def swept(self, day: date) -> RunStore:
        """The store after a late-paper sweep on `day`."""
        return replace(self, last_sweep=day)


EMPTY_STORE = RunStore()


def later(first: date | None, second: date | None) -> date | None:
    """The later of two watermarks, either of which may be missing."""
    if first is None or second is None:
        return first or second
    return max(first, second)


def with_store_watermark(state: State, store: RunStore) -> State:
    """The state with the later of its own watermark and the run store's."""
    return replace(state, watermark=later(state.watermark, store.watermark))


def run_windows(
    state: State, store: RunStore, since: date | None, today: date, arxiv: ArxivConfig
) -> tuple[tuple[date, date], tuple[date, date] | None]:
    """This run's submission window, and the late-paper sweep's when one is due.

    A window chosen with --since, and a first run (no watermark, no sweep yet), sweep
    nothing. Raises ConfigError for a `since` after `today`.
    """
    window = fetch_window(state, since, today, arxiv.lookback_days, arxiv.overlap_days)
    if since is not None or (state.watermark is None and store.last_sweep is None):
        return window, None
    sweep = late_sweep_window(
        store.last_sweep, today, window[0], arxiv.sweep_every_days, arxiv.sweep_days
    )
    return window, sweep


def run_store_path(state_file: str | Path) -> Path:
    """Where the run store lives: `run.json` beside the state file."""
    return Path(state_file).parent / RUN_STORE_NAME


class _StoreFile(msgspec.Struct):
    """The run store's layout (unknown keys are ignored, so older bots read newer files)."""

    version: int
    watermark: date | None = None
    last_sweep: date | None = None
    rejected: dict[str, float] = {}
    caches: dict[str, dict[str, str]] = {}


def run_store_to_json(store: RunStore) -> str:
    data = _StoreFile(
        version=RUN_STORE_VERSION,
        watermark=store.watermark,
        last_sweep=store.last_sweep,
        rejected=dict(sorted(store.rejected.items())),
        caches={name: dict(sorted(c.items())) for name, c in sorted(store.caches.items())},
    )
    return msgspec.json.format(msgspec.json.encode(data), indent=2).decode() + "\n"


def run_store_from_json(text: str | bytes) -> RunStore:
    """Decode a run store; raises msgspec.DecodeError or ValueError when it is unusable."""
    data = msgspec.json.decode(text, type=_StoreFile)
    if data.version != RUN_STORE_VERSION:
        raise ValueError(f"version {data.version}, expected {RUN_STORE_VERSION}")
    return RunStore(data.watermark, data.last_sweep, data.rejected, data.caches)


def load_run_store(path: Path) -> RunStore:
    """Read the run store; a missing, unreadable or corrupt one is empty (a warning says so)."""
    try:
        return run_store_from_json(path.read_bytes())
    except FileNotFoundError:
        return RunStore()
    except (OSError, ValueError, msgspec.DecodeError) as exc:
        log.warning("%s: run store unusable (%s); starting afresh: this run re-reads", path, exc)
        return RunStore()


def save_run_store(path: Path, store: RunStore) -> None:
    """Write the run store atomically; a failure is a warning (the next run re-reads)."""
    try:
        atomic_write_text(path, run_store_to_json(store))
    except FileWriteError as exc:
        log.warning("could not write the run store: %s; the next run re-reads", exc)
