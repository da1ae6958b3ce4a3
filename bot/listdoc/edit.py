"""Edits of a list's lines: new entries into a section, a link's text, the stamp.

Pure functions over the document's lines; each touches only the lines it names.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.listdoc.entries import ListEntry, is_label
from bot.listdoc.lines import indent_of, with_count
from bot.listdoc.markdown import escape_markdown
from bot.listdoc.reader import Reader
from bot.listdoc.section import Section
from bot.normalize import collapse_whitespace


def insert_entries(lines: list[str], section: Section, block: list[str], position: str) -> None:
    """Put the entry lines `block` into `section` (in place) and recount its "(N)".

    `position` "top" puts them before the first entry, "bottom" after the last; an
    empty section takes them right under its table header, heading or start marker.
    """
    at = _insert_at(lines, section, position)
    if at == len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
        newline = "\r\n" if block and block[0].endswith("\r\n") else "\n"
        lines[-1] += newline
    lines[at:at] = block
    if section.heading is not None and section.count is not None:
        lines[section.heading] = with_count(
            lines[section.heading], len(section.entries) + len(block)
        )


def _insert_at(lines: list[str], section: Section, position: str) -> int:
    top = position == "top"
    if section.table_separator is not None and section.table_end is not None:
        # A table: right under its header, or after its last row, whatever the rows are.
        return section.table_separator + 1 if top else section.table_end
    items = section.entries or section.others
    if items:
        return items[0].line if top else past_notes(lines, items[-1].line, section.end)
    # Empty section: right after the heading (or start marker).
    return section.start


def past_notes(lines: Sequence[str], entry: int, end: int) -> int:
    """One past the entry's own lines: its sub-bullets and notes, indented deeper than it
    (blank lines between them included), which stay with their entry."""
    indent = indent_of(lines[entry])
    at = scan = entry + 1
    while scan < end:
        line = lines[scan]
        if line.strip() and indent_of(line) <= indent:
            break
        scan += 1
        if line.strip():
            at = scan
    return at


def retitled(line: str, reader: Reader, entry: ListEntry, title: str) -> str:
    """The entry's line with its title set to `title` (escaped), emphasis kept.

    The title is where the template's reader finds it, else the arXiv link's text,
    else the entry's title as written; a line where none is found is returned as is.
    """
    span = _title_span(line, reader, entry)
    if span is None:
        return line
    start, end = span
    written = line[start:end]
    core = written.strip()
    # A table cell's padding may lie inside the span the reader found: it stays.
    start += len(written) - len(written.lstrip())
    end -= len(written) - len(written.rstrip())
    mark = next(
        (
            m
            for m in ("**", "__", "*", "_")
            if core.startswith(m) and core.endswith(m) and len(core) > 2 * len(m)
        ),
        "",
    )
    new = f"{mark}{escape_markdown(collapse_whitespace(title))}{mark}"
    return line[:start] + new + line[end:]


def _title_span(line: str, reader: Reader, entry: ListEntry) -> tuple[int, int] | None:
    match = reader.pattern.match(line)
    if match and match.groupdict().get("title") is not None:
        return match.span("title")
    at = line.find(f"]({entry.url}") if entry.url else -1
    start = _link_text_start(line, at) if at >= 0 else -1
    if start >= 0 and not is_label(line[start:at].strip("*_ ")):
        return start, at
    for written in (escape_markdown(entry.title), entry.title):
        found = line.find(written) if written else -1
        if found >= 0:
            return found, found + len(written)
    return None


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
