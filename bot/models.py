"""Plain records passed between the pipeline stages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import cached_property
from itertools import compress
from typing import NamedTuple

from msgspec import Struct, field


class RawRecord(Struct, frozen=True):
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


class Unreadable(Struct, frozen=True):
    """An arXiv record that could not be read: named so the maintainer can look it up."""

    id: str  # the arXiv id, or "entry N" when the record had none
    page: int  # 1-based page of its answer
    reason: str

    def describe(self) -> str:
        return f"{self.id} (page {self.page}): {self.reason}"


class FetchOutcome(Struct, frozen=True):
    """What the arXiv side learned besides the papers: for the watermark and the report."""

    entries: int  # entries arXiv sent for the run's window, read or not; 0: learned nothing
    unreadable: tuple[Unreadable, ...] = ()
    requests: int = 0
    sweep: tuple[date, date] | None = None  # the late-paper sweep's days, when one ran


class Paper(Struct, frozen=True):
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
    """A paper the bot already knows, from the list or from its state."""

    id: str | None
    title: str
    source: str  # "list" or "state:<status>"


class KnownTitles(Struct, frozen=True):
    """Known papers as parallel columns: paper i is (ids[i], titles[i], sources[i]).

    Columns, not one object per paper: a list and state of 100,000 papers each would
    otherwise spend a large part of a run building objects that dedupe never reports.
    Earlier positions take precedence (the list comes before the state).
    """

    ids: list[str | None] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, items: Iterable[KnownTitle]) -> KnownTitles:
        rows = list(items)
        return cls([k.id for k in rows], [k.title for k in rows], [k.source for k in rows])

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, position: int) -> KnownTitle:
        return KnownTitle(self.ids[position], self.titles[position], self.sources[position])

    def where(self, keep: Iterable[bool]) -> KnownTitles:
        """The rows whose flag in `keep` is true (C loops: columns are long)."""
        flags = list(keep)
        return KnownTitles(
            list(compress(self.ids, flags)),
            list(compress(self.titles, flags)),
            list(compress(self.sources, flags)),
        )

    def __add__(self, other: KnownTitles) -> KnownTitles:
        return KnownTitles(
            self.ids + other.ids, self.titles + other.titles, self.sources + other.sources
        )


class Evidence(Struct, frozen=True):
    """One signal that moved a relevance score."""

    signal: str
    where: str
    weight: float
    # "claim", "evidence", "generic", "list" (list similarity), "" for the rest
    # (categories, caps, withdrawn). Positive "evidence" and "list" weights count
    # towards relevance.min_evidence.
    kind: str = ""

    def describe(self) -> str:
        where = f" in {self.where}" if self.where else ""
        return f"{self.signal}{where} ({self.weight:+g})"


JUDGE_ADVICE = "added on the judge's advice"  # how a paper the judge moved in is marked


class Verdict(Struct, frozen=True):
    """The model judge's answer about one paper (see bot/judge.py)."""

    relevant: bool
    reason: str  # one line, as the model wrote it (escape before Markdown)


class Decision(Struct, frozen=True, dict=True):
    """The relevance verdict for one paper, with the evidence behind it."""

    paper: Paper
    score: float
    accepted: bool
    borderline: bool
    evidence: tuple[Evidence, ...]
    section: str = ""
    placed_by: str = ""  # why it goes under `section`
    held: str = ""  # why a paper that reached the threshold was not accepted
    possible_duplicate: PossibleDuplicate | None = None  # added, but the reviewer should look
    verdict: Verdict | None = None  # the model judge's, when it was asked
    by_judge: bool = False  # a borderline paper accepted on the judge's advice
    excluded: str = ""  # an exclusion regardless of the score, e.g. "withdrawn"

    @property
    def doubted(self) -> bool:
        """Accepted by the score, but the judge thinks it off-topic: flagged for the reviewer."""
        return self.accepted and self.verdict is not None and not self.verdict.relevant

    @cached_property  # the report, the PR body and the state each ask for it
    def reason(self) -> str:
        if self.excluded:
            return self.excluded
        if not self.evidence:
            return f"score {self.score:g}: no topic signal matched"
        strongest = sorted(self.evidence, key=lambda e: -abs(e.weight))
        held = f" ({self.held})" if self.held else ""
        return f"score {self.score:g}{held}: " + "; ".join(e.describe() for e in strongest)


class Duplicate(Struct, frozen=True):
    """A fetched paper that is already known, and what it matched."""

    paper: Paper
    matched: KnownTitle
    how: str  # "id" or "title"
    similarity: float = 100.0
    why: str = ""  # what makes them one paper (bot.samepaper)


class PossibleDuplicate(Struct, frozen=True):
    """A known paper that a new one may duplicate: the verdict was unsure, so it is added."""

    matched: KnownTitle
    why: str  # what differs, or what makes them alike (bot.samepaper)
    similarity: float
    line: int | None = None  # 1-based line of the listed entry in the list as read, if listed

    def describe(self) -> str:
        """ "possible duplicate of <title> (<id>, line N): <why>", for people."""
        matched = self.matched
        where = ", ".join(
            part
            for part in (
                matched.id or "",
                f"line {self.line}" if self.line else "",
                "" if matched.source == "list" else matched.source,
            )
            if part
        )
        return f"possible duplicate of {matched.title or matched.id} ({where}): {self.why}"


class Proposal(Struct, frozen=True):
    """A paper an earlier run put in the open pull request, carried into this one."""

    paper: Paper
    score: float | None
    reason: str
    section: str = ""
    doubt: str = ""  # the run that proposed it was unsure it is new: PossibleDuplicate.describe


class TitleChange(Struct, frozen=True):
    """arXiv retitled a listed paper in a new version: the list line gets the new title."""

    id: str
    old: str
    new: str

    @property
    def url(self) -> str:
        return f"https://arxiv.org/abs/{self.id}"


class PullRequestRef(Struct, frozen=True):
    number: int
    url: str


# Starts every comment that carries what a pull request's body had no room for.
OVERFLOW_MARKER = "<!-- arxiv-bot:overflow -->"


class PullRequestText(Struct, frozen=True):
    """A pull request's body, and comments naming every item the body had no room for.

    Each string is under GitHub's 65,536-character limit; each comment starts with
    OVERFLOW_MARKER so the next run can find and replace it.
    """

    body: str
    comments: tuple[str, ...] = ()


class JudgeNote(Struct, frozen=True):
    """What the model judge did in one run: papers sent, verdicts back, why it fell short."""

    asked: int = 0  # papers in scope
    answered: int = 0  # of them, papers with a verdict
    problem: str = ""  # why the judge was unavailable for the rest ("" = it answered)
    model: str = ""  # the model asked

    def describe(self) -> str:
        name = f"model judge ({self.model})" if self.model else "model judge"
        if not self.asked:
            return f"{name}: nothing in scope to ask about"
        text = f"{name}: {self.answered} of {self.asked} paper(s) judged"
        if self.problem:
            text += f"; unavailable for the rest ({self.problem}): the score decided"
        return text


class RunReport(Struct):
    """What one run fetched, skipped, rejected and added."""

    fetched: int = 0
    added: list[Decision] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    rejected: list[Decision] = field(default_factory=list)
    carried: list[Proposal] = field(default_factory=list)
    title_changes: list[TitleChange] = field(default_factory=list)
    pull_request: PullRequestRef | None = None
    notes: list[str] = field(default_factory=list)  # what the maintainer should know
    diff: str = ""
    window: tuple[date, date] | None = None
    judge: JudgeNote | None = None  # None: no judge configured

    @property
    def judge_suggested(self) -> list[Decision]:
        """Rejected papers below the borderline band the judge called relevant (scope "all")."""
        return [d for d in self.rejected if not d.borderline and d.verdict and d.verdict.relevant]

    unreadable: list[Unreadable] = field(default_factory=list)  # records arXiv sent unreadable
    sweep: tuple[date, date] | None = None  # the late-paper sweep's window, on sweep days
