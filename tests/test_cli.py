"""Whole runs from the command line, against the local arXiv server, in a temp list repo."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.cli import main
from bot.files import run_lock
from tests.conftest import DATA, ROOT, dev_records, record
from tests.fakes.arxiv_server import ArxivRecord, FakeArxiv, Fault


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object], str]:
    code = main(["run", "--json", *args])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if captured.out.strip() else {}), captured.err


SAE = record("2611.01234", "Sparse Autoencoders Reveal Induction Circuits", published="2026-11-19")
CHEMISTRY = record(
    "2611.04321",
    "Mechanistic Insights into Catalytic Reaction Pathways",
    abstract="We reveal the mechanistic pathway of a chemical reaction; mechanistic interpretability of kinetics.",
    published="2026-11-19",
    primary_category="physics.chem-ph",
    categories=("physics.chem-ph",),
)


def test_dry_run_reports_and_writes_nothing(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(SAE, CHEMISTRY)
    before = (workdir / "README.md").read_bytes()
    code, out, _ = run_json(capsys, "--dry-run")
    assert code == 0
    assert out["fetched"] == 2
    assert [a["id"] for a in out["added"]] == ["2611.01234"]  # type: ignore[index]
    rejected = out["rejected"][0]  # type: ignore[index]
    assert rejected["id"] == "2611.04321" and "physics.chem-ph" in rejected["reason"]
    assert out["pull_request"] is None
    assert (workdir / "README.md").read_bytes() == before
    assert not (workdir / "state").exists()


def test_dry_run_text_shows_the_diff(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(SAE)
    assert main(["run", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would add:" in out and "+- [Sparse Autoencoders Reveal Induction Circuits]" in out


def test_run_updates_list_and_state_then_is_idempotent(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(SAE)
    code, out, _ = run_json(capsys)
    assert code == 0 and len(out["added"]) == 1  # type: ignore[arg-type]
    readme = (workdir / "README.md").read_text(encoding="utf-8")
    assert (
        "## Papers (125)\n- [Sparse Autoencoders Reveal Induction Circuits](https://arxiv.org/abs/2611.01234)\n"
        in readme
    )
    assert "November 21, 2026 at 09:30:00 AM UTC" in readme
    state = json.loads((workdir / "state" / "state.json").read_text(encoding="utf-8"))
    assert state["watermark"] == "2026-11-20"
    assert [p["id"] for p in state["papers"]] == ["2611.01234"]

    after_first = (workdir / "README.md").read_bytes()
    code, out, _ = run_json(capsys)
    assert code == 0 and out["added"] == []
    assert out["duplicates"][0]["how"] == "id"  # type: ignore[index]
    assert (workdir / "README.md").read_bytes() == after_first


def test_new_version_with_changed_title_is_a_duplicate(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(
        record(
            "2506.04373",
            "Mechanistic Decomposition of Sentence Representations (v2 title)",
            version=3,
        )
    )
    arxiv_server.add(
        record("2611.07777", "MIB: a mechanistic interpretability benchmark")
    )  # listed under another id
    code, out, _ = run_json(capsys, "--dry-run")
    assert code == 0 and out["added"] == []
    how = {d["id"]: d["how"] for d in out["duplicates"]}  # type: ignore[union-attr]
    assert how == {"2506.04373": "id", "2611.07777": "title"}


def test_dev_set_end_to_end_meets_the_bar(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    records = dev_records()
    arxiv_server.load_jsonl(DATA / "relevance_dev.jsonl")
    (workdir / "empty.md").write_text(
        "# List\n\n## Last Updated\n2025-01-01\n\n## Papers (0)\n", encoding="utf-8"
    )
    code, out, _ = run_json(capsys, "--dry-run", "--since", "2000-01-01", "--target", "empty.md")
    assert code == 0
    relevant = {str(r["id"]) for r in records if r["label"] == "relevant"}
    added = {a["id"] for a in out["added"]}  # type: ignore[union-attr]
    precision = len(added & relevant) / len(added)
    recall = len(added & relevant) / len(relevant)
    assert precision >= 0.95 and recall >= 0.90, (precision, recall)
    assert len(arxiv_server.requests) == 1


def test_failed_fetch_changes_nothing(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(SAE)
    run_json(capsys)  # a first good run writes state
    state_before = (workdir / "state" / "state.json").read_bytes()
    readme_before = (workdir / "README.md").read_bytes()
    arxiv_server.add(record("2611.05555", "Attention Heads and Sparse Autoencoders Again"))
    arxiv_server.script(*[Fault(status=503)] * 10)
    code, out, err = run_json(capsys)
    line = err.strip().splitlines()[-1]
    assert line.startswith("error: arXiv API failed after 5 tries: HTTP 503")
    assert code == 1 and out == {"error": line, "exit_code": 1}  # --json: one object, always
    assert (workdir / "state" / "state.json").read_bytes() == state_before
    assert (workdir / "README.md").read_bytes() == readme_before


def test_corrupt_state_is_reported_and_kept(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "state").mkdir()
    (workdir / "state" / "state.json").write_text('{"version": 1, "papers": [', encoding="utf-8")
    code, _, err = run_json(capsys)
    assert code == 1
    assert "state/state.json: corrupt state file" in err and "Traceback" not in err
    assert (workdir / "state" / "state.json").read_text(
        encoding="utf-8"
    ) == '{"version": 1, "papers": ['


def test_list_without_section_names_the_heading(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "README.md").write_text("# List\n\n## Things\n", encoding="utf-8")
    code, _, err = run_json(capsys)
    assert code == 1 and "no '## Papers' heading" in err


def test_a_broken_list_is_reported_before_arxiv_is_asked(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "README.md").write_text("# List\n\n## Things\n", encoding="utf-8")
    arxiv_server.script(*[Fault(status=503)] * 10)  # arXiv down as well: the list speaks first
    code, _, err = run_json(capsys)
    assert code == 1 and err.strip().splitlines()[-1].startswith("error: list has no '## Papers'")
    assert arxiv_server.requests == []


def test_a_mistyped_target_writes_nothing(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", "--target", "READMe.md"])
    err = capsys.readouterr().err
    assert code == 1 and err.strip() == (
        "error: READMe.md: list file not found; check the path (--target, or [target] file"
        " in config.toml)"
    )
    assert not (workdir / "state").exists() and arxiv_server.requests == []


def test_another_list_with_this_config_is_warned_of_the_shared_state(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(workdir / "README.md", workdir / "other.md")
    assert main(["run", "--target", "other.md"]) == 0
    err = capsys.readouterr().err
    assert "--target other.md uses the state of README.md (state/state.json)" in err
    assert "python -m bot init --target other.md --config OTHER.toml" in err
    assert main(["run", "--target", "README.md"]) == 0
    assert "uses the state of" not in capsys.readouterr().err  # its own list: nothing to say
    assert main(["run", "--dry-run", "--target", "other.md"]) == 0
    assert "uses the state of" not in capsys.readouterr().err  # a dry run records nothing


def test_every_json_command_answers_a_failure_with_one_json_object(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in (
        ["audit", "--json", "--target", "missing.md"],
        ["evaluate", "--json", "no.jsonl"],
    ):
        code = main(command)
        captured = capsys.readouterr()
        line = captured.err.strip().splitlines()[-1]
        assert code == 1 and line.startswith("error: "), command
        assert json.loads(captured.out) == {"error": line, "exit_code": 1}, command


def test_second_concurrent_run_is_refused(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with run_lock(workdir / "state" / ".arxiv-bot.lock"):
        code, _, err = run_json(capsys)
    assert code == 1 and "another run is in progress" in err


def test_bad_config_is_one_line(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "config.toml").write_text('[arxiv]\nqueries = ["x"]\nbogus = 1\n', encoding="utf-8")
    code, _, err = run_json(capsys)
    assert (
        code == 1
        and err.strip()
        == "error: config.toml:3: unknown key 'arxiv.bogus' (known: "
        + err.split("(known: ")[1].strip()
    )


def test_dotenv_in_working_directory_is_loaded(
    workdir: Path,
    arxiv_server: FakeArxiv,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("ARXIV_API_URL")
    (workdir / ".env").write_text(f"ARXIV_API_URL={arxiv_server.url}\n", encoding="utf-8")
    arxiv_server.add(SAE)
    code, out, _ = run_json(capsys, "--dry-run")
    assert code == 0 and out["fetched"] == 1


HOSTILE = [
    record(
        "2611.10001", r"$\alpha$-SAEs: \textit{Sparse} Autoencoders on the \texttt{Residual} Stream"
    ),
    record(
        "2611.10002",
        "Sparse autoencoders ](javascript:alert(1)) ![x](http://e/x.png) <img src=x onerror=alert(1)> | # * _",
    ),
    record("2611.10003", "Sparse autoencoders for @octocat and @everyone"),
    record("2611.10004", "Sparse autoencoders " + "very long " * 80),
    record("2611.10005", ""),
    record("2611.10006", "スパースオートエンコーダ: sparse autoencoders in Japanese 🧠"),
    # XML 1.0 cannot carry C0 controls; C1 controls and bidi overrides can arrive.
    record("2611.10007", "Sparse autoencoders\x85 with\u202e control\x9b[31m chars"),
    record("math.GT/0309136", "Sparse autoencoders of knots", published="2026-11-18"),
    record(
        "2611.10008",
        "Sparse autoencoders withdrawn",
        comment="This paper has been withdrawn by the authors",
    ),
    record("2611.10009", "Sparse autoencoders, version five", version=5),
]


def test_hostile_records_never_break_the_list(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(*HOSTILE)
    code, out, err = run_json(capsys)
    assert code == 0, err
    from bot.listdoc.lines import split_lines
    from bot.listdoc.section import find_section

    lines = split_lines((workdir / "README.md").read_text(encoding="utf-8"))
    entries = find_section(lines, "Papers").entries
    ids = [e.id for e in entries]
    added = [a["id"] for a in out["added"]]  # type: ignore[union-attr]
    assert "2611.10008" not in added  # withdrawn
    assert "math/0309136" in added and "2611.10009" in added
    for paper_id in added:
        assert ids.count(paper_id) == 1
    assert len(entries) == 124 + len(added)
    text = "".join(lines)
    assert "\x85" not in text and "\u202e" not in text and "\x9b" not in text
    assert (
        "- [α-SAEs: Sparse Autoencoders on the Residual Stream](https://arxiv.org/abs/2611.10001)"
        in text
    )


def test_help_is_fast_and_lists_commands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bot", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert "run" in out.stdout and "evaluate" in out.stdout


def test_unknown_flag_is_one_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["run", "--frobnicate"])
    assert info.value.code == 2
    assert "unrecognized arguments: --frobnicate" in capsys.readouterr().err


def test_bad_since_date(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--since", "2026-02-30"])  # the right form, a day that does not exist
    assert "invalid date '2026-02-30': day is out of range for month" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["run", "--since", "30.02.2026"])
    assert "invalid date '30.02.2026': use YYYY-MM-DD" in capsys.readouterr().err


def _unused(_: ArxivRecord) -> None:  # keep the import for type checkers
    pass


@contextmanager
def run_with_a_hanging_fetch(
    tmp_path: Path, *flags: str, worker: bool = False
) -> Iterator[subprocess.Popen[str]]:
    """`python -m bot run` whose arXiv request hangs for a minute, once it has been made.

    With `worker`, the fetch runs in the worker process even for this short list.
    """
    (tmp_path / "README.md").write_text(
        "## Last Updated\n2025-01-01\n## Papers (0)\n", encoding="utf-8"
    )
    config = (ROOT / "config.toml").read_text(encoding="utf-8")
    if worker:
        config = config.replace("worker_min_entries = 10000", "worker_min_entries = 0")
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    with FakeArxiv([SAE]) as server:
        server.script(Fault(delay=60.0))
        env = {**os.environ, "ARXIV_API_URL": server.url}
        env.pop("GITHUB_TOKEN", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", *flags, "--target", "README.md"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 20
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.requests, "the run never queried the local server"
        yield proc


def test_ctrl_c_during_a_slow_fetch_stops_the_run_at_once(tmp_path: Path) -> None:
    with run_with_a_hanging_fetch(tmp_path, "--dry-run") as proc:
        interrupted = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert time.monotonic() - interrupted < 5  # not the 60 s the fetch would take
    assert "Traceback" not in err
    assert not (tmp_path / "state").exists()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds the worker in /proc")
def test_a_killed_worker_fails_the_run_cleanly(tmp_path: Path) -> None:
    before = "## Last Updated\n2025-01-01\n## Papers (0)\n"
    with run_with_a_hanging_fetch(tmp_path, worker=True) as proc:
        tasks = Path(f"/proc/{proc.pid}/task")
        workers = [
            int(pid) for task in tasks.iterdir() for pid in (task / "children").read_text().split()
        ]
        assert len(workers) == 1
        os.kill(workers[0], signal.SIGKILL)  # as the out-of-memory killer would
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 1, err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: arXiv fetch stopped: the worker process ended without an answer (exit code -9); "
        "nothing was changed, the next run retries"
    ]
    assert "Traceback" not in err
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == before
    assert not (tmp_path / "state" / "state.json").exists()


def test_a_command_alone_parses_as_the_whole_parser_does() -> None:
    from bot.cli import COMMANDS, build_parser, command_named

    lines = [
        ["run", "--dry-run", "--since", "21d", "--json", "--config", "c.toml"],
        ["--debug", "audit", "--target", "README.md"],
        ["schedule", "--next", "3", "--from", "2026-03-08T02:30"],
        ["label", "--since", "2026-11-01", "--out", "labels.jsonl"],
        ["evaluate", "labels.jsonl", "--list", "README.md"],
        ["init", "--force"],
        ["health"],
    ]
    assert {line[0] if line[0] != "--debug" else line[1] for line in lines} == set(COMMANDS)
    for line in lines:
        only = command_named(line)
        assert only in COMMANDS
        assert build_parser(only).parse_args(line) == build_parser().parse_args(line)
    for unclear in (["--help"], ["--version"], ["rn"], [], ["--debug"]):
        assert command_named(unclear) is None  # the whole parser: argparse's help and errors


def test_input_that_overflowed_a_date_or_broke_the_env_file_is_one_line(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    # Each was an internal error (OverflowError, exit 2) or a 35-line traceback.
    assert main(["run", "--since", "0001-01-01"]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        "error: --since 0001-01-01 is before arXiv began (1991); nothing was changed"
    ]
    with pytest.raises(SystemExit) as usage:  # argparse's usage error, exit 2
        main(["run", "--since", "99999999d"])
    assert usage.value.code == 2 and "at most 36500d" in capsys.readouterr().err
    (workdir / ".env").write_bytes(b"X=caf\xe9\n")
    assert main(["run", "--dry-run"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and ".env: not UTF-8 text" in err[0]
    assert arxiv_server.requests == []


def test_an_arxiv_reference_in_a_title_does_not_hide_that_paper(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    # "Comment on arXiv:2501.00001", written into the list, made 2501.00001 "listed":
    # that paper was then skipped as already there, for good.
    sae = "Sparse autoencoders on the residual stream of a language model reveal circuits."
    arxiv_server.add(
        record("2611.00200", "Sparse Autoencoders: Comment on arXiv:2501.00001", abstract=sae)
    )
    code, out, _ = run_json(capsys, "--since", "2026-11-10")
    assert code == 0 and [a["id"] for a in out["added"]] == ["2611.00200"]  # type: ignore[index]
    assert r"arXiv\:2501.00001" in (workdir / "README.md").read_text(encoding="utf-8")
    arxiv_server.add(
        record("2501.00001", "Sparse Autoencoders Reveal Different Circuits", abstract=sae)
    )
    code, out, _ = run_json(capsys, "--since", "2026-11-10")
    assert code == 0 and [a["id"] for a in out["added"]] == ["2501.00001"]  # type: ignore[index]
