"""`init` on lists as they are written: init, then run, then a second run that changes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.listdoc.survey import survey
from bot.topicterms import propose_terms
from tests.conftest import DATA, record
from tests.fakes.arxiv_server import FakeArxiv

LAYOUTS = Path(__file__).parent / "data" / "layouts"
NEW = (
    record(
        "2611.01234",
        "Sparse Autoencoders Find Mechanistic Circuits in Language Models",
        abstract="Mechanistic interpretability of sparse autoencoders and circuit discovery.",
    ),
    record(
        "2611.05678",
        "Mechanistic Interpretability of Induction Circuits",
        abstract="We trace circuits with activation patching in a transformer.",
        published="2026-11-18",
    ),
)
CASES = {
    "bullets (shared list)": (DATA / "awesome-mechanistic-interpretability.md", "Papers"),
    "table (shared list)": (
        DATA / "awesome-interpretability-in-llms.md",
        "Interpretable Analysis of LLMs",
    ),
    "bold links": (LAYOUTS / "bold-links.md", "Papers"),
    "numbered": (LAYOUTS / "numbered.md", "Reading list"),
    "authors, date, title, url": (LAYOUTS / "authors-date-title-url.md", "Papers"),
    "table with a code column": (LAYOUTS / "table-with-code.md", "Circuits"),
    "table without a code column": (LAYOUTS / "table-no-code.md", "Papers we read"),
    "pdf links and the arXiv year": (LAYOUTS / "pdf-links-with-year.md", "Papers"),
}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arxiv_server: FakeArxiv) -> Path:
    """An empty folder to init a list in: the local arXiv stand-in, a pinned clock."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARXIV_API_URL", arxiv_server.url)
    monkeypatch.setenv("ARXIV_BOT_NOW", "2026-11-21T09:00:00+00:00")
    return tmp_path


def unpaced(config: Path) -> None:
    """The written config without the polite delay (the stand-in needs none)."""
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("delay_seconds = 3.0", "delay_seconds = 0"), encoding="utf-8")


@pytest.mark.parametrize("case", CASES)
def test_init_then_run_then_a_second_run_that_changes_nothing(
    case: str, folder: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    tmp_path = folder
    source, section = CASES[case]
    shutil.copy(source, tmp_path / "list.md")
    before = (tmp_path / "list.md").read_bytes()
    assert main(["init", "--target", "list.md"]) == 0
    shown = capsys.readouterr().out
    assert f"'{section}'" in shown and "try:   python -m bot run --dry-run" in shown
    unpaced(tmp_path / "config.toml")
    assert (tmp_path / "list.md").read_bytes() == before  # init reads the list, never writes it

    arxiv_server.add(*NEW)
    assert main(["run", "--json", "--target", "list.md", "--since", "2026-11-10"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert {a["id"] for a in first["added"]} == {"2611.01234", "2611.05678"}
    once = (tmp_path / "list.md").read_text(encoding="utf-8")
    assert once.count("2611.01234") == 1 and once.count("2611.05678") == 1

    assert main(["run", "--json", "--target", "list.md", "--since", "2026-11-10"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["added"] == []
    assert (tmp_path / "list.md").read_text(encoding="utf-8") == once


def test_init_refuses_to_overwrite_a_config_without_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(LAYOUTS / "bold-links.md", tmp_path / "README.md")
    (tmp_path / "config.toml").write_text("# mine\n")
    assert main(["init"]) == 1
    assert (tmp_path / "config.toml").read_text() == "# mine\n"
    assert main(["init", "--force"]) == 0
    assert "[target]" in (tmp_path / "config.toml").read_text()


def test_init_on_a_list_without_papers_names_what_it_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "README.md").write_text("# List\n\n## Tools\n- [A tool](https://example.com)\n")
    assert main(["init"]) == 1
    assert "arxiv.org" in capsys.readouterr().err
    assert not (tmp_path / "config.toml").exists()


def test_the_table_list_picks_the_section_with_most_papers_and_routes_the_others() -> None:
    layout = survey((DATA / "awesome-interpretability-in-llms.md").read_text(encoding="utf-8"))
    assert layout.section == "Interpretable Analysis of LLMs"
    assert layout.template == "| [**{title}**]({pdf_url}) <br>| {venue} | {date} | {code} | - |"
    assert "SAE, Dictionary Learning and Superposition" in layout.routes
    assert "Position Papers" in layout.unrouted  # four columns, not five


def test_a_heading_whose_phrase_no_title_uses_routes_by_its_own_words() -> None:
    # "interpretability in vision llms" as one phrase is in none of its section's titles:
    # its papers and the benchmarking ones went to the default section.
    from datetime import date

    from bot.models import Paper
    from bot.sections import compile_routes, route

    layout = survey((DATA / "awesome-interpretability-in-llms.md").read_text(encoding="utf-8"))
    assert layout.routes["Interpretability in Vision LLMs"][-1] == "vision"
    assert layout.routes["Benchmarking Interpretability"][-1] == "benchmark*"
    assert layout.routes["SAE, Dictionary Learning and Superposition"] == (
        "sae",
        "dictionary learning",
        "superposition",
    )  # its phrases are in its titles: nothing added
    routes = compile_routes(layout.routes)

    def section(title: str) -> str:
        paper = Paper("2611.00001", 1, title, "", (), date(2026, 11, 1), "", ())
        return route(paper, routes, layout.section)[0]

    assert section("Tracing Visual Tokens in Vision-Language Models") == (
        "Interpretability in Vision LLMs"
    )
    assert section("A Benchmark for Evaluating Circuit Discovery") == (
        "Benchmarking Interpretability"
    )
    assert section("Attention Heads Track Syntax") == "Interpretable Analysis of LLMs"


def test_terms_are_frequent_in_the_list_and_rare_on_arxiv() -> None:
    layout = survey((DATA / "awesome-mechanistic-interpretability.md").read_text(encoding="utf-8"))
    terms = [term for term, _ in propose_terms(layout.titles)]
    assert "mechanistic interpretability" in terms and "sparse autoencoders" in terms
    assert not {"language models", "models", "learning"} & set(terms)


def test_init_takes_the_categories_from_arxivs_records_of_the_listed_papers(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    arxiv_server: FakeArxiv,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    listed = [f"2401.{n:05d}" for n in range(8)]
    lines = [
        f"- [Listed paper number {n}](https://arxiv.org/abs/{i})" for n, i in enumerate(listed)
    ]
    (tmp_path / "README.md").write_text("# List\n\n## Papers\n" + "\n".join(lines) + "\n")
    primaries = ["cs.CL"] * 5 + ["q-bio.NC"] + ["cs.LG"] * 2
    arxiv_server.add(
        *(
            record(i, f"Listed paper number {n}", primary_category=c)
            for n, (i, c) in enumerate(zip(listed, primaries, strict=True))
        )
    )
    monkeypatch.setenv("ARXIV_API_URL", arxiv_server.url)

    assert main(["init"]) == 0

    config = (tmp_path / "config.toml").read_text(encoding="utf-8")
    categories = config.split("[relevance.categories]")[1].split("[target]")[0]
    # A quarter or more of the papers: 1; a twentieth or more: 0.5; the default is gone.
    assert '"cs.CL" = 1' in categories and '"cs.LG" = 1' in categories
    assert '"q-bio.NC" = 0.5' in categories and '"cs.AI"' not in categories
    assert "from arXiv's records of 8 listed papers" in capsys.readouterr().out
    assert len(arxiv_server.requests) == 1  # one id_list request, never paged


def test_init_works_offline_with_default_categories_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # conftest points ARXIV_API_URL at a closed local port: arXiv cannot be reached.
    monkeypatch.chdir(tmp_path)
    shutil.copy(LAYOUTS / "bold-links.md", tmp_path / "README.md")
    assert main(["init"]) == 0
    assert '"cs.AI" = 0.5' in (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert "a default: arXiv could not be asked" in capsys.readouterr().out


def test_pdf_links_and_years_are_written_as_the_list_writes_them(
    folder: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    # A ".pdf" link and the year of the arXiv id were literals of the first entry, so
    # the template wrote no listed entry back and every new line differed from the list's.
    tmp_path = folder
    shutil.copy(LAYOUTS / "pdf-links-with-year.md", tmp_path / "README.md")
    assert main(["init"]) == 0
    shown = capsys.readouterr().out
    assert "template: - [{title}](https://arxiv.org/pdf/{id}.pdf) - {year}" in shown
    assert "writes 9 of 9 listed entries back byte for byte" in shown
    unpaced(tmp_path / "config.toml")
    arxiv_server.add(*NEW)
    assert main(["run", "--json", "--since", "2026-11-10"]) == 0
    capsys.readouterr()
    text = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "(https://arxiv.org/pdf/2611.05678.pdf) - 2026\n" in text


def test_two_lists_in_one_folder_keep_their_own_state(
    folder: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    # With one state for both, the papers the first list took were "known" to the second
    # and skipped there: a loss nobody saw.
    tmp_path = folder
    source, _ = CASES["bullets (shared list)"]
    arxiv_server.add(*NEW)
    for name in ("README.md", "circuits.md"):
        shutil.copy(source, tmp_path / name)
        config = f"{Path(name).stem}.toml"
        assert main(["init", "--target", name, "--config", config]) == 0
        unpaced(tmp_path / config)
    capsys.readouterr()
    for name in ("README.md", "circuits.md"):
        config = f"{Path(name).stem}.toml"
        assert main(["run", "--json", "--config", config, "--since", "2026-11-10"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert {a["id"] for a in report["added"]} == {"2611.01234", "2611.05678"}, name
    assert (tmp_path / "state" / "state.json").exists()
    assert (tmp_path / "state" / "circuits" / "state.json").exists()
    assert (tmp_path / "state" / "circuits" / "run.json").exists()
