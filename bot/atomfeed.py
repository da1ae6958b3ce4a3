"""One page of the arXiv API's Atom answer, read strictly (pure: bytes in, records out).

Format: https://info.arxiv.org/help/api/user-manual.html#_details_of_atom_results_returned
A page is read so that nothing on it is lost without a word:
- characters XML 1.0 forbids (a NUL or an ESC arXiv copied from a submission) are
  stripped first, raw or as character references, so one record cannot make every
  page it is on unreadable, on every run;
- an entry that still cannot be read (malformed XML of its own, no id, no dates) is
  named (id, page) as Unreadable, and the rest of the page is read;
- a page that is not a whole Atom feed (cut short, an HTML error page) is a BadPage,
  for the caller to retry.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from msgspec import Struct

from bot.models import RawRecord, Unreadable

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
# XML 1.0 section 2.2: Char excludes C0 controls but tab, LF and CR, and U+FFFE/FFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_FORBIDDEN_REF = re.compile(
    r"&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2}|[fF]{3}[eEfF])"
    r"|0*(?:[0-8]|1[124-9]|2\d|3[01]));"
)
_ENTRY = re.compile(rb"<entry\b.*?</entry>", re.S)
_ENTRY_ID = re.compile(rb"<id>\s*(?:https?://arxiv\.org/abs/)?([^<\s]+)\s*</id>")


class BadPage(Exception):
    """The page as a whole is unusable (retrying may help); the message says why."""


class Page(Struct, frozen=True):
    """One page: arXiv's promise (`total`, `start`) and what it held.

    `entries` counts every <entry> on the page, read or not: a page is complete
    when the entries match what `total` and `start` promise.
    """

    total: int
    start: int
    records: tuple[RawRecord, ...]
    unreadable: tuple[Unreadable, ...]
    stripped: int  # forbidden characters removed from the page

    @property
    def entries(self) -> int:
        return len(self.records) + len(self.unreadable)


def xml_safe(content: bytes) -> tuple[bytes, int]:
    """The page without what XML 1.0 forbids, and how many characters went.

    Bytes that are not UTF-8 become U+FFFD (arXiv declares UTF-8).
    """
    text = content.decode("utf-8", "replace")
    text, raw = _FORBIDDEN.subn("", text)
    text, refs = _FORBIDDEN_REF.subn("", text)
    return text.encode("utf-8"), raw + refs


def parse_page(content: bytes, page: int, start: int) -> Page:
    """Read one page; raises BadPage when it is not a whole Atom feed."""
    from lxml import etree

    clean, stripped = xml_safe(content)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(clean, parser=parser)
    except etree.XMLSyntaxError as exc:
        if not clean.rstrip().endswith(b"</feed>"):
            raise BadPage(f"unparseable page ({exc})") from None
        return _entry_by_entry(clean, page, start, stripped)  # one bad entry, not a cut page
    if root is None or root.tag != f"{_ATOM}feed":
        raise BadPage("the answer is not an Atom feed")
    records, unreadable = _read_entries(root.findall(f"{_ATOM}entry"), page, start)
    return Page(_total(root), start, tuple(records), tuple(unreadable), stripped)


def _total(root: Any) -> int:
    total = root.findtext(f"{_OPENSEARCH}totalResults")
    if total is None or not total.strip().isdigit():
        raise BadPage("page lacks opensearch:totalResults")
    return int(total)


def _entry_by_entry(clean: bytes, page: int, start: int, stripped: int) -> Page:
    """A whole feed with a malformed entry: read the others, name that one."""
    from lxml import etree

    first = clean.find(b"<entry")
    head = clean[:first] if first >= 0 else clean
    opening = re.search(rb"<feed\b[^>]*>", head)
    if opening is None:
        raise BadPage("the answer is not an Atom feed")
    try:
        root = etree.fromstring(head + b"</feed>")
    except etree.XMLSyntaxError as exc:
        raise BadPage(f"unparseable page ({exc})") from None
    records: list[RawRecord] = []
    unreadable: list[Unreadable] = []
    for position, match in enumerate(_ENTRY.finditer(clean)):
        chunk = match.group(0)
        try:
            wrapped = etree.fromstring(opening.group(0) + chunk + b"</feed>")
        except etree.XMLSyntaxError as exc:
            unreadable.append(_unreadable(chunk, page, start + position, f"malformed XML ({exc})"))
            continue
        read, lost = _read_entries(wrapped.findall(f"{_ATOM}entry"), page, start + position)
        records += read
        unreadable += lost
    return Page(_total(root), start, tuple(records), tuple(unreadable), stripped)


def _unreadable(chunk: bytes, page: int, position: int, reason: str) -> Unreadable:
    found = _ENTRY_ID.search(chunk)
    paper_id = found.group(1).decode("utf-8", "replace")[:40] if found else ""
    return Unreadable(paper_id or f"entry {position + 1}", page, reason)


def _read_entries(
    entries: list[Any], page: int, start: int
) -> tuple[list[RawRecord], list[Unreadable]]:
    from bot.normalize import collapse_whitespace

    records: list[RawRecord] = []
    unreadable: list[Unreadable] = []
    for position, entry in enumerate(entries):
        entry_id = (entry.findtext(f"{_ATOM}id") or "").strip()
        if "/api/errors" in entry_id:
            continue  # arXiv's error entry: the session reports it
        try:
            records.append(_record(entry, entry_id))
        except ValueError as exc:
            # Shown in the output and the PR body: one line, no control or bidi characters.
            name = collapse_whitespace(entry_id.rsplit("/abs/", 1)[-1])[:40]
            name = name or f"entry {start + position + 1}"
            unreadable.append(Unreadable(name, page, str(exc)))
    return records, unreadable


def _record(entry: Any, entry_id: str) -> RawRecord:
    """One entry as a RawRecord; ValueError names what is missing."""
    from bot.normalize import collapse_whitespace, split_arxiv_id

    if not entry_id:
        raise ValueError("no <id>")
    if split_arxiv_id(entry_id) is None:
        raise ValueError(f"<id> {entry_id[:60]!r} is not an arXiv id")
    primary = entry.find(f"{_ARXIV}primary_category")
    return RawRecord(
        entry_id=entry_id,
        title=" ".join((entry.findtext(f"{_ATOM}title") or "").split()),
        abstract=entry.findtext(f"{_ATOM}summary") or "",
        authors=tuple(
            name.strip()
            for author in entry.iterfind(f"{_ATOM}author")
            if (name := author.findtext(f"{_ATOM}name"))
        ),
        published=_when(entry, "published"),
        updated=_when(entry, "updated"),
        primary_category=collapse_whitespace(primary.get("term", ""))
        if primary is not None
        else "",
        categories=tuple(
            term
            for c in entry.iterfind(f"{_ATOM}category")
            if (term := collapse_whitespace(c.get("term") or ""))
        ),
        comment=entry.findtext(f"{_ARXIV}comment") or "",
        journal_ref=entry.findtext(f"{_ARXIV}journal_ref") or "",
    )


def _when(entry: Any, name: str) -> datetime:
    text = (entry.findtext(f"{_ATOM}{name}") or "").strip()
    if not text:
        raise ValueError(f"no <{name}> date")
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"<{name}> {text[:30]!r} is not a date") from None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def error_message(content: bytes) -> str:
    """arXiv reports bad queries as an Atom entry whose id is .../api/errors#...; or ""."""
    if b"/api/errors" not in content:
        return ""
    match = re.search(rb"<summary[^>]*>(.*?)</summary>", content, re.S)
    text = match.group(1).decode("utf-8", "replace") if match else "unknown error"
    return " ".join(text.split())[:200]
