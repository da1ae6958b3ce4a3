"""A local stand-in for an OpenAI-compatible chat completions API (GitHub Models' shape).

POST .../chat/completions with {"model", "messages"} answers a `chat.completion`
object whose `choices[0].message.content` holds the judge's verdicts as JSON, for
the papers named in the user message ("id: 2501.00001" lines). Like the real
services it answers 401 with an error object for a missing or wrong bearer token,
400 for an unknown model, and often wraps JSON in a Markdown code fence. Faults can
be scripted per request: "timeout" (no answer until the server stops), "error"
(HTTP 500 whose message echoes the Authorization header, as a careless proxy
might), "malformed" (prose, no JSON), "not_chat" (a body that is no completion).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.local_server import LocalServer, QuietHandler

Judgement = Callable[[str, str], tuple[bool, str]]  # (id, paper text) -> (relevant, reason)


def says_relevant_if(word: str) -> Judgement:
    """A judge that calls a paper relevant when `word` occurs in its title or abstract."""

    def judge(paper_id: str, text: str) -> tuple[bool, str]:
        found = word.lower() in text.lower()
        return found, f"{'discusses' if found else 'never discusses'} {word}"

    return judge


class FakeChat(LocalServer):
    def __init__(self, token: str = "", models: tuple[str, ...] = ("openai/gpt-4.1-mini",)):
        self.token = token
        self.models = models
        self.judgement: Judgement = says_relevant_if("interpretab")
        self.faults: list[str] = []  # one per request, in order; then normal answers
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []  # of each request, names lowercased
        self.fence = True
        self._release = threading.Event()
        super().__init__()

    def stop(self) -> None:
        self._release.set()  # a request held for a timeout test may end now
        super().stop()

    def papers_asked(self) -> list[list[str]]:
        """The paper ids of each request, in order."""
        return [
            re.findall(r"^\[\d+\] id: (\S+)$", r["messages"][-1]["content"], re.MULTILINE)
            for r in self.requests
        ]

    def answer(self, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        if self.token and headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"error": {"code": "unauthorized", "message": "Bad credentials"}}
        if body.get("model") not in self.models:
            model = body.get("model")
            return 400, {"error": {"code": "unknown_model", "message": f"Unknown model: {model}"}}
        fault = self.faults.pop(0) if self.faults else ""
        if fault == "timeout":
            self._release.wait()
            return 504, {"error": {"message": "gateway timeout"}}
        if fault == "error":
            echoed = headers.get("authorization", "")
            return 500, {"error": {"message": f"upstream failed for {echoed}"}}
        if fault == "not_chat":
            return 200, {"object": "list", "data": []}
        content = self._verdicts(body) if fault != "malformed" else "I think most look fine!"
        return 200, completion(str(body["model"]), content)

    def _verdicts(self, body: dict[str, Any]) -> str:
        text = body["messages"][-1]["content"]
        verdicts = []
        for block in re.split(r"\n\n(?=\[\d+\] id: )", text.split("\n\n", 1)[1]):
            paper_id = re.match(r"\[\d+\] id: (\S+)", block)
            if paper_id:
                relevant, reason = self.judgement(paper_id.group(1), block)
                verdicts.append({"id": paper_id.group(1), "relevant": relevant, "reason": reason})
        content = json.dumps({"verdicts": verdicts}, indent=1)
        return f"```json\n{content}\n```" if self.fence else content

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self.reply(404, b'{"error": {"message": "Not Found"}}', "application/json")
                    return
                fake.requests.append(body)
                headers = {k.lower(): v for k, v in self.headers.items()}
                fake.headers.append(headers)
                status, payload = fake.answer(headers, body)
                self.reply(status, json.dumps(payload).encode(), "application/json")

        return Handler


def completion(model: str, content: str) -> dict[str, Any]:
    """A non-streaming chat completion object, as OpenAI and GitHub Models return it."""
    return {
        "id": "chatcmpl-local",
        "object": "chat.completion",
        "created": 1764489600,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def main() -> None:  # pragma: no cover - manual use: python -m tests.fakes.chat_server WORD
    """Serve a judge that calls a paper relevant when WORD is in it; print the base URL."""
    import sys

    server = FakeChat()
    server.judgement = says_relevant_if(sys.argv[1] if len(sys.argv) > 1 else "interpretab")
    server.serve_until_interrupted(server.base)


if __name__ == "__main__":  # pragma: no cover
    main()
