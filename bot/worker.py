"""A second Python process that runs one call while this one works, to use a second core.

Threads would take turns on the GIL: fetching and judging arXiv hits and parsing a
large list are both Python work. The child is a fresh interpreter (a fork would copy
locks that other threads, such as the scheduler's, may hold), started when the Worker
is made so that its start-up overlaps whatever this process does before the call.
Messages are pickles on the child's stdin and stdout (its own prints go to stderr).
Its log records come back and are handled here, with this process's format, levels
and redaction; then its result or exception. Plain `subprocess`, not
`multiprocessing`: no resource-tracker process, and no re-import of the main module.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import pickle
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from logging.handlers import QueueHandler
from pathlib import Path
from types import TracebackType
from typing import IO, Any, TypeVar

R = TypeVar("R")
T = TypeVar("T")

_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from bot.worker import serve; serve()"
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class WorkerLost(RuntimeError):
    """The child process ended without sending its outcome (killed, or crashed)."""


class Worker:
    """One child process for one call; a context manager that always ends it."""

    def __init__(self, preload: Sequence[str] = (), env: Mapping[str, str] | None = None) -> None:
        """Start the child; it imports the `preload` modules while it waits for the call.

        `env` is its environment (this process's by default): leave secrets out of it.
        """
        package_root = str(Path(__file__).resolve().parent.parent)
        self._child = subprocess.Popen(
            [sys.executable, "-c", _BOOT, package_root, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=None if env is None else dict(env),
            # Its own process group: Ctrl-C at a terminal reaches this process only, which
            # then ends the child (the scheduler lets a run finish on SIGINT).
            process_group=0,
        )
        assert self._child.stdin is not None and self._child.stdout is not None
        self._requests: IO[bytes] = self._child.stdin
        self._replies: IO[bytes] = self._child.stdout
        self._send(("start", sys.path, tuple(preload), _logger_levels()))

    def __enter__(self) -> Worker:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """End the child: at once if it is still working (Ctrl-C, or an error here)."""
        for pipe in (self._requests, self._replies):
            with contextlib.suppress(OSError):  # the child is gone: nothing left to flush
                pipe.close()
        if self._child.poll() is None:
            self._child.kill()  # it ignores SIGTERM; its work (a fetch) is safe to cut off
        self._child.wait()

    def call_alongside(
        self, call: Callable[..., R], args: tuple[Any, ...], work: Callable[[], T]
    ) -> tuple[R, T]:
        """Run `call(*args)` in the child while `work()` runs here; return both results.

        The call's error comes first: when both fail, it is raised (from the work's
        error). `call` must be a module-level function; it, its arguments and its
        result must pickle.
        """
        try:
            self._send(("call", call, args))
        except OSError:  # the child is already gone
            raise self._lost() from None
        try:
            result = work()
        except Exception as exc:
            failed, outcome = self._outcome()
            if failed:
                raise outcome from exc
            raise
        failed, outcome = self._outcome()
        if failed:
            raise outcome
        return outcome, result

    def _send(self, message: tuple[Any, ...]) -> None:
        pickle.dump(message, self._requests, protocol=pickle.HIGHEST_PROTOCOL)
        self._requests.flush()

    def _outcome(self) -> tuple[bool, Any]:
        """Handle the child's log records until its outcome comes: (failed, error or result)."""
        while True:
            try:
                kind, payload = pickle.load(self._replies)
            except EOFError:
                return True, self._lost()
            if kind != "log":
                return kind == "error", payload
            logging.getLogger(payload.name).handle(payload)

    def _lost(self) -> WorkerLost:
        code = self._child.wait()
        return WorkerLost(f"the worker process ended without an answer (exit code {code})")


def _logger_levels() -> dict[str, int]:
    """The levels set in this process, for the child to filter its records the same way."""
    loggers = logging.root.manager.loggerDict.items()
    levels = {name: lg.level for name, lg in loggers if isinstance(lg, logging.Logger)}
    return {"": logging.root.level} | {name: level for name, level in levels.items() if level}


class _ReplyQueue:
    """What the child's QueueHandler puts records into: the pipe to the parent."""

    def __init__(self, replies: IO[bytes]) -> None:
        self.replies = replies

    def put_nowait(self, record: logging.LogRecord) -> None:
        _reply(self.replies, ("log", record))


def _reply(replies: IO[bytes], message: tuple[str, Any]) -> None:
    pickle.dump(message, replies, protocol=pickle.HIGHEST_PROTOCOL)
    replies.flush()


def serve() -> None:
    """The child's side: take the start and call messages on stdin, answer on stdout."""
    # A stop signal sent to every process (systemd, a container runtime) must not cut the
    # run short here: the parent decides, and ends this process itself.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _end_with_parent(int(sys.argv[2]))
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not break the pipe
    requests = sys.stdin.buffer
    try:
        _, path, preload, levels = pickle.load(requests)
        sys.path[:] = path  # the parent's, so that `call` imports as it does there
        logging.getLogger().handlers[:] = [QueueHandler(_ReplyQueue(replies))]  # type: ignore[arg-type]
        for name, level in levels.items():
            logging.getLogger(name or None).setLevel(level)
        for module in preload:
            importlib.import_module(module)
        try:
            _, call, args = pickle.load(requests)
        except EOFError:  # the parent needed no call after all
            return
        threading.Thread(target=_exit_at_eof, args=(requests,), daemon=True).start()
        try:
            outcome = ("result", call(*args))
        except Exception as exc:
            outcome = ("error", _portable(exc))
        _reply(replies, outcome)
    except (KeyboardInterrupt, EOFError, BrokenPipeError):  # Ctrl-C, or the parent has gone
        pass


def _end_with_parent(parent: int) -> None:
    """Die with the parent, however it ends (SIGKILL included), never outliving it.

    Linux: the kernel sends SIGKILL here when the parent dies (prctl PR_SET_PDEATHSIG);
    checked against the parent's pid afterwards, in case it died before the call.
    Elsewhere, and as a second line: the request pipe closing (see `_exit_at_eof`).
    """
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _exit_at_eof(requests: IO[bytes]) -> None:
    """Exit at once when the parent closes the request pipe, or dies: it wants no answer.

    The parent sends nothing after the call, so any read returns only at end of file.
    Reads the descriptor, not the buffered file: a daemon thread blocked inside the
    buffered file's lock would stop the interpreter's exit.
    """
    with contextlib.suppress(OSError):
        while os.read(requests.fileno(), 1):
            pass
    os._exit(1)


def _portable(exc: Exception) -> Exception:
    """The exception itself if it survives pickling, else a RuntimeError with its text.

    The child's traceback rides along as a note (shown with --debug).
    """
    exc.add_note("in the worker process:\n" + "".join(traceback.format_exception(exc)).rstrip())
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        plain = RuntimeError(f"{type(exc).__name__}: {exc}")
        plain.__notes__ = exc.__notes__
        return plain
    return exc
