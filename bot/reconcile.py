"""What the bot's pull requests became: merged, edited by the maintainer, or closed.

Pure functions over State and list text (the plan's first step). Merging a PR
accepts the papers still in its diff; a paper whose line the maintainer deleted,
or every paper of a PR closed without merging, is rejected and never proposed
again. A paper the maintainer added on the branch by hand counts as pending.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

import msgspec
from msgspec import Struct, field
from msgspec.structs import replace

from bot.config import TargetConfig
from bot.listdoc.document import ListDocument
from bot.models import Proposal, TitleChange
from bot.normalize import normalize_title
from bot.repository.seam import Snapshot
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
        # Pending there, or already rejected there (a line deleted before it was closed).
        proposed = [
            r
            for r in head_state.papers.values()
            if r.status != "added" and state.papers.get(r.id, r).status != "added"
        ]
        state = state.with_status("rejected", proposed)
    return replace(state, handled_pulls=tuple(sorted(handled)))


def carry_pending(
    state: State, base: ListedPapers, branch_state: State, branch: ListedPapers | None
) -> tuple[list[PaperRecord], list[PaperRecord]]:
    """Split the open PR's proposals into those to keep and those the maintainer deleted.

    `branch` None: the branch's list is the bot's own, which shows every proposal.
    """
    in_base = base.ids
    in_branch = branch.ids if branch is not None else None
    keep: list[PaperRecord] = []
    removed: list[PaperRecord] = []
    for record in branch_state.papers.values():
        if record.status != "pending" or record.id in in_base:
            continue
        if state.papers.get(record.id, record).status in ("added", "rejected"):
            continue
        (keep if in_branch is None or record.id in in_branch else removed).append(record)
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
    return [Proposal(r.to_paper(), r.score, r.reason, r.section, r.doubt) for r in records]


def with_pending(state: State, records: list[PaperRecord]) -> State:
    papers = dict(state.papers)
    for record in records:
        papers[record.id] = msgspec.structs.replace(record, status="pending")
    return replace(state, papers=papers)


def rejected_on(branch_state: State, state: State) -> list[PaperRecord]:
    """Papers the branch's state records as rejected that the base does not list as added."""
    return [
        r
        for r in branch_state.papers.values()
        if r.status == "rejected" and state.papers.get(r.id, r).status != "added"
    ]


def added_by_hand(
    state: State, base: ListedPapers, branch_state: State, branch: ListedPapers, today: date
) -> list[PaperRecord]:
    """Papers a maintainer added to the branch's list by hand: pending like the bot's own."""
    known = state.papers.keys() | branch_state.papers.keys() | base.ids
    titles = branch.titles
    return [
        PaperRecord(id=i, title=titles.get(i, ""), status="pending", since=today.isoformat())
        for i in sorted(branch.ids - known)
    ]


def as_the_bot_wrote(base: ListedPapers, branch_state: State, branch: ListedPapers) -> bool:
    """Whether a branch an older bot version wrote (no trailer) is still as it wrote it:
    the base's papers plus the pending ones of its state, no more, no fewer."""
    pending = {r.id for r in branch_state.papers.values() if r.status == "pending"}
    return branch.ids == base.ids | pending


class Reconciled(Struct, frozen=True):
    """The state and list a run plans on, once the bot's pull requests are accounted for.

    `list_text` is the base's list, or the branch's when the branch holds a
    maintainer's commits (`on_top`: the bot builds on their work). `carried` are
    re-added to a rebuilt list; `pending` are all still proposed (for the report).
    A deletion or a hand-added paper needs no commit of its own: every run reads
    them again from the branch, and merging or closing the PR settles them.
    """

    state: State
    list_text: str
    carried: list[Proposal] = field(default_factory=list)
    pending: list[Proposal] = field(default_factory=list)
    carried_titles: list[TitleChange] = field(default_factory=list)
    on_top: bool = False
    notes: list[str] = field(default_factory=list)


def reconcile(snapshot: Snapshot, target: TargetConfig, today: date) -> Reconciled:
    """What the base, the closed PRs and the open PR's branch say, as one plan input."""
    base = ListDocument(snapshot.list_text, target)
    state = settle_merged(snapshot.state, base)
    state = reject_closed(state, [(c.number, c.merged, c.state) for c in snapshot.closed])
    branch = snapshot.branch
    notes = list(snapshot.notes)
    if branch is None or branch.pull is None:
        return Reconciled(state, snapshot.list_text, notes=notes)
    if branch.state is None:
        if not branch.foreign:
            return Reconciled(state, snapshot.list_text, notes=notes)
        # Someone's commits removed the bot's state there: what it proposed is unknown,
        # but their list stands. Build on it; rebuilding from the base would drop it.
        notes.append(
            "The state file is gone from this branch, which holds commits the bot did not "
            f"write ({'; '.join(branch.foreign[:3])}): the bot adds its papers on top."
        )
        text = branch.list_text or snapshot.list_text
        return Reconciled(state, text, [], [], [], True, notes)
    branch_state = branch.state
    # A rejection recorded on the branch holds now, before the PR is merged or closed.
    state = state.with_status("rejected", rejected_on(branch_state, state))
    if branch_state.watermark and (
        state.watermark is None or branch_state.watermark > state.watermark
    ):
        state = replace(state, watermark=branch_state.watermark)
    # The list there is not the one the bot committed with its state: a commit amended
    # or rewritten with the bot's trailer still on it. Its edits win, as any commit's.
    edited = bool(branch_state.list_blob) and branch_state.list_blob != branch.list_blob
    branch_list = None
    if branch.foreign or branch.legacy or edited:
        branch_list = ListDocument(branch.list_text or snapshot.list_text, target)
    on_top = (
        bool(branch.foreign)
        or edited
        or (branch_list is not None and not as_the_bot_wrote(base, branch_state, branch_list))
    )
    if not on_top:
        branch_list = None
    keep, removed = carry_pending(state, base, branch_state, branch_list)
    theirs = added_by_hand(state, base, branch_state, branch_list, today) if branch_list else []
    if removed:
        notes.append(
            f"{len(removed)} paper(s) removed from this branch are recorded as rejected: "
            + ", ".join(r.id for r in removed)
        )
    state = with_pending(state.with_status("rejected", removed), keep + theirs)
    pending = as_proposals(keep + theirs)
    if not on_top:
        titles = carry_titles(state, base, branch_state)
        return Reconciled(state, snapshot.list_text, pending, pending, titles, notes=notes)
    foreign = branch.foreign or (
        ("the list, changed since the bot's last commit (a commit amended or rewritten)",)
        if edited
        else ("an older bot version's commit, edited since",)
    )
    notes.append(
        f"This branch holds {len(foreign)} commit(s) the bot did not write "
        f"({'; '.join(foreign[:3])}): the bot adds its papers on top and never "
        "rewrites them; edits there win."
    )
    text = branch.list_text or snapshot.list_text
    return Reconciled(state, text, [], pending, [], True, notes)
