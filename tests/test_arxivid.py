"""arXiv's id scheme, checked before any lookup (info.arxiv.org/help/arxiv_identifier.html)."""

from __future__ import annotations

import pytest

from bot.arxivid import id_scheme_problem


@pytest.mark.parametrize(
    "paper_id",
    [
        "0704.0001",  # the first new-style id
        "1412.9999",  # four digits to 1412
        "1501.00001",  # five from 1501
        "2611.99999v3",
        "hep-th/9901001",
        "math.GT/0309136",
        "cond-mat/0703001v2",  # old style ends at 0703
        "astro-ph/9108001",  # and starts at 9108
    ],
)
def test_ids_the_scheme_allows(paper_id: str) -> None:
    assert id_scheme_problem(paper_id) == ""


@pytest.mark.parametrize(
    ("paper_id", "problem"),
    [
        ("2513.01234", "month 13 does not exist"),
        ("2600.01234", "month 00 does not exist"),
        ("0703.0001", "new-style ids start at 0704"),
        ("1501.0001", "ids from 1501 have 5 digits"),
        ("1412.00001", "ids from 1412 have 4 digits"),
        ("hep-th/0801001", "old-style ids run from 9108 to 0703"),
        ("hep-th/9013001", "month 13 does not exist"),
        ("2611.00001v0", "not an arXiv id"),
        ("arxiv.org/abs/2611.00001", "not an arXiv id"),
    ],
)
def test_ids_the_scheme_refuses(paper_id: str, problem: str) -> None:
    assert problem in id_scheme_problem(paper_id)
