"""Render stage: Markdown entries and the README edit (a pure, idempotent function)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from bot.config import TargetConfig
from bot.errors import ListFormatError
from bot.listfile import (
    Section,
    find_section,
    heading_name_and_count,
    heading_of,
    newline_of,
    split_lines,
)
from bot.models import Paper, TitleChange
from bot.normalize import collapse_whitespace

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones
# that can open a link, image, emphasis, code span, HTML tag, entity, table cell,
# strikethrough or (on GitHub) math inside a list entry.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|!~&$])")
STAMP_FORMATS = (
    "%B %d, %Y at %I:%M:%S %p UTC",
    "%B %d, %Y at %I:%M %p UTC",
    "%Y-%m-%d %H:%M:%S UTC",
    "%Y-%m-%d %H:%M UTC",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%d",
    "%B %d, %Y",
    "%d %B %Y",
)
DEFAULT_STAMP_FORMAT = STAMP_FORMATS[0]


def escape_markdown(text: str) -> str:
    """Escape text so Markdown renders it literally (no links, images, HTML, emphasis)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def short_authors(authors: Sequence[str], limit: int = 3) -> str:
    if not authors:
        return "-"
    if len(authors) <= limit:
        return ", ".join(authors)
    return f"{', '.join(authors[:limit])} et al."


def entry_fields(paper: Paper, target: TargetConfig) -> dict[str, str]:
    """Template fields: text from arXiv Markdown-escaped, missing fields the placeholder."""
    blank = target.placeholder
    title = collapse_whitespace(paper.title)  # a line break would end the entry early
    first = (
        paper.authors[0] + (" et al." if len(paper.authors) > 1 else "") if paper.authors else ""
    )
    host = "GitLab" if "gitlab" in paper.code_url.lower() else "Github"
    return {
        "id": paper.id,
        "title": escape_markdown(title) if title else "(untitled)",
        "url": paper.url,
        "pdf_url": paper.pdf_url,
        "authors": escape_markdown(short_authors(paper.authors)) if paper.authors else blank,
        "first_author": escape_markdown(first) if first else blank,
        "date": paper.published.isoformat(),
        "year": str(paper.published.year),
        "primary_category": escape_markdown(paper.primary_category) or blank,
        "venue": escape_markdown(paper.venue or target.default_venue) or blank,
        "code_url": paper.code_url or blank,
        "code": f"[{host}]({paper.code_url})" if paper.code_url else blank,
    }


def format_entry(paper: Paper, target: TargetConfig) -> str:
    return target.entry_template.format_map(entry_fields(paper, target))


def detect_stamp_format(line: str) -> str | None:
    text = line.strip()
    for fmt in STAMP_FORMATS:
        try:
            datetime.strptime(text, fmt)
        except ValueError:
            continue
        return fmt
    return None


def refresh_stamp(lines: list[str], target: TargetConfig, now: datetime) -> None:
    """Rewrite the line after the "Last Updated" heading in its own format (in place)."""
    if not target.last_updated_heading:
        return
    wanted = target.last_updated_heading.strip().casefold()
    for index, line in enumerate(lines):
        heading = heading_of(line)
        if not heading or heading_name_and_count(heading[1])[0].strip().casefold() != wanted:
            continue
        stamp = next((i for i in range(index + 1, len(lines)) if lines[i].strip()), None)
        if stamp is None or heading_of(lines[stamp]):
            raise ListFormatError(
                f"heading '## {target.last_updated_heading}' has no timestamp line below it"
            )
        fmt = target.stamp_format or detect_stamp_format(lines[stamp])
        if fmt is None:
            raise ListFormatError(
                f"cannot tell the format of the stamp on line {stamp + 1} "
                f"({lines[stamp].strip()[:40]!r}); set target.stamp_format"
            )
        body = lines[stamp].rstrip("\r\n")
        ending = lines[stamp][len(body) :]
        indent = body[: len(body) - len(body.lstrip())]
        lines[stamp] = indent + now.strftime(fmt) + ending
        return
    raise ListFormatError(
        f"list has no '## {target.last_updated_heading}' heading "
        '(target.last_updated_heading; set it to "" to keep no stamp)'
    )


def update_list(
    text: str,
    papers: Sequence[Paper],
    target: TargetConfig,
    now: datetime,
    placement: Mapping[str, str] | None = None,
    parsed: ParsedList | None = None,
) -> str:
    """Return the README with `papers` added to their sections and the stamp refreshed.

    `placement` maps a paper id to the heading it goes under (default
    `target.section`). Only the sections' entry blocks, their "(N)" counts and
    the stamp line change; every other byte is kept. Papers already in their
    section are skipped, so applying the same papers twice equals applying them
    once. With nothing to add the text is returned unchanged (the stamp stays).
    """
    newline = newline_of(text)
    # Every section is checked first: a list that changed shape fails loudly, even with
    # nothing new. The scans (the caller's `parsed`, if it has them for this very text)
    # are reused until an insertion moves the lines below it.
    parsed = parsed if parsed is not None else parse_list(text, target)
    lines = list(parsed.lines)  # a copy to edit: the caller's parse stays as it was
    found = dict(parsed.sections)
    moved = False
    groups: dict[str, list[Paper]] = {}
    for paper in _dedupe_by_id(papers):
        groups.setdefault((placement or {}).get(paper.id, target.section), []).append(paper)
    added = 0
    for name, group in groups.items():
        section = find_section(lines, name) if moved or name not in found else found[name]
        listed = {entry.id for entry in section.entries if entry.id}
        fresh = [p for p in group if p.id not in listed]
        if not fresh:
            continue
        newest_first = sorted(fresh, key=lambda p: (p.published, p.id), reverse=True)
        ordered = newest_first if target.position == "top" else newest_first[::-1]
        block = [format_entry(p, target) + newline for p in ordered]
        at = _insert_at(section, target.position)
        if at == len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += newline
        lines[at:at] = block
        if section.heading is not None and section.count is not None:
            lines[section.heading] = with_count(lines[section.heading], section.count + len(fresh))
        added += len(fresh)
        moved = True
    if not added:
        return text
    refresh_stamp(lines, target, now)
    return "".join(lines)


def retitle_entries(text: str, changes: Sequence[TitleChange], target: TargetConfig) -> str:
    """Replace the link text of listed papers whose arXiv title changed; nothing else moves."""
    if not changes:
        return text
    lines = split_lines(text)
    wanted = {change.id: change for change in changes}
    for name in dict.fromkeys((target.section, *target.sections)):
        for entry in find_section(lines, name).entries:
            change = wanted.get(entry.id or "")
            if change is not None:
                lines[entry.line] = replace_link_text(lines[entry.line], entry.url, change.new)
    return "".join(lines)


def replace_link_text(line: str, url: str, title: str) -> str:
    """The line with the text of the link to `url` set to `title`, emphasis kept."""
    at = line.find(f"]({url}")
    start = _link_text_start(line, at)
    if at < 0 or start < 0:
        return line
    text = line[start:at]
    core = text.strip()
    mark = next(
        (
            m
            for m in ("**", "__", "*", "_")
            if core.startswith(m) and core.endswith(m) and len(core) > 2 * len(m)
        ),
        "",
    )
    return line[:start] + f"{mark}{escape_markdown(collapse_whitespace(title))}{mark}" + line[at:]


def _link_text_start(line: str, close: int) -> int:
    """Index just after the "[" that opens the link text ending at `close` (escapes respected)."""
    depth = 0
    index = close - 1
    while index >= 0:
        char = line[index]
        escaped = index > 0 and line[index - 1] == "\\"
        if char == "]" and not escaped:
            depth += 1
        elif char == "[" and not escaped:
            if depth == 0:
                return index + 1
            depth -= 1
        index -= 1
    return -1


class ParsedList(NamedTuple):
    """A README split into lines, with its configured sections found."""

    lines: list[str]
    sections: dict[str, Section]


def parse_list(text: str, target: TargetConfig) -> ParsedList:
    lines = split_lines(text)
    return ParsedList(lines, section_map(lines, target))


def section_map(lines: list[str], target: TargetConfig) -> dict[str, Section]:
    """Every configured section of the list, by heading name."""
    names = dict.fromkeys((target.section, *target.sections))
    return {name: find_section(lines, name) for name in names}


def with_count(heading: str, count: int) -> str:
    """The heading line with its "(N)" set to `count`, line ending kept."""
    body = heading.rstrip("\r\n")
    return (
        re.sub(r"\((\d+)\)(\s*#*\s*)$", lambda m: f"({count}){m.group(2)}", body)
        + heading[len(body) :]
    )


def _dedupe_by_id(papers: Sequence[Paper]) -> list[Paper]:
    seen: dict[str, Paper] = {}
    for paper in papers:
        seen.setdefault(paper.id, paper)
    return list(seen.values())


def _insert_at(section: Section, position: str) -> int:
    if section.entries:
        return section.entries[0].line if position == "top" else section.entries[-1].line + 1
    if section.table_separator is not None:  # an empty table: under its header
        return section.table_separator + 1
    # Empty section: right after the heading (or start marker).
    return section.start


def unified_diff(before: str, after: str, name: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            f"a/{name}",
            f"b/{name}",
        )
    )
