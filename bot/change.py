"""From a plan to the `Change` publish writes: which files, which commit, which PR text.

Pure. In GitHub mode a run with nothing new writes nothing: no commit only to
move the date stamp, no PR edit; the next run with news carries it all.
"""

from __future__ import annotations

from msgspec.structs import replace

from bot.pipeline import Plan
from bot.reconcile import Reconciled
from bot.repository.seam import Change, Snapshot, git_blob_sha
from bot.state import PaperRecord, state_to_json


def local_change(plan: Plan, list_path: str, state_path: str) -> Change:
    """Local mode: the list (when it changes) and the state, with the papers being added."""
    files = {list_path: plan.list_text} if plan.changes_list else {}
    files[state_path] = state_to_json(plan.state)
    return Change(
        files,
        adding=added_records(plan),
        retitled={c.id: c.new for c in plan.report.title_changes},
    )


def added_records(plan: Plan) -> tuple[PaperRecord, ...]:
    """The planned state's records of the papers this run adds to the list."""
    return tuple(plan.state.papers[d.paper.id] for d in plan.report.added)


def has_news(plan: Plan, reconciled: Reconciled) -> bool:
    """Whether the branch must change: new papers or new title changes (not the stamp)."""
    report = plan.report
    new_titles = {c.id for c in report.title_changes} - {c.id for c in reconciled.carried_titles}
    return bool(report.added or new_titles)


def pull_request_change(
    plan: Plan, reconciled: Reconciled, snapshot: Snapshot, list_path: str, state_path: str
) -> Change:
    """GitHub mode: one commit (on the base, or on top of a maintainer's commits) and the PR.

    Nothing new: no files and no PR edit. With an open PR whose branch forked
    from an older base, `merge_base` asks publish to merge the base in.
    """
    from bot.prbody import pull_request_text  # GitHub mode's: a local run never loads it

    report = plan.report
    branch = snapshot.branch
    if not has_news(plan, reconciled):
        return Change({}, touch_pull=False)
    # The state on the branch names the list it was committed with (its git blob): a
    # list there with another blob was edited since, even under the bot's trailer.
    state = replace(plan.state, list_blob=git_blob_sha(plan.list_text))
    files = {list_path: plan.list_text, state_path: state_to_json(state)}
    count = len(report.added) + len(report.carried)
    text = pull_request_text(report, list_path)
    return Change(
        files,
        message=f"arXiv bot: {count} paper(s) for {list_path}",
        on_top=reconciled.on_top,
        merge_base=reconciled.on_top and branch is not None and not branch.has_base,
        pull_body=text.body,
        comments=text.comments,
        adding=added_records(plan),
    )
