"""State store: what the bot knows, as readable JSON, saved atomically."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal, get_args

import msgspec
from msgspec import Struct, field
from msgspec.structs import replace

from bot.errors import ConfigError, StateError
from bot.files import atomic_write_text
from bot.models import JUDGE_ADVICE, Decision, KnownTitles, Paper

STATE_VERSION = 1
Status = Literal["added", "pending", "rejected"]
STATUSES: tuple[str, ...] = get_args(Status)


# msgspec decodes and validates the state file straight into these records: a state
# with 100,000 papers loads in a tenth of the time json + hand checks took, and
# gc=False keeps the collector from rescanning records that cannot form cycles.
class PaperRecord(
    msgspec.Struct, frozen=True, gc=False, omit_defaults=True, forbid_unknown_fields=True
):
    """A paper the bot added, proposed or had rejected, with what it needs to list it again."""

    id: str
    title: str
    status: Status
    since: str  # ISO date the bot first recorded it
    published: str = ""  # ISO date of v1
    authors: tuple[str, ...] = ()
    primary_category: str = ""
    score: float | None = None
    reason: str = ""
    venue: str = ""
    code_url: str = ""
    section: str = ""
    doubt: str = ""  # "possible duplicate of ...": shown again while the paper is proposed

    def to_paper(self) -> Paper:
        published = (
            date.fromisoformat(self.published) if self.published else date.fromisoformat(self.since)
        )
        return Paper(
            id=self.id,
            version=None,
            title=self.title,
            abstract="",
            authors=self.authors,
            published=published,
            primary_category=self.primary_category,
            categories=(self.primary_category,) if self.primary_category else (),
            venue=self.venue,
            code_url=self.code_url,
        )


class State(Struct, frozen=True):
    watermark: date | None = None
    last_run: datetime | None = None
    last_success: datetime | None = None
    consecutive_failures: int = 0
    papers: dict[str, PaperRecord] = field(default_factory=dict)
    handled_pulls: tuple[int, ...] = ()
    enrichment: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> code_url, venue
    # Keys a newer version wrote that this one does not know, kept verbatim on rewrite:
    # top-level ones, and per paper id those inside its record.
    extra_keys: dict[str, msgspec.Raw] = field(default_factory=dict)
    extra_paper_keys: dict[str, dict[str, msgspec.Raw]] = field(default_factory=dict)
    # On the bot's branch: the git blob SHA-1 of the list it committed with this state.
    # A list there with another blob was edited since, trailer or not (an amended commit).
    list_blob: str = ""

    def known(self) -> KnownTitles:
        records = self.papers.values()
        sources = {status: f"state:{status}" for status in STATUSES}
        return KnownTitles(
            [r.id for r in records],
            [r.title for r in records],
            [sources[r.status] for r in records],
        )

    def authors_of(self, paper_id: str) -> tuple[str, ...]:
        """The first authors recorded for a paper the bot proposed; () if none."""
        record = self.papers.get(paper_id)
        return record.authors if record is not None else ()

    def with_status(self, status: Status, records: list[PaperRecord]) -> State:
        merged = dict(self.papers)
        for record in records:
            merged[record.id] = msgspec.structs.replace(
                merged.get(record.id, record), status=status
            )
        return replace(self, papers=merged)

    def with_decisions(self, decisions: list[Decision], status: Status, today: date) -> State:
        merged = dict(self.papers)
        for decision in decisions:
            paper = decision.paper
            old = merged.get(paper.id)
            merged[paper.id] = PaperRecord(
                id=paper.id,
                title=paper.title,
                status=status,
                since=old.since if old else today.isoformat(),
                published=paper.published.isoformat(),
                authors=paper.authors[:3],
                primary_category=paper.primary_category,
                score=decision.score,
                reason=recorded_reason(decision),
                venue=paper.venue,
                code_url=paper.code_url,
                section=decision.section,
                doubt=(
                    decision.possible_duplicate.describe() if decision.possible_duplicate else ""
                ),
            )
        return replace(self, papers=merged)

    def with_titles(self, titles: dict[str, str]) -> State:
        """Record arXiv's new titles of listed papers (those the bot knows)."""
        if not titles:
            return self  # no copy of a large state for nothing
        merged = dict(self.papers)
        for paper_id, title in titles.items():
            if paper_id in merged:
                merged[paper_id] = msgspec.structs.replace(merged[paper_id], title=title)
        return replace(self, papers=merged)

    def with_papers(self, papers: list[Paper], status: Status, today: date) -> State:
        return self.with_decisions(
            [Decision(p, 0.0, True, False, ()) for p in papers], status, today
        )

    def after_success(self, now: datetime, watermark: date | None) -> State:
        return replace(
            self, watermark=watermark, last_run=now, last_success=now, consecutive_failures=0
        )


def next_watermark(old: date | None, start: date, end: date) -> date | None:
    """The last submission day a successful fetch of [start, end] fully covers.

    The end day itself may still receive papers, so coverage stops the day
    before. A window that starts after the old watermark leaves a gap: keep it.
    """
    covered = end - timedelta(days=1)
    if old is not None and start > old + timedelta(days=1):
        return old
    return max(covered, old) if old else covered


def check_since(since: date | None, today: date) -> None:
    """Refuse a --since after `today` (the run's UTC date; today itself is fine), or
    before 1991, when arXiv began (earlier dates only overflow the window's sums)."""
    if since is not None and since < date(1991, 1, 1):
        raise ConfigError(f"--since {since} is before arXiv began (1991); nothing was changed")
    if since is not None and since > today:
        raise ConfigError(
            f"--since {since} is after today ({today}, UTC): there is nothing to fetch;"
            " nothing was changed"
        )


def fetch_window(
    state: State, since: date | None, today: date, lookback_days: int, overlap_days: int
) -> tuple[date, date]:
    """[start, end] submission dates to query this run; `today` is the run's UTC date.

    Raises ConfigError for a `since` after today: the window would be empty, and a
    success would move the watermark past days nobody read.
    """
    if since is not None:
        check_since(since, today)
        return since, today
    if state.watermark is not None:
        return state.watermark - timedelta(days=overlap_days), today
    return today - timedelta(days=lookback_days), today


def late_sweep_window(
    last_sweep: date | None, today: date, window_start: date, every_days: int, days: int
) -> tuple[date, date] | None:
    """The days a late-paper sweep reads this run, or None when no sweep is due.

    arXiv holds some submissions in moderation for days or weeks; they appear with
    their original submission date, before the normal window. Every `every_days`
    days (0: never) a second query reads the `days` days before the normal window.
    `last_sweep` None with a window already known means the run store was lost:
    sweep now. (A first run sweeps nothing: its window is `lookback_days` by design.)
    """
    if every_days <= 0 or days <= 0:
        return None
    if last_sweep is not None and (today - last_sweep).days < every_days:
        return None
    start, end = today - timedelta(days=days), window_start - timedelta(days=1)
    return (start, end) if start <= end else None


class _StateFile(msgspec.Struct, forbid_unknown_fields=True):
    """The state file's layout. Keys it does not know (a newer bot's) are kept, not dropped:
    decoding fails fast on them and `_decode_keeping_unknown` takes the slow path."""

    version: int
    watermark: date | None = None
    last_run: datetime | None = None
    last_success: datetime | None = None
    consecutive_failures: int = 0
    handled_pulls: tuple[int, ...] = ()
    enrichment: dict[str, dict[str, str]] = {}
    papers: list[PaperRecord] = []
    list_blob: str = ""


def state_to_json(state: State) -> str:
    records = sorted(state.papers.values(), key=lambda p: (p.since, p.id))
    extras = state.extra_paper_keys
    papers = [_with_extra(r, extras.get(r.id)) for r in records] if extras else records
    data: dict[str, object] = {
        "version": STATE_VERSION,
        "watermark": state.watermark.isoformat() if state.watermark else None,
        "last_run": state.last_run.isoformat() if state.last_run else None,
        "last_success": state.last_success.isoformat() if state.last_success else None,
        "consecutive_failures": state.consecutive_failures,
        "handled_pulls": sorted(state.handled_pulls),
        "enrichment": {k: state.enrichment[k] for k in sorted(state.enrichment)},
        "papers": papers,
    }
    if state.list_blob:
        data["list_blob"] = state.list_blob
    data.update((k, v) for k, v in state.extra_keys.items() if k not in data)
    return msgspec.json.format(msgspec.json.encode(data), indent=2).decode() + "\n"


def _with_extra(record: PaperRecord, extra: dict[str, msgspec.Raw] | None) -> object:
    if not extra:
        return record
    known: dict[str, object] = msgspec.json.decode(msgspec.json.encode(record))
    return {**known, **{k: v for k, v in extra.items() if k not in known}}


def state_from_json(text: str | bytes, path: Path | str) -> State:
    hint = "restore it from git, or delete it to rebuild from the list (README: Rebuilding state)"
    extra: dict[str, msgspec.Raw] = {}
    extra_papers: dict[str, dict[str, msgspec.Raw]] = {}
    try:
        try:
            data = msgspec.json.decode(text, type=_StateFile)
        except msgspec.ValidationError as exc:
            if "unknown field" not in str(exc):
                raise
            data, extra, extra_papers = _decode_keeping_unknown(text)
    except msgspec.DecodeError as exc:
        raise StateError(f"{path}: corrupt state file ({exc}); {hint}") from None
    if data.version != STATE_VERSION:
        raise StateError(
            f'{path}: corrupt state file (expected "version": {STATE_VERSION}); {hint}'
        )
    return State(
        watermark=data.watermark,
        last_run=data.last_run,
        last_success=data.last_success,
        consecutive_failures=data.consecutive_failures,
        papers={record.id: record for record in data.papers},
        handled_pulls=data.handled_pulls,
        enrichment=data.enrichment,
        extra_keys=extra,
        extra_paper_keys=extra_papers,
        list_blob=data.list_blob,
    )


def _decode_keeping_unknown(
    text: str | bytes,
) -> tuple[_StateFile, dict[str, msgspec.Raw], dict[str, dict[str, msgspec.Raw]]]:
    """Decode a state file with keys this version does not know, returning them apart.

    Returns (the known layout, unknown top-level keys, unknown record keys by paper id).
    """
    raw = msgspec.json.decode(text, type=dict[str, msgspec.Raw])
    known = set(_StateFile.__struct_fields__) - {"papers"}
    data = msgspec.json.decode(
        msgspec.json.encode({k: v for k, v in raw.items() if k in known}), type=_StateFile
    )
    fields = set(PaperRecord.__struct_fields__)
    extra_papers: dict[str, dict[str, msgspec.Raw]] = {}
    items = msgspec.json.decode(raw.get("papers", b"[]"), type=list[dict[str, msgspec.Raw]])
    for index, item in enumerate(items):
        known_fields = msgspec.json.encode({k: v for k, v in item.items() if k in fields})
        try:
            record = msgspec.json.decode(known_fields, type=PaperRecord)
        except msgspec.ValidationError as exc:  # name the record as the fast path does
            raise msgspec.ValidationError(str(exc).replace("$", f"$.papers[{index}]")) from None
        data.papers.append(record)
        unknown = {k: v for k, v in item.items() if k not in fields}
        if unknown:
            extra_papers[record.id] = unknown
    extra = {k: v for k, v in raw.items() if k not in known and k != "papers"}
    return data, extra, extra_papers


def load_state(path: Path) -> State:
    """Read the state file; a missing file is an empty state, a corrupt one an error."""
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return State()
    except OSError as exc:
        raise StateError(f"{path}: cannot read state file ({exc})") from None
    return state_from_json(text, path)


def save_state(path: Path, state: State) -> None:
    atomic_write_text(path, state_to_json(state))


def recorded_reason(decision: Decision) -> str:
    """The reason kept in state: the score's, and the judge's when it added the paper.

    A later run's pull request lists the paper again from this record (carried).
    """
    if decision.by_judge and decision.verdict is not None:
        return f"{decision.reason}; {JUDGE_ADVICE}: {decision.verdict.reason}"
    return decision.reason
