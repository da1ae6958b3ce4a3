"""Plan -> Change with plain values: what a run writes, and when it writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.change import has_news, local_change, pull_request_change
from bot.config import load_config
from bot.health import Health, issue_body
from bot.listdoc.document import ListDocument
from bot.models import Decision, Paper, PullRequestRef
from bot.pipeline import Plan, know_papers, plan_run
from bot.reconcile import Reconciled, reconcile
from bot.relevance import Screened
from bot.repository.seam import BotBranch, Snapshot
from bot.state import PaperRecord, State
from tests.conftest import ROOT

CONFIG = load_config(ROOT / "config.toml")
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
WINDOW = (date(2026, 11, 14), date(2026, 11, 21))
BASE = "# L\n\n## Last Updated\n2026-11-01\n\n## Papers (1)\n- [Old Paper](https://arxiv.org/abs/2611.00001)\n"
PULL = PullRequestRef(1, "https://github.example/o/r/pull/1")


def paper(n: int, title: str) -> Paper:
    return Paper(
        f"2611.{n:05d}", 1, title, "", ("A. Author",), date(2026, 11, 19), "cs.LG", ("cs.LG",)
    )


def planned(snapshot: Snapshot, *accepted: Paper) -> tuple[Plan, Reconciled]:
    reconciled = reconcile(snapshot, CONFIG.target, NOW.date())
    document = ListDocument(reconciled.list_text, CONFIG.target)
    screened = Screened(len(accepted), [Decision(p, 9.0, True, False, ()) for p in accepted])
    known = know_papers(document, reconciled.state, CONFIG)
    plan = plan_run(
        screened,
        known,
        reconciled.list_text,
        reconciled.state,
        CONFIG,
        NOW,
        WINDOW,
        carried=reconciled.carried,
        status="pending",
        carried_titles=reconciled.carried_titles,
    )
    return plan, reconciled


def test_nothing_new_with_a_pr_open_writes_nothing() -> None:
    pending = PaperRecord(
        id="2611.00002", title="Pending Paper", status="pending", since="2026-11-20"
    )
    branch = BotBranch("h", PULL, state=State(papers={"2611.00002": pending}))
    snapshot = Snapshot(BASE, State(), "b", branch)
    plan, reconciled = planned(snapshot)
    assert not has_news(plan, reconciled)
    change = pull_request_change(plan, reconciled, snapshot, "README.md", "state/state.json")
    assert change.files == {} and not change.touch_pull


def test_a_new_paper_is_one_commit_of_both_files_on_the_base() -> None:
    snapshot = Snapshot(BASE, State(), "b")
    plan, reconciled = planned(snapshot, paper(3, "Sparse Probes of Induction Heads"))
    change = pull_request_change(plan, reconciled, snapshot, "README.md", "state/state.json")
    assert set(change.files) == {"README.md", "state/state.json"} and not change.on_top
    assert (
        "2611.00003" in change.files["README.md"]
        and '"pending"' in change.files["state/state.json"]
    )
    assert change.message == "arXiv bot: 1 paper(s) for README.md"
    assert [r.id for r in change.adding] == ["2611.00003"]


def test_on_a_maintainers_branch_that_missed_the_base_the_base_is_merged_in() -> None:
    theirs = BASE.replace(
        "## Papers (1)\n", "## Papers (2)\n- [Mine](https://arxiv.org/abs/2611.00009)\n"
    )
    branch = BotBranch(
        "h", PULL, foreign=("abc1234 mine",), has_base=False, state=State(), list_text=theirs
    )
    snapshot = Snapshot(BASE, State(), "b", branch)
    plan, reconciled = planned(snapshot, paper(3, "Sparse Probes of Induction Heads"))
    change = pull_request_change(plan, reconciled, snapshot, "README.md", "state/state.json")
    assert change.on_top and change.merge_base
    assert "2611.00009" in change.files["README.md"] and "2611.00003" in change.files["README.md"]


def test_local_change_records_the_intent_of_what_it_adds() -> None:
    plan, _ = planned(Snapshot(BASE, State()), paper(3, "Sparse Probes of Induction Heads"))
    change = local_change(plan, "README.md", "state/state.json")
    assert [r.id for r in change.adding] == ["2611.00003"] and "README.md" in change.files


def test_health_counts_failures_and_the_issue_says_what_failed() -> None:
    health = Health().failed(NOW, "arXiv answered 503").failed(NOW, "GitHub `kept` failing")
    assert health.consecutive_failures == 2 and health.last_run == NOW
    body = issue_body(health)
    assert "failed **2** runs in a row" in body and "GitHub 'kept' failing" in body
    assert Health(consecutive_failures=5).succeeded(NOW).consecutive_failures == 0
