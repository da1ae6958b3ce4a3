"""Find the list's paper sections: a heading's body, or the marked region."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import ListFormatError
from bot.listdoc.entries import ENTRY_LINE, TABLE_SEPARATOR, ListEntry, bullet_entries, table_entry
from bot.listdoc.lines import END_MARKER, START_MARKER, heading_name_and_count, heading_of

_COMMENT = re.compile(r"^\s*<!--.*-->\s*$")


@dataclass(frozen=True)
class Section:
    """Where the bot's papers live: a heading's body, or a marked region."""

    heading: int | None  # line index of the heading, None for a marked region
    start: int  # first body line
    end: int  # one past the last body line
    count: int | None  # the "(N)" in the heading, if any
    entries: tuple[ListEntry, ...]
    table_separator: int | None = None  # the "|---|" row of a table section, if any


def find_section(lines: list[str], name: str) -> Section:
    """Locate the paper section: the marked region if present, else the named heading."""
    # One C-speed scan first: only a list with markers pays for stripping every line.
    stripped = [line.strip() for line in lines] if START_MARKER in "".join(lines) else []
    if START_MARKER in stripped:
        start = stripped.index(START_MARKER) + 1
        if END_MARKER not in stripped[start:]:
            raise ListFormatError(f"list has '{START_MARKER}' but no '{END_MARKER}' after it")
        end = stripped.index(END_MARKER, start)
        return _section(lines, None, start, end, None)
    for index, line in enumerate(lines):
        heading = heading_of(line)
        if heading is None:
            continue
        level, title = heading
        heading_name, count = heading_name_and_count(title)
        if heading_name.strip().casefold() != name.strip().casefold():
            continue
        # The section ends at the next heading of its level or above (only lines that
        # start with "#" can be one: tested inline, as a large section has many lines).
        end = next(
            (
                i
                for i in range(index + 1, len(lines))
                if lines[i][:1] == "#" and _ends_section(lines[i], level)
            ),
            len(lines),
        )
        return _section(lines, index, index + 1, end, count)
    raise ListFormatError(
        f"list has no '## {name}' heading (target.section = \"{name}\") and no "
        f"'{START_MARKER}' region: add the heading or fix target.section"
    )


def _ends_section(line: str, level: int) -> bool:
    heading = heading_of(line)
    return heading is not None and heading[0] <= level


def _section(
    lines: list[str], heading: int | None, start: int, end: int, count: int | None
) -> Section:
    matches = list(map(ENTRY_LINE.match, lines[start:end]))
    entries = bullet_entries(matches, start)
    separator = None
    rows = 0
    for index in [i for i, match in enumerate(matches, start) if match is None]:
        line = lines[index]
        stripped = line.strip()
        if stripped.startswith("|"):  # a table: header, separator, or a row
            row = table_entry(index, line)
            if row:
                entries.append(row)
                rows += 1
            elif separator is None and TABLE_SEPARATOR.match(stripped):
                separator = index
            continue
        if (
            not stripped
            or _COMMENT.match(stripped)
            or heading_of(line)
            or line.startswith(("  ", "\t"))
        ):
            continue  # lines the list may hold besides entries stay as they are
        where = (
            f"under heading '{lines[heading].strip()}'"
            if heading is not None
            else "in the marked region"
        )
        raise ListFormatError(
            f"line {index + 1} {where} is not a '- [Title](link)' entry or table row: "
            f"{stripped[:60]!r}; the list changed format or target.section names the wrong heading"
        )
    if rows:
        entries.sort(key=lambda entry: entry.line)
    return Section(heading, start, end, count, tuple(entries), separator)
