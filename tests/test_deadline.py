"""The whole-request deadline's timer thread."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import pytest

from bot.deadline import Deadline


def blocked_signals(native_id: int) -> int:
    status = Path(f"/proc/self/task/{native_id}/status").read_text(encoding="utf-8")
    return int(
        next(line for line in status.splitlines() if line.startswith("SigBlk:")).split()[1], 16
    )


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_stop_signals_never_land_on_the_timer_thread() -> None:
    # A signal the kernel hands to the timer thread would leave the main thread blocked in
    # its socket read: `schedule`'s second signal then waited for the whole request.
    before = signal.pthread_sigmask(signal.SIG_BLOCK, set())
    with Deadline().running(30):
        timer = next(t for t in threading.enumerate() if isinstance(t, threading.Timer))
        assert timer.native_id is not None
        mask = blocked_signals(timer.native_id)
    assert mask & (1 << (signal.SIGTERM - 1)) and mask & (1 << (signal.SIGINT - 1))
    assert signal.pthread_sigmask(signal.SIG_BLOCK, set()) == before  # the caller's mask is kept
