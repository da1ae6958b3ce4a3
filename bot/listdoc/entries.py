"""Entries of a Markdown list: bullet links and table rows, read into ids and titles.

An entry is one line: "- [Title](link ...)" (any bullet), or a table row with an arXiv
link. Titles come back without Markdown escapes and without the emphasis around them.
"""

from __future__ import annotations

import re

import msgspec

from bot.listdoc.markdown import strip_emphasis, unescape_markdown
from bot.models import KnownTitle
from bot.normalize import canonical_arxiv_id, find_arxiv_ids

# An entry line, "- [Title](link ...". The title part is written as an unrolled loop
# ([^]\\]* (\\. [^]\\]*)*): far faster than an alternation per character on long lists.
# The usual arXiv link's id is read in the same match. The canonical link (`abs`) is
# kept as its id alone, which spares a string per entry on a long list; the first branch
# of `url` takes other arXiv links whole, exactly where the second would end them; other
# links get their id from canonical_arxiv_id.
ENTRY_LINE = re.compile(
    r"[ \t]*[-*+][ \t]+\[(?P<title>[^\]\\\n]*(?:\\.[^\]\\\n]*)*)\]\("
    r"(?:https://arxiv\.org/abs/(?P<abs>\d{4}\.\d{4,5})(?=\))"
    r"|(?P<url>https?://(?:export\.)?arxiv\.org/(?:abs|pdf)/"
    r"(?P<id>\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?(?=[)\s])|[^)\s]+))"
)
CANONICAL_ABS = "https://arxiv.org/abs/"
# The same entries found anywhere in a text (findall: title, abs, url, id).
ENTRY_IN_TEXT = re.compile("^" + ENTRY_LINE.pattern, re.M)
# A table row ("| [**Title**](https://arxiv.org/pdf/ID) | Venue | Date |"): its first arXiv link.
_TABLE_ENTRY = re.compile(
    r"^[ \t]*\|[^\n]*?\[([^\]\\\n]*(?:\\.[^\]\\\n]*)*)\]\((https?://(?:export\.)?arxiv\.org/[^)\s]+)\)",
    re.M,
)
_ARXIV_LINK = re.compile(
    r"\[([^\]\\\n]*(?:\\.[^\]\\\n]*)*)\]\((https?://(?:export\.)?arxiv\.org/[^)\s]+)\)"
)
TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


class ListEntry(msgspec.Struct, frozen=True, gc=False):  # built in C: lists are long
    line: int  # index into the document's lines
    title: str  # Markdown escapes removed
    id: str | None
    link: str = ""  # the link as written; "" for the canonical https://arxiv.org/abs/<id>

    @property
    def url(self) -> str:
        return self.link or f"{CANONICAL_ABS}{self.id}"


def bullet_entries(matches: list[re.Match[str] | None], start: int) -> list[ListEntry]:
    """The entries of lines whose ENTRY_LINE match is in `matches` (line `start` first)."""
    entries = [
        ListEntry(index, title, abs_id) if abs_id else ListEntry(index, title, paper_id, url)
        for index, match in enumerate(matches, start)
        if match
        for title, abs_id, url, paper_id in [match.group("title", "abs", "url", "id")]
    ]
    # Most entries need nothing more: an id from the match, no escapes, no emphasis marks
    # (the test is written out, not called: it runs once per entry).
    return [
        e
        if e.id and "\\" not in e.title and e.title[:1] not in "*_ " and e.title[-1:] != " "
        else cleaned(e)
        for e in entries
    ]


def table_entry(index: int, line: str) -> ListEntry | None:
    """The entry of a table row with an arXiv link, or None."""
    row = _TABLE_ENTRY.match(line)
    if row is None:
        return None
    title, url = row.groups()
    return cleaned(ListEntry(index, title, None, url))


def cleaned(entry: ListEntry) -> ListEntry:
    """Escapes and emphasis removed from the title, the id read from any form of link."""
    title = strip_emphasis(unescape_markdown(entry.title))
    return msgspec.structs.replace(entry, title=title, id=entry.id or canonical_arxiv_id(entry.url))


def known_from_text(text: str) -> list[KnownTitle]:
    """Every paper a Markdown text lists, anywhere in it: linked titles and bare ids."""
    # Whole-text scans run in C: a list with 100,000 entries takes a fraction of a second.
    known = [
        KnownTitle(abs_id or paper_id or canonical_arxiv_id(url), unescape_markdown(title), "list")
        for title, abs_id, url, paper_id in ENTRY_IN_TEXT.findall(text)
    ]
    linked = sum(1 for k in known if k.id)
    if text.count("arxiv.org/") + text.lower().count("arxiv:") <= linked:
        return known  # every arXiv reference is an entry's own link: nothing else to find
    seen_ids = {k.id for k in known if k.id}
    for title, url in _ARXIV_LINK.findall(text):  # table rows and links inside prose
        paper_id = canonical_arxiv_id(url)
        if paper_id and paper_id not in seen_ids:
            seen_ids.add(paper_id)
            known.append(KnownTitle(paper_id, strip_emphasis(unescape_markdown(title)), "list"))
    for paper_id in find_arxiv_ids(text):
        if paper_id not in seen_ids:
            seen_ids.add(paper_id)
            known.append(KnownTitle(paper_id, "", "list"))
    return known
