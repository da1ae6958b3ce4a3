"""One error family: every failure a maintainer can act on is a BotError."""

from __future__ import annotations

from datetime import datetime
from typing import Any


class BotError(Exception):
    """A failure with a one-line message that says what failed, where, and the fix."""


class ConfigError(BotError):
    """config.toml (or a command-line value) is invalid."""


class StateError(BotError):
    """The state file is unreadable, corrupt, or locked by another run."""


class LockedError(StateError):
    """Another run holds the lock on this working directory."""


class FileWriteError(BotError):
    """One of the bot's own files (list, state, lock, health) could not be written.

    Carries `path`, `reason` and `fix`; `errno` when the operating system refused.
    The file keeps its previous content (writes are atomic).
    """

    def __init__(self, path: str, reason: str, fix: str, errno: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.fix = fix
        self.errno = errno
        super().__init__(f"{path}: cannot write ({reason}); {fix}")


class ListFormatError(BotError):
    """The list file does not have the shape the configuration expects."""


class FetchError(BotError):
    """The arXiv API could not be queried, even after retries."""


class PublishError(BotError):
    """The change could not be written or the pull request could not be opened."""


class WaitTooLongError(BotError):
    """A server asked for a wait (Retry-After, rate limit) that does not fit the time budget."""

    def __init__(self, service: str, wait_seconds: float, left_seconds: float) -> None:
        self.service = service
        self.wait_seconds = wait_seconds
        self.left_seconds = left_seconds
        super().__init__(
            f"{service} asks to wait {wait_seconds:.0f} s, more than the {left_seconds:.0f} s"
            " left of [run] time_budget_seconds; nothing was changed; the next run retries"
        )

    def __reduce__(self) -> tuple[type[WaitTooLongError], tuple[str, float, float]]:
        # Raised in the arXiv worker process: it must cross the pipe whole.
        return type(self), (self.service, self.wait_seconds, self.left_seconds)


class JudgeError(BotError):
    """The model judge gave no usable answer; never fails a run (the score decides).

    `problem` is what went wrong ("timed out after 30 s", "HTTP 401", "malformed
    answer"), `detail` an optional explanation; neither ever holds the key.
    """

    def __init__(self, problem: str, detail: str = "") -> None:
        self.problem = problem
        self.detail = detail
        super().__init__(f"{problem}: {detail}" if detail else problem)


class Stopped(BaseException):
    """A stop signal (SIGTERM, SIGINT) ends the command at once.

    A BaseException, as KeyboardInterrupt is: `except Exception` does not catch it, and
    every `with` block on the way out (the run lock, the worker process) closes.
    """

    def __init__(self, signum: int) -> None:
        import signal

        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(f"stopped by {self.name}")

    @property
    def exit_code(self) -> int:
        """128 + the signal's number, as a shell reports a process ended by it."""
        return 128 + self.signum


class RateLimitError(WaitTooLongError):
    """GitHub's rate limit asks for a wait the run's time budget cannot hold.

    Carries `status` (403 or 429), `wait_seconds`, `left_seconds` and `reset` (UTC).
    Never a permissions problem: the request was not processed.
    """

    def __init__(self, status: int, wait_seconds: float, left_seconds: float, reset: datetime):
        self.status = status
        self.reset = reset
        super().__init__("GitHub", wait_seconds, left_seconds)
        self.args = (
            f"GitHub's rate limit (HTTP {status}) resets at {reset:%Y-%m-%d %H:%M:%S} UTC, "
            f"in {wait_seconds:.0f} s: more than the {left_seconds:.0f} s left of "
            "[run] time_budget_seconds; nothing was published; the next run after the reset "
            "retries",
        )

    def __reduce__(self) -> Any:
        return (type(self), (self.status, self.wait_seconds, self.left_seconds, self.reset))
