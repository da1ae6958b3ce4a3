"""The list document: one parse shared by the steps, the "(N)" count, wrong counts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from msgspec.structs import replace

from bot.audit import audit_entries
from bot.cleanup import cleanup_list
from bot.config import RelevanceConfig, TargetConfig
from bot.errors import ListFormatError
from bot.listdoc.document import ListDocument
from bot.models import Paper
from bot.relevance import compile_rules

NOW = datetime(2026, 11, 21, 9, 30, 5, tzinfo=UTC)
TARGET = TargetConfig(last_updated_heading="")


def paper(number: int) -> Paper:
    return Paper(f"2611.{number:05d}", 1, f"New paper {number}", "", (), date(2026, 11, 1), "", ())


def listing(count: int, entries: int) -> str:
    lines = [f"- [Old {i}](https://arxiv.org/abs/2401.{i:05d})\n" for i in range(entries)]
    return f"# List\n\n## Papers ({count})\n" + "".join(lines) + "\n## After\ntail\n"


def test_the_count_is_recounted_from_the_entries_not_incremented() -> None:
    text = listing(7, 124)
    after = ListDocument(text, TARGET).with_papers([paper(i) for i in range(6)], NOW)
    assert "## Papers (130)\n" in after
    assert ListDocument(after, TARGET).sections["Papers"].count == 130


def test_a_run_that_adds_nothing_does_not_rewrite_the_count() -> None:
    text = listing(7, 3)
    document = ListDocument(text, TARGET)
    assert document.with_papers([], NOW) == text
    listed = Paper("2401.00001", 1, "Old 1", "", (), date(2024, 1, 1), "", ())
    assert document.with_papers([listed], NOW) == text


def test_audit_reports_and_fixes_a_wrong_count() -> None:
    document = ListDocument(listing(7, 3), TARGET)
    findings = audit_entries(document, {}, compile_rules(RelevanceConfig()), 90.0)
    wrong = [f for f in findings if f.kind == "wrong_count"]
    assert [(f.line, f.detail) for f in wrong] == [
        (3, "the heading says (7), the section has 3 entries")
    ]
    assert "## Papers (3)\n" in cleanup_list(document, findings, {}).text
    right = ListDocument(listing(3, 3), TARGET)
    assert not audit_entries(right, {}, compile_rules(RelevanceConfig()), 90.0)


NESTED = (
    "# List\n\n## Papers (3)\n\n"
    "- Category A\n"
    "  - [Sparse Autoencoders Find Features](https://arxiv.org/abs/2309.08600)\n"
    "  - [Towards Monosemanticity](https://arxiv.org/abs/2310.01234)\n"
    "- [In-context Learning and Induction Heads](https://arxiv.org/abs/2209.11895)\n"
    "  - see also: [the monosemanticity paper](https://arxiv.org/abs/2310.01234)\n"
    "  - and [a follow-up](https://arxiv.org/abs/2401.00077)\n"
)


def test_a_paper_named_under_an_entry_is_known_but_neither_counted_nor_audited() -> None:
    # A "see also" sub-bullet was an entry: the count took it in ((3) became (4) on the
    # next edit), and audit called it a duplicate, which the clean-up PR would delete.
    document = ListDocument(NESTED, TARGET)
    section = document.sections["Papers"]
    assert [e.id for e in section.entries] == ["2309.08600", "2310.01234", "2209.11895"]
    assert [e.id for e in section.mentions] == ["2310.01234", "2401.00077"]
    assert "2401.00077" in document.ids  # a paper the list names is never added again
    assert not audit_entries(document, {}, compile_rules(RelevanceConfig()), 90.0)
    after = document.with_papers([paper(1)], NOW)
    assert "## Papers (4)\n" in after  # three entries and the new one


def test_a_retitled_table_row_keeps_its_cell_padding() -> None:
    # The space before the next "|" went with the old title: a byte the bot must keep.
    from bot.models import TitleChange

    table = TargetConfig(
        section="Circuits",
        entry_template="| {title} | [arXiv]({url}) | {date} | {code} |",
        last_updated_heading="",
    )
    rows = [
        "| Circuits in *GPT-2* | [arXiv](http://arxiv.org/pdf/2506.07691v1) | 2025-06-11 | - |\n",
        "| Sparse or Dense \\| A Study of SAEs | [arXiv](https://arxiv.org/abs/2506.04373)"
        " | 2025-06-05 | - |\n",
    ]
    text = "# L\n\n#### Circuits\n\n| Title | Link | Date | Code |\n| --- | --- | --- | --- |\n"
    document = ListDocument(text + "".join(rows), table)
    changes = [
        TitleChange("2506.07691", "Circuits in *GPT-2*", "Circuits in GPT-2 Small"),
        TitleChange("2506.04373", "Sparse or Dense | A Study of SAEs", "Sparse or Dense"),
    ]
    after = document.with_titles(changes)
    assert after == text + (
        "| Circuits in GPT-2 Small | [arXiv](http://arxiv.org/pdf/2506.07691v1) | 2025-06-11 | - |\n"
        "| Sparse or Dense | [arXiv](https://arxiv.org/abs/2506.04373) | 2025-06-05 | - |\n"
    )


def test_one_parse_serves_every_step() -> None:
    document = ListDocument(listing(3, 3), TARGET)
    assert document.sections is document.sections
    assert document.ids == {"2401.00000", "2401.00001", "2401.00002"}
    assert document.titles["2401.00001"] == "Old 1"
    assert [e.line for e in document.entries] == [3, 4, 5]


TABLE = TargetConfig(entry_template="| [{title}]({url}) | {date} |", last_updated_heading="")
HEADER = "## Papers\n| Title | Date |\n|:---|:---:|\n"


def test_an_empty_table_takes_new_rows_under_its_header() -> None:
    after = ListDocument(HEADER + "\n## After\n", TABLE).with_papers([paper(1)], NOW)
    assert after.startswith(
        HEADER + "| [New paper 1](https://arxiv.org/abs/2611.00001) | 2026-11-01 |\n\n## After"
    )


def test_new_rows_go_right_under_the_header_when_the_first_row_is_no_arxiv_paper() -> None:
    rows = (
        "| [A Mathematical Framework](https://transformer-circuits.pub/2021/framework) | 2021 |\n"
        "| [Old](https://arxiv.org/abs/2401.00001) | 2024-01-01 |\n"
        "| [Blog post](https://example.com/post) | 2024 |\n"
    )
    new = "| [New paper 1](https://arxiv.org/abs/2611.00001) | 2026-11-01 |\n"
    top = ListDocument(HEADER + rows, TABLE).with_papers([paper(1)], NOW)
    assert top == HEADER + new + rows
    bottom = replace(TABLE, position="bottom")
    assert ListDocument(HEADER + rows, bottom).with_papers([paper(1)], NOW) == HEADER + rows + new


def test_bottom_goes_after_the_last_paper_not_into_a_trailing_subsection() -> None:
    text = (
        "## Papers (1)\n- [Old](https://arxiv.org/abs/2401.00001)\n\n"
        "### Dedicated Publication Threads\n- [Distill](https://distill.pub/2020/circuits/)\n"
    )
    target = TargetConfig(position="bottom", last_updated_heading="")
    after = ListDocument(text, target).with_papers([paper(1)], NOW)
    assert after == text.replace(
        "2401.00001)\n", "2401.00001)\n- [New paper 1](https://arxiv.org/abs/2611.00001)\n"
    ).replace("(1)", "(2)")


@pytest.mark.parametrize(
    ("written", "rewritten"),
    [
        ("## Last Updated\nJuly 31, 2025 at 01:19:00 AM UTC\n", None),
        ("Last Updated 27 August, 2025\n", "Last Updated 21 November, 2026\n"),
        ("## Last Updated\nJul 31, 2025\n", "## Last Updated\nNov 21, 2026\n"),
        ("## Last Updated\n31/07/2025\n", "## Last Updated\n21/11/2026\n"),
        ("## Last Updated\n*July 31, 2025*\n", "## Last Updated\n*November 21, 2026*\n"),
        ("**Last updated:** 2025-07-31 01:19 UTC\n", "**Last updated:** 2026-11-21 09:30 UTC\n"),
        ("_Last updated on Jul 31, 2025_\n", "_Last updated on Nov 21, 2026_\n"),
        ("> Last Updated: 31.07.2025\n", "> Last Updated: 21.11.2026\n"),
        ("## Last Updated 2025-07-31\n", "## Last Updated 2026-11-21\n"),
    ],
)
def test_stamps_keep_their_style(written: str, rewritten: str | None) -> None:
    target = TargetConfig()
    after = ListDocument(written + "\n## Papers\n", target).with_papers([paper(1)], NOW)
    expected = rewritten or "## Last Updated\nNovember 21, 2026 at 09:30:05 AM UTC\n"
    assert after.startswith(expected)


@pytest.mark.parametrize(
    ("others", "expected"),
    [("Listed 25/12/2024.\n", "21/11/2026"), ("Since 12/25/2024.\n", "11/21/2026")],
)
def test_an_ambiguous_numeric_stamp_follows_the_lists_other_dates(
    others: str, expected: str
) -> None:
    text = f"Last Updated 05/07/2025\n{others}\n## Papers\n"
    after = ListDocument(text, TargetConfig()).with_papers([paper(1)], NOW)
    assert after.startswith(f"Last Updated {expected}\n")


def test_an_undecidable_numeric_stamp_asks_for_the_format() -> None:
    text = "Last Updated 05/07/2025\n\n## Papers\n"
    with pytest.raises(ListFormatError, match=r"target\.stamp_format"):
        ListDocument(text, TargetConfig()).with_papers([paper(1)], NOW)
    fixed = TargetConfig(stamp_format="%d/%m/%Y")
    assert (
        ListDocument(text, fixed)
        .with_papers([paper(1)], NOW)
        .startswith("Last Updated 21/11/2026\n")
    )


def test_a_table_whose_separator_has_one_dash_per_column_is_still_a_table() -> None:
    text = "## Papers\n| Title | Date |\n|-|:-:|\n"
    after = ListDocument(text, TABLE).with_papers([paper(1)], NOW)
    assert after == text + "| [New paper 1](https://arxiv.org/abs/2611.00001) | 2026-11-01 |\n"


def test_every_stamp_format_is_told_from_a_stamp_written_in_it() -> None:
    from bot.listdoc.stamp import STAMP_FORMATS, detect_stamp_format, render_stamp

    when = datetime(2026, 11, 21, 9, 30, 5, tzinfo=UTC)  # day 21: no day/month doubt
    for fmt in STAMP_FORMATS:
        written = when.strftime(fmt)
        found = detect_stamp_format(written)
        assert found is not None and render_stamp(found, when) == written, fmt


@pytest.mark.parametrize(
    ("written", "rewritten"),
    [
        ("June 1, 2026 at 03:30:56 AM UTC", "December 5, 2026 at 09:05:07 AM UTC"),
        ("July 31, 2025", "December 5, 2026"),  # beside a month's name: "5", as English has it
        ("Jul 05, 2025", "Dec 05, 2026"),  # the list pads: so does the bot
        ("1 June 2026", "5 December 2026"),
        ("7/31/2025", "12/5/2026"),
        ("2025-07-31", "2026-12-05"),
        ("June 1, 2026 at 3:30 AM", "December 5, 2026 at 9:05 AM"),
    ],
)
def test_a_stamp_keeps_its_unpadded_numbers(written: str, rewritten: str) -> None:
    # strptime reads "1" with %d, strftime writes "01": "June 1" became "December 05".
    from bot.listdoc.stamp import detect_stamp_format, render_stamp

    found = detect_stamp_format(written)
    assert found is not None
    assert render_stamp(found, datetime(2026, 12, 5, 9, 5, 7, tzinfo=UTC)) == rewritten


def test_the_formats_of_a_shape_are_those_whose_own_features_are_that_shape() -> None:
    # The candidates are read off the formats' parts; the reference computes every
    # format's features, as the detection did before.
    from bot.listdoc.stamp import STAMP_FORMATS, _features, _formats_shaped

    shapes = {_features(fmt) for fmt in STAMP_FORMATS}
    for shape in shapes:
        assert _formats_shaped(shape) == [f for f in STAMP_FORMATS if _features(f) == shape]
    assert len(shapes) > 100  # the features tell most formats apart before strptime runs
    assert _formats_shaped(_features("June 1, 2026 at 03:30:56 AM UTC")) == [
        "%B %d, %Y at %I:%M:%S %p UTC",
        "%b %d, %Y at %I:%M:%S %p UTC",
    ]
    assert _formats_shaped(_features("no date here")) == []


AUTHORED = TargetConfig(
    section="Papers",
    entry_template="| {title} | {authors} | [arXiv]({url}) |",
    last_updated_heading="",
)
AUTHORED_LIST = (
    "# List\n\n## Papers\n\n| Title | Authors | Link |\n| --- | --- | --- |\n"
    "| Steering Llama 2 via Contrastive Activation Addition | Nina Rimsky, Nick Gabrieli et al. "
    "| [arXiv](https://arxiv.org/abs/2312.06681) |\n"
)


def test_a_table_lists_authors_are_read_and_weigh_in_the_same_paper_verdict() -> None:
    from bot.config import Config
    from bot.dedupe import split_duplicates
    from bot.pipeline import know_papers
    from bot.state import State

    document = ListDocument(AUTHORED_LIST, AUTHORED)
    assert document.authors_of("2312.06681") == ("Nina Rimsky", "Nick Gabrieli")
    known = know_papers(document, State(), Config(target=AUTHORED))
    title = "Steering Llama 2 via Contrastive Activation Addition"
    by_others = Paper(
        "2611.00001",
        1,
        title,
        "We steer.",
        ("Ada Lovelace",),
        date(2026, 11, 1),
        "cs.CL",
        ("cs.CL",),
    )
    by_them = Paper(
        "2611.00002",
        1,
        title,
        "We steer.",
        ("Nina Rimsky",),
        date(2026, 11, 1),
        "cs.CL",
        ("cs.CL",),
    )

    split = split_duplicates([by_others, by_them], known.index)

    # The same title under other first authors is added with a note, never dropped.
    assert [p.id for p in split.fresh] == ["2611.00001"]
    assert "other authors" in split.possible["2611.00001"].why
    assert [d.paper.id for d in split.duplicates] == ["2611.00002"]


def test_papers_added_at_the_bottom_leave_the_last_entrys_notes_with_it() -> None:
    text = (
        "## Papers (1)\n- [Old](https://arxiv.org/abs/2401.00001)\n"
        "  - note: the maintainer's comment on Old\n\n    [code](https://github.com/o/old)\n"
        "\n## After\n"
    )
    target = TargetConfig(position="bottom", last_updated_heading="")
    after = ListDocument(text, target).with_papers([paper(1)], NOW)
    assert after == text.replace(
        "(https://github.com/o/old)\n",
        "(https://github.com/o/old)\n- [New paper 1](https://arxiv.org/abs/2611.00001)\n",
    ).replace("(1)", "(2)")
