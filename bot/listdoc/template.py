"""The entry template: what a new paper's line looks like (`target.entry_template`)."""

from __future__ import annotations

import string
from datetime import date

from bot.listdoc.markdown import escape_markdown, short_authors
from bot.listdoc.reader import compile_reader, read_back_problem
from bot.models import Paper
from bot.normalize import collapse_whitespace

ENTRY_FIELDS = (
    "id",
    "title",
    "url",
    "pdf_url",
    "authors",
    "first_author",
    "date",
    "year",
    "primary_category",
    "venue",
    "code",
    "code_url",
)


def entry_fields(paper: Paper, placeholder: str, default_venue: str) -> dict[str, str]:
    """Template fields: text from arXiv Markdown-escaped, missing fields `placeholder`."""
    blank = placeholder
    title = collapse_whitespace(paper.title)  # a line break would end the entry early
    authors = [name for name in map(collapse_whitespace, paper.authors) if name]
    first = authors[0] + (" et al." if len(authors) > 1 else "") if authors else ""
    host = "GitLab" if "gitlab" in paper.code_url.lower() else "Github"
    return {
        "id": paper.id,
        "title": escape_markdown(title) if title else "(untitled)",
        "url": paper.url,
        "pdf_url": paper.pdf_url,
        "authors": escape_markdown(short_authors(authors)) if authors else blank,
        "first_author": escape_markdown(first) if first else blank,
        "date": paper.published.isoformat(),
        "year": str(paper.published.year),
        "primary_category": escape_markdown(collapse_whitespace(paper.primary_category)) or blank,
        "venue": escape_markdown(collapse_whitespace(paper.venue or default_venue)) or blank,
        "code_url": paper.code_url or blank,
        "code": f"[{host}]({paper.code_url})" if paper.code_url else blank,
    }


def format_entry(template: str, paper: Paper, placeholder: str = "-", venue: str = "arXiv") -> str:
    """The paper's line (without line ending) in the template's form."""
    return template.format_map(entry_fields(paper, placeholder, venue))


def entry_template_problem(template: str) -> str:
    """Return why an entry template cannot be rendered, or "" when it is fine."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        return f"is not a valid template ({exc}); use {{title}} and {{url}} placeholders"
    unknown = [n for n in names if n not in ENTRY_FIELDS]
    if unknown:
        return f"uses unknown field {{{unknown[0]}}} (known: {', '.join(ENTRY_FIELDS)})"
    if "title" not in names or not ({"url", "id", "pdf_url"} & set(names)):
        return "must contain {title} and one of {url}, {id}, {pdf_url}"
    if "\n" in template or "\r" in template:
        return "must be a single line"
    if any(spec or conversion for _, _, spec, conversion in string.Formatter().parse(template)):
        return "must use plain fields such as {title}, without formats or conversions"
    return read_back_problem(template) or _round_trip_problem(template)


# Papers whose lines test a template at load: titles and authors with the separators
# lists use, Markdown specials, and an old-style id.
_SAMPLES = (
    Paper(
        "2401.00001",
        1,
        "A, B: C - D | E [F] *G* (H), 2024-01-01",
        "",
        ("Ann Lee", "Bo Li, Jr."),
        date(2024, 1, 2),
        "cs.LG",
        ("cs.LG",),
        venue="ICML, 2024",
        code_url="https://github.com/a/b",
    ),
    Paper("hep-th/9901001", 2, "Plain", "", (), date(1999, 1, 1), "hep-th", ("hep-th",)),
)


def _round_trip_problem(template: str) -> str:
    from bot.listdoc.entries import read_item

    reader = compile_reader(template)
    for paper in _SAMPLES:
        line = format_entry(template, paper) + "\n"
        entry = read_item(0, line, reader)
        if entry is None or entry.id != paper.id or entry.title != paper.title:
            return (
                f"writes lines the bot cannot read back as the same paper (the {{title}} "
                f"or the link is not found again in {line.strip()!r})"
            )
    return ""
