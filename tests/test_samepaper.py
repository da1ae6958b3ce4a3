"""Same paper or not: the verdict on hand-made pairs of real titles, on the 880-entry list,
in the state and the rejection memory, and in what the reviewer reads."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.samepaper import outcome
from bot.cli import main
from bot.dedupe import TitleIndex, split_duplicates
from bot.models import Decision, KnownTitle, Paper, PossibleDuplicate
from bot.samepaper import (
    Facts,
    Verdict,
    american,
    compare_authors,
    compare_titles,
    id_month,
    is_numeric,
    judge,
)
from tests.conftest import DATA, record
from tests.fakes.arxiv_server import FakeArxiv

PAIRS = [json.loads(line) for line in (DATA / "same_paper_pairs.jsonl").read_text().splitlines()]
LIST_880 = DATA / "awesome-mechanistic-interpretability-880.md"
ISSUE_EXAMPLES = [
    (
        "Layer-2 Circuits for Negation in GPT-2 Small",
        "Layer-3 Circuits for Negation in GPT-2 Small",
    ),
    (
        "Induction Heads Form in Two-Layer Attention-Only Transformers",
        "Induction Heads Form in Three-Layer Attention-Only Transformers",
    ),
    (
        "Sparse Autoencoders Find Interpretable Features in Vision Transformers",
        "Sparse Autoencoders Find Interpretable Features in Speech Transformers",
    ),
    (
        "Steering Llama 2 via Contrastive Activation Addition",
        "Steering Llama 3 via Contrastive Activation Addition",
    ),
]


def test_the_table_has_thirty_pairs_of_each_kind_and_the_issue_examples() -> None:
    kinds = [pair["kind"] for pair in PAIRS]
    assert kinds.count("same") >= 30 and kinds.count("different") >= 30
    assert kinds.count("unsure") >= 5
    assert {(p["a"], p["b"]) for p in PAIRS if p["kind"] == "different"} >= set(ISSUE_EXAMPLES)


@pytest.mark.parametrize("pair", PAIRS, ids=[f"{p['kind']}: {p['note']}" for p in PAIRS])
def test_pair_is_decided_right(pair: dict[str, Any]) -> None:
    assert outcome(pair) == pair["kind"]


@given(st.sampled_from(PAIRS), st.booleans())
def test_the_verdict_does_not_depend_on_which_paper_came_first(
    pair: dict[str, Any], with_facts: bool
) -> None:
    def facts(side: str) -> Facts:
        extra = (pair.get(f"{side}_authors", ()), pair.get(f"{side}_abstract", ""))
        return Facts(pair.get(f"{side}_id"), pair[side], *(extra if with_facts else ((), "")))

    assert judge(facts("a"), facts("b")).verdict == judge(facts("b"), facts("a")).verdict


def test_the_issue_examples_are_not_duplicates_in_a_run(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    """Listed under their own ids; the new papers come under new ids with other authors."""
    listed = [a for a, _ in ISSUE_EXAMPLES]
    readme = workdir / "README.md"
    text = readme.read_text(encoding="utf-8")
    entries = "".join(
        f"- [{t}](https://arxiv.org/abs/2501.0000{i})\n" for i, t in enumerate(listed)
    )
    readme.write_text(text.replace("## Papers (124)\n", "## Papers (128)\n" + entries), "utf-8")
    line_of_induction = text.splitlines().index("## Papers (124)") + 3
    news = [b for _, b in ISSUE_EXAMPLES]
    news.append("Induction Heads From in Two-Layer Attention-Only Transformers")
    arxiv_server.add(
        *(record(f"2611.0100{i}", t, authors=("Ben Okafor",)) for i, t in enumerate(news))
    )

    assert main(["run", "--json", "--dry-run"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["duplicates"] == []
    added = {a["title"]: a for a in out["added"]}
    assert set(added) == set(news)
    assert all("possible_duplicate" not in added[title] for title in news[:4])
    assert added[news[4]]["possible_duplicate"] == {
        "id": "2501.00001",
        "title": listed[1],
        "line": line_of_induction,
        "source": "list",
        "why": 'one letter apart: "form" / "from"',
        "similarity": added[news[4]]["possible_duplicate"]["similarity"],
    }

    assert main(["run", "--dry-run"]) == 0
    human = capsys.readouterr().out
    assert f"! possible duplicate of {listed[1]} (2501.00001, line {line_of_induction})" in human


def test_the_pull_request_body_shows_the_possible_duplicate() -> None:
    from bot.models import RunReport
    from bot.prbody import pull_request_text

    paper = Paper("2611.01004", 1, "Induction Heads From", "", (), date(2026, 11, 1), "cs.LG", ())
    possible = PossibleDuplicate(
        KnownTitle("2501.00001", "Induction Heads Form", "list"), "one letter apart", 95.0, 42
    )
    decision = Decision(paper, 6.0, True, False, (), possible_duplicate=possible)
    body = pull_request_text(RunReport(added=[decision]), "README.md").body
    assert "**1** marked ⚠️ may duplicate a known paper" in body
    assert (
        "possible duplicate of [Induction Heads Form](https://arxiv.org/abs/2501.00001) (line 42)"
        in body
    )


def paper(paper_id: str, title: str, authors: tuple[str, ...] = ()) -> Paper:
    return Paper(paper_id, 1, title, "", authors, date(2026, 11, 1), "cs.LG", ())


def test_rejection_memory_keeps_out_the_twin_but_not_the_sibling() -> None:
    rejected = KnownTitle("2601.00001", "Steering Llama 2 via Contrastive Activation Addition", "")
    index = TitleIndex([rejected._replace(source="state:rejected")], 90.0)
    twin = paper("2611.00001", "Steering Llama 2 via contrastive activation addition.")
    sibling = paper("2611.00002", "Steering Llama 3 via Contrastive Activation Addition")
    fresh, duplicates, possible = split_duplicates([twin, sibling], index)
    assert [p.id for p in fresh] == ["2611.00002"] and possible == {}
    assert duplicates[0].paper == twin and duplicates[0].matched.source == "state:rejected"


def test_stored_authors_tell_a_reused_title_from_the_same_paper() -> None:
    stored = KnownTitle("2601.00001", "Measuring and Guiding Monosemanticity", "state:added")
    index = TitleIndex([stored], 90.0, {"2601.00001": ("Ana Ruiz", "Li Wei")}.get)
    same = paper("2611.00001", stored.title, ("Ana Ruiz",))
    other = paper("2611.00002", stored.title, ("Ben Okafor",))
    fresh, duplicates, possible = split_duplicates([same, other], index)
    assert [d.paper for d in duplicates] == [same]
    assert [p.id for p in fresh] == ["2611.00002"]
    assert possible["2611.00002"].why == "same title, other authors (Ana Ruiz / Ben Okafor)"


def test_a_possible_twin_in_the_same_run_is_added_with_a_note() -> None:
    first = paper("2611.00001", "Circuits Form Early in Training")
    second = paper("2611.00002", "Circuits From Early in Training")
    fresh, duplicates, possible = split_duplicates([first, second], TitleIndex([], 90.0))
    assert duplicates == [] and len(fresh) == 2
    assert possible["2611.00002"].matched == KnownTitle("2611.00001", first.title, "this run")


def true_duplicate_pairs() -> set[tuple[int, int]]:
    rows = (DATA / "awesome-mechanistic-interpretability-880.duplicates.tsv").read_text()
    return {
        (int(cols[0]), int(cols[1]))
        for cols in (line.split("\t") for line in rows.splitlines() if not line.startswith("#"))
    }


def test_audit_of_the_880_entry_list_reports_only_true_duplicates() -> None:
    import re

    from bot.audit import audit_entries
    from bot.config import RelevanceConfig, TargetConfig
    from bot.listdoc.document import ListDocument
    from bot.relevance import compile_rules

    document = ListDocument(LIST_880.read_text(encoding="utf-8"), TargetConfig())
    findings = audit_entries(document, {}, compile_rules(RelevanceConfig()), 90.0)
    reported = {
        (int(re.search(r"line (\d+)", f.detail).group(1)), f.line)  # type: ignore[union-attr]
        for f in findings
        if f.kind in ("duplicate_id", "duplicate_title", "possible_duplicate")
    }
    truth = true_duplicate_pairs()
    assert reported <= truth  # no listed paper is a duplicate of a different paper
    later = {b for _, b in truth}
    assert {b for _, b in reported} == later  # and every true duplicate is reported
    assert [f.line for f in findings if f.kind == "duplicate_title"] == [454]  # SDialog


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("visualising", "visualizing"),
        ("memorisation", "memorization"),
        ("behavioural", "behavioral"),
        ("modelling", "modeling"),
        ("centre", "center"),
        ("catalogue", "catalog"),
        ("analyse", "analyze"),
        ("analyses", "analyses"),  # the plural of analysis, not a verb to respell
        ("four", "four"),
        ("filled", "filled"),
    ],
)
def test_american_spelling(word: str, expected: str) -> None:
    assert american(word) == expected


@pytest.mark.parametrize(
    ("word", "numeric"),
    [("2", True), ("4o", True), ("ii", True), ("xl", True), ("three", True), ("form", False)],
)
def test_numbers_roman_numerals_and_number_words(word: str, numeric: bool) -> None:
    assert is_numeric(word) is numeric


def test_id_month_and_authors() -> None:
    assert id_month("2506.10622") == 2025 * 12 + 5
    assert id_month("hep-th/9901001") == 1999 * 12
    assert id_month("line:4") is None and id_month(None) is None
    assert compare_authors(("Ana Ruiz",), ("Ana M. Ruiz", "Li Wei")) == "same"
    assert compare_authors(("Ana Ruiz", "Li Wei"), ("Ben Okafor", "Wei Li")) == "different"
    assert compare_authors(("Ana Ruiz", "Li Wei"), ("Ben Okafor", "Li Wei")) == "overlap"
    assert compare_authors((), ("Ben Okafor",)) == "unknown"


def test_title_difference_names_what_changed() -> None:
    found = compare_titles("Sparse Probes in Vision Models", "Sparse Probes in Large Vision Models")
    assert (found.kind, found.detail, found.edits) == ("content", '"large" added', 1)
    assert judge(Facts(None, "A B"), Facts(None, "A B")).verdict is Verdict.SAME


def test_the_note_stays_with_the_paper_while_it_is_proposed() -> None:
    """The state keeps the note, and the next run's body shows it on the carried paper."""
    from bot.models import Proposal, RunReport
    from bot.prbody import pull_request_text
    from bot.state import State, state_from_json, state_to_json

    new = paper("2611.01004", "Induction Heads From in Two-Layer Attention-Only Transformers")
    possible = PossibleDuplicate(
        KnownTitle("2501.00001", "Induction Heads Form in Two-Layer", "list"), "one letter", 97, 42
    )
    decision = Decision(new, 6.0, True, False, (), possible_duplicate=possible)
    state = State().with_decisions([decision], "pending", date(2026, 11, 21))
    record = state_from_json(state_to_json(state), "state.json").papers[new.id]
    assert record.doubt == (
        "possible duplicate of Induction Heads Form in Two-Layer (2501.00001, line 42): one letter"
    )
    carried = Proposal(record.to_paper(), record.score, record.reason, doubt=record.doubt)
    body = pull_request_text(RunReport(carried=[carried]), "README.md").body
    assert "⚠️ **possible duplicate of Induction Heads Form in Two-Layer" in body
    assert "**1** marked ⚠️ may duplicate a known paper" in body


def test_a_cached_abstract_tells_a_reused_title_from_the_same_paper() -> None:
    """The run store's abstracts cache ("title\\nabstract" by id) is a known paper's abstract."""
    listed = KnownTitle("2601.00001", "Attention Heads of Large Language Models: A Survey", "list")
    cache = {listed.id: f"{listed.title}\nWe survey attention heads in language models."}
    same = Paper("2611.00001", 1, listed.title, "We survey attention heads in language models.",
                 (), date(2026, 11, 1), "cs.LG", ())  # fmt: skip
    other = Paper("2611.00002", 1, listed.title, "Protein folding networks rely on attention.",
                  (), date(2026, 11, 1), "cs.LG", ())  # fmt: skip
    for new, expected in ((same, "same"), (other, "unsure")):
        _, duplicates, possible = split_duplicates([new], TitleIndex([listed], 90.0), cache)
        assert ("same" if duplicates else "unsure" if possible else "different") == expected
    assert split_duplicates([other], TitleIndex([listed], 90.0)).duplicates  # no abstract: same
