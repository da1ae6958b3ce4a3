"""The model judge's HTTP edge (httpx): one OpenAI-compatible chat completions request.

POST {endpoint}/chat/completions with {"model", "messages", "temperature": 0} and
read `choices[0].message.content`, the request and answer shape of OpenAI's API that
GitHub Models (https://models.github.ai/inference, docs.github.com/rest/models/inference),
Ollama, vLLM, llama.cpp and most gateways share. Every failure becomes a JudgeError
whose text never holds the key: the judge never fails a run.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.budget import UNLIMITED, TimeBudget
from bot.config import JudgeConfig
from bot.environment import Environment
from bot.errors import JudgeError
from bot.judge import Judge, Message, consult
from bot.models import Decision, JudgeNote

GITHUB_MODELS_HOST = "models.github.ai"


def completions_url(endpoint: str) -> str:
    """The chat completions URL of an API's base URL (or of the full URL itself)."""
    base = endpoint.rstrip("/")
    return base if base.endswith("/chat/completions") else f"{base}/chat/completions"


class ChatEndpoint:
    """One chat completions API; `ask` is the judge's `Ask` edge."""

    def __init__(
        self,
        endpoint: str,
        model: str,
        key: str,
        timeout_seconds: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = completions_url(endpoint)
        self.host = urlsplit(self.url).netloc
        self.model = model
        self.timeout_seconds = timeout_seconds
        self._key = key
        headers = {"Accept": "application/json", "User-Agent": "arxiv-awesome-bot (judge)"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self._client = httpx.Client(
            timeout=timeout_seconds, headers=headers, transport=transport, follow_redirects=False
        )

    def close(self) -> None:
        self._client.close()

    def ask(self, messages: list[Message]) -> str:
        """Send one chat request; the answer's text. Raises JudgeError on any failure."""
        body = {"model": self.model, "messages": messages, "temperature": 0}
        try:
            response = self._client.post(self.url, json=body)
        except httpx.TimeoutException:
            raise JudgeError(f"timed out after {self.timeout_seconds:g} s") from None
        except httpx.HTTPError as exc:
            raise JudgeError(f"cannot reach {self.host}", detail=type(exc).__name__) from None
        if response.status_code != 200:
            raise JudgeError(
                f"HTTP {response.status_code} from {self.host}", detail=self._why(response)
            )
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, LookupError, TypeError):
            raise JudgeError("malformed answer", detail="not a chat completion") from None
        if not isinstance(content, str):
            raise JudgeError("malformed answer", detail="the message has no text")
        return content

    def _why(self, response: httpx.Response) -> str:
        """A short, key-free explanation of an error answer."""
        status = response.status_code
        if status in (401, 403) and is_github_models(self.url):
            return "in GitHub Actions give the job `permissions: models: read`"
        if status == 429:
            return "rate limited; the next run asks again"
        message = ""
        try:
            data: Any = response.json()
            error = data.get("error") if isinstance(data, dict) else None
            message = str(error.get("message") if isinstance(error, dict) else error or "")
        except (ValueError, json.JSONDecodeError):
            message = ""
        message = " ".join(message.split())[:160]
        return message.replace(self._key, "***") if self._key else message


def judge_edge(
    config: JudgeConfig, endpoint: str, key: str, budget: TimeBudget = UNLIMITED
) -> Judge:
    """The run's judge: `consult` with one chat endpoint, closed when it is done."""

    def judge(decisions: list[Decision]) -> tuple[list[Decision], JudgeNote]:
        chat = ChatEndpoint(endpoint, config.model, key, config.timeout_seconds)
        try:
            return consult(decisions, config, chat.ask, budget)
        finally:
            chat.close()

    return judge


def model_judge(
    config: JudgeConfig, env: Environment, budget: TimeBudget = UNLIMITED
) -> Judge | None:
    """The run's judge when `[relevance.judge]` enables it (import this module only then).

    The endpoint is `relevance.judge.endpoint` unless ARXIV_BOT_JUDGE_URL overrides it.
    The key is ARXIV_BOT_JUDGE_KEY, else the workflow's GITHUB_TOKEN, but for GitHub
    Models over https only: a GitHub token is never sent to another host.
    """
    if not config.enabled:
        return None
    return judge_edge(config, *endpoint_and_key(config, env), budget)


def endpoint_and_key(config: JudgeConfig, env: Environment) -> tuple[str, str]:
    """The chat API's base URL and its key ("" = no Authorization header)."""
    endpoint = env.judge_url or config.endpoint
    return endpoint, env.judge_key or (env.token if is_github_models(endpoint) else "")


def is_github_models(endpoint: str) -> bool:
    """True for GitHub Models over https: the only place a GitHub token may be sent."""
    parts = urlsplit(endpoint)
    return parts.scheme == "https" and parts.hostname == GITHUB_MODELS_HOST
