"""Survey a list as it is written: the section that takes new papers, its entry
template, its stamp and its subsections (what `init` writes into config.toml).

Pure functions over the list's text. The template is derived from the entries
themselves and checked by writing each listed paper back and comparing the bytes.
"""

from __future__ import annotations

import re
from collections import Counter

from msgspec import Struct, field

from bot.errors import ListFormatError
from bot.listdoc.entries import TABLE_SEPARATOR, ListEntry, read_item
from bot.listdoc.fit import check_template, split_cells
from bot.listdoc.lines import START_MARKER, heading_name_and_count, heading_of, split_lines
from bot.listdoc.markdown import escape_markdown
from bot.listdoc.reader import table_cells
from bot.listdoc.section import DEFAULT_READER
from bot.listdoc.stamp import detect_stamp_format, find_stamp
from bot.listdoc.template import entry_template_problem
from bot.samepaper import STOP_WORDS

_STAMP_LABELS = ("Last Updated", "Last updated", "Updated", "Last update")
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_YEAR = re.compile(r"(?<![\w.-])(?:19|20)\d{2}(?![\w-])")
_ARXIV_URL = re.compile(r"https?://(?:www\.|export\.)?arxiv\.org/(abs|pdf)/[^)\s|,]+?(?=[)\s|,]|$)")
_CELL_FIELDS = {
    "venue": "{venue}",
    "conference": "{venue}",
    "publication": "{venue}",
    "code": "{code}",
    "github": "{code}",
    "authors": "{authors}",
    "author": "{authors}",
    "year": "{year}",
}
_NOT_PHRASES = {"papers", "paper", "other", "others", "misc", "miscellaneous", "general"}


class Heading(Struct, frozen=True):
    index: int  # line index
    level: int
    name: str  # without the "(N)" count
    entries: tuple[ListEntry, ...]  # arXiv entries directly under it
    columns: int  # the table's columns, 0 for a list


class Layout(Struct, frozen=True):
    """What `init` found, and how well the template it chose writes the listed papers."""

    section: str
    template: str
    columns: int
    position: str
    stamp_label: str
    stamp_format: str
    routes: dict[str, tuple[str, ...]]
    unrouted: tuple[str, ...]  # sections with papers but another layout
    checked: int  # entries written back
    differs: tuple[tuple[int, str, str], ...]  # (line number, as listed, as the bot writes)
    titles: tuple[str, ...] = field(default=())  # every listed title, for the topic's terms
    marked: bool = False


def survey(text: str) -> Layout:
    """The layout of the list `text`. Raises ListFormatError when no section holds papers."""
    lines = split_lines(text)
    headings = list_headings(lines)
    marked = START_MARKER in text
    chosen = max(headings, key=lambda h: len(h.entries), default=None)
    if chosen is None or not chosen.entries:
        raise ListFormatError(
            "found no section to take papers: looked for a heading followed by list items or "
            f"table rows that link arxiv.org, and for a '{START_MARKER}' region"
        )
    template = choose_template(lines, chosen)
    checked, differs = check_template(lines, chosen.entries, template)
    same = [h for h in headings if h is not chosen and h.entries]
    others = [h.name for h in headings if h is not chosen]
    routes = {
        h.name: phrases
        for h in same
        if h.columns == chosen.columns
        for phrases in [route_phrases(h, chosen.name, others)]
        if phrases
    }
    unrouted = tuple(h.name for h in same if h.name not in routes)
    label, fmt = survey_stamp(lines)
    titles = tuple(e.title for h in headings for e in h.entries if e.title)
    return Layout(
        chosen.name,
        template,
        chosen.columns,
        position_of(chosen.entries),
        label,
        fmt,
        routes,
        unrouted,
        checked,
        tuple(differs),
        titles,
        marked,
    )


def list_headings(lines: list[str]) -> list[Heading]:
    """Every heading with the arXiv entries directly below it (up to the next heading)."""
    starts = [i for i, line in enumerate(lines) if heading_of(line)]
    found = []
    for at, start in enumerate(starts):
        end = starts[at + 1] if at + 1 < len(starts) else len(lines)
        level, title = heading_of(lines[start]) or (0, "")
        entries, columns = [], 0
        for index in range(start + 1, end):
            line = lines[index]
            if (
                line.lstrip().startswith("|")
                and index + 1 < end
                and _is_separator(lines[index + 1])
            ):
                columns = columns or table_cells(line)
                continue
            entry = read_item(index, line, DEFAULT_READER)
            if entry is not None and entry.id:
                entries.append(entry)
        name = heading_name_and_count(title)[0].strip()
        found.append(Heading(start, level, name, tuple(entries), columns))
    return found


def _is_separator(line: str) -> bool:
    return TABLE_SEPARATOR.match(line.strip()) is not None


def choose_template(lines: list[str], heading: Heading) -> str:
    """The template most of the section's entries are written in (derived per entry)."""
    header = _header_cells(lines, heading) if heading.columns else []
    derived = Counter(
        t for e in heading.entries for t in [derive_template(lines[e.line], e, header)] if t
    )
    for template, _ in derived.most_common():
        if not entry_template_problem(template):
            return template
    if heading.columns:
        cells = ["[{title}]({url})", "{date}"] + ["-"] * max(0, heading.columns - 2)
        return "| " + " | ".join(cells[: max(heading.columns, 1)]) + " |"
    return "- [{title}]({url})"


def _header_cells(lines: list[str], heading: Heading) -> list[str]:
    for index in range(heading.index + 1, len(lines) - 1):
        if lines[index].lstrip().startswith("|") and _is_separator(lines[index + 1]):
            return [c.strip().casefold() for c in split_cells(lines[index])]
    return []


def derive_template(line: str, entry: ListEntry, header: list[str]) -> str:
    """The template that writes this entry's line, as near as the fields allow."""
    body = line.rstrip("\r\n")
    if header:
        cells = split_cells(body)
        lead = body[: len(body) - len(body.lstrip())]
        return (
            lead
            + "|"
            + "|".join(
                _cell_template(cell, entry, header[i] if i < len(header) else "")
                for i, cell in enumerate(cells)
            )
            + "|"
        )
    bullet = re.match(r"\s*(?:[-*+]|\d+[.)])\s+", body)
    if bullet is None:
        return ""
    marker = bullet.group()
    marker = re.sub(r"\d+", "1", marker)
    return marker + _fill(body[bullet.end() :], entry, authors=True)


def _cell_template(cell: str, entry: ListEntry, column: str) -> str:
    inner = cell.strip()
    pad_left = cell[: len(cell) - len(cell.lstrip())]
    pad_right = cell[len(cell.rstrip()) :]
    if _ARXIV_URL.search(inner) or (entry.title and entry.title in inner):
        inner = _fill(re.sub(r"!\[[^\]]*\]\([^)]*\)\s*(?:<br>\s*)?", "", inner), entry)
    elif _ISO_DATE.fullmatch(inner):
        inner = "{date}"
    elif column in _CELL_FIELDS:
        inner = _CELL_FIELDS[column]
    elif "date" in column and _ISO_DATE.search(inner):
        inner = "{date}"
    else:
        inner = "-"
    return pad_left + inner + pad_right


def _fill(text: str, entry: ListEntry, authors: bool = False) -> str:
    """The text with the entry's title, arXiv link and ISO date (and, before a date that
    comes before the title, the authors; a year that is the arXiv id's) turned into
    template fields."""
    spans: list[tuple[int, int, str]] = []
    url = _ARXIV_URL.search(text)
    if url:
        link = _link_template(url.group(), url.group(1), entry.id or "")
        spans.append((url.start(), url.end(), link))
    title = _title_in(text, entry)
    if title is not None and not any(s < title[1] and title[0] < e for s, e, _ in spans):
        spans.append((*title, "{title}"))
    date = _ISO_DATE.search(text)
    if date and not any(s < date.end() and date.start() < e for s, e, _ in spans):
        spans.append((date.start(), date.end(), "{date}"))
        lead = re.match(r"(.+?)([,;] |\s[-\u2013\u2014]\s)$", text[: date.start()])
        if authors and lead and title is not None and title[0] > date.start():
            spans.append((0, len(lead.group(1)), "{authors}"))
    year = _YEAR.search(text)
    while year and any(s < year.end() and year.start() < e for s, e, _ in spans):
        year = _YEAR.search(text, year.end())
    if year and year.group() == _id_year(entry.id or ""):
        spans.append((year.start(), year.end(), "{year}"))
    out, at = [], 0
    for start, end, fragment in sorted(spans):
        out.append(_literal(text[at:start]) + fragment)
        at = end
    return "".join(out) + _literal(text[at:])


def _literal(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _link_template(written: str, kind: str, paper_id: str) -> str:
    """The template of an arXiv link as the list writes it: {url} or {pdf_url} in their
    own form, else the link with {id} in it ("https://arxiv.org/pdf/{id}.pdf",
    "http://arxiv.org/abs/{id}"); a link with a version keeps {url} or {pdf_url}."""
    if written in (f"https://arxiv.org/abs/{paper_id}", f"https://arxiv.org/pdf/{paper_id}"):
        return "{pdf_url}" if kind == "pdf" else "{url}"
    at = written.find(paper_id) if paper_id else -1
    if at >= 0 and written[at + len(paper_id) :] in ("", ".pdf", "/"):
        return _literal(written[:at]) + "{id}" + written[at + len(paper_id) :]
    return "{pdf_url}" if kind == "pdf" else "{url}"


def _id_year(paper_id: str) -> str:
    """The year an arXiv id was given in ("2309.08600" -> "2023", "hep-th/9901001" ->
    "1999"), as the {year} of a new paper reads (arXiv identifier scheme: YYMM)."""
    digits = re.search(r"(?:^|/)(\d{2})\d{2}", paper_id)
    if digits is None:
        return ""
    yy = int(digits.group(1))
    return str(1900 + yy if yy >= 91 else 2000 + yy)


def _title_in(text: str, entry: ListEntry) -> tuple[int, int] | None:
    for written in (escape_markdown(entry.title), entry.title):
        at = text.find(written) if written else -1
        if at >= 0:
            return at, at + len(written)
    return None


def route_phrases(heading: Heading, default: str, names: list[str]) -> tuple[str, ...]:
    """The heading's phrases (heading_phrases); when none occurs in the titles under it,
    also its own words that those titles use and the other headings do not:
    "Interpretability in Vision LLMs" -> "vision", "Benchmarking Interpretability" ->
    "benchmark*" (a whole heading seldom occurs in a paper's title: its papers went to
    the default section)."""
    from bot.phrases import phrase_pattern

    phrases = list(heading_phrases(heading.name))
    titles = [e.title for e in heading.entries if e.title]
    if any(phrase_pattern(p).search(t) for p in phrases for t in titles):
        return tuple(phrases)
    elsewhere = Counter(
        w for name in {*names, default} if name != heading.name for w in set(_words_of(name))
    )
    for word in _words_of(heading.name):
        if elsewhere[word] or word in phrases:
            continue
        phrase = word[:-3] + "*" if word.endswith("ing") and len(word) > 6 else word
        if any(phrase_pattern(phrase).search(title) for title in titles):
            phrases.append(phrase)
    return tuple(dict.fromkeys(phrases))


def _words_of(name: str) -> list[str]:
    words = re.findall(r"[a-z][a-z0-9-]+", re.sub(r"\(.*?\)", "", name.casefold()))
    return [w for w in words if len(w) >= 3 and w not in _NOT_PHRASES and w not in STOP_WORDS]


def heading_phrases(name: str) -> tuple[str, ...]:
    """Routing phrases from a section's heading ("SAE, Dictionary Learning and
    Superposition" -> "sae", "dictionary learning", "superposition")."""
    parts = re.split(r",|&|/|\band\b|\bor\b", re.sub(r"\(.*?\)", "", name.casefold()))
    words = [" ".join(p.split()) for p in parts]
    return tuple(
        dict.fromkeys(w for w in words if len(w) >= 3 and w not in _NOT_PHRASES and not w.isdigit())
    )


def position_of(entries: tuple[ListEntry, ...]) -> str:
    """ "top" when the list's newest papers (by arXiv id) stand in its upper half, else
    "bottom".

    Where the newest tenth stands tells, not how neighbours compare: a list that grows
    at the bottom often appends each batch newest first, so its neighbours fall more
    often than they rise (560 to 319 on the 880-entry list in tests/data).
    """
    ids = [e.id for e in entries if e.id and "/" not in e.id]
    if len(ids) < 2:
        return "top"
    newest = sorted(range(len(ids)), key=ids.__getitem__)[-max(1, len(ids) // 10) :]
    return "bottom" if sum(newest) / len(newest) > (len(ids) - 1) / 2 else "top"


def survey_stamp(lines: list[str]) -> tuple[str, str]:
    """(label, strftime format) of the list's stamp; ("", "") when it has none.

    The format is "" when the bot can tell it from the stamp itself each run."""
    for label in _STAMP_LABELS:
        try:
            index, start = find_stamp(lines, label)
        except ListFormatError:
            continue
        date_text = lines[index][start:].rstrip("\r\n").rstrip(" *_`")
        try:
            fmt = detect_stamp_format(date_text, "".join(lines))
        except ListFormatError:  # day/month order undecided: the user must say
            return label, "?"
        if fmt is not None:
            return label, ""
    return "", ""
