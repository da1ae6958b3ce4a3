"""The README edit: golden files (byte for byte) and properties."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import TargetConfig
from bot.errors import ListFormatError
from bot.listdoc.entries import known_from_text as known_from_list
from bot.listdoc.lines import split_lines
from bot.listdoc.markdown import escape_markdown
from bot.listdoc.section import find_section
from bot.listdoc.stamp import detect_stamp_format
from bot.listdoc.template import format_entry as format_line
from bot.models import Paper
from bot.normalize import canonical_arxiv_id
from bot.render import update_list
from tests.conftest import DATA

GOLDEN = Path(__file__).parent / "golden"
NOW = datetime(2026, 11, 21, 9, 30, 5, tzinfo=UTC)
TARGET = TargetConfig()
# Rewrite the golden files on purpose with: UPDATE_GOLDEN=1 pytest tests/test_render.py
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def paper(paper_id: str, title: str, day: int = 19) -> Paper:
    return Paper(
        paper_id,
        1,
        title,
        "",
        ("Ada Lovelace", "Alan Turing"),
        date(2026, 11, day),
        "cs.LG",
        ("cs.LG",),
    )


NEW = [
    paper("2611.00002", "Sparse Autoencoders Everywhere", day=18),
    paper("2611.00001", "Circuits [in] *Markdown* <b>bold</b> | pipes", day=20),
]


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(text.encode("utf-8"))
    assert text.encode("utf-8") == path.read_bytes()


def read(name: str) -> str:
    return (DATA / name).read_bytes().decode("utf-8")


def test_real_list_golden() -> None:
    check_golden(
        "mechanistic-after.md",
        update_list(read("awesome-mechanistic-interpretability.md"), NEW, TARGET, NOW),
    )


def test_marked_region_bottom_golden() -> None:
    text = "# List\r\n\r\n## Last Updated\r\n2025-01-02\r\n\r\n<!-- arxiv-bot:start -->\r\n- [Old](https://arxiv.org/abs/2401.00001)\r\n<!-- arxiv-bot:end -->\r\n\r\nfooter\r\n"
    out = update_list(text, NEW, TargetConfig(position="bottom"), NOW)
    check_golden("marked-bottom-crlf.md", out)
    assert "\n" not in out.replace("\r\n", "")


def test_edit_touches_only_section_count_and_stamp() -> None:
    before = split_lines(read("awesome-mechanistic-interpretability.md"))
    after = split_lines(update_list("".join(before), NEW, TARGET, NOW))
    assert len(after) == len(before) + 2
    changed = [line for line in after if line not in before]
    assert changed == [
        "November 21, 2026 at 09:30:05 AM UTC\n",
        "## Papers (126)\n",
        "- [Circuits \\[in\\] \\*Markdown\\* \\<b\\>bold\\</b\\> \\| pipes](https://arxiv.org/abs/2611.00001)\n",
        "- [Sparse Autoencoders Everywhere](https://arxiv.org/abs/2611.00002)\n",
    ]


def test_nothing_to_add_changes_nothing() -> None:
    text = read("awesome-mechanistic-interpretability.md")
    assert update_list(text, [], TARGET, NOW) == text


def test_already_listed_paper_is_not_added_again() -> None:
    text = read("awesome-mechanistic-interpretability.md")
    assert (
        update_list(text, [paper("2506.04373", "Mechanistic Decomposition")], TARGET, NOW) == text
    )


def test_missing_section_names_the_heading() -> None:
    with pytest.raises(ListFormatError, match="no '## Papers' heading"):
        update_list(
            "# List\n\n## Other\n- [a](https://arxiv.org/abs/2401.00001)\n", NEW, TARGET, NOW
        )


def test_lines_that_are_not_entries_are_kept_and_never_an_error() -> None:
    text = "## Last Updated\n2025-01-01\n## Papers (1)\nSome prose where entries should be.\n"
    after = update_list(text, NEW, TARGET, NOW)
    assert after.endswith("Some prose where entries should be.\n")
    assert "## Papers (2)\n- [Circuits" in after


def test_missing_stamp_heading_is_an_error() -> None:
    with pytest.raises(ListFormatError, match="Last Updated"):
        update_list("## Papers\n- [a](https://arxiv.org/abs/2401.00001)\n", NEW, TARGET, NOW)


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("July 31, 2025 at 01:19:00 AM UTC", "November 21, 2026 at 09:30:05 AM UTC"),
        ("2025-07-31", "2026-11-21"),
        ("2025-07-31 01:19 UTC", "2026-11-21 09:30 UTC"),
        ("31 July 2025", "21 November 2026"),
    ],
)
def test_stamp_keeps_its_style(stamp: str, expected: str) -> None:
    assert detect_stamp_format(stamp)
    text = f"## Last Updated\n{stamp}\n\n## Papers\n"
    assert f"\n{expected}\n" in update_list(text, NEW, TARGET, NOW)


def test_empty_section_and_no_trailing_newline() -> None:
    out = update_list("## Last Updated\n2025-01-01\n## Papers (0)", NEW[:1], TARGET, NOW)
    assert out == (
        "## Last Updated\n2026-11-21\n## Papers (1)\n"
        "- [Sparse Autoencoders Everywhere](https://arxiv.org/abs/2611.00002)\n"
    )


@pytest.mark.parametrize(
    "title",
    [
        "](javascript:alert(1)) [x",
        "![img](https://evil.example/x.png)",
        "<script>alert(1)</script>",
        "A | table | breaker",
        "# Not a heading",
        "`code` and ~~strike~~ and $math$",
        "@everyone look",
        "&lt;entity&gt;",
        "x" * 600,
    ],
)
def test_hostile_titles_stay_text(title: str) -> None:
    line = format_line(TARGET.entry_template, paper("2611.00009", title))
    reparsed = known_from_list(line + "\n")
    assert len(reparsed) == 1
    assert reparsed[0].title == title
    assert reparsed[0].id == "2611.00009"
    text_part = line[len("- [") : line.rindex("](https://arxiv.org")]
    # Nothing in the text can close the link, open HTML, or start markup unescaped.
    assert not re.search(r"(?<!\\)[\[\]<>|*_`!$~]", text_part.replace("\\\\", ""))


def test_empty_title_still_renders() -> None:
    assert format_line(TARGET.entry_template, paper("2611.00009", "")).startswith("- [(untitled)]")


def test_escape_markdown_roundtrip_chars() -> None:
    assert escape_markdown("a*b_c") == "a\\*b\\_c"


titles = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)
lists = st.lists(
    st.sampled_from(
        [
            "- [Old one](https://arxiv.org/abs/2401.00001)",
            "",
            "- [Two](https://arxiv.org/abs/2401.00002)",
        ]
    ),
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(
    before=st.text(max_size=60).filter(lambda t: "#" not in t and "arxiv-bot" not in t),
    body=lists,
    new_titles=st.lists(titles, min_size=1, max_size=3),
    crlf=st.booleans(),
)
def test_properties_of_the_edit(
    before: str, body: list[str], new_titles: list[str], crlf: bool
) -> None:
    nl = "\r\n" if crlf else "\n"
    prefix = nl.join(before.splitlines()) + nl if before.strip() else ""
    text = (
        prefix
        + f"## Last Updated{nl}2025-01-01{nl}## Papers{nl}"
        + "".join(b + nl for b in body)
        + f"## After{nl}tail{nl}"
    )
    new = [paper(f"2611.{i:05d}", t) for i, t in enumerate(new_titles)]
    once = update_list(text, new, TARGET, NOW)
    # Editing twice equals editing once.
    assert update_list(once, new, TARGET, NOW) == once
    # Bytes outside the section and the stamp never change.
    assert once.startswith(prefix)
    assert once.endswith(f"## After{nl}tail{nl}")
    # Each new paper appears exactly once.
    for p in new:
        assert once.count(f"(https://arxiv.org/abs/{p.id})") == 1
    lines = split_lines(once)
    section = find_section(lines, "Papers")
    assert {e.id for e in section.entries} >= {p.id for p in new}


def test_known_titles_from_sections_equal_a_whole_list_scan() -> None:
    from bot.listdoc.document import ListDocument

    text = (
        read("awesome-mechanistic-interpretability.md")
        + "\nSee also arXiv:2401.99999 and [X](https://arxiv.org/abs/2401.88888).\n"
    )
    text = text.replace(
        "- [MIB: A Mechanistic Interpretability Benchmark](https://arxiv.org/abs/2504.13151)",
        "- [MIB: A Mechanistic Interpretability Benchmark](https://arxiv.org/abs/2504.13151) (v1: arXiv:2504.00001)",
    )
    fast = ListDocument(text, TARGET).known
    whole = known_from_list(text)
    assert {k.id for k in fast} == {k.id for k in whole}
    assert {(k.id, k.title) for k in whole if k.title} <= {(k.id, k.title) for k in fast}


@pytest.mark.parametrize(
    "url",
    [
        "https://arxiv.org/abs/2401.12345",
        "https://arxiv.org/abs/2401.12345v3",
        "http://export.arxiv.org/pdf/2401.1234v2.pdf",
        "https://arxiv.org/pdf/2401.12345",
        "https://arxiv.org/abs/2401.123456",
        "https://arxiv.org/abs/hep-th/9901001v2",
        "https://www.arxiv.org/abs/2401.12345",
        "https://arxiv.org/abs/2401.12345#section",
        "https://github.com/org/repo",
    ],
)
def test_section_entries_read_ids_and_titles_like_the_whole_list_scan(url: str) -> None:
    title = "A \\[bracketed\\] \\*title\\*"
    lines = split_lines(f"## Papers\n- [{title}]({url}) by someone\n- [**Bold**]({url})\n")
    section = find_section(lines, "Papers")
    # Items without an arXiv paper are kept and known by title, but not counted.
    entries = section.entries if canonical_arxiv_id(url) else section.others
    assert [(e.line, e.title, e.url) for e in entries] == [
        (1, "A [bracketed] *title*", url),
        (2, "Bold", url),
    ]
    expected = canonical_arxiv_id(url)
    assert all(e.id == expected for e in entries)
    assert [(k.id, k.title) for k in known_from_list("".join(lines))][:1] == [
        (expected, "A [bracketed] *title*")
    ]


def test_known_titles_from_nested_sections_equal_a_whole_list_scan() -> None:
    from bot.listdoc.document import ListDocument

    text = (
        "# List\nSee [Intro](https://arxiv.org/abs/2401.00001).\n## Papers\n"
        "- [A](https://arxiv.org/abs/2401.00002)\n### Circuits\n"
        "- [B](https://arxiv.org/abs/2401.00003) (v1: arXiv:2401.00004)\n"
        "## Other\n- [C](https://arxiv.org/abs/2401.00005)\n"
    )
    target = TargetConfig(section="Papers", sections={"Circuits": ["circuit"]})
    fast = ListDocument(text, target).known
    assert {k.id for k in fast} == {k.id for k in known_from_list(text)}
    # The subsection's entry lies inside its parent section too: it is known once.
    assert sorted(k.title for k in fast if k.title) == ["A", "B", "C", "Intro"]


_ENTRY_LINES = st.tuples(
    st.sampled_from(["- [", "* [", "  + [", "-[", "- ", ""]),
    st.lists(st.sampled_from(["x", " ", "\\]", "]", "(", "\\"]), max_size=4).map("".join),
    st.sampled_from(["](", "] (", "]("]),
    st.sampled_from(
        [
            "https://arxiv.org/abs/",
            "http://export.arxiv.org/pdf/",
            "https://www.arxiv.org/abs/",
            "https://github.com/",
            "arxiv.org/abs/",
            "",
        ]
    ),
    st.sampled_from(["2401.12345", "2401.1234", "2401.123456", "hep-th/9901001", "x", ""]),
    st.sampled_from(["", "v2", "v"]),
    st.sampled_from(["", ".pdf", "#a", " x", "\t", ")"]),
    st.sampled_from([")", ") more", "", ' "t")']),
).map("".join)


@given(_ENTRY_LINES)
def test_the_line_parse_reads_what_the_whole_text_scan_reads(line: str) -> None:
    from bot.listdoc.entries import ENTRY_IN_TEXT as _ENTRY_IN_TEXT
    from bot.listdoc.entries import ENTRY_LINE as _ENTRY_LINE

    fast = _ENTRY_LINE.match(line)
    whole = _ENTRY_IN_TEXT.match(line)
    assert (fast is None) == (whole is None)
    if fast and whole:
        assert fast.group("title", "url") == whole.group("title", "url")
        assert fast["id"] is None or fast["id"] == canonical_arxiv_id(fast["url"])


def test_a_bare_ampersand_stays_as_lists_write_it_and_an_entity_is_escaped() -> None:
    from bot.listdoc.markdown import escape_markdown

    # "\&" rendered the same, but wrote another byte than the list's own "R&D".
    assert escape_markdown("Sparse Autoencoders & Transcoders for R&D") == (
        "Sparse Autoencoders & Transcoders for R&D"
    )
    assert escape_markdown("&amp; and &#60;b&gt;") == r"\&amp; and \&#60;b\&gt;"


def test_arxiv_text_cannot_start_a_block_or_name_a_paper() -> None:
    from bot.listdoc.markdown import escape_markdown, unescape_markdown

    for text, escaped in [
        ("# Leading hash", r"\# Leading hash"),
        ("- dash", r"\- dash"),
        ("1. Introduction", r"1\. Introduction"),
        ("Comment on arXiv:2501.00001", r"Comment on arXiv\:2501.00001"),
        ("see https://arxiv.org/abs/2501.00001", r"see https://arxiv\.org/abs/2501.00001"),
    ]:
        assert escape_markdown(text) == escaped
        assert unescape_markdown(escaped) == text  # read back as written


def test_a_category_with_a_line_break_stays_on_its_entrys_line() -> None:
    from datetime import date

    from bot.listdoc.template import format_entry
    from bot.models import Paper

    paper = Paper("2611.00001", 1, "T", "", (), date(2026, 11, 1), "cs.LG\n# Injected", ())
    line = format_entry("- **[{title}]({url})** ({primary_category})", paper)
    assert "\n" not in line and line.endswith("(cs.LG # Injected)")  # "#" mid-line: no heading
