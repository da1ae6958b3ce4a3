"""Entry templates read back: what the bot writes with any accepted template, it reads
back as the same papers (ids and titles), and a second run changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.config import TargetConfig
from bot.errors import ConfigError
from bot.listdoc.document import ListDocument
from bot.listdoc.reader import table_cells
from bot.listdoc.template import entry_template_problem
from bot.models import Paper
from bot.normalize import collapse_whitespace

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)

# Pieces real lists put on an entry line; a template is a bullet or a table row of them.
TITLE_PIECES = (
    "[{title}]({url})",
    "[**{title}**]({pdf_url})",
    "**[{title}]({url})**",
    "*[{title}]({url})*",
    "{title}",
    "**{title}**",
)
OTHER_PIECES = (
    "{authors}",
    "{first_author}",
    "{date}",
    "{year}",
    "{venue}",
    "{code}",
    "{primary_category}",
    "arXiv:{id}",
    "[paper]({url})",
    "[[pdf]]({pdf_url})",
    "({first_author}, {year})",
    "[arXiv]({url})",
    "<br>",
)
SEPARATORS = (", ", " - ", " · ", " ", ": ", " — ", "; ")
BULLETS = ("- ", "* ", "+ ", "1. ")


@st.composite
def templates(draw: st.DrawFn) -> str:
    pieces = [draw(st.sampled_from(TITLE_PIECES))]
    pieces += draw(st.lists(st.sampled_from(OTHER_PIECES), max_size=3))
    order = draw(st.permutations(pieces))
    if draw(st.booleans()):
        return "| " + " | ".join(order) + " |"
    seps = [draw(st.sampled_from(SEPARATORS)) for _ in order[1:]]
    line = order[0] + "".join(sep + piece for sep, piece in zip(seps, order[1:], strict=True))
    return draw(st.sampled_from(BULLETS)) + line


TITLE_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60
).map(collapse_whitespace)
NAMES = st.lists(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=15),
    max_size=5,
)


def paper(paper_id: str, title: str, authors: list[str], day: int) -> Paper:
    return Paper(paper_id, 1, title, "", tuple(authors), date(2026, 11, day), "cs.LG", ("cs.LG",))


def empty_list(template: str) -> str:
    header = ""
    if template.startswith("|"):
        cells = table_cells(template)
        header = "| " + " | ".join(["Col"] * cells) + " |\n" + "|---" * cells + "|\n"
    return f"# List\n\n## Papers (0)\n{header}\n## After\ntail\n"


@settings(max_examples=300, deadline=None)
@given(templates(), st.lists(st.tuples(TITLE_TEXT, NAMES), min_size=1, max_size=4))
def test_every_accepted_template_reads_back_what_it_writes(
    template: str, drawn: list[tuple[str, list[str]]]
) -> None:
    assume(not entry_template_problem(template))
    titles = [t for t, _ in drawn]
    assume(all(titles) and len(set(titles)) == len(titles))
    papers = [paper(f"2611.{i:05d}", title, names, 1 + i) for i, (title, names) in enumerate(drawn)]
    target = TargetConfig(entry_template=template, last_updated_heading="")
    once = ListDocument(empty_list(template), target).with_papers(papers, NOW)
    document = ListDocument(once, target)
    assert {(e.id, e.title) for e in document.entries} == {(p.id, p.title) for p in papers}
    assert document.sections["Papers"].count == len(papers)
    assert document.with_papers(papers, NOW) == once  # a second run changes nothing


@pytest.mark.parametrize(
    "template",
    [
        "- **[{title}]({url})**",
        "1. [{title}]({url})",
        "- {title} [[paper]]({url})",
        "- {authors}, {date}, {title}, {url}",
        "| {title} | [arXiv]({url}) | {date} |",
    ],
)
def test_the_issue_templates_read_back_from_the_second_run_on(template: str) -> None:
    target = TargetConfig(entry_template=template, last_updated_heading="")
    first = [paper("2611.00001", "Sparse Autoencoders, Revisited: A [Study]", ["A, B", "C"], 2)]
    once = ListDocument(empty_list(template), target).with_papers(first, NOW)
    second = [*first, paper("2611.00002", "Another One", ["D"], 3)]
    twice = ListDocument(once, target).with_papers(second, NOW)
    document = ListDocument(twice, target)
    assert [(e.id, e.title) for e in document.entries] == [
        ("2611.00002", "Another One"),
        ("2611.00001", "Sparse Autoencoders, Revisited: A [Study]"),
    ]


@pytest.mark.parametrize(
    ("template", "field"),
    [
        ("- {authors}, {title}, {url}", "{authors}"),
        ("- {title}, {venue} [pdf]({pdf_url})", "{venue}"),
        ("- {title} {first_author} [x]({url})", "{first_author}"),
        ("- {title}{url}", "{url}"),
    ],
)
def test_a_template_that_cannot_be_read_back_is_refused_naming_the_field(
    template: str, field: str
) -> None:
    problem = entry_template_problem(template)
    assert field in problem and "read" in problem


def test_the_title_is_the_cell_the_template_puts_it_in() -> None:
    template = "| {title} | [arXiv]({url}) | {date} |"
    text = (
        "## Papers\n| Title | Link | Date |\n|---|---|---|\n"
        "| Toy Models of Superposition | [arXiv](https://arxiv.org/abs/2209.10652) | 2022-09-21 |\n"
        "| Hand-Written [Row] | [arXiv](https://arxiv.org/pdf/2301.05217v2) | Jan 2023 |\n"
    )
    document = ListDocument(text, TargetConfig(entry_template=template, last_updated_heading=""))
    assert [(e.id, e.title) for e in document.entries] == [
        ("2209.10652", "Toy Models of Superposition"),
        ("2301.05217", "Hand-Written [Row]"),
    ]


def test_a_bullet_template_in_a_table_section_is_a_config_error() -> None:
    text = "## Papers\n| Title | Venue | Date |\n|---|---|---|\n"
    with pytest.raises(ConfigError, match="section 'Papers' is a table of 3 columns"):
        _ = ListDocument(text, TargetConfig(last_updated_heading="")).sections


def test_a_row_of_another_width_is_a_config_error() -> None:
    text = "## Papers\n| Title | Venue | Date |\n|---|---|---|\n"
    target = TargetConfig(entry_template="| [{title}]({url}) | {venue} |", last_updated_heading="")
    with pytest.raises(ConfigError, match=r"rows of 2 cells.*section 'Papers' has 3 columns"):
        _ = ListDocument(text, target).sections
