"""Render the pull request body a maintainer reviews (pure; everything from arXiv escaped)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.audit import FIXED_BY_CLEANUP, Finding
from bot.models import Decision, Duplicate, Proposal, RunReport, TitleChange
from bot.render import escape_markdown, short_authors

GITHUB_BODY_LIMIT = 65536
BODY_BUDGET = GITHUB_BODY_LIMIT - 1536  # room for the truncation note and footer
ZERO_WIDTH_SPACE = "\u200b"


def escape_for_github(text: str) -> str:
    """Markdown-escape and defuse @mentions and #123 references, which notify people."""
    text = escape_markdown(" ".join(text.split()))
    text = re.sub(r"@(?=\w)", "@" + ZERO_WIDTH_SPACE, text)
    return re.sub(r"#(?=\d)", "#" + ZERO_WIDTH_SPACE, text)


def _link(title: str, url: str) -> str:
    return f"[{escape_for_github(title) or '(untitled)'}]({url})"


def _added_item(decision: Decision, with_abstract: bool) -> str:
    p = decision.paper
    lines = [
        f"- **{_link(p.title, p.url)}**",
        f"  {escape_for_github(short_authors(p.authors))} · {p.published} · "
        f"`{escape_for_github(p.primary_category or '-')}`",
        f"  relevance {escape_for_github(decision.reason)}",
    ]
    if decision.section:
        lines.append(
            f"  goes under **{escape_for_github(decision.section)}** "
            f"({escape_for_github(decision.placed_by)})"
        )
    if with_abstract and p.abstract:
        lines += [
            "  <details><summary>Abstract</summary>",
            "",
            f"  {escape_for_github(p.abstract)}",
            "",
            "  </details>",
        ]
    return "\n".join(lines)


def _carried_item(proposal: Proposal) -> str:
    p = proposal.paper
    score = f"score {proposal.score:g}" if proposal.score is not None else "earlier run"
    return (
        f"- {_link(p.title, p.url)} · {escape_for_github(short_authors(p.authors))} · "
        f"{p.published} · {score}"
    )


def _title_item(change: TitleChange) -> str:
    return (
        f"- [{change.id}]({change.url}): “{escape_for_github(change.old)}” → "
        f"“{escape_for_github(change.new)}”"
    )


def _borderline_item(decision: Decision) -> str:
    return (
        f"- {_link(decision.paper.title, decision.paper.url)}: {escape_for_github(decision.reason)}"
    )


def _duplicate_item(duplicate: Duplicate) -> str:
    matched = duplicate.matched.title or duplicate.matched.id or "?"
    how = "same arXiv id" if duplicate.how == "id" else f"title {duplicate.similarity:g}% alike"
    return (
        f"- {_link(duplicate.paper.title, duplicate.paper.url)} matched "
        f"“{escape_for_github(matched)}” ({how}, {duplicate.matched.source})"
    )


HOW_TO_REJECT = (
    "**Reviewing:** merge to accept every paper listed in the diff. To reject one paper, "
    "delete its line from the list in this pull request (edit the file on the PR branch); "
    "to reject them all, close the pull request. The bot remembers rejected papers "
    "(by id and title) and never proposes them again."
)


def audit_body(findings: Sequence[Finding], list_name: str) -> str:
    """The clean-up PR's body: what the diff fixes, then what is left for the maintainer."""
    fixed = [f for f in findings if f.kind in FIXED_BY_CLEANUP]
    review = [f for f in findings if f.kind not in FIXED_BY_CLEANUP]
    parts = [
        f"arXiv bot audit of `{escape_for_github(list_name)}`: {len(findings)} finding(s); "
        f"this pull request fixes {len(fixed)}. Merge to accept, or close it.",
    ]
    for heading, group in (
        ("### Fixed in this diff", fixed),
        ("### For your review (not changed)", review),
    ):
        if group:
            parts += ["", heading]
            parts += [
                f"- line {f.line} `{f.kind}` {escape_for_github(f.title[:120])}: "
                f"{escape_for_github(f.detail)}"
                for f in group
            ]
    body = "\n".join(parts) + "\n"
    return (
        body
        if len(body) <= BODY_BUDGET
        else body[:BODY_BUDGET] + "\n\n*(truncated to stay under GitHub's size limit)*\n"
    )


def pull_request_body(report: RunReport, list_name: str) -> str:
    """The PR body: summary, papers with evidence, borderline, duplicates; under GitHub's limit."""
    for with_abstracts in (True, False):
        body = _body(report, list_name, with_abstracts, limit=None)
        if len(body) <= BODY_BUDGET:
            return body
    return _body(report, list_name, False, limit=BODY_BUDGET)


def _body(report: RunReport, list_name: str, with_abstracts: bool, limit: int | None) -> str:
    borderline = [d for d in report.rejected if d.borderline]
    total = len(report.added) + len(report.carried)
    summary = (
        f"arXiv bot proposes **{total}** paper(s) for `{escape_for_github(list_name)}`. "
        f"This run: fetched {report.fetched} · duplicates {len(report.duplicates)} · "
        f"rejected {len(report.rejected)} · added {len(report.added)}"
    )
    if report.window:
        summary += f" (submitted {report.window[0]} to {report.window[1]})"
    sections: list[tuple[str, list[str]]] = [
        (
            f"### New in this run ({len(report.added)})",
            [_added_item(d, with_abstracts) for d in report.added],
        ),
        (
            f"### Still proposed from earlier runs ({len(report.carried)})",
            [_carried_item(p) for p in report.carried],
        ),
        (
            f"### Title changes: arXiv retitled a listed paper ({len(report.title_changes)})",
            [_title_item(c) for c in report.title_changes],
        ),
        (
            f"### Borderline: not added, just below the threshold ({len(borderline)})",
            [_borderline_item(d) for d in borderline],
        ),
        (
            f"### Skipped as duplicates ({len(report.duplicates)})",
            [_duplicate_item(d) for d in report.duplicates],
        ),
    ]
    parts = [summary, "", HOW_TO_REJECT]
    used = sum(len(p) + 1 for p in parts)
    omitted = 0
    for heading, items in sections:
        if not items:
            continue
        block = ["", heading]
        for item in items:
            if limit is not None and used + len(item) + len(heading) + 2 > limit:
                omitted += 1
                continue
            block.append(item)
            used += len(item) + 1
        parts += block
    if omitted:
        parts += [
            "",
            f"*{omitted} more item(s) were left out to stay under GitHub's size limit; "
            "run `python -m bot run --dry-run --json` for the full report.*",
        ]
    return "\n".join(parts) + "\n"
