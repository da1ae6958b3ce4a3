"""Local mode after a crash at any instant: the next run converges (list and state agree).

The local adapter writes intent -> list -> state, then drops the intent. These
tests stop a real run at each of those instants (the writer is injected, as a
disk that fills up or a kill would stop it), then run again from the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_config
from bot.environment import read_environment
from bot.files import atomic_write_text
from bot.repository.local import LocalFiles
from bot.runner import run_in
from tests.conftest import record
from tests.fakes.arxiv_server import FakeArxiv

PAPERS = [
    record(f"2611.0100{n}", f"Sparse Autoencoders Find {word} Circuits")
    for n, word in enumerate(("Induction", "Copying", "Negation"))
]


class Crash(BaseException):
    """The process dies here (BaseException: nothing in the bot may catch it)."""


def stopping_after(writes: int, kind: type[BaseException], done: list[tuple[Path, str]]) -> object:
    """A writer that completes `writes` atomic writes, then stops the run."""

    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if len(done) == writes:
            if kind is OSError:
                raise OSError(28, "No space left on device", str(path))
            # A kill in the middle of the write: the temporary file is left behind.
            (path.parent / f".{path.name}.crashed.tmp").write_text(text[:10], encoding="utf-8")
            raise kind()
        atomic_write_text(path, text)
        done.append((path, text))

    return write


def crashed_run(workdir: Path, writes: int, kind: type[BaseException] = Crash) -> None:
    config = load_config(workdir / "config.toml")
    done: list[tuple[Path, str]] = []
    files = LocalFiles(
        workdir / "README.md",
        workdir / "state" / "state.json",
        config.target,
        workdir,
        write=stopping_after(writes, kind, done),  # type: ignore[arg-type]
    )
    paths = (str(workdir / "README.md"), str(workdir / "state" / "state.json"))
    if writes < 3:
        with pytest.raises(kind):
            run_in(files, paths, config, read_environment(), None, False, False)
        return
    run_in(files, paths, config, read_environment(), None, False, False)
    # Killed after the state write, before the intent was dropped (and mid-way through
    # the run store's write): both are left behind.
    intent, text = done[0]
    intent.write_text(text, encoding="utf-8")
    (intent.parent / ".run.json.crashed.tmp").write_text("{", encoding="utf-8")


def listed_and_recorded(workdir: Path) -> tuple[set[str], set[str]]:
    readme = (workdir / "README.md").read_text(encoding="utf-8")
    listed = {p.id for p in PAPERS if p.id in readme}
    state_file = workdir / "state" / "state.json"
    state = json.loads(state_file.read_text(encoding="utf-8")) if state_file.exists() else {}
    return listed, {p["id"] for p in state.get("papers", [])}


# The writes of a run that adds papers: intent, list, state (then the intent is dropped).
@pytest.mark.parametrize("writes", [0, 1, 2, 3])
def test_a_crash_at_any_instant_converges_on_the_next_run(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str], writes: int
) -> None:
    arxiv_server.add(*PAPERS)
    crashed_run(workdir, writes)
    assert list(workdir.rglob("*.tmp")), "the crash leaves a temporary file"
    assert main(["run"]) == 0  # nothing new on arXiv's side changed: the same three papers
    listed, recorded = listed_and_recorded(workdir)
    assert listed == recorded == {p.id for p in PAPERS}
    assert list(workdir.rglob("*.tmp")) == [] and not (workdir / "state" / "intent.json").exists()
    readme = (workdir / "README.md").read_text(encoding="utf-8")
    assert all(readme.count(p.id) == 1 for p in PAPERS)


def test_a_full_disk_at_the_state_write_is_finished_by_the_next_run(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(*PAPERS)
    crashed_run(workdir, 2, OSError)  # intent and list written, state not
    listed, recorded = listed_and_recorded(workdir)
    assert listed == {p.id for p in PAPERS} and recorded == set()
    arxiv_server.records = []  # the papers have left the fetch window meanwhile
    assert main(["run"]) == 0
    listed, recorded = listed_and_recorded(workdir)
    assert listed == recorded == {p.id for p in PAPERS}
    assert "an interrupted run was completed: 3 paper(s)" in capsys.readouterr().err


def test_a_dry_run_repairs_nothing(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.add(*PAPERS)
    crashed_run(workdir, 2)
    before = sorted(p.name for p in workdir.rglob("*"))
    assert main(["run", "--dry-run"]) == 0
    assert sorted(p.name for p in workdir.rglob("*")) == before
