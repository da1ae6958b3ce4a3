"""Read an awesome-list README: its paper section, its entries, its stamp.

Pure functions over the README text. A README that does not have the shape the
configuration names raises ListFormatError naming the heading expected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

from bot.errors import ListFormatError
from bot.models import KnownTitle, KnownTitles
from bot.normalize import canonical_arxiv_id, find_arxiv_ids

START_MARKER = "<!-- arxiv-bot:start -->"
END_MARKER = "<!-- arxiv-bot:end -->"
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# An entry line, "- [Title](link ...". The title part is written as an unrolled loop
# ([^]\\]* (\\. [^]\\]*)*): far faster than an alternation per character on long lists.
# The usual arXiv link's id is read in the same match. The canonical link (`abs`) is
# kept as its id alone, which spares a string per entry on a long list; the first branch
# of `url` takes other arXiv links whole, exactly where the second would end them; other
# links get their id from canonical_arxiv_id.
_ENTRY_LINE = re.compile(
    r"[ \t]*[-*+][ \t]+\[(?P<title>[^\]\\\n]*(?:\\.[^\]\\\n]*)*)\]\("
    r"(?:https://arxiv\.org/abs/(?P<abs>\d{4}\.\d{4,5})(?=\))"
    r"|(?P<url>https?://(?:export\.)?arxiv\.org/(?:abs|pdf)/"
    r"(?P<id>\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?(?=[)\s])|[^)\s]+))"
)
CANONICAL_ABS = "https://arxiv.org/abs/"
# The same entries found anywhere in a text (findall: title, abs, url, id).
_ENTRY_IN_TEXT = re.compile("^" + _ENTRY_LINE.pattern, re.M)
# A table row ("| [**Title**](https://arxiv.org/pdf/ID) | Venue | Date |"): its first arXiv link.
_TABLE_ENTRY = re.compile(
    r"^[ \t]*\|[^\n]*?\[([^\]\\\n]*(?:\\.[^\]\\\n]*)*)\]\((https?://(?:export\.)?arxiv\.org/[^)\s]+)\)",
    re.M,
)
_ARXIV_LINK = re.compile(
    r"\[([^\]\\\n]*(?:\\.[^\]\\\n]*)*)\]\((https?://(?:export\.)?arxiv\.org/[^)\s]+)\)"
)
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_UNESCAPE = re.compile(r"\\(.)")
_COMMENT = re.compile(r"^\s*<!--.*-->\s*$")


class ListEntry(msgspec.Struct, frozen=True, gc=False):  # built in C: lists are long
    line: int  # index into the document's lines
    title: str  # Markdown escapes removed
    id: str | None
    link: str = ""  # the link as written; "" for the canonical https://arxiv.org/abs/<id>

    @property
    def url(self) -> str:
        return self.link or f"{CANONICAL_ABS}{self.id}"


@dataclass(frozen=True)
class Section:
    """Where the bot's papers live: a heading's body, or a marked region."""

    heading: int | None  # line index of the heading, None for a marked region
    start: int  # first body line
    end: int  # one past the last body line
    count: int | None  # the "(N)" in the heading, if any
    entries: tuple[ListEntry, ...]
    table_separator: int | None = None  # the "|---|" row of a table section, if any


def split_lines(text: str) -> list[str]:
    """Split keeping line endings, so joining gives back the exact bytes."""
    return text.splitlines(keepends=True)


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def heading_of(line: str) -> tuple[int, str] | None:
    if not line.startswith("#"):
        return None
    match = _HEADING.match(line.rstrip("\r\n"))
    return (len(match.group(1)), match.group(2)) if match else None


def heading_name_and_count(title: str) -> tuple[str, int | None]:
    match = re.fullmatch(r"(.*?)\s*\((\d+)\)", title)
    return (match.group(1), int(match.group(2))) if match else (title, None)


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
    # Each line is matched in a C loop (map); the usual arXiv link yields its id from the
    # same match, so a list with 100,000 entries costs one regex match per line.
    matches = list(map(_ENTRY_LINE.match, lines[start:end]))
    entries = [
        ListEntry(index, title, abs_id) if abs_id else ListEntry(index, title, paper_id, url)
        for index, match in enumerate(matches, start)
        if match
        for title, abs_id, url, paper_id in [match.group("title", "abs", "url", "id")]
    ]
    # Most entries need nothing more: an id from the match, no escapes, no emphasis marks
    # (the test is written out, not called: it runs once per entry).
    entries = [
        e
        if e.id and "\\" not in e.title and e.title[:1] not in "*_ " and e.title[-1:] != " "
        else _cleaned(e)
        for e in entries
    ]
    separator = None
    rows = 0
    for index in [i for i, match in enumerate(matches, start) if match is None]:
        line = lines[index]
        stripped = line.strip()
        if stripped.startswith("|"):  # a table: header, separator, or a row
            row = _TABLE_ENTRY.match(line)
            if row:
                title, url = row.groups()
                entries.append(_cleaned(ListEntry(index, title, None, url)))
                rows += 1
            elif separator is None and _TABLE_SEPARATOR.match(stripped):
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


def _cleaned(entry: ListEntry) -> ListEntry:
    """Escapes and emphasis removed from the title, the id read from any form of link."""
    title = _strip_emphasis(_unescape(entry.title))
    return msgspec.structs.replace(entry, title=title, id=entry.id or canonical_arxiv_id(entry.url))


def _strip_emphasis(title: str) -> str:
    """Table lists bold their titles: "**Title**" is the title "Title"."""
    if title[:1] not in ("*", "_", " ") and title[-1:] not in (" ",):
        return title  # the common case on large bullet lists: nothing to strip
    stripped = title.strip()
    for mark in ("**", "__", "*", "_"):
        if len(stripped) > 2 * len(mark) and stripped.startswith(mark) and stripped.endswith(mark):
            return stripped[len(mark) : -len(mark)].strip()
    return stripped


def known_from_list(text: str) -> list[KnownTitle]:
    """Every paper the README already lists, anywhere in it: linked titles and bare ids."""
    # Whole-text scans run in C: a list with 100,000 entries takes a fraction of a second.
    known = [
        KnownTitle(abs_id or paper_id or canonical_arxiv_id(url), _unescape(title), "list")
        for title, abs_id, url, paper_id in _ENTRY_IN_TEXT.findall(text)
    ]
    linked = sum(1 for k in known if k.id)
    if text.count("arxiv.org/") + text.lower().count("arxiv:") <= linked:
        return known  # every arXiv reference is an entry's own link: nothing else to find
    seen_ids = {k.id for k in known if k.id}
    for title, url in _ARXIV_LINK.findall(text):  # table rows and links inside prose
        paper_id = canonical_arxiv_id(url)
        if paper_id and paper_id not in seen_ids:
            seen_ids.add(paper_id)
            known.append(KnownTitle(paper_id, _strip_emphasis(_unescape(title)), "list"))
    for paper_id in find_arxiv_ids(text):
        if paper_id not in seen_ids:
            seen_ids.add(paper_id)
            known.append(KnownTitle(paper_id, "", "list"))
    return known


def known_from_sections(lines: list[str], sections: Sequence[Section]) -> KnownTitles:
    """What `known_from_list` finds, reusing the sections' parsed entries: only the text
    outside them is scanned again (on a large list, a small part of it)."""
    # Heading sections nest or stay apart (a subsection lies inside its parent; the
    # marked region is every name's section): the outermost ones cover each entry once.
    outermost: list[Section] = []
    for section in sorted(sections, key=lambda s: (s.start, -s.end)):
        if not outermost or section.start >= outermost[-1].end:
            outermost.append(section)
    entries = [e for s in outermost for e in s.entries]
    known = KnownTitles(
        [e.id for e in entries], [e.title for e in entries], ["list"] * len(entries)
    )
    extra: list[KnownTitle] = []
    outside, position = [], 0
    for section in outermost:
        text = "".join(lines[section.start : section.end])
        linked = sum(1 for e in section.entries if e.id)
        if text.count("arxiv.org/") + text.lower().count("arxiv:") > linked:
            # More arXiv references than entry links (a second link on a line): find them all.
            extra += [KnownTitle(i, "", "list") for i in find_arxiv_ids(text)]
        outside += lines[position : section.start]
        position = section.end
    outside += lines[position:]
    return known + KnownTitles.of(extra + known_from_list("".join(outside)))


def _unescape(title: str) -> str:
    return _UNESCAPE.sub(r"\1", title) if "\\" in title else title
