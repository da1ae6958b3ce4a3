"""Markdown text from arXiv: escaped so it renders literally."""

from __future__ import annotations

import re
from collections.abc import Sequence

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones
# that can open a link, image, emphasis, code span, HTML tag, entity, table cell,
# strikethrough or (on GitHub) math inside a list entry.
MARKDOWN_SPECIAL = "\\`*_[]<>|!~&$"
# "&" only where it opens an entity ("&amp;", "&#60;"): a bare "&" renders as itself, and
# lists write "R&D" and "A & B" so.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|!~$]|&(?=#?\w+;))")
_UNESCAPE = re.compile(r"\\(.)")
# A block marker where the text may begin a line (an entry's first field, a PR line).
_BLOCK_START = re.compile(r"^(\s*)([#+\-=])")
_ORDERED_START = re.compile(r"^(\s*\d{1,9})([.)])")
# An arXiv reference in arXiv's own text ("Comment on arXiv:2501.00001"): escaped, it
# renders the same but no longer reads as a paper the list shows, which would be skipped.
_ARXIV_REFERENCE = re.compile(r"(arxiv)(:|\.org)", re.IGNORECASE)


def escape_markdown(text: str) -> str:
    """Escape text so Markdown renders it literally (no links, images, HTML, emphasis, no
    heading or list item where it begins a line) and names no arXiv paper."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = _BLOCK_START.sub(r"\1\\\2", text, count=1)
    text = _ORDERED_START.sub(r"\1\\\2", text, count=1)
    return _ARXIV_REFERENCE.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def unescape_markdown(text: str) -> str:
    """Backslash escapes removed ("\\[x\\]" -> "[x]")."""
    return _UNESCAPE.sub(r"\1", text) if "\\" in text else text


def strip_emphasis(title: str) -> str:
    """Table lists bold their titles: "**Title**" is the title "Title"."""
    if title[:1] not in ("*", "_", " ") and title[-1:] not in (" ",):
        return title  # the common case on large bullet lists: nothing to strip
    stripped = title.strip()
    for mark in ("**", "__", "*", "_"):
        if len(stripped) > 2 * len(mark) and stripped.startswith(mark) and stripped.endswith(mark):
            return stripped[len(mark) : -len(mark)].strip()
    return stripped


def short_authors(authors: Sequence[str], limit: int = 3) -> str:
    """At most `limit` names, then "et al."; "-" for none."""
    if not authors:
        return "-"
    if len(authors) <= limit:
        return ", ".join(authors)
    return f"{', '.join(authors[:limit])} et al."


_NAME_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b)\s*")


def split_authors(written: str) -> tuple[str, ...]:
    """The names in an authors cell or field ("A. Smith, B. Jones et al."), in order;
    the inverse of `short_authors` and of a list's own "X and Y" or "X & Y"."""
    text = unescape_markdown(written).strip()
    text = re.sub(r"\s*(?:,\s*)?et al\.?$", "", text)
    names = (name.strip(" .") for name in _NAME_SEPARATORS.split(text))
    return tuple(name for name in names if name and name != "-")
