"""Optional enrichment (httpx): a code link and a venue for new papers from public APIs.

The Hugging Face papers endpoint (`/api/papers/{arxiv id}`) names a paper's
GitHub repository when it knows one; Semantic Scholar's graph API
(`/graph/v1/paper/arXiv:{id}?fields=venue`) gives its venue. Lookups have a
timeout and a pause between them, answers are cached in state, and a failure
is logged and skipped: enrichment never fails a run or drops a paper.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from msgspec import Struct, field
from msgspec.structs import replace

from bot.config import EnrichConfig
from bot.models import Paper

log = logging.getLogger(__name__)
_GITHUB = re.compile(r"https?://(?:www\.)?github\.com/[\w.-]+/[\w.-]+")


def make_enricher(config: EnrichConfig, cache: dict[str, dict[str, str]]) -> Enricher | None:
    """The enrichment edge when config enables it, starting from the cache kept in state."""
    return Enricher(config, dict(cache)) if config.enabled else None


class Enricher(Struct):
    config: EnrichConfig
    cache: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> {"code_url", "venue"}
    sleep: Callable[[float], None] = time.sleep
    lookups: int = 0
    _client: Any = None

    def enrich(self, papers: Sequence[Paper]) -> list[Paper]:
        """The papers with missing code links and venues filled in where an API knows them."""
        out = []
        for paper in papers:
            if paper.code_url and paper.venue:
                out.append(paper)
                continue
            found = self.cache.get(paper.id)
            if found is None and self.lookups < self.config.max_lookups:
                found = self._lookup(paper.id)
                if found is not None:
                    self.cache[paper.id] = found
            found = found or {}
            out.append(
                replace(
                    paper,
                    code_url=paper.code_url or found.get("code_url", ""),
                    venue=paper.venue or found.get("venue", ""),
                )
            )
        if self._client is not None:
            self._client.close()
            self._client = None
        return out

    def _lookup(self, paper_id: str) -> dict[str, str] | None:
        import httpx

        if self._client is None:
            self._client = httpx.Client(
                timeout=self.config.timeout_seconds,
                headers={"User-Agent": "arxiv-awesome-bot (enrichment)"},
                follow_redirects=True,
            )
        result: dict[str, str] = {}
        try:
            if self.config.huggingface_url:
                data = self._get(f"{self.config.huggingface_url.rstrip('/')}/{paper_id}")
                match = _GITHUB.search(str(data.get("githubRepo") or "")) if data else None
                if match:
                    result["code_url"] = match.group(0)
            if self.config.semantic_scholar_url:
                data = self._get(
                    f"{self.config.semantic_scholar_url.rstrip('/')}/arXiv:{paper_id}",
                    params={"fields": "venue"},
                )
                venue = str((data or {}).get("venue") or "").strip()
                if venue:
                    result["venue"] = venue[:60]
        except (httpx.HTTPError, ValueError) as exc:  # never fail the run over enrichment
            log.warning("enrichment of %s skipped: %s", paper_id, type(exc).__name__)
            return None
        return result

    def _get(self, url: str, params: dict[str, str] | None = None) -> dict[str, Any] | None:
        if self.lookups:
            self.sleep(self.config.delay_seconds)
        self.lookups += 1
        response = self._client.get(url, params=params)
        if response.status_code == 404:
            return None  # the API does not know the paper: an answer, cached as "nothing"
        response.raise_for_status()
        data = response.json()
        return data if isinstance(data, dict) else None
