"""The list document: a README read once per run, and the edits the bot makes to it.

Every step that looks at the list (dedupe's known titles, the edit, audit, reconcile)
asks one ListDocument; each part (lines, sections, known papers) is read on first use
and kept for the run. Edits return new text and never change the document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cached_property

from bot.config import TargetConfig
from bot.errors import ConfigError
from bot.listdoc.edit import insert_entries, retitled
from bot.listdoc.entries import ListEntry, known_from_text
from bot.listdoc.lines import newline_of, split_lines
from bot.listdoc.markdown import split_authors
from bot.listdoc.reader import Reader, compile_reader
from bot.listdoc.section import Section, find_section
from bot.listdoc.stamp import refresh_stamp
from bot.listdoc.template import format_entry
from bot.models import KnownTitle, KnownTitles, Paper, TitleChange
from bot.normalize import find_arxiv_ids


class ListDocument:
    """A README and the configured target: its sections, entries and known papers.

    Raises ListFormatError (on first use of `sections` or what needs it) when a
    configured section is missing.
    """

    def __init__(self, text: str, target: TargetConfig) -> None:
        self.text = text
        self.target = target

    @cached_property
    def lines(self) -> list[str]:
        """The text split keeping line endings (read only: edits work on copies)."""
        return split_lines(self.text)

    @cached_property
    def newline(self) -> str:
        return newline_of(self.text)

    @property
    def section_names(self) -> tuple[str, ...]:
        """The default section first, then the routing subsections, each once."""
        return tuple(dict.fromkeys((self.target.section, *self.target.sections)))

    @cached_property
    def reader(self) -> Reader:
        """How entries written with the configured template are read back."""
        return compile_reader(self.target.entry_template)

    @cached_property
    def sections(self) -> dict[str, Section]:
        """Every configured section, by heading name (all found before anything is edited).

        Raises ListFormatError for a missing section, ConfigError for a section the
        template cannot write into (bullets into a table, rows of another width).
        """
        found = {
            name: find_section(self.lines, name, self.reader, key)
            for name in self.section_names
            for key in ["target.section" if name == self.target.section else "target.sections"]
        }
        for name, section in found.items():
            check_layout(name, section, self.reader.table_cells, self.target.entry_template)
        return found

    @cached_property
    def entries(self) -> tuple[ListEntry, ...]:
        """The entries of every configured section, each once, in line order."""
        by_line = {e.line: e for s in self.sections.values() for e in s.entries}
        return tuple(by_line[line] for line in sorted(by_line))

    def authors_of(self, paper_id: str) -> tuple[str, ...]:
        """The authors an entry shows for this paper (tables often do), or ()."""
        return self._authors.get(paper_id, ())

    @cached_property
    def _authors(self) -> dict[str, tuple[str, ...]]:
        if "authors" not in self.reader.pattern.groupindex:  # most lists: no entry shows them
            return {}
        return {
            e.id: split_authors(e.authors)
            for s in self.sections.values()
            for e in s.entries
            if e.id and e.authors
        }

    @cached_property
    def known(self) -> KnownTitles:
        """Every paper the list shows: the sections' entries, then arXiv ids anywhere else."""
        return known_from_sections(self.lines, list(self.sections.values()))

    @cached_property
    def ids(self) -> set[str]:
        return {paper_id for paper_id in self.known.ids if paper_id}

    @cached_property
    def titles(self) -> dict[str, str]:
        """Listed titles by id (entries that show a title)."""
        return {i: t for i, t in zip(self.known.ids, self.known.titles, strict=True) if i and t}

    def with_papers(
        self, papers: Sequence[Paper], now: datetime, placement: Mapping[str, str] | None = None
    ) -> str:
        """The text with `papers` added to their sections and the stamp refreshed.

        `placement` maps a paper id to the heading it goes under (default
        `target.section`). Only the sections' entry blocks, their "(N)" counts
        (recounted from the entries) and the stamp line change; every other byte
        is kept. Papers already in their section are skipped, so applying the same
        papers twice equals applying them once. With nothing to add the text is
        returned unchanged (the stamp stays).
        """
        target = self.target
        sections = self.sections  # every section is checked first, even with nothing new
        lines = list(self.lines)
        moved = False
        unique: dict[str, Paper] = {}
        for paper in papers:
            unique.setdefault(paper.id, paper)
        groups: dict[str, list[Paper]] = {}
        for paper in unique.values():
            groups.setdefault((placement or {}).get(paper.id, target.section), []).append(paper)
        added = 0
        for name, group in groups.items():
            # An insertion moves the lines below it: later sections are found again.
            section = (
                find_section(lines, name, self.reader)
                if moved or name not in sections
                else sections[name]
            )
            listed = {entry.id for entry in section.entries if entry.id}
            fresh = [p for p in group if p.id not in listed]
            if not fresh:
                continue
            newest_first = sorted(fresh, key=lambda p: (p.published, p.id), reverse=True)
            ordered = newest_first if target.position == "top" else newest_first[::-1]
            block = [self.format_entry(p) + self.newline for p in ordered]
            insert_entries(lines, section, block, target.position)
            added += len(fresh)
            moved = True
        if not added:
            return self.text
        if target.last_updated_heading:
            refresh_stamp(lines, target.last_updated_heading, target.stamp_format, now)
        return "".join(lines)

    def format_entry(self, paper: Paper) -> str:
        """The paper's line as the entry template writes it (no line ending)."""
        t = self.target
        return format_entry(t.entry_template, paper, t.placeholder, t.default_venue)

    def with_titles(self, changes: Sequence[TitleChange]) -> str:
        """The text with the link text of retitled papers replaced; nothing else moves."""
        if not changes:
            return self.text
        lines = list(self.lines)
        wanted = {change.id: change for change in changes}
        for entry in self.entries:
            change = wanted.get(entry.id or "")
            if change is not None:
                lines[entry.line] = retitled(lines[entry.line], self.reader, entry, change.new)
        return "".join(lines)


def check_layout(name: str, section: Section, cells: int, template: str) -> None:
    """Refuse a template that would break the section: bullets inside a table, table
    rows in a list, or rows with another number of cells than the table's header."""
    where = f"section '{name}'"
    table = section.table_separator is not None and section.table_end is not None
    outside = table and any(
        not (section.table_separator or 0) < e.line < (section.table_end or 0)
        for e in section.entries
    )
    if table and not cells and not outside:
        raise ConfigError(
            f"target.entry_template {template!r} writes list items, but {where} is a table "
            f"of {section.columns} columns: use a row template with {section.columns} cells"
        )
    if table and cells and cells != section.columns:
        raise ConfigError(
            f"target.entry_template {template!r} writes rows of {cells} cells, but the table "
            f"in {where} has {section.columns} columns: give the template {section.columns} cells"
        )
    if cells and not table:
        raise ConfigError(
            f"target.entry_template {template!r} writes table rows of {cells} cells, but "
            f"{where} has no table (header and |---| rows): add one or use a list template"
        )


def known_from_sections(lines: list[str], sections: Sequence[Section]) -> KnownTitles:
    """What `known_from_text` finds in the whole text, reusing the sections' parsed
    entries: only the text outside them is scanned again (on a large list, a small part)."""
    # Heading sections nest or stay apart (a subsection lies inside its parent; the
    # marked region is every name's section): the outermost ones cover each entry once.
    outermost: list[Section] = []
    for section in sorted(sections, key=lambda s: (s.start, -s.end)):
        if not outermost or section.start >= outermost[-1].end:
            outermost.append(section)
    entries = [e for s in outermost for e in (*s.entries, *s.mentions, *s.others)]
    known = KnownTitles(
        [e.id for e in entries], [e.title for e in entries], ["list"] * len(entries)
    )
    extra: list[KnownTitle] = []
    outside, position = [], 0
    for section in outermost:
        text = "".join(lines[section.start : section.end])
        linked = len(section.entries) + len(section.mentions)  # each links an arXiv paper
        if text.count("arxiv.org/") + text.lower().count("arxiv:") > linked:
            # More arXiv references than entry links (a second link on a line): find them all.
            extra += [KnownTitle(i, "", "list") for i in find_arxiv_ids(text)]
        outside += lines[position : section.start]
        position = section.end
    outside += lines[position:]
    return known + KnownTitles.of(extra + known_from_text("".join(outside)))
