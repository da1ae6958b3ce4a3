"""A deadline on a whole HTTP request, from connect to the last byte, for urllib.request.

Socket timeouts bound each connect and each read, not the request: a server that sends
a byte every half second never trips a 30-second read timeout. `Deadline.handlers()`
gives urllib handlers whose http.client connections note their socket as they send
a request; when the time is up, a timer shuts that socket down, which ends any read
in progress (headers or body) at once. The caller sees an error and asks `expired`
whether the deadline was the cause.
"""

from __future__ import annotations

import http.client
import signal
import socket
import ssl
import threading
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any


class Deadline:
    """Cuts the request in flight once `seconds` have passed since `running()`."""

    def __init__(self) -> None:
        # The socket itself: urllib lets go of it (sock = None) once the response
        # begins, while the response still reads from it.
        self.sock: socket.socket | None = None
        self.expired = threading.Event()

    def handlers(self, tls: Callable[[], ssl.SSLContext]) -> list[urllib.request.BaseHandler]:
        """urllib handlers for http:// and https:// whose requests this deadline cuts.

        `tls` gives the context for HTTPS, called at the first https:// request.
        """
        watch = self

        class Connection(http.client.HTTPConnection):
            def request(self, *args: Any, **kwargs: Any) -> None:
                super().request(*args, **kwargs)  # connects first
                watch.noted(self.sock)

        class SecureConnection(http.client.HTTPSConnection):
            def request(self, *args: Any, **kwargs: Any) -> None:
                super().request(*args, **kwargs)  # connects and shakes hands first
                watch.noted(self.sock)

        class Handler(urllib.request.HTTPHandler):
            def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
                return self.do_open(Connection, req)

        class SecureHandler(urllib.request.HTTPSHandler):
            context: ssl.SSLContext | None = None

            def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
                self.context = self.context or tls()
                return self.do_open(SecureConnection, req, context=self.context)

        return [Handler(), SecureHandler()]

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
