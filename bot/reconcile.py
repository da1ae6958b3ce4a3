"""What the bot's pull requests became: merged, edited by the maintainer, or closed.

Pure functions over State and list text. Merging a PR accepts the papers
still in its diff; a paper whose line the maintainer deleted, or every paper
of a PR closed without merging, is rejected and never proposed again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

import msgspec

from bot.models import Proposal, TitleChange
from bot.normalize import normalize_title
from bot.state import PaperRecord, State


class ListedPapers(Protocol):
    """What reconcile asks of a version of the list (a ListDocument answers it)."""

    @property
    def ids(self) -> set[str]: ...

    @property
    def titles(self) -> dict[str, str]: ...


def settle_merged(state: State, base: ListedPapers) -> State:
    """Pending papers in the base branch's state came from a merged PR: listed means accepted."""
    pending = [r for r in state.papers.values() if r.status == "pending"]
    if not pending:  # the usual case: the list need not be read for this
        return state
    listed = base.ids
    return state.with_status("added", [r for r in pending if r.id in listed]).with_status(
        "rejected", [r for r in pending if r.id not in listed]
    )


def reject_closed(state: State, closed: list[tuple[int, bool, State | None]]) -> State:
    """Record the papers of bot PRs closed without merging as rejected (each PR once)."""
    handled = set(state.handled_pulls)
    for number, merged, head_state in closed:
        if number in handled:
            continue
        handled.add(number)
        if merged or head_state is None:
            continue
        proposed = [
            r
            for r in head_state.papers.values()
            if r.status == "pending" and state.papers.get(r.id, r).status != "added"
        ]
        state = state.with_status("rejected", proposed)
    return replace(state, handled_pulls=tuple(sorted(handled)))


def carry_pending(
    state: State, base: ListedPapers, branch_state: State, branch: ListedPapers
) -> tuple[list[PaperRecord], list[PaperRecord]]:
    """Split the open PR's proposals into those to keep and those the maintainer deleted."""
    in_base = base.ids
    in_branch = branch.ids
    keep: list[PaperRecord] = []
    removed: list[PaperRecord] = []
    for record in branch_state.papers.values():
        if record.status != "pending" or record.id in in_base:
            continue
        if state.papers.get(record.id, record).status in ("added", "rejected"):
            continue
        (keep if record.id in in_branch else removed).append(record)
    return keep, removed


def carry_titles(state: State, base_list: ListedPapers, branch_state: State) -> list[TitleChange]:
    """Title changes the open PR proposes: its state holds arXiv's new title, the base the old."""
    listed = base_list.titles
    changes = []
    for paper_id, proposed in branch_state.papers.items():
        recorded = state.papers.get(paper_id)
        if recorded is None or paper_id not in listed or recorded.status != "added":
            continue
        if recorded.title == proposed.title:
            continue  # the usual case: checked before folding both titles
        if normalize_title(recorded.title) == normalize_title(proposed.title):
            continue
        if normalize_title(listed[paper_id]) == normalize_title(recorded.title):
            changes.append(TitleChange(paper_id, listed[paper_id], proposed.title))
    return changes


def as_proposals(records: list[PaperRecord]) -> list[Proposal]:
    return [Proposal(r.to_paper(), r.score, r.reason, r.section) for r in records]


def with_pending(state: State, records: list[PaperRecord]) -> State:
    papers = dict(state.papers)
    for record in records:
        papers[record.id] = msgspec.structs.replace(record, status="pending")
    return replace(state, papers=papers)
