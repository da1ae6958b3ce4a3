"""The audit clean-up pull request's body: exactly what its diff fixes, then the rest."""

from __future__ import annotations

from collections.abc import Sequence

from bot.audit import Finding
from bot.cleanup import Cleanup
from bot.prbody import BODY_BUDGET, Sections, escape_for_github, fit_sections, join_sections


def audit_body(findings: Sequence[Finding], cleanup: Cleanup, list_name: str) -> str:
    """The clean-up PR's body: exactly what its diff fixes, then what is left for the maintainer.

    Fixes the maintainer declined before (closed unmerged) are counted, not listed again.
    """
    fixed = set(map(id, cleanup.fixed))
    declined = set(map(id, cleanup.declined))
    review = [f for f in findings if id(f) not in fixed and id(f) not in declined]
    head = [
        f"arXiv bot audit of `{escape_for_github(list_name)}`: {len(findings)} finding(s); "
        f"this pull request fixes {len(cleanup.fixed)}. Merge to accept, or close it: "
        "a fix in a closed pull request is not proposed again.",
    ]
    if cleanup.declined:
        head.append(
            f"{len(cleanup.declined)} fix(es) you declined in an earlier clean-up "
            "pull request are left alone."
        )
    sections: Sections = [
        ("### Fixed in this diff", [_finding_item(f) for f in cleanup.fixed]),
        ("### For your review (not changed)", [_finding_item(f) for f in review]),
    ]
    body = join_sections(head, sections)
    if len(body) <= BODY_BUDGET:
        return body
    kept, rest = fit_sections(head, sections, BODY_BUDGET)
    left = sum(len(items) for _, items in rest)
    return join_sections(head, kept) + (
        f"\n*{left} more finding(s) left out to stay under GitHub's size limit; "
        "run `python -m bot audit` for all of them.*\n"
    )


def _finding_item(finding: Finding) -> str:
    return (
        f"- line {finding.line} `{finding.kind}` {escape_for_github(finding.title, 120)}: "
        f"{escape_for_github(finding.detail)}"
    )
