"""Read entries back: a regular expression compiled from the entry template.

What the bot writes with a template it must read back as the same paper (same id,
same title). `compile_reader` turns the template into a pattern that finds the
title where the template puts it: link text, a table cell of its own, or between
separators read from the right ("Authors, date, Title, URL": the URL is last, the
date is recognised, the title is what lies between). `read_back_problem` says why a
template cannot be read back, naming the field that makes it ambiguous.
"""

from __future__ import annotations

import re
import string

from msgspec import Struct

from bot.listdoc.markdown import MARKDOWN_SPECIAL

FREE_FIELDS = frozenset({"title", "authors", "first_author", "venue"})  # any text
_ID = r"(?:arxiv:)?(?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Za-z]{2})?/\d{7})(?:v\d+)?"
_MONTH = r"[A-Z][a-z]{2,8}\.?"
# The dates lists write: 2024-07-01, 2024-07, 2024/07/01, 01/07/2024, Jul 31, 2025,
# 31 July 2025, July 2025.
DATE = (
    rf"(?:\d{{4}}[-/]\d{{2}}(?:[-/]\d{{2}})?|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{4}}"
    rf"|{_MONTH} \d{{1,2}},? \d{{4}}|\d{{1,2}} {_MONTH},? \d{{4}}|{_MONTH},? \d{{4}})"
)
_BULLET = re.compile(r"\s*(?:[-*+]|\d+[.)])\s+")
_FIRST_LINK_PREFIX = re.compile(r"\s*(?:[-*+]|\d+[.)])\s+\[(?:\*\*|__|\*|_)?")
_FIRST_LINK_SUFFIX = re.compile(r"(?:\*\*|__|\*|_)?\]\($")


class Reader(Struct, frozen=True):
    """How to find an entry's title and link in a line written with the template."""

    pattern: re.Pattern[str]  # groups: title, link or id, and authors where written
    table_cells: int  # cells of a table-row template; 0 for a bullet template
    title_cell: int | None  # which cell holds the title (0-based), for a table template
    title_is_first_link_text: bool  # "- [{title}](...)": the fast line reader applies


def template_tokens(template: str) -> list[tuple[str, str | None]]:
    """(literal, field) pairs of the template; the last field may be None."""
    return [(literal, name) for literal, name, _, _ in string.Formatter().parse(template)]


def compile_reader(template: str) -> Reader:
    """The reader for a template that `read_back_problem` accepts."""
    tokens = template_tokens(template)
    parts: list[str] = []
    named: set[str] = set()
    for index, (literal, name) in enumerate(tokens):
        parts.append(_literal_pattern(literal, first=index == 0))
        if name is None:
            continue
        following = tokens[index + 1][0] if index + 1 < len(tokens) else ""
        at_end = index + 1 >= len(tokens) or (
            index + 2 == len(tokens) and tokens[-1][1] is None and not following.strip()
        )
        group = _group_name(name, named)
        parts.append(field_pattern(name, group, following, at_end))
    parts.append(r"[ \t]*\r?\n?\Z")
    cells = table_cells(template) if template.lstrip().startswith("|") else 0
    title_cell = None
    if cells:
        before = template.split("{title}", 1)[0]
        title_cell = _unescaped_pipes(before) - 1
    fast = (
        len(tokens) > 1
        and tokens[0][1] == "title"
        and tokens[1][1] in ("url", "pdf_url")
        and _FIRST_LINK_PREFIX.fullmatch(tokens[0][0]) is not None
        and _FIRST_LINK_SUFFIX.fullmatch(tokens[1][0]) is not None
    )
    return Reader(re.compile("".join(parts)), cells, title_cell, fast)


def _group_name(name: str, named: set[str]) -> str | None:
    group = {"url": "link", "pdf_url": "link", "first_author": "authors"}.get(name, name)
    if group not in ("title", "link", "id", "authors") or group in named:
        return None
    named.add(group)
    return group


def _literal_pattern(literal: str, first: bool) -> str:
    out = []
    if first:
        bullet = _BULLET.match(literal)
        if bullet:
            out.append(r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+")
            literal = literal[bullet.end() :]
        elif literal.lstrip().startswith("|"):
            out.append(r"[ \t]*\|")
            literal = literal.lstrip()[1:]
    for chunk in re.split(r"(\s+)", literal):
        if not chunk:
            continue
        out.append(r"[ \t]*" if chunk.isspace() else re.escape(chunk))
    return "".join(out)


def _stop(following: str) -> str:
    """The character that ends a free-text field: the next literal's first, if Markdown
    escapes it in field text (so the field cannot hold it unescaped)."""
    head = following.lstrip()[:1]
    return re.escape(head) if head and head in MARKDOWN_SPECIAL else ""


def field_pattern(name: str, group: str | None, following: str, at_end: bool) -> str:
    """The pattern of one field, given the literal after it (and whether it ends the line)."""
    open_ = f"(?P<{group}>" if group else "(?:"
    if name in FREE_FIELDS:
        stop = _stop(following)
        char = rf"[^\\\r\n{stop}]"
        if name == "title":  # greedy: the title takes all up to the last separator
            return rf"{open_}{char}*(?:\\.{char}*)*)"
        return rf"{open_}(?:{char}|\\.)*?)"
    in_link = following.startswith(")")
    body = {
        "url": r"[^)\s]+" if in_link else r"\S+?" if not at_end else r"\S+",
        "pdf_url": r"[^)\s]+" if in_link else r"\S+?" if not at_end else r"\S+",
        "code_url": r"[^)\s|]+",
        "id": _ID,
        "date": DATE,
        "year": r"\d{4}",
        "primary_category": r"[^\s|,;]+",
        "code": r"\[[^\]\r\n]*\]\([^)\s]*\)|[^\s|]+",
    }[name]
    return f"{open_}{body})"


def table_cells(row: str) -> int:
    """Cells of a table row ("| a | b |" has 2): unescaped pipes, less the outer ones."""
    text = row.strip()
    pipes = _unescaped_pipes(text)
    return pipes - 1 if text.startswith("|") and text.endswith("|") else pipes + 1


def _unescaped_pipes(text: str) -> int:
    return len(re.findall(r"(?<!\\)\|", text))


def read_back_problem(template: str) -> str:
    """Why the bot could not read back what `template` writes, or "" when it can.

    The title must sit where it can be found again: link text, a cell of its own,
    or between separators; a free-text neighbour ({authors}, {first_author},
    {venue}) joined to it by plain text such as ", " makes the boundary unknowable.
    """
    tokens = template_tokens(template)
    fields = [(i, name) for i, (_, name) in enumerate(tokens) if name is not None]
    for position, (index, name) in enumerate(fields):
        if name != "title":
            continue
        neighbours = []
        if position > 0:
            neighbours.append((fields[position - 1][1], tokens[index][0]))
        if position + 1 < len(fields):
            neighbours.append((fields[position + 1][1], tokens[index + 1][0]))
        for other, between in neighbours:
            if not between.strip():
                return (
                    f"puts {{{other}}} right next to {{title}}: the bot could not tell "
                    f"where the title ends when reading the list back; separate them"
                )
            if other in FREE_FIELDS and not _stop(between):
                return (
                    f"separates {{title}} and {{{other}}} only by {between!r}, which either "
                    f"may contain: the bot could not read the title back; put the title in "
                    f"the link text or a table cell, or a {{date}} between them"
                )
    return ""
