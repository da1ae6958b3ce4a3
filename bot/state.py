"""State store: what the bot knows, as readable JSON, saved atomically."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.errors import StateError
from bot.files import atomic_write_text
from bot.models import KnownTitle, Paper

STATE_VERSION = 1
STATUSES = ("added", "pending", "rejected")


@dataclass(frozen=True)
class PaperRecord:
    id: str
    title: str
    status: str  # one of STATUSES
    since: str  # ISO date the bot first recorded it


@dataclass(frozen=True)
class State:
    watermark: date | None = None
    last_run: datetime | None = None
    last_success: datetime | None = None
    consecutive_failures: int = 0
    papers: dict[str, PaperRecord] = field(default_factory=dict)

    def known(self) -> list[KnownTitle]:
        return [KnownTitle(p.id, p.title, f"state:{p.status}") for p in self.papers.values()]

    def with_papers(self, papers: list[Paper], status: str, today: date) -> State:
        merged = dict(self.papers)
        for paper in papers:
            old = merged.get(paper.id)
            merged[paper.id] = PaperRecord(
                paper.id, paper.title, status, old.since if old else today.isoformat()
            )
        return replace(self, papers=merged)

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


def fetch_window(
    state: State, since: date | None, today: date, lookback_days: int, overlap_days: int
) -> tuple[date, date]:
    """[start, end] submission dates to query this run."""
    if since is not None:
        return since, today
    if state.watermark is not None:
        return state.watermark - timedelta(days=overlap_days), today
    return today - timedelta(days=lookback_days), today


def state_to_json(state: State) -> str:
    data = {
        "version": STATE_VERSION,
        "watermark": state.watermark.isoformat() if state.watermark else None,
        "last_run": state.last_run.isoformat() if state.last_run else None,
        "last_success": state.last_success.isoformat() if state.last_success else None,
        "consecutive_failures": state.consecutive_failures,
        "papers": [
            {"id": p.id, "title": p.title, "status": p.status, "since": p.since}
            for p in sorted(state.papers.values(), key=lambda p: (p.since, p.id))
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def state_from_json(text: str, path: Path) -> State:
    hint = "restore it from git, or delete it to rebuild from the list (README: Rebuilding state)"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StateError(
            f"{path}: corrupt state file (invalid JSON at line {exc.lineno}); {hint}"
        ) from None
    try:
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise ValueError(f'expected an object with "version": {STATE_VERSION}')
        papers = {}
        for item in data.get("papers", []):
            record = PaperRecord(
                str(item["id"]), str(item["title"]), str(item["status"]), str(item["since"])
            )
            if record.status not in STATUSES:
                raise ValueError(f"unknown status {record.status!r} for {record.id}")
            papers[record.id] = record
        return State(
            watermark=_date(data.get("watermark")),
            last_run=_datetime(data.get("last_run")),
            last_success=_datetime(data.get("last_success")),
            consecutive_failures=int(data.get("consecutive_failures", 0)),
            papers=papers,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise StateError(f"{path}: corrupt state file ({exc}); {hint}") from None


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _datetime(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def load_state(path: Path) -> State:
    """Read the state file; a missing file is an empty state, a corrupt one an error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return State()
    except (OSError, UnicodeDecodeError) as exc:
        raise StateError(f"{path}: cannot read state file ({exc})") from None
    return state_from_json(text, path)


def save_state(path: Path, state: State) -> None:
    atomic_write_text(path, state_to_json(state))
