"""A deadline on a whole HTTP request, from connect to the last byte, for a requests Session.

Timeouts in requests (and urllib3) bound each connect and each socket read, not the
request: a server that sends a byte every half second never trips a 30-second read
timeout. `Deadline` mounts an adapter whose connections note themselves as they send
a request; when the time is up, a timer shuts that connection's socket down, which
ends any read in progress (headers or body) at once. The caller sees an error and
asks `expired` whether the deadline was the cause.
"""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class Deadline:
    """Cuts the request in flight on `session` once `seconds` have passed since `running()`."""

    def __init__(self, session: requests.Session) -> None:
        # The socket itself: http.client lets go of it (sock = None) once a response
        # that closes the connection begins, while the response still reads from it.
        self.sock: socket.socket | None = None
        self.expired = threading.Event()
        watch = self

        class Connection(HTTPConnection):
            def request(self, *args: Any, **kwargs: Any) -> None:
                super().request(*args, **kwargs)  # connects first, if need be
                watch.noted(self.sock)

        class SecureConnection(HTTPSConnection):
            def request(self, *args: Any, **kwargs: Any) -> None:
                super().request(*args, **kwargs)  # connects first, if need be
                watch.noted(self.sock)

        class Pool(HTTPConnectionPool):
            ConnectionCls = Connection

        class SecurePool(HTTPSConnectionPool):
            ConnectionCls = SecureConnection

        adapter = HTTPAdapter()
        adapter.poolmanager.pool_classes_by_scheme = {"http": Pool, "https": SecurePool}
        session.mount("http://", adapter)
        session.mount("https://", adapter)

    @contextmanager
    def running(self, seconds: float) -> Iterator[None]:
        """Within the block, the request in flight is cut after `seconds`."""
        self.expired.clear()
        self.sock = None
        timer = threading.Timer(seconds, self._cut)
        timer.daemon = True
        start_deaf_to_stop_signals(timer)
        try:
            yield
        finally:
            timer.cancel()

    def noted(self, sock: socket.socket | None) -> None:
        """The socket the request in flight uses (a timer that fired meanwhile cuts it)."""
        self.sock = sock
        if self.expired.is_set():
            self._cut()

    def _cut(self) -> None:
        self.expired.set()
        if self.sock is not None:
            with suppress(OSError):
                self.sock.shutdown(socket.SHUT_RDWR)


STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


def start_deaf_to_stop_signals(thread: threading.Thread) -> None:
    """Start `thread` with SIGINT and SIGTERM blocked in it (it inherits the mask).

    The kernel hands a process's signal to any thread that does not block it, and Python
    runs handlers in the main thread only: a stop signal landing on this thread would
    leave the main thread blocked in its socket read until the request ends.
    """
    if not hasattr(signal, "pthread_sigmask"):  # not on Windows: signals go to the main thread
        thread.start()
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        thread.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
