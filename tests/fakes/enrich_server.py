"""A local stand-in for the Hugging Face papers and Semantic Scholar paper endpoints."""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.local_server import LocalServer, QuietHandler


class FakeEnrichment(LocalServer):
    def __init__(self) -> None:
        self.repos: dict[str, str] = {}  # arXiv id -> GitHub URL
        self.venues: dict[str, str] = {}  # arXiv id -> venue
        self.requests: list[str] = []
        self.status = 200
        self.delay = 0.0
        super().__init__()

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

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                fake.requests.append(self.path)
                if fake.delay:
                    time.sleep(fake.delay)
                status, payload = fake._answer(self.path)
                if fake.status != 200:
                    status, payload = fake.status, {"error": "unavailable"}
                self.reply(status, json.dumps(payload).encode(), "application/json")

        return Handler
