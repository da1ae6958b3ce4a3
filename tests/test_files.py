"""Our own files at their limits: full disk, read-only folders, symbolic links, unknown keys.

A full disk or a read-only folder cannot be made here without privileges, so those
tests make the operating system refuse (os.open raises what the kernel would) for
paths in one folder; the bot's code runs unchanged. Links and keys are real files.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.errors import FileWriteError
from bot.files import atomic_write_text, run_lock, write_through
from bot.state import load_state, save_state, state_from_json, state_to_json
from tests.conftest import record
from tests.fakes.arxiv_server import FakeArxiv

SAE = record("2611.01234", "Sparse Autoencoders Reveal Induction Circuits", published="2026-11-19")


def refuse_writes_in(
    monkeypatch: pytest.MonkeyPatch, folder: Path, code: int
) -> Callable[[], list[str]]:
    """Make creating a file in `folder` fail with errno `code`, as a full or read-only disk does."""
    real_open = os.open
    refused: list[str] = []

    def fake_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT and Path(os.fsdecode(path)).parent.resolve() == folder.resolve():
            refused.append(os.fsdecode(path))
            raise OSError(code, os.strerror(code), os.fsdecode(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)
    return lambda: refused


def health(workdir: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((workdir / "state" / "health.json").read_text())
    return result


def test_a_full_state_disk_is_exit_1_naming_the_path(
    workdir: Path, arxiv_server: FakeArxiv, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    arxiv_server.add(SAE)
    (workdir / "state").mkdir()
    refused = refuse_writes_in(monkeypatch, workdir / "state", errno.ENOSPC)
    assert main(["run"]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("error: state/.arxiv-bot.lock: cannot write (No space left on device)")
    assert "free disk space" in err and "internal error" not in err
    assert refused()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name an fd")
def test_a_disk_that_fills_while_the_lock_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = tmp_path / ".arxiv-bot.lock"
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        if os.readlink(f"/proc/self/fd/{fd}") == str(lock):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(FileWriteError, match="No space left on device"), run_lock(lock):
        pass


def test_a_read_only_list_folder_is_counted_in_health(
    workdir: Path, arxiv_server: FakeArxiv, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    arxiv_server.add(SAE)
    before = (workdir / "README.md").read_bytes()
    refuse_writes_in(monkeypatch, workdir, errno.EROFS)
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert "error: README.md: cannot write (Read-only file system)" in err
    assert "make it writable" in err
    assert (workdir / "README.md").read_bytes() == before
    recorded = health(workdir)
    assert recorded["consecutive_failures"] == 1 and "README.md" in recorded["errors"][0]


def test_a_failing_state_write_after_the_list_is_exit_1(
    workdir: Path, arxiv_server: FakeArxiv, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """The list is written, then the disk fills: the error names the state file."""
    arxiv_server.add(SAE)
    real_replace = os.replace

    def full_on_state(src: Any, dst: Any) -> None:
        if str(dst).endswith("state.json"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", full_on_state)
    assert main(["run"]) == 1
    assert "error: state/state.json: cannot write (No space left on device)" in (
        capsys.readouterr().err
    )
    assert not [p for p in (workdir / "state").iterdir() if p.name.endswith(".tmp")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_really_read_only_state_folder(
    workdir: Path, arxiv_server: FakeArxiv, capsys: Any
) -> None:
    arxiv_server.add(SAE)
    (workdir / "state").mkdir(mode=0o555)
    try:
        assert main(["run"]) == 1
    finally:
        (workdir / "state").chmod(0o755)
    assert "state/.arxiv-bot.lock: cannot write (Permission denied)" in capsys.readouterr().err


def test_the_lock_never_follows_a_symbolic_link(tmp_path: Path) -> None:
    precious = tmp_path / "notes.txt"
    precious.write_text("the maintainer's notes\n")
    lock = tmp_path / "state" / ".arxiv-bot.lock"
    lock.parent.mkdir()
    lock.symlink_to(precious)
    with pytest.raises(FileWriteError, match="symbolic link: remove it") as info, run_lock(lock):
        pass
    assert info.value.path == str(lock)
    assert precious.read_text() == "the maintainer's notes\n"


def test_the_lock_must_be_a_regular_file(tmp_path: Path) -> None:
    lock = tmp_path / ".arxiv-bot.lock"
    os.mkfifo(lock)
    with pytest.raises(FileWriteError, match="not a regular file"), run_lock(lock):
        pass


def test_a_symlinked_lock_fails_the_run_and_keeps_its_target(
    workdir: Path, arxiv_server: FakeArxiv, capsys: Any
) -> None:
    arxiv_server.add(SAE)
    precious = workdir / "notes.txt"
    precious.write_text("keep me\n")
    (workdir / "state").mkdir()
    (workdir / "state" / ".arxiv-bot.lock").symlink_to(precious)
    assert main(["run"]) == 1
    assert "state/.arxiv-bot.lock: cannot write" in capsys.readouterr().err
    assert precious.read_text() == "keep me\n"


def test_a_symlinked_readme_is_written_through_to_its_target(
    workdir: Path, arxiv_server: FakeArxiv
) -> None:
    arxiv_server.add(SAE)
    (workdir / "docs").mkdir()
    (workdir / "README.md").rename(workdir / "docs" / "LIST.md")
    (workdir / "README.md").symlink_to("docs/LIST.md")
    assert main(["run"]) == 0
    assert (workdir / "README.md").is_symlink()
    assert "2611.01234" in (workdir / "docs" / "LIST.md").read_text()
    assert sorted(p.name for p in (workdir / "docs").iterdir()) == ["LIST.md"]  # no temp left


def test_a_readme_linking_out_of_the_tree_is_refused(
    workdir: Path, tmp_path_factory: pytest.TempPathFactory, arxiv_server: FakeArxiv, capsys: Any
) -> None:
    arxiv_server.add(SAE)
    outside = tmp_path_factory.mktemp("elsewhere") / "LIST.md"
    (workdir / "README.md").rename(outside)
    before = outside.read_bytes()
    (workdir / "README.md").symlink_to(outside)
    assert main(["run"]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("error: README.md: cannot write (it is a symbolic link to ")
    assert "outside the working tree" in err
    assert outside.read_bytes() == before and (workdir / "README.md").is_symlink()


def test_write_through_a_plain_file_and_an_explicit_target_elsewhere(tmp_path: Path) -> None:
    tree, elsewhere = tmp_path / "tree", tmp_path / "elsewhere"
    tree.mkdir()
    elsewhere.mkdir()
    write_through(tree / "a.md", "one\n", tree)
    write_through(elsewhere / "b.md", "two\n", tree)  # --target outside the tree: its own folder
    assert (tree / "a.md").read_text() == "one\n" and (elsewhere / "b.md").read_text() == "two\n"


def test_atomic_write_names_the_path_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse_writes_in(monkeypatch, tmp_path, errno.EACCES)
    with pytest.raises(FileWriteError) as info:
        atomic_write_text(tmp_path / "x.json", "{}")
    assert info.value.path == str(tmp_path / "x.json") and info.value.errno == errno.EACCES
    assert "write permission" in str(info.value)


FUTURE_STATE = {
    "version": 1,
    "future_key": {"kept": True},
    "papers": [
        {
            "id": "2611.00009",
            "title": "Old",
            "status": "rejected",
            "since": "2026-11-01",
            "doi": "10.1/x",
        },
        {"id": "2611.00010", "title": "Other", "status": "added", "since": "2026-11-02"},
    ],
}


def test_unknown_state_keys_survive_a_rewrite(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(FUTURE_STATE))
    state = load_state(path)
    assert set(state.papers) == {"2611.00009", "2611.00010"}
    save_state(path, state.with_titles({"2611.00009": "Renamed"}))
    data = json.loads(path.read_text())
    assert data["future_key"] == {"kept": True}
    first, second = data["papers"]
    assert first["doi"] == "10.1/x" and first["title"] == "Renamed" and "doi" not in second
    assert state_to_json(state_from_json(path.read_text(), path)) == path.read_text()


def test_unknown_keys_survive_a_whole_run(workdir: Path, arxiv_server: FakeArxiv) -> None:
    arxiv_server.add(SAE)
    (workdir / "state").mkdir()
    (workdir / "state" / "state.json").write_text(json.dumps(FUTURE_STATE))
    assert main(["run"]) == 0
    data = json.loads((workdir / "state" / "state.json").read_text())
    assert data["future_key"] == {"kept": True}
    assert {p["id"] for p in data["papers"]} >= {"2611.00009", "2611.01234"}
    assert next(p for p in data["papers"] if p["id"] == "2611.00009")["doi"] == "10.1/x"


# -- the same in GitHub mode: real PyGithub against the stand-in ----------------------


@pytest.fixture
def linked_github(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from tests.fakes.github_server import FakeGitHub

    text = (workdir / "README.md").read_text(encoding="utf-8")
    with FakeGitHub("ghp_LINKS_0123456789abc", {"docs/LIST.md": text}) as fake:
        fake.use(workdir, monkeypatch)
        yield fake


def test_a_symlinked_list_in_the_repository_is_written_to_its_target(
    linked_github: Any, arxiv_server: FakeArxiv
) -> None:
    linked_github.link("main", "README.md", "docs/LIST.md")
    arxiv_server.add(SAE)
    assert main(["run"]) == 0
    branch = "arxiv-bot/updates"
    assert linked_github.is_link("README.md", branch)
    assert "2611.01234" in linked_github.file("docs/LIST.md", branch)


def test_a_symlinked_list_leaving_the_repository_is_refused(
    linked_github: Any, arxiv_server: FakeArxiv, capsys: Any
) -> None:
    linked_github.link("main", "README.md", "../../etc/LIST.md")
    arxiv_server.add(SAE)
    assert main(["run"]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("error: README.md is a symbolic link to ../../etc/LIST.md, not a file")
    assert not linked_github.pulls
