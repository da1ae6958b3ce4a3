"""The pipeline: fetch -> normalize -> dedupe -> filter -> render, as one pure plan.

A run has two sides that meet at dedupe: the arXiv side (hits normalized and judged,
`relevance.screen`) and the list side (the list parsed, known titles indexed,
`know_papers`). Neither needs the other, so the commands build them at the same time.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from msgspec import Struct
from msgspec.structs import replace

from bot.config import Config
from bot.dedupe import TitleIndex, listed_then_stored, split_duplicates, with_possible_duplicate
from bot.listabstracts import CACHE, cache_entry
from bot.listdoc.document import ListDocument
from bot.models import (
    Decision,
    Duplicate,
    FetchOutcome,
    JudgeNote,
    Paper,
    Proposal,
    RunReport,
    TitleChange,
)
from bot.normalize import normalize_title
from bot.relevance import Screened
from bot.render import retitle_entries, update_list
from bot.runstore import EMPTY_STORE, RunStore
from bot.sections import compile_routes, route
from bot.state import State, Status, next_watermark

if TYPE_CHECKING:  # each loads only when the run uses it
    from bot.judge import Judge
    from bot.listsim import ListProfile


class Plan(Struct, frozen=True):
    """Everything a run would change, computed without touching the outside world."""

    report: RunReport
    list_text: str
    state: State
    before: str = ""
    store: RunStore = EMPTY_STORE  # the run store after this run (bot/runstore.py)

    def diff(self, name: str) -> str:
        from bot.render import unified_diff

        return unified_diff(self.before, self.list_text, name)

    @property
    def changes_list(self) -> bool:
        return bool(self.report.added or self.report.carried or self.report.title_changes)


def keep_enrichment(plan: Plan, cache: dict[str, dict[str, str]]) -> Plan:
    """The plan with the enrichment cache stored in its state."""
    return replace(plan, state=replace(plan.state, enrichment=dict(cache)))


def title_changes_of(duplicates: Sequence[Duplicate], state: State) -> list[TitleChange]:
    """Listed papers whose arXiv title changed in a new version (not a maintainer's own wording).

    The list's title must still be the one the bot recorded (or, for a paper the
    bot never recorded, the paper must be past version 1): a title the
    maintainer reworded is theirs to keep.
    """
    changes = []
    for duplicate in duplicates:
        listed = duplicate.matched
        if duplicate.how != "id" or listed.source != "list" or not listed.title:
            continue
        new = duplicate.paper.title
        if not new or normalize_title(new) == normalize_title(listed.title):
            continue
        record = state.papers.get(duplicate.paper.id)
        if record is not None:
            if normalize_title(record.title) != normalize_title(listed.title):
                continue
        elif (duplicate.paper.version or 1) < 2:
            continue
        changes.append(TitleChange(duplicate.paper.id, listed.title, new))
    return sorted(changes, key=lambda change: change.id)


def judged(
    decisions: list[Decision], remembered: Collection[str], judge: Judge
) -> tuple[list[Decision], JudgeNote]:
    """The decisions after the judge saw those not already rejected by an earlier run.

    A paper re-read in the overlap window was judged (or reported) then: asking again
    would spend the API's rate limit on the same answer.
    """
    asked, note = judge([d for d in decisions if d.paper.id not in remembered])
    verdicts = {d.paper.id: d for d in asked}
    return [verdicts.get(d.paper.id, d) for d in decisions], note


class KnownPapers(Struct, frozen=True):
    """The list side of a run, which needs no fetch: the list parsed, every known title indexed."""

    document: ListDocument
    index: TitleIndex


def know_papers(document: ListDocument, state: State, config: Config) -> KnownPapers:
    """Read the list's papers (the run's one parse), then the stored ones, and index them."""
    known = listed_then_stored(document.known, state.known())

    # The authors the state keeps for the papers the bot proposed, else those the list shows.
    def authors_of(paper_id: str) -> tuple[str, ...]:
        return state.authors_of(paper_id) or document.authors_of(paper_id)

    index = TitleIndex(known, config.dedupe.title_threshold, authors_of)
    return KnownPapers(document, index)


def plan_run(
    screened: Screened,
    known: KnownPapers,
    list_text: str,
    state: State,
    config: Config,
    now: datetime,
    window: tuple[date, date],
    list_name: str = "README.md",
    carried: Sequence[Proposal] = (),
    status: Status = "added",
    carried_titles: Sequence[TitleChange] = (),
    enrich: Callable[[list[Paper]], list[Paper]] | None = None,
    store: RunStore = EMPTY_STORE,
    judge: Judge | None = None,
    profile: ListProfile | None = None,
    outcome: FetchOutcome | None = None,
) -> Plan:
    """Decide what to add to the list and how state changes after a successful fetch.

    `screened` is `screen(hits, ...)` and `known` is `know_papers(document, state,
    config)`. `carried` papers (still pending in an open pull request) are listed
    again alongside the new ones; new papers are recorded in state with `status`.
    The run `store` gets the new watermark and remembers the filter's rejections; a
    rejection it already remembered is not reported again.
    `profile` (the listed papers, bot/listabstracts.list_profile) adds the list-similarity
    signal to the new papers' decisions, before the judge sees the borderline ones.
    `judge` (the model judge's edge, bot/judge.consult bound to a chat endpoint) sees
    the new papers after dedupe, so no request is spent on a known paper. `outcome` says
    what the fetch learned: when arXiv sent nothing for the window, the watermark stays (a
    transient empty answer then costs a re-read, never a paper).
    """
    fresh, duplicates, possible = split_duplicates(screened.papers, known.index, store.cache(CACHE))
    decision_of = {decision.paper.id: decision for decision in screened.decisions}
    decisions = [
        with_possible_duplicate(decision_of[paper.id], possible.get(paper.id), known.document)
        for paper in fresh
    ]
    if profile is not None:  # the list-similarity signal (bot/listsim.py), on new papers only
        from bot.listsim import with_list_similarity

        decisions = [with_list_similarity(d, profile, config.relevance) for d in decisions]
    judge_note = None
    if judge is not None:
        decisions, judge_note = judged(decisions, store.rejected, judge)
    routes = compile_routes(config.target.sections)
    added = [
        replace(d, section=section, placed_by=why)
        for d in decisions
        if d.accepted
        for section, why in [route(d.paper, routes, config.target.section)]
    ]
    if enrich is not None and added:  # the enrichment edge, passed in: fills code links, venues
        enriched = enrich([d.paper for d in added])
        added = [replace(d, paper=p) for d, p in zip(added, enriched, strict=True)]
    rejected = sorted((d for d in decisions if not d.accepted), key=lambda d: -d.score)
    remembered = store.rejected
    new_rejected = [d for d in rejected if d.paper.id not in remembered]
    listed = [p.paper for p in carried] + [d.paper for d in added]
    placement = {p.paper.id: p.section for p in carried if p.section}
    placement |= {d.paper.id: d.section for d in added}
    new_text = update_list(list_text, listed, config.target, now, placement, known.document)
    detected = title_changes_of(duplicates, state)
    seen = {change.id for change in detected}
    title_changes = detected + [c for c in carried_titles if c.id not in seen]
    new_text = retitle_entries(new_text, title_changes, config.target)
    outcome = outcome or FetchOutcome(screened.fetched)
    watermark = next_watermark(state.watermark, *window) if outcome.entries else state.watermark
    new_state = state.with_decisions(added, status, now.date()).after_success(now, watermark)
    new_state = new_state.with_titles({change.id: change.new for change in title_changes})
    report = RunReport(
        fetched=screened.fetched,
        added=added,
        duplicates=duplicates,
        rejected=new_rejected,
        carried=list(carried),
        title_changes=title_changes,
        window=window,
        judge=judge_note,
        unreadable=list(outcome.unreadable),
        sweep=outcome.sweep,
    )
    new_store = store.with_watermark(new_state.watermark).with_rejected(
        {d.paper.id: d.score for d in new_rejected}
    )
    oldest = min(window[0], now.date() - timedelta(days=config.arxiv.sweep_days))
    new_store = new_store.forget_rejected_before(oldest - timedelta(days=31))
    if outcome.sweep is not None or (store.last_sweep is None and state.watermark is None):
        new_store = new_store.swept(now.date())  # a first run starts the sweep's clock
    if profile is not None:  # the papers it lists now: known, so never looked up later
        new_store = new_store.with_cache(CACHE, {d.paper.id: cache_entry(d.paper) for d in added})
    return Plan(report, new_text, new_state, list_text, new_store)
