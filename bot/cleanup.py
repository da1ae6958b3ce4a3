"""The audit's clean-up: the fixes it can make safely, each once, in the list's own style.

Fixes: exact-id duplicates removed, arXiv's current titles, links in the form the
entry template writes, headings' "(N)" counts. Fuzzy twins and off-topic papers stay
for the maintainer. Each fix has a key (its kind and the line change it makes); the
clean-up commit carries the keys as `Audit-Fix:` trailers, so a fix the maintainer
declined by closing the pull request unmerged is not proposed again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping, Sequence

from msgspec import Struct

from bot.audit import Finding, link_form
from bot.listdoc.document import ListDocument
from bot.listdoc.edit import past_notes, retitled
from bot.listdoc.entries import ListEntry
from bot.listdoc.lines import with_count
from bot.models import Paper

FIX_TRAILER = "Audit-Fix: "
REMOVED = ""  # the line a removal leaves


class Cleanup(Struct, frozen=True):
    """The cleaned text, the findings its diff fixes (with their keys, in order), and
    the findings left alone because the maintainer declined that very fix before."""

    text: str
    fixed: tuple[Finding, ...] = ()
    keys: tuple[str, ...] = ()
    declined: tuple[Finding, ...] = ()

    def commit_message(self, subject: str) -> str:
        """`subject`, then one `Audit-Fix:` trailer per fix in the diff."""
        return subject + "\n\n" + "".join(f"{FIX_TRAILER}{key}\n" for key in self.keys)


def fix_key(kind: str, before: str, after: str) -> str:
    """A fix's identity: its kind and the line change it makes (stable while the line is)."""
    change = before.rstrip("\r\n") + "\n" + after.rstrip("\r\n")
    return f"{kind} {hashlib.sha256(change.encode()).hexdigest()[:16]}"


def declined_keys(commit_messages: Sequence[str]) -> frozenset[str]:
    """The fix keys in the messages of clean-up commits whose pull request was closed unmerged."""
    return frozenset(
        line[len(FIX_TRAILER) :].strip()
        for message in commit_messages
        for line in message.splitlines()
        if line.startswith(FIX_TRAILER)
    )


def cleanup_list(
    document: ListDocument,
    findings: Sequence[Finding],
    current: Mapping[str, Paper],
    declined: Collection[str] = frozenset(),
) -> Cleanup:
    """The list with every safe fix that is not in `declined` (keys from `declined_keys`).

    A finding is in `fixed` only when the diff really makes its change.
    """
    lines = list(document.lines)
    by_line = {entry.line: entry for entry in document.entries}
    form = link_form(document.target.entry_template)
    drop: set[int] = set()
    fixed: list[Finding] = []
    keys: list[str] = []
    skipped: list[Finding] = []
    for finding in findings:
        index = finding.line - 1
        entry = by_line.get(index)
        if finding.kind == "wrong_count" or entry is None:
            continue  # counts are settled last, once removals are known
        after = _fixed_line(finding, entry, document.lines[index], current, form, document)
        if after is None:
            continue
        key = fix_key(finding.kind, document.lines[index], after)
        if key in declined:
            skipped.append(finding)
            continue
        fixed.append(finding)
        keys.append(key)
        if after == REMOVED:
            drop.add(index)
        else:
            fixed_now = _fixed_line(finding, entry, lines[index], current, form, document)
            lines[index] = fixed_now or lines[index]
    recounted: set[int] = set()
    for finding in findings:
        if finding.kind == "wrong_count":
            key = fix_key(finding.kind, *_recount(document, finding.line - 1))
            if key in declined:
                skipped.append(finding)
            else:
                fixed.append(finding)
                keys.append(key)
                recounted.add(finding.line - 1)
    for section in document.sections.values():
        if section.heading is None or section.count is None:
            continue
        dropped = sum(1 for index in drop if section.start <= index < section.end)
        if section.heading in recounted or dropped:
            was = len(section.entries) if section.heading in recounted else section.count
            lines[section.heading] = with_count(lines[section.heading], was - dropped)
    text = "".join(line for index, line in enumerate(lines) if index not in drop)
    return Cleanup(text, tuple(fixed), tuple(keys), tuple(skipped))


def _fixed_line(
    finding: Finding,
    entry: ListEntry,
    line: str,
    current: Mapping[str, Paper],
    form: str | None,
    document: ListDocument,
) -> str | None:
    """`line` with this one finding fixed, REMOVED for a removal, None when it cannot be."""
    if finding.kind == "duplicate_id":
        # Its sub-bullets or notes would fall under the entry above, another paper's:
        # such a duplicate is left for the reviewer (the PR body lists it).
        notes = past_notes(document.lines, entry.line, len(document.lines)) > entry.line + 1
        return None if notes else REMOVED
    if finding.kind in ("title_changed", "broken_title") and entry.id and entry.id in current:
        fixed = retitled(line, document.reader, entry, current[entry.id].title)
        return fixed if fixed != line else None
    if finding.kind == "non_canonical_link" and entry.id and form:
        link = re.escape(entry.url) + r"(?=[\s)|<>]|$)"  # the whole link, not a prefix of one
        canonical = form.replace("{id}", entry.id)
        fixed = re.sub(link, lambda _: canonical, line, count=1)
        return fixed if fixed != line else None
    return None


def _recount(document: ListDocument, heading: int) -> tuple[str, str]:
    """The heading line at `heading` before and after recounting its section's entries."""
    line = document.lines[heading]
    section = next(s for s in document.sections.values() if s.heading == heading)
    return line, with_count(line, len(section.entries))
