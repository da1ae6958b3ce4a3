"""Edits of a list's lines: new entries into a section, a link's text, the stamp.

Pure functions over the document's lines; each touches only the lines it names.
"""

from __future__ import annotations

from bot.listdoc.lines import with_count
from bot.listdoc.markdown import escape_markdown
from bot.listdoc.section import Section
from bot.normalize import collapse_whitespace


def insert_entries(lines: list[str], section: Section, block: list[str], position: str) -> None:
    """Put the entry lines `block` into `section` (in place) and recount its "(N)".

    `position` "top" puts them before the first entry, "bottom" after the last; an
    empty section takes them right under its table header, heading or start marker.
    """
    at = _insert_at(section, position)
    if at == len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
        newline = "\r\n" if block and block[0].endswith("\r\n") else "\n"
        lines[-1] += newline
    lines[at:at] = block
    if section.heading is not None and section.count is not None:
        lines[section.heading] = with_count(
            lines[section.heading], len(section.entries) + len(block)
        )


def _insert_at(section: Section, position: str) -> int:
    if section.entries:
        return section.entries[0].line if position == "top" else section.entries[-1].line + 1
    if section.table_separator is not None:  # an empty table: under its header
        return section.table_separator + 1
    # Empty section: right after the heading (or start marker).
    return section.start


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
