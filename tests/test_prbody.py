"""The pull request body as plain values: escaping, caps, and overflow into comments."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.models import OVERFLOW_MARKER, Decision, Paper, RunReport
from bot.prbody import GITHUB_BODY_LIMIT, escape_for_github, pull_request_text

ZWSP = "\u200b"


def paper(n: int, title: str = "Sparse autoencoders", abstract: str = "An abstract.") -> Paper:
    return Paper(
        f"2611.{n:05d}", None, title, abstract, ("A. Author",), date(2026, 11, 19), "cs.LG", ()
    )


def added(*papers: Paper) -> RunReport:
    return RunReport(fetched=len(papers), added=[Decision(p, 6.0, True, False, ()) for p in papers])


def lines_of(text: str) -> list[str]:
    return [line.lstrip(" ") for line in text.splitlines()]


@pytest.mark.parametrize(
    "start",
    [
        "# Heading",
        "## Heading",
        "1. item",
        "12) item",
        "- item",
        "+ item",
        "* item",
        "> quote",
        "| a | b |",
        "```python",
        "~~~",
        "===",
        "---",
        "___",
        "- [ ] task",
    ],
)
def test_block_markers_at_a_line_start_are_escaped(start: str) -> None:
    body = pull_request_text(added(paper(1, abstract=start + " rest of the abstract")), "L").body
    (line,) = [line for line in lines_of(body) if "rest of the abstract" in line]
    assert line.startswith("\\") or re.match(r"\d+\\[.)]", line), line


def test_an_author_line_cannot_open_a_list() -> None:
    p = Paper("2611.00001", None, "T", "", ("- Dash", "B"), date(2026, 11, 19), "cs.LG", ())
    body = pull_request_text(added(p), "L").body
    assert "\n  \\- Dash, B" in body


def test_a_number_mid_sentence_is_left_alone() -> None:
    assert escape_for_github("Results in 2026. Then 3) more") == "Results in 2026. Then 3) more"


@pytest.mark.parametrize("ref", ["GH-12", "gh-7", "Gh-1"])
def test_gh_references_are_defused(ref: str) -> None:
    escaped = escape_for_github(f"fixes {ref} today")
    assert not re.search(r"\bGH-\d", escaped, re.IGNORECASE)
    assert escaped.replace(ZWSP, "") == f"fixes {ref} today"


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/other/repo/issues/5",
        "http://github.com/other/repo/pull/9",
        "github.com/other/repo/issues/5",
        "www.GitHub.com/other/repo/discussions/3",
    ],
)
def test_github_urls_cannot_cross_reference(url: str) -> None:
    escaped = escape_for_github(f"see {url} for details")
    assert not re.search(r"github\.com", escaped, re.IGNORECASE)
    assert escaped.replace(ZWSP, "") == f"see {url} for details"


def test_a_70000_character_title_leaves_every_paper_named() -> None:
    huge = paper(1, "T" * 70000, abstract="A" * 70000)
    text = pull_request_text(added(huge, paper(2)), "L")
    assert len(text.body) <= GITHUB_BODY_LIMIT and not text.comments
    assert "2611.00001" in text.body and "2611.00002" in text.body
    assert "\u2026" in text.body  # the title says it was cut


def test_a_body_over_the_limit_names_the_rest_in_comments() -> None:
    papers = [paper(n, f"Paper {n} " + "word " * 70, "abstract " * 200) for n in range(600)]
    text = pull_request_text(added(*papers), "L")
    assert len(text.body) <= GITHUB_BODY_LIMIT
    assert all(len(c) <= GITHUB_BODY_LIMIT for c in text.comments) and len(text.comments) >= 2
    everything = text.body + "".join(text.comments)
    for p in papers:
        assert everything.count(p.url) == 1, p.id
    left = sum(c.count("arxiv.org/abs/") for c in text.comments)
    assert (
        f"*{left} more item(s) are named in the {len(text.comments)} comment(s) below" in text.body
    )
    assert all(c.startswith(OVERFLOW_MARKER) for c in text.comments)
    assert OVERFLOW_MARKER in text.body


def test_a_body_that_fits_has_no_comments_and_no_marker() -> None:
    text = pull_request_text(added(paper(1)), "L")
    assert text.comments == () and OVERFLOW_MARKER not in text.body


def test_arxiv_text_in_a_body_neither_links_nor_turns_nor_leaves_its_code_span() -> None:
    from bot.prbody import _category, escape_for_github

    text = escape_for_github("see https://evil.example and www.evil.example \u202eevil\nline")
    assert "https://" not in text and "www." not in text  # GitHub links bare addresses
    assert "\u202e" not in text and "\n" not in text
    assert _category("cs.LG`**bold** [l](http://e.x)") == "cs.LGboldlhttpe.x"
