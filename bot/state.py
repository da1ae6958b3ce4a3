"""State store: what the bot knows, as readable JSON, saved atomically."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from bot.errors import StateError
from bot.files import atomic_write_text
from bot.models import Decision, KnownTitle, Paper

STATE_VERSION = 1
STATUSES = ("added", "pending", "rejected")


class PaperRecord(NamedTuple):
    """A paper the bot added, proposed or had rejected, with what it needs to list it again."""

    id: str
    title: str
    status: str  # one of STATUSES
    since: str  # ISO date the bot first recorded it
    published: str = ""  # ISO date of v1
    authors: tuple[str, ...] = ()
    primary_category: str = ""
    score: float | None = None
    reason: str = ""
    venue: str = ""
    code_url: str = ""
    section: str = ""

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


@dataclass(frozen=True)
class State:
    watermark: date | None = None
    last_run: datetime | None = None
    last_success: datetime | None = None
    consecutive_failures: int = 0
    papers: dict[str, PaperRecord] = field(default_factory=dict)
    handled_pulls: tuple[int, ...] = ()
    enrichment: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> code_url, venue

    def known(self) -> list[KnownTitle]:
        return [KnownTitle(p.id, p.title, f"state:{p.status}") for p in self.papers.values()]

    def with_status(self, status: str, records: list[PaperRecord]) -> State:
        merged = dict(self.papers)
        for record in records:
            merged[record.id] = merged.get(record.id, record)._replace(status=status)
        return replace(self, papers=merged)

    def with_decisions(self, decisions: list[Decision], status: str, today: date) -> State:
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
                reason=decision.reason,
                venue=paper.venue,
                code_url=paper.code_url,
                section=decision.section,
            )
        return replace(self, papers=merged)

    def with_titles(self, titles: dict[str, str]) -> State:
        """Record arXiv's new titles of listed papers (those the bot knows)."""
        merged = dict(self.papers)
        for paper_id, title in titles.items():
            if paper_id in merged:
                merged[paper_id] = merged[paper_id]._replace(title=title)
        return replace(self, papers=merged)

    def with_papers(self, papers: list[Paper], status: str, today: date) -> State:
        return self.with_decisions(
            [Decision(p, 0.0, True, False, ()) for p in papers], status, today
        )

    def after_success(self, now: datetime, watermark: date | None) -> State:
        return replace(
            self, watermark=watermark, last_run=now, last_success=now, consecutive_failures=0
        )

    def after_failure(self, now: datetime) -> State:
        return replace(self, last_run=now, consecutive_failures=self.consecutive_failures + 1)


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
    def paper(p: PaperRecord) -> dict[str, Any]:
        data: dict[str, Any] = {"id": p.id, "title": p.title, "status": p.status, "since": p.since}
        if p.published:
            data["published"] = p.published
        if p.authors:
            data["authors"] = list(p.authors)
        if p.primary_category:
            data["primary_category"] = p.primary_category
        if p.score is not None:
            data["score"] = p.score
        if p.reason:
            data["reason"] = p.reason
        if p.venue:
            data["venue"] = p.venue
        if p.code_url:
            data["code_url"] = p.code_url
        if p.section:
            data["section"] = p.section
        return data

    data = {
        "version": STATE_VERSION,
        "watermark": state.watermark.isoformat() if state.watermark else None,
        "last_run": state.last_run.isoformat() if state.last_run else None,
        "last_success": state.last_success.isoformat() if state.last_success else None,
        "consecutive_failures": state.consecutive_failures,
        "handled_pulls": sorted(state.handled_pulls),
        "enrichment": {k: state.enrichment[k] for k in sorted(state.enrichment)},
        "papers": [paper(p) for p in sorted(state.papers.values(), key=lambda p: (p.since, p.id))],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def state_from_json(text: str, path: Path | str) -> State:
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
            score = item.get("score")
            record = PaperRecord(
                str(item["id"]),
                str(item["title"]),
                item["status"],
                str(item["since"]),
                item.get("published", ""),
                tuple(item.get("authors", ())),
                item.get("primary_category", ""),
                float(score) if score is not None else None,
                item.get("reason", ""),
                item.get("venue", ""),
                item.get("code_url", ""),
                item.get("section", ""),
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
            handled_pulls=tuple(int(n) for n in data.get("handled_pulls", ())),
            enrichment={
                str(k): {str(a): str(b) for a, b in v.items()}
                for k, v in (data.get("enrichment") or {}).items()
            },
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
