"""How well a template writes a list's own entries: each listed paper written back and
compared byte for byte (what `init` reports)."""

from __future__ import annotations

import re

from bot.listdoc.entries import ListEntry
from bot.listdoc.markdown import escape_markdown
from bot.listdoc.reader import field_pattern, template_tokens


def check_template(
    lines: list[str], entries: tuple[ListEntry, ...], template: str
) -> tuple[int, list[tuple[int, str, str]]]:
    """Write each listed paper back with the template (its title escaped as the bot
    escapes it, its link in the template's form, other fields as the line shows them)
    and compare: (entries checked, [(line number, as listed, as the bot writes)])."""
    differs = []
    for entry in entries:
        listed = lines[entry.line].rstrip("\r\n")
        values = _fields_of(template, listed) or _cell_fields(template, listed)
        values |= {
            "title": escape_markdown(entry.title),
            "url": f"https://arxiv.org/abs/{entry.id}",
            "pdf_url": f"https://arxiv.org/pdf/{entry.id}",
            "id": entry.id or "",
        }
        written = template.format_map(_Blank(values))
        if written != listed:
            differs.append((entry.line + 1, listed, written))
    return len(entries), differs


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "-"


def _fields_of(template: str, line: str) -> dict[str, str] | None:
    """The raw text of each field where `template` (read strictly) matches the line."""
    parts: list[str] = []
    names: list[str] = []
    for index, (literal, name) in enumerate(template_tokens(template)):
        parts.append(re.escape(literal))
        if name is None:
            continue
        tokens = template_tokens(template)
        following = tokens[index + 1][0] if index + 1 < len(tokens) else ""
        group = f"f{len(names)}"
        names.append(name)
        pattern = field_pattern(name, None, following, index + 1 >= len(tokens))
        parts.append(f"(?P<{group}>{pattern})")
    match = re.fullmatch("".join(parts), line)
    if match is None:
        return None
    return {name: match[f"f{i}"] for i, name in enumerate(names)}


def _cell_fields(template: str, row: str) -> dict[str, str]:
    """Fields of a table row that did not match strictly: a cell holding one field alone
    in the template takes the row's cell as it is."""
    if not template.lstrip().startswith("|"):
        return {}
    values = {}
    for wanted, cell in zip(split_cells(template), split_cells(row), strict=False):
        name = re.fullmatch(r"\s*\{(\w+)\}\s*", wanted)
        if name:
            values[name.group(1)] = cell.strip()
    return values


def split_cells(row: str) -> list[str]:
    """The cells of a table row, outer pipes dropped (escaped pipes stay in their cell)."""
    text = row.strip()
    text = text[1:] if text.startswith("|") else text
    text = text[:-1] if text.endswith("|") and not text.endswith("\\|") else text
    return re.split(r"(?<!\\)\|", text)
