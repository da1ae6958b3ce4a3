"""A local stand-in for the Hugging Face papers and Semantic Scholar paper endpoints."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeEnrichment:
    def __init__(self) -> None:
        self.repos: dict[str, str] = {}  # arXiv id -> GitHub URL
        self.venues: dict[str, str] = {}  # arXiv id -> venue
        self.requests: list[str] = []
        self.status = 200
        self.delay = 0.0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeEnrichment:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, path: str) -> tuple[int, Any]:
        if path.startswith("/api/papers/"):
            paper_id = path.removeprefix("/api/papers/")
            if paper_id in self.repos:
                return 200, {"id": paper_id, "githubRepo": self.repos[paper_id]}
            return 404, {"error": "Paper not found"}
        if path.startswith("/graph/v1/paper/arXiv:"):
            paper_id = path.removeprefix("/graph/v1/paper/arXiv:").split("?")[0]
            return 200, {"paperId": "x", "venue": self.venues.get(paper_id, "")}
        return 404, {}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                fake.requests.append(self.path)
                if fake.delay:
                    time.sleep(fake.delay)
                status, payload = fake._answer(self.path)
                if fake.status != 200:
                    status, payload = fake.status, {"error": "unavailable"}
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler
