"""Audit stage: what is wrong with the list as it stands (pure; nothing is changed).

Findings: the same paper twice (one arXiv id in any link form, or titles the
dedupe verdict finds the same paper; `possible_duplicate` where it is unsure),
titles that differ from arXiv's current title, papers the relevance filter scores
as off-topic (listed for the maintainer, never removed), broken titles, and links
not in the form the list's entry template writes (`{url}` writes
https://arxiv.org/abs/ID, `{pdf_url}` https://arxiv.org/pdf/ID); ids arXiv's scheme
does not allow (never sent), ids arXiv does not know, and withdrawn papers.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

from msgspec import Struct

from bot.arxivid import id_scheme_problem
from bot.dedupe import TitleIndex, split_duplicates
from bot.listdoc.document import ListDocument
from bot.listdoc.entries import ListEntry
from bot.models import Paper
from bot.normalize import normalize_title, withdrawal_note
from bot.relevance import RelevanceRules, score_paper

KINDS = (
    "wrong_count",
    "bad_arxiv_id",
    "not_on_arxiv",
    "withdrawn",
    "duplicate_id",
    "duplicate_title",
    "possible_duplicate",
    "title_changed",
    "off_topic",
    "broken_title",
    "non_canonical_link",
)


# Punctuation a real title may start with: quotes, brackets, math ("(Un)Reliability", "$k$-SAE").
_MAY_START_A_TITLE = "\"'\u201c\u2018([$\\"


class Finding(Struct, frozen=True):
    kind: str  # one of KINDS
    line: int  # 1-based line in the list file
    id: str | None
    title: str
    detail: str


def audit_entries(
    document: ListDocument,
    current: Mapping[str, Paper],
    rules: RelevanceRules,
    title_threshold: float,
    missing: Collection[str] = (),
) -> list[Finding]:
    """Findings for the list's entries; `current` is arXiv's metadata by id (may be partial).

    `missing` are the ids an arXiv lookup did not return (dead or mistyped links).
    """
    entries = document.entries
    form = link_form(document.target.entry_template)
    findings: list[Finding] = []
    findings += _wrong_counts(document)
    findings += _duplicates(entries, title_threshold)
    gone = set(missing)
    for entry in entries:
        findings += _id_findings(entry, gone)
        paper = current.get(entry.id) if entry.id else None
        findings += _entry_findings(entry, paper, rules, form)
    return sorted(findings, key=lambda f: (KINDS.index(f.kind), f.line))


def lookup_ids(document: ListDocument) -> list[str]:
    """The list's ids worth looking up: arXiv's scheme allows them (others are findings)."""
    return sorted({e.id for e in document.entries if e.id and not id_scheme_problem(e.id)})


def _id_findings(entry: ListEntry, missing: set[str]) -> list[Finding]:
    if not entry.id:
        return []
    problem = id_scheme_problem(entry.id)
    if problem:
        return [_finding("bad_arxiv_id", entry, f"{entry.id}: {problem}; never looked up")]
    if entry.id in missing:
        detail = f"arXiv has no paper {entry.id}: a dead or mistyped link"
        return [_finding("not_on_arxiv", entry, detail)]
    return []


_SAMPLE_ID = "2401.00001"


def link_form(template: str) -> str | None:
    """The arXiv link the entry template writes, with "{id}" for the id, or None.

    The canonical link of a list is the one the bot itself writes: the template's
    first link that carries the paper's id ("https://arxiv.org/abs/{id}" for
    `{url}`, "https://arxiv.org/pdf/{id}" for `{pdf_url}`). None when the template
    links no arXiv page (an id shown as text): then no link is "non-canonical".
    """
    from datetime import date

    from bot.listdoc.template import format_entry

    sample = Paper(_SAMPLE_ID, None, "T", "", (), date(2024, 1, 1), "", ())
    line = format_entry(template, sample)
    link = re.search(r"https?://[^\s)|<>]*" + re.escape(_SAMPLE_ID) + r"[^\s)|<>]*", line)
    return link.group(0).replace(_SAMPLE_ID, "{id}") if link else None


def in_link_form(url: str, form: str, paper_id: str) -> bool:
    """Whether `url` is `form` for `paper_id`; a pinned version ("v2") is the list's choice."""
    before, _, after = form.partition("{id}")
    pattern = re.escape(before) + re.escape(paper_id) + r"(?:v\d+)?" + re.escape(after)
    return re.fullmatch(pattern, url) is not None


def _finding(kind: str, entry: ListEntry, detail: str) -> Finding:
    return Finding(kind, entry.line + 1, entry.id, entry.title, detail)


def _wrong_counts(document: ListDocument) -> list[Finding]:
    """Headings whose "(N)" is not the number of entries below them."""
    findings = []
    for section in document.sections.values():
        if section.heading is None or section.count is None:
            continue
        if section.count != len(section.entries):
            heading = document.lines[section.heading].strip()
            findings.append(
                Finding(
                    "wrong_count",
                    section.heading + 1,
                    None,
                    heading,
                    f"the heading says ({section.count}), the section has "
                    f"{len(section.entries)} entries",
                )
            )
    return findings


def _duplicates(entries: Sequence[ListEntry], threshold: float) -> list[Finding]:
    findings = []
    first_by_id: dict[str, ListEntry] = {}
    for entry in entries:
        if entry.id and entry.id in first_by_id:
            first = first_by_id[entry.id]
            findings.append(
                _finding("duplicate_id", entry, f"same arXiv id as line {first.line + 1}")
            )
        elif entry.id:
            first_by_id[entry.id] = entry
    # Fuzzy twins: the dedupe stage's verdict on the entries in order (each against earlier ones).
    from datetime import date

    as_papers = [Paper(f"line:{e.line}", None, e.title, "", (), date.min, "", ()) for e in entries]
    by_key = {f"line:{e.line}": e for e in entries}
    split = split_duplicates(as_papers, TitleIndex([], threshold))
    pairs = [("duplicate_title", d.paper.id, d.matched, d.why) for d in split.duplicates]
    pairs += [("possible_duplicate", key, p.matched, p.why) for key, p in split.possible.items()]
    for kind, key, matched, why in pairs:
        entry, first = by_key[key], by_key[str(matched.id)]
        if entry.id and entry.id == first.id:
            continue  # already reported as the same id
        findings.append(
            _finding(kind, entry, f"line {first.line + 1} ({first.id or 'no id'}): {why}")
        )
    return findings


def _entry_findings(
    entry: ListEntry, paper: Paper | None, rules: RelevanceRules, form: str | None
) -> list[Finding]:
    findings = []
    title = entry.title.strip()
    if not title or (not title[0].isalnum() and title[0] not in _MAY_START_A_TITLE):
        findings.append(
            _finding(
                "broken_title", entry, "empty, or starts with punctuation (a lost LaTeX head?)"
            )
        )
    if entry.id and form and not in_link_form(entry.url, form, entry.id):
        findings.append(
            _finding(
                "non_canonical_link",
                entry,
                f"use {form.replace('{id}', entry.id)} (the form the entry template writes)",
            )
        )
    if paper is not None:
        if normalize_title(paper.title) != normalize_title(entry.title):
            findings.append(_finding("title_changed", entry, f"arXiv now says: {paper.title}"))
        decision = score_paper(paper, rules)
        if decision.excluded == "withdrawn":
            note = withdrawal_note(paper.comment, paper.abstract)
            findings.append(_finding("withdrawn", entry, f"arXiv says: {note}"))
        elif not decision.accepted:
            findings.append(_finding("off_topic", entry, decision.reason))
    return findings
