"""Lines and headings of a Markdown list: the byte-exact split, the "(N)" count, markers."""

from __future__ import annotations

import re

START_MARKER = "<!-- arxiv-bot:start -->"
END_MARKER = "<!-- arxiv-bot:end -->"
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_COUNT = re.compile(r"\((\d+)\)(\s*#*\s*)$")


def split_lines(text: str) -> list[str]:
    """Split keeping line endings, so joining gives back the exact bytes."""
    return text.splitlines(keepends=True)


def newline_of(text: str) -> str:
    """The line ending the text uses ("\\r\\n" if any line has it)."""
    return "\r\n" if "\r\n" in text else "\n"


def heading_of(line: str) -> tuple[int, str] | None:
    """(level, text) of an ATX heading line, or None."""
    if not line.startswith("#"):
        return None
    match = _HEADING.match(line.rstrip("\r\n"))
    return (len(match.group(1)), match.group(2)) if match else None


def heading_name_and_count(title: str) -> tuple[str, int | None]:
    """Split "Papers (124)" into ("Papers", 124); a heading without a count gives None."""
    match = re.fullmatch(r"(.*?)\s*\((\d+)\)", title)
    return (match.group(1), int(match.group(2))) if match else (title, None)


def indent_of(line: str) -> int:
    """The spaces and tabs a line starts with (how deep an item or a note sits)."""
    return len(line) - len(line.lstrip(" \t"))


def with_count(heading: str, count: int) -> str:
    """The heading line with its "(N)" set to `count`, line ending kept."""
    body = heading.rstrip("\r\n")
    return _COUNT.sub(lambda m: f"({count}){m.group(2)}", body) + heading[len(body) :]
