"""Show a run's outcome: one JSON object, or text for a person."""

from __future__ import annotations

import textwrap
from typing import Any

import msgspec

from bot.models import JUDGE_ADVICE, Decision, Duplicate, JudgeNote, PossibleDuplicate, RunReport


def decision_json(decision: Decision) -> dict[str, Any]:
    paper = decision.paper
    return {
        "id": paper.id,
        "title": paper.title,
        "url": paper.url,
        "authors": list(paper.authors),
        "published": paper.published.isoformat(),
        "primary_category": paper.primary_category,
        "score": decision.score,
        "reason": decision.reason,
        "borderline": decision.borderline,
        **(
            {"section": decision.section, "placed_by": decision.placed_by}
            if decision.section
            else {}
        ),
        **(verdict_json(decision) if decision.verdict else {}),
        **(
            {"possible_duplicate": possible_json(decision.possible_duplicate)}
            if decision.possible_duplicate
            else {}
        ),
    }


def possible_json(possible: PossibleDuplicate) -> dict[str, Any]:
    """{id, title, line}: `line` is the listed entry's line in the list as read (null if the
    paper is known from the state or this run), plus why the verdict was unsure."""
    return {
        "id": possible.matched.id,
        "title": possible.matched.title,
        "line": possible.line,
        "source": possible.matched.source,
        "why": possible.why,
        "similarity": possible.similarity,
    }


def verdict_json(decision: Decision) -> dict[str, Any]:
    """The model judge's verdict, and whether it moved the paper into the list."""
    assert decision.verdict is not None
    return {
        "judge": {"relevant": decision.verdict.relevant, "reason": decision.verdict.reason},
        "added_by_judge": decision.by_judge,
    }


def judge_json(note: JudgeNote | None) -> dict[str, Any] | None:
    if note is None:
        return None
    return {
        "model": note.model,
        "asked": note.asked,
        "answered": note.answered,
        "unavailable": note.problem or None,
    }


def duplicate_json(duplicate: Duplicate) -> dict[str, Any]:
    return {
        "id": duplicate.paper.id,
        "title": duplicate.paper.title,
        "url": duplicate.paper.url,
        "matched": duplicate.matched.title or duplicate.matched.id,
        "matched_id": duplicate.matched.id,
        "matched_source": duplicate.matched.source,
        "how": duplicate.how,
        "similarity": duplicate.similarity,
        "why": duplicate.why,
    }


def report_json(report: RunReport) -> dict[str, Any]:
    return {
        "fetched": report.fetched,
        "window": [d.isoformat() for d in report.window] if report.window else None,
        "added": [decision_json(d) for d in report.added],
        "duplicates": [duplicate_json(d) for d in report.duplicates],
        "rejected": [decision_json(d) for d in report.rejected],
        "title_changes": [
            {"id": c.id, "old": c.old, "new": c.new, "url": c.url} for c in report.title_changes
        ],
        "pull_request": (
            {"number": report.pull_request.number, "url": report.pull_request.url}
            if report.pull_request
            else None
        ),
        "judge": judge_json(report.judge),
        "notes": list(report.notes),
        "unreadable": [{"id": u.id, "page": u.page, "reason": u.reason} for u in report.unreadable],
        "sweep": [d.isoformat() for d in report.sweep] if report.sweep else None,
    }


def dump_json(report: RunReport) -> str:
    # msgspec writes what json.dumps(indent=2, ensure_ascii=False) does, many times faster
    # (a backfill's report lists thousands of papers with their evidence).
    return msgspec.json.format(msgspec.json.encode(report_json(report)), indent=2).decode()


def summary_line(report: RunReport) -> str:
    return (
        f"fetched {report.fetched}, duplicates {len(report.duplicates)}, "
        f"rejected {len(report.rejected)}, added {len(report.added)}"
    )


def step_summary(report: RunReport, dry_run: bool) -> str:
    """Markdown for $GITHUB_STEP_SUMMARY (written by Python: nothing reaches a shell line)."""
    from bot.prbody import escape_for_github

    lines = [f"### arXiv bot{' (dry run)' if dry_run else ''}", "", summary_line(report)]
    if report.pull_request:
        lines.append(f"Pull request: [#{report.pull_request.number}]({report.pull_request.url})")
    lines += [
        f"- [{escape_for_github(d.paper.title)}]({d.paper.url})"
        + (
            f" ⚠️ {escape_for_github(d.possible_duplicate.describe())}"
            if d.possible_duplicate
            else ""
        )
        for d in report.added
    ]
    return "\n".join(lines) + "\n\n"


def judge_line(decision: Decision) -> str:
    """The judge's verdict as a line under a paper ("" when it was not asked)."""
    verdict = decision.verdict
    if verdict is None:
        return ""
    if decision.by_judge:
        return f"\n      {JUDGE_ADVICE}: {verdict.reason}"
    if decision.doubted:
        return f"\n      flagged: the judge thinks it off-topic: {verdict.reason}"
    return f"\n      judge: {'relevant' if verdict.relevant else 'not relevant'}: {verdict.reason}"


def judge_suggested(report: RunReport) -> list[Decision]:
    """Rejected papers below the borderline band that the judge called relevant (scope "all")."""
    return [d for d in report.rejected if not d.borderline and d.verdict and d.verdict.relevant]


SHOWN_PER_GROUP = 5  # the human output's duplicates and rejections; --json has them all
SHOWN_BORDERLINE = 10  # papers a maintainer may want to pick: a few more of them


def duplicates_text(report: RunReport) -> list[str]:
    """Skipped as already known, briefly: the first few with what they matched and how."""
    if not report.duplicates:
        return []
    lines = [f"\nduplicates (already listed or known, skipped): {len(report.duplicates)}"]
    for d in report.duplicates[:SHOWN_PER_GROUP]:
        how = "same id" if d.how == "id" else f"title {d.similarity:.0f}%"
        source = "the list" if d.matched.source == "list" else d.matched.source
        lines.append(f"  = {d.paper.id}  {_brief(d.paper.title, 70)}\n      {how} as in {source}")
    return lines + _more(len(report.duplicates))


def rejected_text(report: RunReport) -> list[str]:
    """Rejected by the relevance filter (below the borderline band), best scores first."""
    rejected = [d for d in report.rejected if not d.borderline]
    if not rejected:
        return []
    lines = [f"\nrejected (off-topic): {len(rejected)}"]
    lines += [
        f"  - {d.paper.id}  {_brief(d.paper.title, 70)}\n      {_brief(d.reason, 120)}"
        for d in rejected[:SHOWN_PER_GROUP]
    ]
    return lines + _more(len(rejected))


def _more(count: int, shown: int = SHOWN_PER_GROUP) -> list[str]:
    return [f"  ... and {count - shown} more (--json lists all)"] if count > shown else []


def _brief(text: str, width: int) -> str:
    """At most `width` characters, cut between words with a visible "…"."""
    return textwrap.shorten(text, width, placeholder=" …")


def report_text(report: RunReport, dry_run: bool) -> str:
    verb = "would add" if dry_run else "added"
    lines = [summary_line(report)]
    if report.window:
        lines[0] += f" (submitted {report.window[0]} to {report.window[1]})"
    if report.sweep:
        lines.append(f"late-paper sweep: submitted {report.sweep[0]} to {report.sweep[1]}")
    if report.unreadable:
        lines.append("\narXiv sent records that cannot be read (look them up by hand):")
        lines += [f"  ! {u.describe()}" for u in report.unreadable]
    if report.added:
        lines.append(f"\n{verb}:")
        for d in report.added:
            lines.append(f"  + {d.paper.id}  {d.paper.title}\n      {d.reason}{judge_line(d)}")
            if d.possible_duplicate:
                lines.append(f"      ! {d.possible_duplicate.describe()}")
    lines += duplicates_text(report)
    lines += rejected_text(report)
    borderline = [d for d in report.rejected if d.borderline]
    if borderline:
        lines.append("\nborderline (not added):")
        lines += [
            f"  ? {d.paper.id}  {d.paper.title}\n      {d.reason}{judge_line(d)}"
            for d in borderline[:SHOWN_BORDERLINE]
        ]
        lines += _more(len(borderline), SHOWN_BORDERLINE)
    suggested = report.judge_suggested
    if suggested:
        lines.append("\nthe judge calls these relevant; their score is too low (not added):")
        lines += [f"  ! {d.paper.id}  {d.paper.title}{judge_line(d)}" for d in suggested]
    if report.judge is not None:
        lines.append("\n" + report.judge.describe())
    if report.title_changes:
        lines.append("\ntitle changes (arXiv retitled a listed paper):")
        lines += [f"  ~ {c.id}  {c.old}\n      -> {c.new}" for c in report.title_changes]
    lines += [f"note: {note}" for note in report.notes]
    if report.pull_request:
        lines.append(f"\npull request: #{report.pull_request.number} {report.pull_request.url}")
    if dry_run and report.diff:
        lines.append("\n" + report.diff.rstrip("\n"))
    if not report.added:
        lines.append("nothing new to add")
    return "\n".join(lines)
