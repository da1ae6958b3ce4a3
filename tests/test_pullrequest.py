"""GitHub mode end to end: real PyGithub against the local GitHub server."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import DATA, record
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.github_server import Comment, FakeGitHub, Fault

TOKEN = "ghp_TESTTOKEN1234567890abcdefSECRET"
BRANCH = "arxiv-bot/updates"


@pytest.fixture
def github(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    readme = (DATA / "awesome-mechanistic-interpretability.md").read_text(encoding="utf-8")
    with FakeGitHub(TOKEN, {"README.md": readme, "LICENSE": "MIT\n"}) as fake:
        fake.use(workdir, monkeypatch)
        yield fake


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object], str]:
    code = main(["run", "--json", *args])
    out = capsys.readouterr()
    assert TOKEN not in out.out and TOKEN not in out.err
    return code, json.loads(out.out) if out.out.strip() else {}, out.err


WORDS = [
    "apple",
    "river",
    "quantum",
    "velvet",
    "harbor",
    "lantern",
    "meadow",
    "cobalt",
    "falcon",
    "prism",
    "orbit",
    "saffron",
    "glacier",
    "tundra",
    "mosaic",
    "ember",
]


def distinct_title(n: int) -> str:
    """Titles different enough that fuzzy dedupe keeps them apart."""
    picked = [WORDS[(n * 7 + k * 3) % len(WORDS)] for k in range(4)]
    return f"Sparse Autoencoders on {n} " + " ".join(
        w.upper() if k % 2 else w for k, w in enumerate(picked)
    )


def sae(n: int, title: str | None = None, **fields: object) -> object:
    return record(f"2611.{n:05d}", title or distinct_title(n), **fields)


def remove_line(github: FakeGitHub, paper_id: str) -> None:
    """What a maintainer does to reject one paper: delete its line on the PR branch."""
    readme = github.file("README.md", BRANCH)
    kept = "".join(line for line in readme.splitlines(keepends=True) if paper_id not in line)
    github.push(BRANCH, {"README.md": kept})


def entries(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("- [")]


def test_first_run_opens_one_pr_with_one_commit(
    github: FakeGitHub, arxiv_server: FakeArxiv, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(
        sae(1),
        sae(
            2,
            "Mechanistic Insights into Enzyme Reaction Kinetics",
            abstract="A chemical reaction mechanism.",
            primary_category="physics.chem-ph",
        ),
    )
    code, out, err = run(capsys)
    assert code == 0, err
    pr = out["pull_request"]
    assert pr == {"number": 1, "url": "https://github.example/octo/awesome-list/pull/1"}
    pull = github.pull(1)
    assert pull.head == BRANCH and pull.base == "main" and pull.labels == ["arxiv-bot"]
    branch = github.files_at(BRANCH)
    assert f"- [{distinct_title(1)}](https://arxiv.org/abs/2611.00001)" in branch["README.md"]
    state = json.loads(branch["state/state.json"])
    assert [(p["id"], p["status"]) for p in state["papers"]] == [("2611.00001", "pending")]
    # One commit on top of main, carrying both files.
    head = github.refs[BRANCH]
    assert github.commits[head]["parents"] == [github.refs["main"]]
    assert "state/state.json" not in github.files_at("main")
    assert "Mechanistic Insights" not in pull.body.split("### Borderline")[0]
    assert distinct_title(1) in pull.body
    assert "<details><summary>Abstract</summary>" in pull.body
    # GitHub mode keeps state in the repository: locally only the run store (bookkeeping).
    assert {p.name for p in (workdir / "state").iterdir()} == {
        "health.json",
        "run.json",
        ".arxiv-bot.lock",
    }


def test_second_run_updates_the_same_pr(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1))
    run(capsys)
    arxiv_server.add(sae(2))
    code, out, _ = run(capsys)
    assert code == 0 and out["pull_request"]["number"] == 1  # type: ignore[index]
    assert len(github.pulls) == 1
    readme = github.file("README.md", BRANCH)
    assert readme.count("2611.00001") == 1 and readme.count("2611.00002") == 1
    assert "Still proposed from earlier runs (1)" in github.pull(1).body


def test_nothing_new_opens_and_pushes_nothing(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys)
    assert code == 0 and out["pull_request"] is None
    assert github.pulls == [] and set(github.refs) == {"main"}
    assert all(method == "GET" for method, _ in github.log)


def test_pending_pr_without_news_is_not_pushed_again(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1))
    run(capsys)
    head = github.refs[BRANCH]
    code, out, _ = run(capsys)
    assert code == 0 and out["pull_request"]["number"] == 1  # type: ignore[index]
    assert github.refs[BRANCH] == head


def test_removed_line_is_rejected_for_good(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1), sae(2))
    run(capsys)
    # The maintainer deletes paper 2 from the PR, then merges.
    remove_line(github, "2611.00002")
    github.merge(1)
    main_readme = github.file("README.md")
    assert "2611.00001" in main_readme and "2611.00002" not in main_readme
    # A new version with a retouched title, and a fuzzy twin under another id, come back.
    arxiv_server.records = [
        sae(2, distinct_title(2).lower(), version=2),
        sae(3, distinct_title(2) + "!"),
    ]
    arxiv_server.add(sae(4))
    code, out, _ = run(capsys)
    assert code == 0
    assert [a["id"] for a in out["added"]] == ["2611.00004"]  # type: ignore[union-attr]
    assert len(github.open_pulls()) == 1
    branch = github.files_at(BRANCH)
    state = {p["id"]: p["status"] for p in json.loads(branch["state/state.json"])["papers"]}
    assert state == {"2611.00001": "added", "2611.00002": "rejected", "2611.00004": "pending"}


def test_line_removed_from_open_pr_is_not_put_back(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1), sae(2))
    run(capsys)
    remove_line(github, "2611.00002")
    arxiv_server.add(sae(3))
    run(capsys)
    readme = github.file("README.md", BRANCH)
    assert "2611.00002" not in readme and "2611.00001" in readme and "2611.00003" in readme


def test_closed_pr_papers_are_never_proposed_again(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1))
    run(capsys)
    github.close(1)
    code, out, _ = run(capsys)
    assert code == 0 and out["added"] == [] and out["pull_request"] is None
    assert github.open_pulls() == []
    arxiv_server.add(sae(5))
    code, out, _ = run(capsys)
    assert out["pull_request"]["number"] == 2  # type: ignore[index]
    readme = github.file("README.md", BRANCH)
    assert "2611.00005" in readme and "2611.00001" not in readme
    assert len(github.open_pulls()) == 1


def test_base_moved_under_the_bots_own_branch_moves_it_forward(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1))
    run(capsys)
    main_readme = github.file("README.md")
    github.push(
        "main",
        {
            "README.md": main_readme.replace(
                "## Library\n", "## Library\n- [A tool](https://example.org)\n"
            )
        },
    )
    before = github.refs[BRANCH]
    arxiv_server.add(sae(2))
    run(capsys)
    head = github.refs[BRANCH]
    # Never forced: the old head and the moved base are both parents of the new commit.
    assert github.commits[head]["parents"] == [before, github.refs["main"]]
    github.merge(1)
    merged = github.file("README.md")
    assert "- [A tool](https://example.org)" in merged
    assert merged.count("2611.00001") == 1 and merged.count("2611.00002") == 1
    assert "## Papers (126)" in merged


def test_502_on_pr_creation_then_rerun_gives_one_pr(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1))
    github.script(Fault("POST", r"/pulls$", status=502, times=99))
    code, _, err = run(capsys)
    assert code == 1 and "GitHub kept failing while opening the pull request (502" in err
    github.faults.clear()
    code, _, _ = run(capsys)
    assert code == 0 and len(github.pulls) == 1
    readme = github.file("README.md", BRANCH)
    assert readme.count("2611.00001") == 1


def test_502_after_the_pr_was_created_finds_it(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1))
    github.script(Fault("POST", r"/pulls$", status=502, after=True))
    code, out, _ = run(capsys)
    assert code == 0 and out["pull_request"]["number"] == 1  # type: ignore[index]
    assert len(github.pulls) == 1


def test_transient_5xx_on_reads_and_writes_are_retried(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1))
    github.script(
        Fault("GET", r"/contents/README.md", status=503),
        Fault("POST", r"/git/blobs", status=502),
        Fault("POST", r"/git/commits", status=500),
    )
    code, out, _ = run(capsys)
    assert code == 0 and out["pull_request"]["number"] == 1  # type: ignore[index]


def test_bad_token_is_explained_and_never_shown(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_WRONGTOKEN_abcdef123456")
    code = main(["--debug", "run"])
    err = capsys.readouterr().err
    assert code == 1 and "GitHub rejected the token (401 Bad credentials)" in err
    assert "ghp_WRONGTOKEN_abcdef123456" not in err


def test_forbidden_pr_creation_names_the_permissions(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1))
    github.script(Fault("POST", r"/pulls$", status=403, times=99))
    code, _, err = run(capsys)
    assert code == 1
    assert (
        "pull-requests: write" in err
        and "Allow GitHub Actions to create and approve pull requests" in err
    )


def test_dry_run_never_writes_to_github(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1))
    code, out, _ = run(capsys, "--dry-run")
    assert code == 0 and len(out["added"]) == 1  # type: ignore[arg-type]
    assert all(method == "GET" for method, _ in github.log)


def test_token_never_in_debug_logs(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(sae(1))
    assert main(["--debug", "run", "--json"]) == 0
    out = capsys.readouterr()
    assert TOKEN not in out.out + out.err
    assert "DEBUG" in out.err  # debug logging really ran
    # PyGithub logs whole bodies (the list, base64-encoded): each line is cut, and says so.
    assert "more characters not shown" in out.err
    assert max(len(line) for line in out.err.splitlines()) < 2200


def test_hostile_text_cannot_ping_or_render_in_pr_body(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(
        sae(
            7,
            "Sparse autoencoders for @octocat see #1 <img src=x> [a](http://e)",
            abstract="Sparse autoencoders residual stream. cc @everyone, fixes #12 <script>x</script> **bold**",
        )
    )
    run(capsys)
    body = github.pull(1).body
    assert (
        "@octocat" not in body
        and "@everyone" not in body
        and "#1 " not in body
        and "#12" not in body
    )
    assert not re.search(r"(?<!\\)<(img|script)", body) and "**bold**" not in body
    assert "](http://e)" not in body.replace("\\](http://e)", "")


def test_huge_runs_keep_the_body_under_githubs_limit(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(
        *[
            sae(
                100 + i,
                hashlib.sha256(str(i).encode()).hexdigest() + " sparse autoencoders",
                abstract="Sparse autoencoders " * 120,
            )
            for i in range(400)
        ]
    )
    code, out, _ = run(capsys)
    assert code == 0 and len(out["added"]) == 400  # type: ignore[arg-type]
    body = github.pull(1).body
    comments = github.comments_on(1)
    assert len(body) <= 65536 and comments and all(len(c) <= 65536 for c in comments)
    assert f"more item(s) are named in the {len(comments)} comment(s) below" in body
    for i in range(400):  # every paper is named where the reviewer looks
        assert (body + "".join(comments)).count(f"2611.{100 + i:05d})") == 1

    # The next run replaces its comments instead of adding more.
    arxiv_server.add(sae(900))
    assert run(capsys)[0] == 0
    assert len(github.comments_on(1)) == len(comments)
    assert "2611.00900" in github.pull(1).body + "".join(github.comments_on(1))


def test_overflow_comments_go_when_the_body_fits_again(
    github: FakeGitHub, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.models import OVERFLOW_MARKER

    arxiv_server.add(sae(1))
    assert run(capsys)[0] == 0
    github.comments.append(Comment(7, 1, OVERFLOW_MARKER + "\nold overflow"))
    github.comments.append(Comment(8, 1, "a maintainer's comment"))
    github.pull(1).body += OVERFLOW_MARKER  # as the last run's body said
    arxiv_server.add(sae(2))
    assert run(capsys)[0] == 0
    assert github.comments_on(1) == ["a maintainer's comment"]


def test_health_issue_after_repeated_failures_then_closed(
    github: FakeGitHub, arxiv_server: FakeArxiv, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.script(
        *[__import__("tests.fakes.arxiv_server", fromlist=["Fault"]).Fault(status=503)] * 15
    )
    for attempt in range(3):
        code, _, _ = run(capsys)
        assert code == 1
        assert len(github.issues) == (1 if attempt == 2 else 0)
    issue = github.issues[0]
    assert issue.state == "open" and issue.labels == ["arxiv-bot-health"]
    assert "failed **3** runs in a row" in issue.body and "HTTP 503" in issue.body
    assert TOKEN not in issue.body
    arxiv_server.faults.clear()
    code, _, _ = run(capsys)
    assert code == 0
    assert github.issues[0].state == "closed" and len(github.issues) == 1
    health = json.loads((workdir / "state" / "health.json").read_text(encoding="utf-8"))
    assert health["consecutive_failures"] == 0 and health["issue_open"] is False


def test_step_summary_is_written(
    github: FakeGitHub,
    arxiv_server: FakeArxiv,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = workdir / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    arxiv_server.add(sae(1, "Sparse autoencoders $(rm -rf /) `whoami` @octocat"))
    code, _, _ = run(capsys)
    assert code == 0
    text = summary.read_text(encoding="utf-8")
    assert "fetched 1, duplicates 0, rejected 0, added 1" in text
    assert "Pull request: [#1](https://github.example/octo/awesome-list/pull/1)" in text
    assert "@octocat" not in text and "\\`whoami\\`" in text


def test_health_command_syncs_the_issue_for_actions(
    github: FakeGitHub,
    arxiv_server: FakeArxiv,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ARXIV_BOT_HEALTH_ISSUE", "skip")  # as in the update job
    arxiv_server.script(
        *[__import__("tests.fakes.arxiv_server", fromlist=["Fault"]).Fault(status=503)] * 15
    )
    for _ in range(3):
        assert run(capsys)[0] == 1
    assert github.issues == []  # the run job never touches issues
    assert main(["health"]) == 0
    assert "consecutive failures: 3; issue open: True" in capsys.readouterr().out
    assert len(github.issues) == 1 and github.issues[0].state == "open"
    arxiv_server.faults.clear()
    assert run(capsys)[0] == 0
    assert github.issues[0].state == "open"
    assert main(["health"]) == 0
    assert github.issues[0].state == "closed"
    assert "issue open: False" in capsys.readouterr().out


def test_title_change_is_proposed_and_kept_across_runs(
    workdir: Path,
    arxiv_server: FakeArxiv,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    readme = "# L\n\n## Last Updated\n2025-01-01\n\n## Papers (1)\n- [Old Wording](https://arxiv.org/abs/2611.00042)\n"
    state = {
        "version": 1,
        "watermark": "2026-11-15",
        "papers": [
            {"id": "2611.00042", "title": "Old Wording", "status": "added", "since": "2026-11-01"}
        ],
    }
    with FakeGitHub(TOKEN, {"README.md": readme, "state/state.json": json.dumps(state)}) as fake:
        fake.use(workdir, monkeypatch)
        arxiv_server.add(record("2611.00042", "New Wording from Version Two", version=2))
        code, out, _ = run(capsys)
        assert code == 0 and out["pull_request"]["number"] == 1  # type: ignore[index]
        assert "- [New Wording from Version Two](https://arxiv.org/abs/2611.00042)" in fake.file(
            "README.md", BRANCH
        )
        assert "Title changes: arXiv retitled a listed paper (1)" in fake.pull(1).body
        arxiv_server.records = []  # the paper has left the fetch window
        code, out, _ = run(capsys)
        assert code == 0 and [c["id"] for c in out["title_changes"]] == ["2611.00042"]  # type: ignore[union-attr]
        assert "New Wording from Version Two" in fake.file("README.md", BRANCH)
        fake.merge(1)
        assert "- [New Wording from Version Two](https://arxiv.org/abs/2611.00042)" in fake.file(
            "README.md"
        )
