"""The pure middle of a run with plain values: reconcile, the commit's author, the change."""

from __future__ import annotations

from datetime import date

from bot.config import TargetConfig
from bot.models import PullRequestRef
from bot.reconcile import reconcile
from bot.repository.github_rules import is_bot_commit, with_trailer
from bot.repository.seam import BotBranch, ClosedPull, Snapshot
from bot.state import PaperRecord, State

TARGET = TargetConfig()
TODAY = date(2026, 11, 21)
BASE = "# L\n\n## Last Updated\n2026-11-01\n\n## Papers (1)\n- [Old](https://arxiv.org/abs/2611.00001)\n"
PULL = PullRequestRef(1, "https://github.example/o/r/pull/1")


def pending(paper_id: str, title: str = "") -> PaperRecord:
    return PaperRecord(
        id=paper_id, title=title or f"Paper {paper_id}", status="pending", since="2026-11-20"
    )


def listed(*ids: str) -> str:
    entries = "".join(f"- [Paper {i}](https://arxiv.org/abs/{i})\n" for i in ids)
    return BASE.replace("## Papers (1)\n", f"## Papers ({1 + len(ids)})\n" + entries)


def statuses(state: State) -> dict[str, str]:
    return {i: r.status for i, r in state.papers.items()}


def test_without_a_branch_the_base_is_planned_on() -> None:
    out = reconcile(Snapshot(BASE, State()), TARGET, TODAY)
    assert out.list_text == BASE and not out.on_top and out.carried == [] and out.notes == []


def test_the_bots_own_branch_is_rebuilt_with_its_pending_papers() -> None:
    branch = BotBranch("h", PULL, state=State(papers={"2611.00002": pending("2611.00002")}))
    out = reconcile(Snapshot(BASE, State(), "b", branch), TARGET, TODAY)
    assert not out.on_top and out.list_text == BASE
    assert [p.paper.id for p in out.carried] == ["2611.00002"]
    assert statuses(out.state) == {"2611.00002": "pending"}


def test_a_maintainers_commit_puts_the_plan_on_their_list() -> None:
    branch_state = State(papers={i: pending(i) for i in ("2611.00002", "2611.00003")})
    theirs = listed("2611.00002", "2611.00009")  # deleted 3, added 9 by hand
    branch = BotBranch(
        "h", PULL, foreign=("abc1234 my edit",), state=branch_state, list_text=theirs
    )
    out = reconcile(Snapshot(BASE, State(), "b", branch), TARGET, TODAY)
    assert out.on_top and out.list_text == theirs and out.carried == []
    assert statuses(out.state) == {
        "2611.00002": "pending",
        "2611.00003": "rejected",
        "2611.00009": "pending",
    }
    assert sorted(p.paper.id for p in out.pending) == ["2611.00002", "2611.00009"]
    assert any("abc1234 my edit" in note for note in out.notes)
    assert any("recorded as rejected: 2611.00003" in note for note in out.notes)


def test_a_rejection_on_the_branch_holds_before_the_pr_is_settled() -> None:
    rejected = PaperRecord(id="2611.00003", title="T", status="rejected", since="2026-11-20")
    branch = BotBranch("h", PULL, state=State(papers={"2611.00003": rejected}))
    out = reconcile(Snapshot(BASE, State(), "b", branch), TARGET, TODAY)
    assert statuses(out.state) == {"2611.00003": "rejected"}


def test_a_closed_pr_rejects_its_pending_and_its_rejected_papers() -> None:
    head = State(
        papers={
            "2611.00002": pending("2611.00002"),
            "2611.00003": PaperRecord(
                id="2611.00003", title="T", status="rejected", since="2026-11-20"
            ),
        }
    )
    out = reconcile(
        Snapshot(BASE, State(), "b", None, (ClosedPull(4, False, head),)), TARGET, TODAY
    )
    assert statuses(out.state) == {"2611.00002": "rejected", "2611.00003": "rejected"}
    assert out.state.handled_pulls == (4,)


def test_merged_pending_papers_are_settled_by_the_list() -> None:
    base_state = State(papers={i: pending(i) for i in ("2611.00001", "2611.00005")})
    out = reconcile(Snapshot(BASE, base_state), TARGET, TODAY)
    assert statuses(out.state) == {"2611.00001": "added", "2611.00005": "rejected"}


def test_whose_commit_it_is() -> None:
    assert is_bot_commit(with_trailer("arXiv bot: 3 paper(s) for README.md"))
    assert is_bot_commit("arXiv bot: 3 paper(s) for README.md")  # an older bot's commit
    assert not is_bot_commit("Update README.md")
    assert not is_bot_commit("arXiv bot: 3 paper(s) for README.md\n\nand my fix on top")
    assert not is_bot_commit("Mention Generated-by: arxiv-bot in the docs")


def test_notes_open_the_pr_body_escaped() -> None:
    from bot.models import RunReport
    from bot.prbody import pull_request_text

    report = RunReport(notes=["This branch holds 1 commit(s) (abc1234 fix #12 for @octocat)"])
    body = pull_request_text(report, "README.md").body
    assert "> **Note:** This branch holds 1 commit(s)" in body
    assert "@octocat" not in body and "#12" not in body


def test_an_older_bots_branch_is_the_bots_while_it_shows_what_the_bot_wrote() -> None:
    branch_state = State(papers={"2611.00002": pending("2611.00002")})
    untouched = BotBranch(
        "h", PULL, state=branch_state, list_text=listed("2611.00002"), legacy=True
    )
    out = reconcile(Snapshot(BASE, State(), "b", untouched), TARGET, TODAY)
    assert not out.on_top and [p.paper.id for p in out.carried] == ["2611.00002"]
    edited = BotBranch("h", PULL, state=branch_state, list_text=listed(), legacy=True)
    out = reconcile(Snapshot(BASE, State(), "b", edited), TARGET, TODAY)
    assert out.on_top and statuses(out.state) == {"2611.00002": "rejected"}
    assert any("older bot version" in note for note in out.notes)
