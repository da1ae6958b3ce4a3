"""Table-format lists, entry fields (venue, code), and routing papers to subsections."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import TargetConfig
from bot.listdoc.entries import known_from_text as known_from_list
from bot.listdoc.lines import split_lines
from bot.listdoc.section import find_section
from bot.models import Paper
from bot.normalize import find_code_url, find_venue
from bot.render import update_list
from bot.sections import compile_routes, route
from tests.conftest import DATA, ROOT, record
from tests.fakes.arxiv_server import FakeArxiv

GOLDEN = Path(__file__).parent / "golden"
TABLE_LIST = DATA / "awesome-interpretability-in-llms.md"
TABLE_TARGET = TargetConfig(
    section="Interpretable Analysis of LLMs",
    entry_template="| [**{title}**]({pdf_url}) <br>| {venue} | {date} | {code} | - |",
    last_updated_heading="",
    sections={
        "SAE, Dictionary Learning and Superposition": ("sparse autoencoder", "dictionary learning"),
        "Benchmarking Interpretability": ("benchmark",),
    },
)
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


def paper(paper_id: str, title: str, abstract: str = "", **fields: str) -> Paper:
    return Paper(
        paper_id,
        1,
        title,
        abstract,
        ("Ada Lovelace", "Alan Turing"),
        date(2026, 11, 19),
        "cs.LG",
        ("cs.LG",),
        **fields,
    )  # type: ignore[arg-type]


def test_routes_by_title_first_then_abstract_then_default() -> None:
    routes = compile_routes(TABLE_TARGET.sections)
    default = TABLE_TARGET.section
    assert route(paper("1", "Sparse Autoencoders at Scale"), routes, default) == (
        "SAE, Dictionary Learning and Superposition",
        '"sparse autoencoder" in title',
    )
    assert route(paper("2", "A New Benchmark", "we use dictionary learning"), routes, default)[
        0
    ] == ("Benchmarking Interpretability")
    assert route(paper("3", "Circuits", "no phrase here"), routes, default) == (
        default,
        "no section phrase matched: default section",
    )


def test_table_rows_are_entries_and_known_titles() -> None:
    text = TABLE_LIST.read_text(encoding="utf-8")
    section = find_section(split_lines(text), "Survey Papers")
    assert [e.id for e in section.entries][:2] == ["2406.12618", "2405.00208"]
    assert section.entries[0].title.startswith("From Insights to Actions")  # ** stripped
    known = {k.id: k.title for k in known_from_list(text)}
    assert known["2406.16254"] == "Confidence Regulation Neurons in Language Models"


def test_table_list_golden(request: pytest.FixtureRequest) -> None:
    new = [
        paper(
            "2611.00001",
            "Sparse Autoencoders | Everywhere",
            venue="ICML 2026",
            code_url="https://github.com/a/b",
        ),
        paper("2611.00002", "Circuits in the Wild"),
        paper("2611.00003", "A Benchmark for Probes"),
    ]
    placement = {
        "2611.00001": "SAE, Dictionary Learning and Superposition",
        "2611.00003": "Benchmarking Interpretability",
    }
    text = TABLE_LIST.read_bytes().decode("utf-8")
    out = update_list(text, new, TABLE_TARGET, NOW, placement)
    golden = GOLDEN / "interpretability-table-after.md"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_bytes(out.encode("utf-8"))
    assert out.encode("utf-8") == golden.read_bytes()
    added = [line for line in out.splitlines() if line not in text.splitlines()]
    assert added == [
        "| [**Circuits in the Wild**](https://arxiv.org/pdf/2611.00002) <br>| arXiv | 2026-11-19 | - | - |",
        "| [**Sparse Autoencoders \\| Everywhere**](https://arxiv.org/pdf/2611.00001) <br>| ICML 2026 | 2026-11-19 | [Github](https://github.com/a/b) | - |",
        "| [**A Benchmark for Probes**](https://arxiv.org/pdf/2611.00003) <br>| arXiv | 2026-11-19 | - | - |",
    ]
    # Each row lands as the first row of its own section's table.
    lines = split_lines(out)
    for paper_id, name in [
        ("2611.00002", TABLE_TARGET.section),
        *((k, v) for k, v in placement.items() if k != "2611.00002"),
    ]:
        assert find_section(lines, name).entries[0].id == paper_id
    assert update_list(out, new, TABLE_TARGET, NOW, placement) == out


@pytest.mark.parametrize(
    ("journal_ref", "comment", "venue"),
    [
        ("", "Accepted at ICML 2024. 12 pages", "ICML 2024"),
        ("", "To appear in NeurIPS 2025", "NeurIPS 2025"),
        (
            "Transactions on Machine Learning Research (2024)",
            "",
            "Transactions on Machine Learning Research (2024)",
        ),
        ("", "12 pages, 3 figures", ""),
    ],
)
def test_venue(journal_ref: str, comment: str, venue: str) -> None:
    assert find_venue(journal_ref, comment) == venue


def test_code_link() -> None:
    assert find_code_url("Code: https://github.com/org/repo.", "") == "https://github.com/org/repo"
    assert find_code_url("no code", "see https://gitlab.com/x/y)") == "https://gitlab.com/x/y"
    assert find_code_url("https://github.com/org", "") == ""


def test_run_on_a_table_list_routes_and_dedupes(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (workdir / "config.toml").read_text(encoding="utf-8")
    config = config.replace('section = "Papers"', 'section = "Interpretable Analysis of LLMs"')
    config = config.replace(
        'entry_template = "- [{title}]({url})"',
        'entry_template = "| [**{title}**]({pdf_url}) <br>| {venue} | {date} | {code} | - |"',
    )
    config = config.replace('last_updated_heading = "Last Updated"', 'last_updated_heading = ""')
    config = config.replace(
        'state_file = "state/state.json"',
        'state_file = "state/state.json"\n\n[target.sections]\n"SAE, Dictionary Learning and Superposition" = ["sparse autoencoder"]',
    )
    (workdir / "config.toml").write_text(config, encoding="utf-8")
    (workdir / "table.md").write_bytes(TABLE_LIST.read_bytes())
    arxiv_server.add(
        record(
            "2611.01234",
            "Sparse Autoencoders Reveal Induction Circuits",
            comment="Accepted at ICLR 2026. Code: https://github.com/x/sae",
        ),
        record(
            "2611.04444",
            "Attention Heads Track Syntax in the Residual Stream",
            abstract="Activation patching of attention heads in a language model.",
        ),
        record(
            "2406.16254", "Confidence Regulation Neurons in Language Models"
        ),  # already in the table
    )
    assert main(["run", "--json", "--target", "table.md"]) == 0
    out = json.loads(capsys.readouterr().out)
    sections = {a["id"]: a["section"] for a in out["added"]}
    assert sections == {
        "2611.01234": "SAE, Dictionary Learning and Superposition",
        "2611.04444": "Interpretable Analysis of LLMs",
    }
    assert [d["id"] for d in out["duplicates"]] == ["2406.16254"]
    text = (workdir / "table.md").read_text(encoding="utf-8")
    assert (
        "| [**Sparse Autoencoders Reveal Induction Circuits**](https://arxiv.org/pdf/2611.01234) <br>| ICLR 2026 | 2026-11-19 | [Github](https://github.com/x/sae) | - |"
        in text
    )
    assert ROOT.exists()
