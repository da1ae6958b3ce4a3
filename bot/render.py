"""Edit stage: the list with new papers and new titles (pure, idempotent).

The list format itself (sections, entries, templates, stamp) is the list
document's (bot.listdoc); this module is the pipeline's step that applies it.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.config import TargetConfig
from bot.listdoc.document import ListDocument
from bot.models import Paper, TitleChange


def update_list(
    text: str,
    papers: Sequence[Paper],
    target: TargetConfig,
    now: datetime,
    placement: Mapping[str, str] | None = None,
    document: ListDocument | None = None,
) -> str:
    """Return the list with `papers` added to their sections and the stamp refreshed.

    `document` is the run's parse of this very `text`, if it has one (see
    ListDocument.with_papers for the contract).
    """
    if document is None or document.text != text:
        document = ListDocument(text, target)
    return document.with_papers(papers, now, placement)


def retitle_entries(text: str, changes: Sequence[TitleChange], target: TargetConfig) -> str:
    """Replace the link text of listed papers whose arXiv title changed; nothing else moves."""
    if not changes:
        return text
    return ListDocument(text, target).with_titles(changes)


def unified_diff(before: str, after: str, name: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            f"a/{name}",
            f"b/{name}",
        )
    )
