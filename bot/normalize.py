"""Normalize stage: canonical arXiv ids, readable titles, comparable titles."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from functools import cache
from typing import Any

from bot.models import Paper, RawRecord

log = logging.getLogger(__name__)

# arXiv identifier schemes: https://info.arxiv.org/help/arxiv_identifier.html
_NEW_ID = r"\d{4}\.\d{4,5}"
_OLD_ID = r"[a-z][a-z-]*(?:\.[A-Za-z]{2})?/\d{7}"
_ID_WITH_VERSION = re.compile(rf"^(?:arxiv:)?({_NEW_ID}|{_OLD_ID})(?:v(\d+))?$", re.IGNORECASE)
# Bounded on both sides: "notarxiv.org" is another site, and "2611.043210" or
# "2611.04321x" is a mistyped link, not paper 2611.04321 (which would then be skipped).
_ID_IN_TEXT = re.compile(
    rf"(?<![\w-])(?:arxiv\.org/(?:abs|pdf|html|format)/|arxiv:\s*)"
    rf"({_NEW_ID}|{_OLD_ID})(?:v(\d+))?(?!\w)",
    re.IGNORECASE,
)
# A withdrawal notice speaks of this paper, at the start of a sentence of the comment or
# of the abstract arXiv keeps for a withdrawn version: "Withdrawn", "Withdrawn due to an
# error ...", "This paper has been withdrawn by the authors", "We withdraw this
# manuscript; ...", "The authors have withdrawn this paper", "This submission has been
# withdrawn by arXiv administrators ...", "this paper has been removed by arXiv
# administrators". A sentence that mentions another paper's withdrawal ("Supersedes the
# earlier preprint that was withdrawn by the authors", "Withdrawn claims of prior work
# are revisited", "results (withdrawn by their authors)") does not read so.
# Source: arXiv's withdrawal notes (info.arxiv.org/help/withdraw.html).
_THIS_WORK = r"(?:paper|article|manuscript|submission|preprint|work|version|report|note|draft)"
_WITHDRAWAL = re.compile(
    rf"""
    (?:this|the|our)\s+(?:\w+\s+)?{_THIS_WORK}\s+                 # "This paper has been
    (?:has\s+been|have\s+been|is|was|is\s+being|will\s+be)\s+     #  withdrawn (by ...)"
    (?:withdrawn|removed)\b(?!\s+from\b)                            # not "withdrawn from ICLR"
    | (?:{_THIS_WORK}\s+)?withdrawn                                 # "Withdrawn (due to ...)",
      (?=\s*(?:$|[.,:;!)\]\-\u2013\u2014])                          #  alone or a reason after it;
      |\s+(?:due|because|owing|pending|as|for|after|since|until|at\s+the\s+request)\b
      |\s+by\s+(?:the\s+)?(?:authors?|author\(s\)|arxiv|admin|moderators?|me|us)\b)
                                                                    # not "Withdrawn claims of"
    | (?:we|i|the\s+authors?|the\s+author\(s\))\s+                 # "We withdraw this
      (?:have\s+|has\s+|hereby\s+|would\s+like\s+to\s+)?          #  manuscript"
      (?:withdraw|withdraws|withdrew|withdrawn)\s+
      (?:this|the|our)\s+(?:\w+\s+)?{_THIS_WORK}\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
_SENTENCE_START = re.compile(r"(?:^|[.;:!?]\s+|\n\s*|[([]\s*)")
_KEEP_FORMAT_CHARS = {"\u200d"}  # zero-width joiner holds emoji sequences together


_ABS_URL = "https://arxiv.org/abs/"


def split_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """Return (canonical id, version) for an id or arXiv link, or None."""
    if text.startswith(_ABS_URL):  # the usual link in a list: plain string checks, no regex
        core, _, suffix = text[len(_ABS_URL) :].partition("v")
        if (
            len(core) in (9, 10)
            and core[4] == "."
            and core[:4].isdigit()
            and core[5:].isdigit()
            and (not suffix or suffix.isdigit())
        ):
            return core, int(suffix) if suffix else None
    text = text.strip()
    match = _ID_IN_TEXT.search(text) if "arxiv" in text.lower() else None
    match = match or _ID_WITH_VERSION.match(text)
    if not match:
        return None
    version = int(match.group(2)) if match.group(2) else None
    return _canonical(match.group(1)), version


def canonical_arxiv_id(text: str) -> str | None:
    """Return the versionless arXiv id in an id or link (abs, pdf, http, old style), or None."""
    parts = split_arxiv_id(text)
    return parts[0] if parts else None


def find_arxiv_ids(text: str) -> list[str]:
    """Return every canonical arXiv id linked or cited in `text`, in order."""
    return [_canonical(m.group(1)) for m in _ID_IN_TEXT.finditer(text)]


def _canonical(raw_id: str) -> str:
    if "/" in raw_id:
        # Old-style ids carry an optional subject class (math.GT/0309136) that is
        # not part of the identifier: arXiv serves it as math/0309136.
        archive, number = raw_id.split("/", 1)
        return f"{archive.split('.')[0].lower()}/{number}"
    return raw_id


def collapse_whitespace(text: str) -> str:
    """Collapse runs of whitespace and drop control and bidi-override characters."""
    if text.isascii() and text.isprintable():
        return " ".join(text.split())  # the common case, without a per-character scan
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace()
        or unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs")
        or ch in _KEEP_FORMAT_CHARS
    )
    return " ".join(kept.split())


def clean_title(raw: str) -> str:
    """Turn an arXiv title (maybe with LaTeX) into readable plain text on one line."""
    text = collapse_whitespace(raw)
    if "\\" in text or "$" in text or "{" in text:
        text = collapse_whitespace(latex_to_text(text))
    return text


def clean_abstract(raw: str) -> str:
    """Readable one-paragraph abstract text."""
    return clean_title(raw)


def latex_to_text(text: str) -> str:
    """Convert LaTeX markup (math, font commands, accents) to Unicode text."""
    from pylatexenc.latex2text import LatexNodes2Text
    from pylatexenc.latexwalker import LatexWalker

    # A bare % would start a LaTeX comment and swallow the rest of the title.
    text = re.sub(r"(?<!\\)%", r"\\%", text)
    walker_db, text_db = _latex_contexts()
    try:
        nodes = LatexWalker(text, latex_context=walker_db, tolerant_parsing=True).get_latex_nodes()[
            0
        ]
        converted: str = LatexNodes2Text(latex_context=text_db, math_mode="text").nodelist_to_text(
            nodes
        )
    except Exception:  # pylatexenc is tolerant, but never let a title kill a run
        return text
    return converted


@cache
def _latex_contexts() -> tuple[Any, Any]:
    from pylatexenc import latexwalker, macrospec
    from pylatexenc.latex2text import MacroTextSpec, get_default_latex_context_db

    # pylatexenc drops the argument of font macros it does not know (\texttt{x} -> "").
    font_macros = (
        "texttt",
        "textsf",
        "mathtt",
        "mathsf",
        "textnormal",
        "textup",
        "textmd",
        "mathbf",
    )
    walker_db = latexwalker.get_default_latex_context_db()
    walker_db.add_context_category(
        "arxiv-bot", macros=[macrospec.std_macro(n, False, 1) for n in font_macros], prepend=True
    )
    text_db = get_default_latex_context_db()
    # \| is the norm bar in math and an escaped bar in text; pylatexenc drops it
    # ("$\|W\|_2$" became "W_2").
    bars = [MacroTextSpec("|", "\u2016"), MacroTextSpec("Vert", "\u2016")]
    text_db.add_context_category(
        "arxiv-bot", macros=[MacroTextSpec(n, "%s") for n in font_macros] + bars, prepend=True
    )
    return walker_db, text_db


_NOT_WORD = re.compile(r"[\W_]+")
# Titles with none of these take the fast path: LaTeX markers and controls that are not spaces.
_SLOW_PATH_CHARS = re.compile(r"[\\${\x00-\x08\x0e-\x1b\x7f]")
# ASCII letters and digits kept (lowercased), everything else a space: a bytes table is the
# fastest fold Python has, and lists with 100,000 titles normalize every title each run.
_ASCII_FOLD = bytes(
    ord(chr(c).lower()) if c < 128 and chr(c).isalnum() else ord(" ") for c in range(256)
)


# The batch fold turns the newline between titles into NUL (every other control byte,
# NUL included, folds to a space). Titles with bytes that need the per-title path are
# found with C-speed searches of a copy where those bytes (non-ASCII, and what
# _SLOW_PATH_CHARS matches) are 0x01.
_BATCH_FOLD = _ASCII_FOLD[:10] + b"\0" + _ASCII_FOLD[11:]
_SPACES = re.compile(rb"  +")
_MARK_ONE_BY_ONE = bytes(1 if c >= 128 or _SLOW_PATH_CHARS.match(chr(c)) else c for c in range(256))


def normalize_title(title: str) -> str:
    """Fold a title for comparison: LaTeX, case, accents, punctuation and spacing."""
    if title.isascii() and not _SLOW_PATH_CHARS.search(title):
        return b" ".join(title.encode().translate(_ASCII_FOLD).split()).decode()
    return _normalize_slow(title)


def normalize_titles(titles: Sequence[str]) -> list[str]:
    """`normalize_title` of each title, folding a large batch in a few whole-text passes.

    Lists with 100,000 titles make a per-title call a costly part of dedupe. The
    titles are joined with newlines and folded at once; titles with LaTeX markers,
    non-ASCII or control characters take the per-title path, so the result is the
    same, title for title.
    """
    joined = "\n".join(titles).encode("utf-8", "surrogatepass")
    if joined.count(b"\n") != len(titles) - 1:  # a title holds a newline: no safe separator
        return [normalize_title(title) for title in titles]
    folded = _SPACES.sub(b" ", joined.translate(_BATCH_FOLD))
    folded = folded.replace(b" \0", b"\0").replace(b"\0 ", b"\0").strip(b" ")
    result = folded.decode("ascii").split("\0")
    marked = joined.translate(_MARK_ONE_BY_ONE)
    index, line_start = 0, 0
    while (special := marked.find(1, line_start)) >= 0:
        index += marked.count(b"\n", line_start, special)
        result[index] = normalize_title(titles[index])
        line_start = marked.find(b"\n", special) + 1
        if line_start == 0:
            break
        index += 1
    return result


def _normalize_slow(title: str) -> str:
    text = clean_title(title)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.translate(_UNICODE_TWINS)
    return " ".join(_NOT_WORD.sub(" ", text).split())


def withdrawal_note(comment: str, abstract: str) -> str:
    """The sentence that withdraws this paper (in its comment or abstract), or ""."""
    for text in (comment, abstract[:400]):
        for start in _SENTENCE_START.finditer(text):
            if _WITHDRAWAL.match(text, start.end()):
                return text[start.end() :].split(". ")[0].strip()[:160]
    return ""


# Letters that NFKD leaves alone but titles also spell in ASCII: Greek letters by name
# (U+03B1 is "alpha", which LaTeX's $\alpha$ also becomes), and a few Latin ones.
_UNICODE_TWINS = {
    code: unicodedata.name(chr(code)).removeprefix("GREEK SMALL LETTER ").lower()
    for code in range(0x3B1, 0x3CA)
    if unicodedata.name(chr(code), "").startswith("GREEK SMALL LETTER ")
} | {
    ord(a): b
    for a, b in {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "\u0131": "i"}.items()
}


def is_withdrawn(paper: Paper) -> bool:
    """True when the paper was withdrawn (by its authors or arXiv's administrators)."""
    return bool(withdrawal_note(paper.comment, paper.abstract))


_CODE_URL = re.compile(r"https?://(?:www\.)?(?:github|gitlab)\.com/[\w.-]+/[\w.-]+", re.IGNORECASE)
_ACCEPTED = re.compile(
    r"\b(?:accepted|published|to appear|appears?)\s+(?:at|in|to|by|for)\s+(?:the\s+)?"
    r"(?:main\s+conference\s+of\s+)?([A-Z][\w&-]*(?:\s+(?:19|20)\d{2})?)",
    re.IGNORECASE,
)


def find_code_url(*texts: str) -> str:
    """The first GitHub/GitLab repository link in the texts, or ""."""
    for text in texts:
        match = _CODE_URL.search(text)
        if match:
            return match.group(0).rstrip(".,;:)")
    return ""


def find_venue(journal_ref: str, comment: str) -> str:
    """A short venue: the journal reference, else "ICML 2024" from "Accepted at ICML 2024"."""
    if journal_ref:
        return journal_ref if len(journal_ref) <= 60 else journal_ref[:57].rstrip() + "..."
    match = _ACCEPTED.search(comment)
    return match.group(1) if match else ""


def to_paper(record: RawRecord) -> Paper:
    """Normalize one raw arXiv record."""
    parts = split_arxiv_id(record.entry_id)
    if parts is None:
        raise ValueError(f"not an arXiv id: {record.entry_id!r}")
    paper_id, version = parts
    comment = collapse_whitespace(record.comment)
    journal_ref = collapse_whitespace(record.journal_ref)
    return Paper(
        id=paper_id,
        version=version,
        title=clean_title(record.title),
        abstract=clean_abstract(record.abstract),
        authors=tuple(collapse_whitespace(a) for a in record.authors if a.strip()),
        published=record.published.date(),
        primary_category=record.primary_category,
        categories=tuple(record.categories),
        comment=comment,
        journal_ref=journal_ref,
        venue=find_venue(journal_ref, comment),
        code_url=find_code_url(record.abstract, comment),
    )


def normalize_records(records: Sequence[RawRecord]) -> list[Paper]:
    """Normalize, keeping one paper per id (the latest version seen)."""
    papers: dict[str, Paper] = {}
    for record in records:
        try:
            paper = to_paper(record)
        except ValueError:
            log.warning("skipping an entry with an unrecognized id: %r", record.entry_id[:80])
            continue
        old = papers.get(paper.id)
        if old is None or (paper.version or 0) > (old.version or 0):
            papers[paper.id] = paper
    return list(papers.values())
