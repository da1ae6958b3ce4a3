"""Entries of a Markdown list: list items and table rows, read into ids and titles.

An entry is one line: a list item ("- ", "* ", "1. ") or a table row that links or
cites an arXiv paper. Its title is read where the entry template puts it, else from
the arXiv link's text, else from the text around the link ("Authors, date, Title,
URL"). Titles come back without Markdown escapes and without the emphasis around them.
Items and rows without an arXiv paper are `others`: kept, known by title, not counted.
"""

from __future__ import annotations

import re

import msgspec

from bot.listdoc.markdown import strip_emphasis, unescape_markdown
from bot.listdoc.reader import DATE, Reader
from bot.models import KnownTitle
from bot.normalize import canonical_arxiv_id, find_arxiv_ids

# An entry line, "- [Title](link ...". The title part is written as an unrolled loop
# ([^]\\]* (\\. [^]\\]*)*): far faster than an alternation per character on long lists.
# The usual arXiv link's id is read in the same match. The canonical link (`abs`) is
# kept as its id alone, which spares a string per entry on a long list; the first branch
# of `url` takes other arXiv links whole, exactly where the second would end them; other
# links get their id from canonical_arxiv_id.
ENTRY_LINE = re.compile(
    r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[(?P<title>[^\]\\\n]*(?:\\.[^\]\\\n]*)*)\]\("
    r"(?:https://arxiv\.org/abs/(?P<abs>\d{4}\.\d{4,5})(?=\))"
    r"|(?P<url>https?://(?:export\.)?arxiv\.org/(?:abs|pdf)/"
    r"(?P<id>\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?(?=[)\s])|[^)\s]+))"
)
CANONICAL_ABS = "https://arxiv.org/abs/"
# The same entries found anywhere in a text (findall: title, abs, url, id).
ENTRY_IN_TEXT = re.compile("^" + ENTRY_LINE.pattern, re.M)
_ARXIV_LINK = re.compile(
    r"\[([^\]\\\n]*(?:\\.[^\]\\\n]*)*)\]\((https?://(?:export\.)?arxiv\.org/[^)\s]+)\)"
)
TABLE_SEPARATOR = re.compile(
    r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$"
)  # GFM: one dash is enough


class ListEntry(msgspec.Struct, frozen=True, gc=False):  # built in C: lists are long
    line: int  # index into the document's lines
    title: str  # Markdown escapes removed
    id: str | None
    link: str = ""  # the link as written; "" for the canonical https://arxiv.org/abs/<id>
    authors: str = ""  # as a template's {authors} or {first_author} wrote them; "" if none

    @property
    def url(self) -> str:
        return self.link or (f"{CANONICAL_ABS}{self.id}" if self.id else "")


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
        if e.id
        and len(e.title) > 16  # not a label such as "arXiv" or "[paper]"
        and "\\" not in e.title
        and e.title[:1] not in "*_ "
        and e.title[-1:] != " "
        else cleaned(e)
        for e in entries
    ]


def template_entries(matches: list[re.Match[str] | None], start: int) -> list[ListEntry]:
    """The entries of lines the entry template's reader matched."""
    return [template_entry(index, match) for index, match in enumerate(matches, start) if match]


def template_entry(index: int, match: re.Match[str]) -> ListEntry:
    """The entry in a line the template's reader matched."""
    groups = match.groupdict()
    raw_id = groups.get("id")
    paper_id = canonical_arxiv_id(raw_id) if raw_id else None
    title, link, authors = (groups.get(key) or "" for key in ("title", "link", "authors"))
    return cleaned(ListEntry(index, title, paper_id, link, authors))


_ITEM = re.compile(r"[ ]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+\S")
_LINK = re.compile(r"(!?)\[([^\]\\\n]*(?:\\.[^\]\\\n]*)*)\]\(([^)\s]+)[^)]*\)")
_ARXIV_REF = re.compile(
    r"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/\S+?(?=[)\s,;]|$)"
    r"|arxiv:\s*\S+",
    re.I,
)
_GENERIC_LABEL = re.compile(
    r"\W*(?:arxiv|paper|pdf|link|abs|abstract|preprint|url|here|html|full text|"
    r"arxiv paper|code|\d{4}\.\d{4,5}(?:v\d+)?)?\W*",
    re.I,
)
_BARE_URL = re.compile(r"[,;|\-\u2013\u2014 ]*<?(https?://\S+?)>?[ \t]*$")
_DATE_THEN = re.compile(rf"(?:^|[,;|] ?){DATE}[ \t]*[,;|\-\u2013\u2014:][ \t]*")
_SEPARATORS = " \t,;:|-\u2013\u2014"


def is_label(text: str) -> bool:
    """Link text that names the link, not the paper ("arXiv", "[paper]", "PDF", an id)."""
    return _GENERIC_LABEL.fullmatch(text) is not None or text.startswith(("http:", "https:"))


def read_item(index: int, line: str, reader: Reader) -> ListEntry | None:
    """The entry of one line that the fast readers did not take, or None for a line that
    is no item or row (prose, a note, a sub-bullet, a heading, a table's header)."""
    match = reader.pattern.match(line)
    if match:
        return template_entry(index, match)
    row = line.lstrip().startswith("|")
    if not row and not _ITEM.match(line):
        return None
    links = [(text, url) for bang, text, url in _LINK.findall(line) if not bang]
    arxiv = next(((t, u) for t, u in links if canonical_arxiv_id(u)), None)
    if arxiv is None:
        ref = _ARXIV_REF.search(line)
        if ref is not None and canonical_arxiv_id(ref.group()):
            arxiv = ("", ref.group())
    if arxiv is None:
        if row or not links:
            return None
        return cleaned(ListEntry(index, links[0][0], None, links[0][1]))  # a non-arXiv item
    text, url = arxiv
    if is_label(strip_emphasis(unescape_markdown(text))):
        text = _title_around(line, reader, row)
    return cleaned(ListEntry(index, text, None, url))


def _title_around(line: str, reader: Reader, row: bool) -> str:
    """The title of a line whose arXiv link text is a label: from the template's title
    cell, else the longest cell, or the text between a date and a trailing URL."""
    if row:
        cells = [_plain(cell) for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        cell = reader.title_cell
        if cell is not None and cell < len(cells) and not is_label(cells[cell]):
            return cells[cell]
        return max((c for c in cells if not is_label(c)), key=len, default="")
    text = _ITEM_MARK.sub("", line.rstrip("\r\n"), count=1)
    bare = _BARE_URL.search(text)
    if bare is not None:
        text = text[: bare.start()]
    dates = list(_DATE_THEN.finditer(text))
    if dates:
        text = text[dates[-1].end() :]
    return _plain(text).strip(_SEPARATORS)


_ITEM_MARK = re.compile(r"^[ ]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+")


def _plain(text: str) -> str:
    """Cell or item text with images and label links dropped, other links as their text."""
    text = _LINK.sub(lambda m: "" if m[1] or is_label(m[2]) else m[2], text)
    return " ".join(text.replace("<br>", " ").split())


def cleaned(entry: ListEntry) -> ListEntry:
    """Escapes and emphasis removed from the title, the id read from any form of link."""
    # Emphasis first: an escaped "\\*" is a title's own character, not a mark.
    title = unescape_markdown(strip_emphasis(entry.title))
    paper_id = entry.id or (canonical_arxiv_id(entry.link) if entry.link else None)
    return msgspec.structs.replace(entry, title=title, id=paper_id)


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
            known.append(KnownTitle(paper_id, unescape_markdown(strip_emphasis(title)), "list"))
    for paper_id in find_arxiv_ids(text):
        if paper_id not in seen_ids:
            seen_ids.add(paper_id)
            known.append(KnownTitle(paper_id, "", "list"))
    return known
