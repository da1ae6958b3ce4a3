"""Find the list's paper sections: a heading's body, or the marked region."""

from __future__ import annotations

from itertools import compress, repeat
from operator import attrgetter

from msgspec import Struct

from bot.errors import ListFormatError
from bot.listdoc.entries import (
    ENTRY_LINE,
    TABLE_SEPARATOR,
    ListEntry,
    bullet_entries,
    is_label,
    read_item,
    template_entries,
)
from bot.listdoc.lines import (
    END_MARKER,
    START_MARKER,
    heading_name_and_count,
    heading_of,
    indent_of,
)
from bot.listdoc.reader import Reader, compile_reader, table_cells

DEFAULT_READER = compile_reader("- [{title}]({url})")


class Section(Struct, frozen=True):
    """Where the bot's papers live: a heading's body, or a marked region.

    `entries` are the lines with an arXiv paper (what "(N)" counts); `others` the
    items and rows without one (kept, and known by title); `mentions` the items with
    an arXiv paper nested under an entry ("  - see also [X](https://arxiv.org/abs/..)":
    known, so never added again, but neither counted nor edited). Every other line
    (prose, notes, other sub-bullets, blank lines) is none of these, and is kept as it is.
    """

    heading: int | None  # line index of the heading, None for a marked region
    start: int  # first body line
    end: int  # one past the last body line
    count: int | None  # the "(N)" in the heading, if any
    entries: tuple[ListEntry, ...]
    table_separator: int | None = None  # the "|---|" row of the section's table, if any
    others: tuple[ListEntry, ...] = ()
    table_end: int | None = None  # one past the table's last row
    columns: int = 0  # cells of the table's header row
    mentions: tuple[ListEntry, ...] = ()


def find_section(
    lines: list[str], name: str, reader: Reader = DEFAULT_READER, key: str = "target.section"
) -> Section:
    """Locate the paper section: the marked region if present, else the named heading.

    Raises ListFormatError naming the heading when neither is there.
    """
    # One C-speed scan first: only a list with markers pays for stripping every line.
    stripped = [line.strip() for line in lines] if START_MARKER in "".join(lines) else []
    if START_MARKER in stripped:
        start = stripped.index(START_MARKER) + 1
        if END_MARKER not in stripped[start:]:
            raise ListFormatError(f"list has '{START_MARKER}' but no '{END_MARKER}' after it")
        end = stripped.index(END_MARKER, start)
        return _section(lines, None, start, end, None, reader)
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
        return _section(lines, index, index + 1, end, count, reader)
    where = f'{key} = "{name}"' if key == "target.section" else f'"{name}" in {key}'
    raise ListFormatError(
        f"list has no '## {name}' heading ({where}) and no "
        f"'{START_MARKER}' region: add the heading or fix {key}"
    )


def _ends_section(line: str, level: int) -> bool:
    heading = heading_of(line)
    return heading is not None and heading[0] <= level


def _section(
    lines: list[str], heading: int | None, start: int, end: int, count: int | None, reader: Reader
) -> Section:
    # One regex match per line in a C loop (map): the fast reader for "- [Title](link)"
    # templates, else the template's own pattern. Only the lines neither takes (prose,
    # other styles, table headers) are read one by one.
    body = lines[start:end]
    if reader.title_is_first_link_text:
        matches = list(map(ENTRY_LINE.match, body))
        found = bullet_entries(matches, start)
    else:
        matches = list(map(reader.pattern.match, body))
        found = template_entries(matches, start)
    labelled = {e.line for e in found if len(e.title) <= 16 and is_label(e.title)}
    if labelled:  # "- [arXiv](link) Title": the link text names the link
        found = [e for e in found if e.line not in labelled]
    rest = [i for i, match in enumerate(matches, start) if match is None or i in labelled]
    separator = None
    appended = False
    for index in rest:
        line = lines[index]
        if separator is None and line.lstrip().startswith("|"):
            if TABLE_SEPARATOR.match(line.strip()):
                separator = index
                continue
            if index + 1 < end and TABLE_SEPARATOR.match(lines[index + 1].strip()):
                continue  # the table's header row
        entry = read_item(index, line, reader)
        if entry is not None:
            found.append(entry)
            appended = True
    if appended:
        found.sort(key=lambda entry: entry.line)
    table_end = columns = None
    if separator is not None:
        table_end = separator + 1
        while table_end < end and lines[table_end].lstrip().startswith("|"):
            table_end += 1
        columns = table_cells(lines[separator - 1]) if separator > start else 0
    # C loops: a long list has an entry on nearly every line.
    entries = tuple(compress(found, map(attrgetter("id"), found)))
    others = tuple(e for e in found if not e.id) if len(entries) < len(found) else ()
    entries, mentions = _mentions_apart(lines, entries) if separator is None else (entries, ())
    return Section(
        heading, start, end, count, entries, separator, others, table_end, columns or 0, mentions
    )


def _mentions_apart(
    lines: list[str], entries: tuple[ListEntry, ...]
) -> tuple[tuple[ListEntry, ...], tuple[ListEntry, ...]]:
    """(entries, mentions): a mention is an item indented under an entry's line (its
    nearest less-indented item above is an entry); an item under a plain bullet (a
    category) is an entry. Most lists indent nothing: one C loop tells."""
    texts = [lines[e.line] for e in entries]
    if not any(map(str.startswith, texts, repeat((" ", "\t")))):
        return entries, ()
    entry_lines = {e.line for e in entries}
    kept: list[ListEntry] = []
    mentions: list[ListEntry] = []
    for entry, text in zip(entries, texts, strict=True):
        depth = indent_of(text)
        parent = next(
            (
                index
                for index in range(entry.line - 1, -1, -1)
                if lines[index].strip() and indent_of(lines[index]) < depth
            ),
            None,
        )
        (mentions if parent in entry_lines else kept).append(entry)
    return tuple(kept), tuple(mentions)
