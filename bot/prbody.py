"""Render the pull request body a maintainer reviews (pure; everything from arXiv escaped).

Text from arXiv goes through `escape_for_github`: no Markdown it contains renders
(inline or block), and nothing in it notifies anyone or links to an issue. Each
field is capped so one item cannot crowd out the others; what the body has no
room for goes into comments (`PullRequestText.comments`), so every paper is named
where the reviewer looks.
"""

from __future__ import annotations

import re

from bot.listdoc.markdown import escape_markdown, short_authors
from bot.models import (
    JUDGE_ADVICE,
    OVERFLOW_MARKER,
    Decision,
    Duplicate,
    PossibleDuplicate,
    Proposal,
    PullRequestText,
    RunReport,
    TitleChange,
)
from bot.normalize import collapse_whitespace

# GitHub rejects an issue or pull request body (and a comment) over 65,536 characters.
GITHUB_BODY_LIMIT = 65536
BODY_BUDGET = GITHUB_BODY_LIMIT - 1536  # room for the truncation note and footer
ZERO_WIDTH_SPACE = "\u200b"
# Caps per field, in characters before escaping: arXiv's own limits are about 1,920
# for an abstract and a few hundred for a title, so only pathological text is cut.
TEXT_CAP = 400
ABSTRACT_CAP = 2400

# Block markers a line may open with (CommonMark 4-5) that escape_markdown leaves:
# ATX heading, bullet list item, setext underline or thematic break; an ordered list
# item is defused by escaping its delimiter. (> * _ ~ ` | are escaped anywhere.)
# A bare URL or www. address: GitHub links it, escapes or not ("https:" ZWSP "//").
_AUTOLINK = re.compile(r"(?<=\w)://|\bwww\.", re.IGNORECASE)
# GitHub links GH-123 to an issue of the repository the text is shown in.
_GH_REFERENCE = re.compile(r"\b(GH)-(?=\d)", re.IGNORECASE)
# A github.com URL in a body (with or without scheme) creates a cross-reference event
# on the issue it names; a zero-width space in the host stops the autolink.
_GITHUB_HOST = re.compile(r"\b(github)(\.com\b)", re.IGNORECASE)


def clip(text: str, cap: int) -> str:
    """`text` cut to at most `cap` characters, with an ellipsis when cut."""
    return text if len(text) <= cap else text[: cap - 1].rstrip() + "…"


def escape_for_github(text: str, cap: int = TEXT_CAP) -> str:
    """One line of `text`, at most `cap` characters before escaping, that GitHub shows verbatim.

    Whitespace (line breaks included) collapses to single spaces; inline Markdown is
    backslash-escaped, and so is a block marker at the start (the text may begin a line);
    @mentions, #123, GH-123 and github.com URLs get a zero-width space, because GitHub
    finds references in the rendered text, after backslash escapes are gone.
    """
    text = escape_markdown(clip(collapse_whitespace(text), cap))
    text = _AUTOLINK.sub(lambda m: m.group()[:-1] + ZERO_WIDTH_SPACE + m.group()[-1], text)
    text = re.sub(r"@(?=\w)", "@" + ZERO_WIDTH_SPACE, text)
    text = re.sub(r"#(?=\d)", "#" + ZERO_WIDTH_SPACE, text)
    text = _GH_REFERENCE.sub(r"\1-" + ZERO_WIDTH_SPACE, text)
    return _GITHUB_HOST.sub(r"\1" + ZERO_WIDTH_SPACE + r"\2", text)


def _category(category: str) -> str:
    """A category for a code span, where escapes do not work: its letters, dots and
    hyphens only (a backtick from arXiv would end the span)."""
    return _NOT_CATEGORY.sub("", category) or "-"


_NOT_CATEGORY = re.compile(r"[^\w.-]")


def _link(title: str, url: str) -> str:
    return f"[{escape_for_github(title) or '(untitled)'}]({url})"


def _added_item(decision: Decision, with_abstract: bool) -> str:
    p = decision.paper
    lines = [
        f"- **{_link(p.title, p.url)}**",
        f"  {escape_for_github(short_authors(p.authors))} · {p.published} · "
        f"`{_category(p.primary_category)}`",
        f"  relevance {escape_for_github(decision.reason)}",
    ]
    if decision.possible_duplicate:
        lines.append(_possible_line(decision.possible_duplicate))
    if decision.section:
        lines.append(
            f"  goes under **{escape_for_github(decision.section)}** "
            f"({escape_for_github(decision.placed_by)})"
        )
    if decision.verdict is not None:
        lines.append(f"  {_judge_says(decision)}")
    if with_abstract and p.abstract:
        lines += [
            "  <details><summary>Abstract</summary>",
            "",
            f"  {escape_for_github(p.abstract, ABSTRACT_CAP)}",
            "",
            "  </details>",
        ]
    return "\n".join(lines)


def _possible_line(possible: PossibleDuplicate) -> str:
    matched = possible.matched
    title = escape_for_github(matched.title or matched.id or "?")
    shown = f"[{title}](https://arxiv.org/abs/{matched.id})" if matched.id else f"“{title}”"
    where = f" (line {possible.line})" if possible.line else f" ({matched.source})"
    return (
        f"  ⚠️ **possible duplicate of {shown}{where}**: {escape_for_github(possible.why)}; "
        "if it is, delete this paper's line"
    )


def _carried_item(proposal: Proposal) -> str:
    p = proposal.paper
    score = f"score {proposal.score:g}" if proposal.score is not None else "earlier run"
    if JUDGE_ADVICE in proposal.reason:
        score += f" · {JUDGE_ADVICE}"
    item = (
        f"- {_link(p.title, p.url)} · {escape_for_github(short_authors(p.authors))} · "
        f"{p.published} · {score}"
    )
    return item + (f"\n  ⚠️ **{escape_for_github(proposal.doubt)}**" if proposal.doubt else "")


def _title_item(change: TitleChange) -> str:
    return (
        f"- [{change.id}]({change.url}): “{escape_for_github(change.old)}” → "
        f"“{escape_for_github(change.new)}”"
    )


def _judge_says(decision: Decision) -> str:
    """The model judge's verdict on a paper, its reason escaped (model output is untrusted)."""
    assert decision.verdict is not None
    reason = escape_for_github(decision.verdict.reason)
    if decision.by_judge:
        return f"**{JUDGE_ADVICE}** (its score is below the threshold): {reason}"
    if decision.doubted:
        return f"⚠️ **flagged for review: the judge thinks it off-topic**: {reason}"
    return f"judge: {'relevant' if decision.verdict.relevant else 'not relevant'}: {reason}"


def _borderline_item(decision: Decision) -> str:
    judged = f"; {_judge_says(decision)}" if decision.verdict is not None else ""
    return (
        f"- {_link(decision.paper.title, decision.paper.url)}: "
        f"{escape_for_github(decision.reason)}{judged}"
    )


def _duplicate_item(duplicate: Duplicate) -> str:
    matched = duplicate.matched.title or duplicate.matched.id or "?"
    how = (
        "same arXiv id"
        if duplicate.how == "id"
        else f"title {duplicate.similarity:g}% alike, {escape_for_github(duplicate.why)}"
    )
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


Sections = list[tuple[str, list[str]]]  # (heading, items) in the order shown


def pull_request_text(report: RunReport, list_name: str) -> PullRequestText:
    """The PR body (summary, papers with evidence, borderline, duplicates) and its overflow.

    Abstracts are dropped first; if the body is still too long, it keeps the items that
    fit, in order, and the comments name the rest.
    """
    head = _head(report, list_name)
    for with_abstracts in (True, False):
        sections = _sections(report, with_abstracts)
        body = join_sections(head, sections)
        if len(body) <= BODY_BUDGET:
            return PullRequestText(body)
    kept, rest = fit_sections(head, sections, BODY_BUDGET)
    comments = _overflow_comments(rest)
    left = sum(len(items) for _, items in rest)
    note = (
        f"\n*{left} more item(s) are named in the {len(comments)} comment(s) below: "
        f"GitHub limits a description to {GITHUB_BODY_LIMIT:,} characters.*\n"
        f"{OVERFLOW_MARKER}\n"
    )
    return PullRequestText(join_sections(head, kept) + note, comments)


def _head(report: RunReport, list_name: str) -> list[str]:
    total = len(report.added) + len(report.carried)
    summary = (
        f"arXiv bot proposes **{total}** paper(s) for `{escape_for_github(list_name)}`. "
        f"This run: fetched {report.fetched} · duplicates {len(report.duplicates)} · "
        f"rejected {len(report.rejected)} · added {len(report.added)}"
    )
    if report.window:
        summary += f" (submitted {report.window[0]} to {report.window[1]})"
    if report.sweep:
        summary += f"; late-paper sweep of {report.sweep[0]} to {report.sweep[1]}"
    flagged = sum(1 for d in report.added if d.possible_duplicate)
    flagged += sum(1 for p in report.carried if p.doubt)
    if flagged:
        summary += f". **{flagged}** marked ⚠️ may duplicate a known paper: please check them"
    if report.judge is not None:
        note = escape_for_github(report.judge.describe())
        summary += f"\n\n{note[:1].upper()}{note[1:]}."
    notes = [f"> **Note:** {escape_for_github(note)}" for note in report.notes]
    return [summary, *(["", *notes] if notes else []), "", HOW_TO_REJECT]


def _sections(report: RunReport, with_abstracts: bool) -> Sections:
    borderline = [d for d in report.rejected if d.borderline]
    suggested = report.judge_suggested
    return [
        (
            f"### New in this run ({len(report.added)})",
            [_added_item(d, with_abstracts) for d in report.added],
        ),
        (
            f"### arXiv sent records that cannot be read: look them up by hand "
            f"({len(report.unreadable)})",
            [f"- {escape_for_github(u.describe())}" for u in report.unreadable],
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
            f"### The judge calls these relevant; their score is too low, not added "
            f"({len(suggested)})",
            [_borderline_item(d) for d in suggested],
        ),
        (
            f"### Skipped as duplicates ({len(report.duplicates)})",
            [_duplicate_item(d) for d in report.duplicates],
        ),
    ]


def join_sections(head: list[str], sections: Sections) -> str:
    parts = list(head)
    for heading, items in sections:
        if items:
            parts += ["", heading, *items]
    return "\n".join(parts) + "\n"


def fit_sections(head: list[str], sections: Sections, limit: int) -> tuple[Sections, Sections]:
    """Split into what fits in `limit` characters (items in order) and the rest."""
    used = len(join_sections(head, []))
    kept: Sections = []
    rest: Sections = []
    for heading, items in sections:
        if not items:
            continue
        cost = [len(item) + 1 for item in items]
        fits = 0
        if not rest:
            used += len(heading) + 2
            while fits < len(items) and used + cost[fits] <= limit:
                used += cost[fits]
                fits += 1
        if fits:
            kept.append((heading, items[:fits]))
        if fits < len(items):
            rest.append((heading, items[fits:]))
    return kept, rest


def _overflow_comments(rest: Sections) -> tuple[str, ...]:
    """Comments, each within the budget, listing `rest` under its headings."""
    chunks: list[list[str]] = []
    size = 0
    for heading, items in rest:
        for index, item in enumerate(items):
            if not chunks or size + len(item) + len(heading) + 16 > BODY_BUDGET:
                chunks.append([f"{heading}, continued"])
                size = len(heading) + 12
            elif index == 0:
                chunks[-1] += ["", f"{heading}, continued"]
                size += len(heading) + 13
            chunks[-1].append(item)
            size += len(item) + 1
    return tuple(
        f"{OVERFLOW_MARKER}\narXiv bot: the rest of this pull request's description "
        f"(part {number} of {len(chunks)}).\n\n" + "\n".join(lines) + "\n"
        for number, lines in enumerate(chunks, start=1)
    )
