"""The human output of a run: every group, briefly, cut between words."""

from __future__ import annotations

from datetime import date

from bot.models import Decision, Evidence, Paper, RunReport
from bot.report import report_text


def decision(number: int, borderline: bool, title: str = "") -> Decision:
    paper = Paper(
        f"2611.{number:05d}", 1, title or f"Paper {number}", "", (), date(2026, 11, 1), "cs.LG", ()
    )
    evidence = tuple(
        Evidence(f"a rather long signal name number {i}", "abstract", 0.5) for i in range(8)
    )
    return Decision(paper, 2.5, False, borderline, evidence)


def test_the_human_output_is_brief_and_cuts_between_words() -> None:
    long_title = "A Very Long Title " * 10
    rejected = [decision(n, borderline=False, title=long_title) for n in range(7)]
    borderline = [decision(100 + n, borderline=True) for n in range(13)]
    text = report_text(RunReport(fetched=20, rejected=rejected + borderline), dry_run=True)

    assert "rejected (off-topic): 7" in text and "... and 2 more (--json lists all)" in text
    assert text.count("  ? 2611.") == 10 and "... and 3 more (--json lists all)" in text
    shown_reason = next(line for line in text.splitlines() if line.startswith("      score"))
    assert shown_reason.endswith(" …") and len(shown_reason.strip()) <= 120
    # Cut between words: what is shown is a prefix of the whole reason, word for word.
    assert rejected[0].reason.startswith(shown_reason.strip().removesuffix(" …"))
    title_line = next(line for line in text.splitlines() if line.startswith("  - 2611.00000"))
    shown_title = title_line.removeprefix("  - 2611.00000  ")
    assert shown_title.endswith(" …") and len(shown_title) <= 70
    assert long_title.startswith(shown_title.removesuffix(" …"))
