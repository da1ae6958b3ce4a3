"""The maintainer's repository stays theirs: whole runs against the GitHub stand-in.

Each test is one fault of issue #13, driven through the CLI with the real
PyGithub: deleted lines stay rejected, a maintainer's commits are built upon
and never overwritten, the bot never pushes to the base, a missing token in
GitHub mode is an error, and a run with nothing new writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from bot.models import OVERFLOW_MARKER
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.github_server import Comment, FakeGitHub, Fault
from tests.test_pullrequest import BRANCH, distinct_title, github, remove_line, run, sae

__all__ = ["github"]  # the fixture, shared with test_pullrequest
TRAILER = "Generated-by: arxiv-bot"


def branch_state(github: FakeGitHub) -> dict[str, str]:
    state = json.loads(github.file("state/state.json", BRANCH))
    return {p["id"]: p["status"] for p in state["papers"]}


def writes(github: FakeGitHub, since: int = 0) -> list[str]:
    return [f"{m} {p}" for m, p in github.log[since:] if m != "GET"]


def fix_title_and_add_a_paper(github: FakeGitHub) -> None:
    """What a maintainer does on the bot's branch: reword a title, add a paper by hand."""
    readme = github.file("README.md", BRANCH)
    readme = readme.replace(distinct_title(1), "A Title The Maintainer Fixed")
    heading = next(
        line for line in readme.splitlines(keepends=True) if line.startswith("## Papers")
    )
    mine = "- [My Own Pick](https://arxiv.org/abs/2611.09999)\n"
    readme = readme.replace(heading, heading + mine, 1)
    github.push(BRANCH, {"README.md": readme}, "Fix a title, add my pick")


def test_deleted_line_stays_rejected_while_open_and_after_merge(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1), sae(2))
    run(capsys)
    remove_line(github, "2611.00002")
    head = github.refs[BRANCH]
    code, out, err = run(capsys)  # nothing new: nothing written, the deletion is seen
    assert code == 0 and github.refs[BRANCH] == head and "recorded as rejected: 2611.00002" in err
    arxiv_server.add(sae(3))
    code, out, _ = run(capsys)  # the run after that: paper 2 is still in the fetch window
    assert [a["id"] for a in out["added"]] == ["2611.00003"]  # type: ignore[union-attr]
    assert "2611.00002" not in github.file("README.md", BRANCH)
    assert branch_state(github)["2611.00002"] == "rejected"
    github.merge(1)
    assert "2611.00002" not in github.file("README.md")
    arxiv_server.add(sae(4))
    run(capsys)
    assert "2611.00002" not in github.file("README.md", BRANCH)


def test_maintainer_commits_are_built_upon_never_overwritten(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1), sae(2))
    run(capsys)
    assert TRAILER in github.commits[github.refs[BRANCH]]["message"]
    fix_title_and_add_a_paper(github)
    theirs = github.refs[BRANCH]
    mark = len(github.log)
    code, _, _ = run(capsys)  # nothing new: the branch is left exactly as it is
    assert code == 0 and github.refs[BRANCH] == theirs and writes(github, mark) == []
    arxiv_server.add(sae(3))
    code, _, _ = run(capsys)
    head = github.refs[BRANCH]
    assert github.commits[head]["parents"] == [theirs]  # on top: never forced
    readme = github.file("README.md", BRANCH)
    assert "A Title The Maintainer Fixed" in readme and distinct_title(1) not in readme
    assert "2611.09999" in readme and "2611.00003" in readme
    assert branch_state(github)["2611.09999"] == "pending"  # their paper counts as pending
    assert "commit(s) the bot did not write" in github.pull(1).body
    github.merge(1)
    merged = github.file("README.md")
    assert "A Title The Maintainer Fixed" in merged and "2611.09999" in merged


def test_a_moved_base_is_merged_in_and_a_conflict_is_left_and_said(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1), sae(2))
    run(capsys)
    fix_title_and_add_a_paper(github)
    main_readme = github.file("README.md")
    github.push(
        "main",
        {
            "README.md": main_readme.replace(
                "## Library\n", "## Library\n- [A tool](https://example.org)\n"
            )
        },
    )
    arxiv_server.add(sae(3))
    code, _, _ = run(capsys)
    head = github.refs[BRANCH]
    assert code == 0 and github.commits[head]["parents"][1] == github.refs["main"]  # merged in
    readme = github.file("README.md", BRANCH)
    assert "- [A tool](https://example.org)" in readme and "A Title The Maintainer Fixed" in readme
    # The base now rewords the same title line the maintainer fixed: a conflict.
    line = next(
        x for x in github.file("README.md").splitlines() if "2611.00001" in x or "Mechanistic" in x
    )
    github.push(
        "main", {"README.md": github.file("README.md").replace(line, line + " (edited on main)")}
    )
    fixed = github.file("README.md", BRANCH)
    github.push(BRANCH, {"README.md": fixed.replace(line, line + " (edited on the branch)")})
    before = github.refs[BRANCH]
    # A body too long for GitHub goes on in comments: held back, they stay as they are.
    overflow = OVERFLOW_MARKER + "\nthe rest of the proposed papers"
    github.comments.append(Comment(70, 1, overflow))
    github.pull(1).body += OVERFLOW_MARKER
    arxiv_server.add(sae(4))
    code, _, err = run(capsys)
    assert code == 0 and "conflicts with edits on this branch" in err
    assert "conflicts with edits on this branch" in github.pull(1).body
    assert github.comments_on(1) == [overflow]
    assert github.refs[BRANCH] == before  # left exactly as it was
    assert not any(ref.endswith("merge-trial") for ref in github.refs)
    assert "2611.00004" not in github.file("README.md", BRANCH)
    # The maintainer resolves it (takes main's line): the waiting paper comes next run.
    resolved = github.file("README.md", BRANCH).replace(
        " (edited on the branch)", " (edited on main)"
    )
    github.push(BRANCH, {"README.md": resolved}, "Resolve the conflict")
    code, _, _ = run(capsys)
    assert code == 0 and "2611.00004" in github.file("README.md", BRANCH)
    assert "(edited on main)" in github.file("README.md", BRANCH)


def test_branch_equal_to_the_base_is_refused_at_load(
    github: FakeGitHub, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = workdir / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace('branch = "arxiv-bot/updates"', 'branch = "main"', 1).replace(
            'base = ""', 'base = "main"', 1
        ),
        encoding="utf-8",
    )
    code, _, err = run(capsys)
    assert code == 1 and "'github.branch' is 'main', the base branch" in err
    assert github.log == []


def test_branch_equal_to_the_default_branch_is_refused_before_any_write(
    github: FakeGitHub, arxiv_server: FakeArxiv, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = workdir / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace('branch = "arxiv-bot/updates"', 'branch = "main"', 1), encoding="utf-8"
    )
    arxiv_server.add(sae(1))
    head = github.refs["main"]
    code, _, err = run(capsys)
    assert code == 1 and "github.branch 'main' is the default branch" in err
    assert writes(github) == [] and github.refs["main"] == head and github.pulls == []


@pytest.mark.parametrize("variable", ["GITHUB_REPOSITORY", "GITHUB_ACTIONS"])
@pytest.mark.parametrize("dry_run", [False, True])
def test_missing_token_in_github_mode_is_an_error_naming_it(
    workdir: Path,
    arxiv_server: FakeArxiv,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    dry_run: bool,
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "")  # a misnamed secret arrives empty
    monkeypatch.setenv(variable, "true" if variable == "GITHUB_ACTIONS" else "octo/awesome-list")
    arxiv_server.add(sae(1))
    before = (workdir / "README.md").read_bytes()
    code, _, err = run(capsys, *(["--dry-run"] if dry_run else []))
    assert code == 1 and "GITHUB_TOKEN" in err
    assert (workdir / "README.md").read_bytes() == before
    code, _, _ = run(capsys, "--target", "README.md")  # local mode needs no token
    assert code == 0 and "2611.00001" in (workdir / "README.md").read_text(encoding="utf-8")


def test_runs_make_few_requests_and_nothing_new_writes_nothing(
    github: FakeGitHub,
    arxiv_server: FakeArxiv,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def requests(*args: str) -> tuple[int, list[str]]:
        mark = len(github.log)
        assert main(["--debug", "run", "--json", *args]) == 0
        assert "GitHub requests this run:" in capsys.readouterr().err
        return len(github.log) - mark, writes(github, mark)

    arxiv_server.add(sae(1), sae(2), sae(3))
    count, written = requests()
    assert count <= 11 and len(written) == 5  # tree, commit, ref, pull request, labels
    count, written = requests()
    assert count <= 7 and written == []  # same day, nothing new
    monkeypatch.setenv("ARXIV_BOT_NOW", "2026-11-22T09:30:00+00:00")
    count, written = requests()
    assert count <= 7 and written == []  # next day: no commit only to move the stamp
    arxiv_server.add(sae(4))
    count, written = requests()
    assert count <= 11 and len(written) == 4  # tree, commit, ref, body
    github.merge(1)
    count, written = requests()
    assert count <= 8 and written == []


def test_a_list_over_one_megabyte_is_read_through_the_blob_api(
    workdir: Path,
    arxiv_server: FakeArxiv,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    readme = (workdir / "README.md").read_text(encoding="utf-8")
    big = readme + "\n<!-- " + "x" * (1024 * 1024) + " -->\n"
    with FakeGitHub("ghp_TESTTOKEN1234567890abcdefSECRET", {"README.md": big}) as fake:
        fake.use(workdir, monkeypatch)
        arxiv_server.add(sae(1))
        code, out, _ = run(capsys, "--dry-run")
        assert code == 0 and [a["id"] for a in out["added"]] == ["2611.00001"]  # type: ignore[union-attr]
        assert any("/git/blobs/" in path for _, path in fake.log)


def test_a_branch_with_foreign_commits_and_no_open_pr_is_left_alone(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1))
    run(capsys)
    github.close(1)
    github.push(BRANCH, {"NOTES.md": "kept for later\n"}, "My notes on the bot's branch")
    theirs = github.refs[BRANCH]
    arxiv_server.add(sae(2))
    code, _, err = run(capsys)
    assert code == 1 and f"branch {BRANCH} holds commits the bot did not write" in err
    assert github.refs[BRANCH] == theirs and github.open_pulls() == []


def test_a_push_during_the_run_is_never_overwritten(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1))
    run(capsys)
    head = github.refs[BRANCH]
    # GitHub's answer when the branch moved after the bot read it: not a fast forward.
    github.script(Fault("PATCH", r"/git/refs/heads/", status=422))
    arxiv_server.add(sae(2))
    code, _, err = run(capsys)
    assert code == 1 and "moved while the bot ran" in err and github.refs[BRANCH] == head


def amend(github: FakeGitHub, files: dict[str, str]) -> None:
    """`git commit --amend` of the bot's head, force-pushed: its message, trailer and all."""
    head = github.refs[BRANCH]
    commit = github.commits[head]
    github.refs[BRANCH] = github.commit_files(files, commit["parents"], commit["message"], head)


def test_an_amended_bot_commit_is_the_maintainers_work(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    # The trailer alone said "the bot's": the fixed title was overwritten and the paper
    # deleted in the amend came back. The state names the list blob the bot committed.
    arxiv_server.add(sae(1), sae(2))
    run(capsys)
    readme = github.file("README.md", BRANCH).replace(distinct_title(1), "A Title They Fixed")
    kept = "".join(line for line in readme.splitlines(keepends=True) if "2611.00002" not in line)
    amend(github, {"README.md": kept})
    arxiv_server.add(sae(3))
    code, _, _ = run(capsys)
    after = github.file("README.md", BRANCH)
    assert code == 0 and "A Title They Fixed" in after and "2611.00002" not in after
    assert "2611.00003" in after and branch_state(github)["2611.00002"] == "rejected"


def proposed_then_committed(
    github: FakeGitHub,
    arxiv_server: FakeArxiv,
    capsys: pytest.CaptureFixture[str],
    edit: Callable[[dict[str, str]], None],
) -> None:
    """Two papers proposed, then a maintainer's commit on the branch whose tree is the
    branch's files as `edit` leaves them (a file left out is removed, or renamed)."""
    arxiv_server.add(sae(1), sae(2))
    run(capsys)
    files = github.files_at(BRANCH)
    edit(files)
    tree = github.add_tree({p: github.add_blob(t.encode()) for p, t in files.items()})
    github.refs[BRANCH] = github.add_commit(tree, [github.refs[BRANCH]], "A maintainer's commit")


def test_a_state_file_removed_on_the_branch_never_rebuilds_it_from_the_base(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:

    def fix_title_and_drop_the_state(files: dict[str, str]) -> None:
        files["README.md"] = files["README.md"].replace(distinct_title(1), "A Title They Fixed")
        del files["state/state.json"]

    proposed_then_committed(github, arxiv_server, capsys, fix_title_and_drop_the_state)
    arxiv_server.add(sae(3))
    code, _, _ = run(capsys)
    after = github.file("README.md", BRANCH)
    assert code == 0 and "A Title They Fixed" in after and "2611.00003" in after


def test_a_list_renamed_on_the_branch_stops_the_run_and_changes_nothing(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    # The base's list stood in for the missing one: every pending paper was recorded as
    # rejected, and a stale README.md came back beside the renamed file.

    def rename(files: dict[str, str]) -> None:
        files["PAPERS.md"] = files.pop("README.md")

    proposed_then_committed(github, arxiv_server, capsys, rename)
    head = github.refs[BRANCH]
    arxiv_server.add(sae(3))
    code, _, err = run(capsys)
    assert code == 1 and "README.md is gone from branch" in err.strip().splitlines()[-1]
    assert github.refs[BRANCH] == head and set(branch_state(github).values()) == {"pending"}


def test_the_list_blob_is_gits_object_id(tmp_path: Path) -> None:
    import subprocess

    from bot.repository.seam import git_blob_sha

    text = "# List\r\n\n- [Café – résumé](https://arxiv.org/abs/2611.00001)\n"
    (tmp_path / "README.md").write_bytes(text.encode("utf-8"))
    hashed = subprocess.run(
        ["git", "hash-object", str(tmp_path / "README.md")], capture_output=True, text=True
    )
    assert git_blob_sha(text) == hashed.stdout.strip()


def test_a_pull_request_retargeted_to_another_base_is_never_reset(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    # Listed by head and base, the open PR was not found: the branch was force-reset as
    # a closed PR's, dropping its papers, and a second PR was opened from it.
    arxiv_server.add(sae(1), sae(2))
    run(capsys)
    github.refs["dev"] = github.refs["main"]
    github.pull(1).base = "dev"  # the maintainer edits the PR's base
    head = github.refs[BRANCH]
    arxiv_server.add(sae(3))
    code, _, err = run(capsys)
    line = err.strip().splitlines()[-1]
    assert code == 1 and "pull request #1 from arxiv-bot/updates is open into 'dev'" in line
    assert github.refs[BRANCH] == head and len(github.pulls) == 1


def test_a_label_call_that_failed_is_made_by_the_next_run(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    # Only a run with news touched the PR: a failed label call left it unlabelled for good.
    github.script(Fault("POST", r"/issues/1/labels$", status=502, times=20))
    arxiv_server.add(sae(1))
    assert run(capsys)[0] == 1 and github.pull(1).labels == []
    github.faults.clear()
    since = len(github.log)
    assert run(capsys)[0] == 0  # nothing new
    assert github.pull(1).labels
    assert writes(github, since) == ["POST /repos/octo/awesome-list/issues/1/labels"]
