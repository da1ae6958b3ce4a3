"""Plain records passed between the pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple


@dataclass(frozen=True)
class RawRecord:
    """One arXiv entry exactly as the API gave it (nothing cleaned yet)."""

    entry_id: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    published: datetime
    updated: datetime
    primary_category: str
    categories: tuple[str, ...]
    comment: str = ""
    journal_ref: str = ""


@dataclass(frozen=True)
class Paper:
    """A normalized arXiv paper: canonical id, readable title, v1 submission date."""

    id: str
    version: int | None
    title: str
    abstract: str
    authors: tuple[str, ...]
    published: date
    primary_category: str
    categories: tuple[str, ...]
    comment: str = ""
    journal_ref: str = ""
    venue: str = ""  # from the journal reference or an "Accepted at ..." comment
    code_url: str = ""  # a GitHub or GitLab repository named in the abstract or comment

    @property
    def url(self) -> str:
        return f"https://arxiv.org/abs/{self.id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.id}"


class KnownTitle(NamedTuple):
    """A paper the bot already knows, from the list or from its state.

    A NamedTuple, not a dataclass: a big list makes hundreds of thousands.
    """

    id: str | None
    title: str
    source: str  # "list" or "state:<status>"


@dataclass(frozen=True)
class Evidence:
    """One signal that moved a relevance score."""

    signal: str
    where: str
    weight: float

    def describe(self) -> str:
        return f"{self.signal} in {self.where} ({self.weight:+g})"


@dataclass(frozen=True)
class Decision:
    """The relevance verdict for one paper, with the evidence behind it."""

    paper: Paper
    score: float
    accepted: bool
    borderline: bool
    evidence: tuple[Evidence, ...]
    section: str = ""
    placed_by: str = ""  # why it goes under `section`

    @property
    def reason(self) -> str:
        if not self.evidence:
            return f"score {self.score:g}: no topic signal matched"
        strongest = sorted(self.evidence, key=lambda e: -abs(e.weight))
        return f"score {self.score:g}: " + "; ".join(e.describe() for e in strongest)


@dataclass(frozen=True)
class Duplicate:
    """A fetched paper that is already known, and what it matched."""

    paper: Paper
    matched: KnownTitle
    how: str  # "id" or "title"
    similarity: float = 100.0


@dataclass(frozen=True)
class Proposal:
    """A paper an earlier run put in the open pull request, carried into this one."""

    paper: Paper
    score: float | None
    reason: str
    section: str = ""


@dataclass(frozen=True)
class TitleChange:
    """arXiv retitled a listed paper in a new version: the list line gets the new title."""

    id: str
    old: str
    new: str

    @property
    def url(self) -> str:
        return f"https://arxiv.org/abs/{self.id}"


@dataclass(frozen=True)
class PullRequestRef:
    number: int
    url: str


@dataclass
class RunReport:
    """What one run fetched, skipped, rejected and added."""

    fetched: int = 0
    added: list[Decision] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    rejected: list[Decision] = field(default_factory=list)
    carried: list[Proposal] = field(default_factory=list)
    title_changes: list[TitleChange] = field(default_factory=list)
    pull_request: PullRequestRef | None = None
    diff: str = ""
    window: tuple[date, date] | None = None
