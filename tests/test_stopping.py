"""Stopping a one-shot run: at once, in one line, nothing half-written, no worker left behind.

Real processes: the bot as `python -m bot run`, its arXiv request held by the local
stand-in until the test lets it answer (or never, for a stop).
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from bot.arxiv_side import fetch_and_screen
from bot.config import load_config
from bot.environment import ArxivApi
from bot.worker import Worker
from tests.conftest import ROOT, record
from tests.fakes.arxiv_server import FakeArxiv, Fault

EMPTY_LIST = "## Last Updated\n2025-01-01\n## Papers (0)\n"
LINUX = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")


@contextmanager
def run_in_progress(
    tmp_path: Path, worker: bool, prefix: tuple[str, ...] = ()
) -> Iterator[subprocess.Popen[str]]:
    """`python -m bot run` (writing, local mode) whose arXiv request is held.

    `prefix` runs it under another command (`unshare`, to be PID 1 as in a container).
    """
    (tmp_path / "README.md").write_text(EMPTY_LIST, encoding="utf-8")
    config = (ROOT / "config.toml").read_text(encoding="utf-8")
    if worker:
        config = config.replace("worker_min_entries = 10000", "worker_min_entries = 0")
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    held = threading.Event()
    with FakeArxiv([record("2611.01234", "Sparse Autoencoders")]) as server:
        server.script(Fault(hold=held))
        env = {**os.environ, "ARXIV_API_URL": server.url}
        env.pop("GITHUB_TOKEN", None)
        proc = subprocess.Popen(
            [*prefix, sys.executable, "-m", "bot", "run", "--target", "README.md"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.received.wait(20), "the run never queried the local server"
            yield proc
        finally:
            held.set()
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=20)


def children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return [int(c) for task in tasks.iterdir() for c in (task / "children").read_text().split()]


def ends_within(pid: int, seconds: float) -> bool:
    """True once process `pid` (not necessarily our child) has ended, within `seconds`."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return True  # already gone
    try:
        return bool(select.select([handle], [], [], seconds)[0])
    finally:
        os.close(handle)


def assert_stopped_cleanly(proc: subprocess.Popen[str], err: str, signum: int, path: Path) -> None:
    assert proc.returncode == 128 + signum, err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    name = signal.Signals(signum).name
    assert errors == [f"error: stopped by {name}; nothing half-written was left behind"]
    assert "Traceback" not in err
    assert (path / "README.md").read_text(encoding="utf-8") == EMPTY_LIST
    assert not (path / "state" / "state.json").exists()
    assert not (path / "state" / "health.json").exists()  # a stop is not a failed run


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_ends_a_run_at_once(tmp_path: Path, signum: int) -> None:
    with run_in_progress(tmp_path, worker=False) as proc:
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=5)  # the held request would take 30 s
    assert_stopped_cleanly(proc, err, signum, tmp_path)


@LINUX
def test_a_stopped_run_takes_its_worker_along(tmp_path: Path) -> None:
    with run_in_progress(tmp_path, worker=True) as proc:
        (worker,) = children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=5)
        assert ends_within(worker, 1.0)
    assert_stopped_cleanly(proc, err, signal.SIGTERM, tmp_path)


@LINUX
def test_the_worker_never_outlives_a_killed_bot(tmp_path: Path) -> None:
    """SIGKILL: no handler runs in the bot, yet its worker ends and frees the caller's pipes."""
    with run_in_progress(tmp_path, worker=True) as proc:
        (worker,) = children(proc.pid)
        proc.kill()
        killed = time.monotonic()
        # The worker inherited the caller's stderr: the pipe ends only once it is gone too.
        _, err = proc.communicate(timeout=10)
        freed = time.monotonic() - killed
        assert ends_within(worker, 1.0)
    assert freed < 1.0, f"the caller's pipes were held {freed:.1f} s after the bot died"
    assert "Traceback" not in err
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == EMPTY_LIST


def pid_namespaces_work() -> bool:
    try:
        probe = subprocess.run(
            ["unshare", "--fork", "--pid", "sh", "-c", "echo $$"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return False
    return probe.stdout.strip() == "1"


@LINUX
@pytest.mark.skipif(not pid_namespaces_work(), reason="needs unshare --pid (root)")
def test_a_run_as_pid_1_stops_on_sigterm(tmp_path: Path) -> None:
    """In a container the bot is PID 1, which ignores a signal it has no handler for."""
    with run_in_progress(tmp_path, worker=False, prefix=UNSHARE) as proc:
        (bot,) = children(proc.pid)  # PID 1 inside its namespace
        os.kill(bot, signal.SIGTERM)  # as `docker stop` sends it
        _, err = proc.communicate(timeout=5)  # not the 30 s of the held request
    assert_stopped_cleanly(proc, err, signal.SIGTERM, tmp_path)


UNSHARE = ("unshare", "--fork", "--pid", "--kill-child")


def test_a_worker_whose_parent_closes_the_pipe_exits(
    workdir: Path, arxiv_server: FakeArxiv
) -> None:
    """The second line of defence, where the kernel cannot tie the worker to its parent."""
    held = threading.Event()
    arxiv_server.script(Fault(hold=held))
    config = load_config(Path("config.toml"))
    worker = Worker()
    try:
        window = (date(2026, 11, 1), date(2026, 11, 21))
        worker._send(("call", fetch_and_screen, (config, ArxivApi(arxiv_server.url), window)))
        assert arxiv_server.received.wait(20)
        worker._requests.close()  # as a parent that dies closes it
        assert worker._child.wait(timeout=1.0) == 1
    finally:
        held.set()
        worker.close()
