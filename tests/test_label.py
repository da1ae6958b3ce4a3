"""`python -m bot label`: driven through its prompts, resumed, read back by evaluate."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import DATA, record
from tests.fakes.arxiv_server import FakeArxiv

PROMPT = "relevant to the list? [y]es [n]o [s]kip [q]uit: "


def label(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    answers: str,
    *args: str,
) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))
    code = main(["label", *args])
    return code, capsys.readouterr().out


def asked(out: str) -> list[str]:
    """The ids shown, in order."""
    return re.findall(r"^\[\d+/\d+\] (\S+)  score", out, re.MULTILINE)


def labels_in(path: Path) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [(row["id"], row["label"]) for row in rows]


@pytest.fixture
def records(workdir: Path) -> Path:
    """Five real records (labels stripped) from the development set, as JSONL."""
    lines = (DATA / "relevance_dev.jsonl").read_text(encoding="utf-8").splitlines()[:5]
    rows = [{k: v for k, v in json.loads(line).items() if k != "label"} for line in lines]
    path = workdir / "records.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_label_asks_records_and_resumes_without_asking_twice(
    workdir: Path,
    records: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out_file = workdir / "labels.jsonl"
    args = ("--from", str(records), "--out", str(out_file))
    code, out = label(monkeypatch, capsys, "y\nmaybe\nn\ns\nq\n", *args)
    assert code == 0
    first = asked(out)
    assert len(first) == 4  # the fourth was shown, then q
    assert out.count(PROMPT) == 5 and "please answer y, n, s or q" in out
    assert "why: score " in out and "cs." in out and "threshold" in out
    assert labels_in(out_file) == [
        (first[0], "relevant"),
        (first[1], "irrelevant"),
        (first[2], "skipped"),
    ]
    assert "labelled 3 paper(s) this time (1 relevant, 1 irrelevant, 1 skipped)" in out
    assert "2 left" in out and "run the same command again" in out

    code, out = label(monkeypatch, capsys, "n\n", *args)  # then end of input: a quit
    second = asked(out)
    assert code == 0 and "3 already in" in out
    assert second[0] == first[3] and not set(second) & set(first[:3])
    code, out = label(monkeypatch, capsys, "y\n", *args)
    third = asked(out)
    assert len(third) == 1 and third[0] not in first[:3] + second[:1]
    ids = [paper_id for paper_id, _ in labels_in(out_file)]
    assert len(ids) == len(set(ids)) == 5

    code, out = label(monkeypatch, capsys, "", *args)
    assert code == 0 and "nothing left to label" in out and asked(out) == []

    assert main(["evaluate", str(out_file)]) == 0
    assert "records:   4" in capsys.readouterr().out  # the skipped one is not counted


def test_label_from_a_run_report_looks_the_abstracts_up(
    workdir: Path,
    arxiv_server: FakeArxiv,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    arxiv_server.add(
        record("2611.00042", "Probing Circuits", abstract="We look inside with probes.")
    )
    report = workdir / "report.json"
    report.write_text(
        json.dumps({"fetched": 1, "added": [{"id": "2611.00042"}], "rejected": []}),
        encoding="utf-8",
    )
    out_file = workdir / "labels.jsonl"
    out_file.write_text('{"id": "0000.00000", "label": "relevant"}', encoding="utf-8")  # no \n
    code, out = label(monkeypatch, capsys, "y\n", "--from", str(report), "--out", str(out_file))
    assert code == 0 and asked(out) == ["2611.00042"]
    assert "We look inside with probes." in out
    assert labels_in(out_file)[-1] == ("2611.00042", "relevant")
    assert json.loads(out_file.read_text(encoding="utf-8").splitlines()[-1])["abstract"] == (
        "We look inside with probes."
    )


def test_label_since_a_date_queries_arxiv(
    workdir: Path,
    arxiv_server: FakeArxiv,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    arxiv_server.add(record("2611.00007", "Sparse Autoencoders in Vision", published="2026-11-19"))
    listed = record("2506.04373", "Mechanistic Decomposition of Sentence Representations")
    arxiv_server.add(listed)  # in the list (README.md): the maintainer chose it already
    out_file = workdir / "labels.jsonl"
    code, out = label(monkeypatch, capsys, "q\n", "--since", "2026-11-18", "--out", str(out_file))
    assert code == 0 and asked(out) == ["2611.00007"]
    assert "1 already in the list" in out
    assert not out_file.read_text(encoding="utf-8")  # quit before answering: nothing recorded


def test_a_broken_labels_file_is_named_with_its_line(
    workdir: Path,
    records: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out_file = workdir / "labels.jsonl"
    out_file.write_text('{"id": "1"}\nnot json\n', encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["label", "--from", str(records), "--out", str(out_file)]) == 1
    assert f"{out_file}:2: not a labeled record" in capsys.readouterr().err


def test_label_looks_up_the_report_papers_closest_to_the_threshold_first(
    workdir: Path,
    arxiv_server: FakeArxiv,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    arxiv_server.add(record("2611.00001", "Far Below"), record("2611.00002", "Near the Threshold"))
    far, near = {"id": "2611.00001", "score": -20.0}, {"id": "2611.00002", "score": 4.5}
    report = workdir / "report.json"
    report.write_text(json.dumps({"added": [], "rejected": [near, far]}), encoding="utf-8")
    monkeypatch.setattr("bot.commands.label.LOOKUP_LIMIT", 1)
    code, out = label(monkeypatch, capsys, "q\n", "--from", str(report), "--out", "l.jsonl")
    assert code == 0 and asked(out) == ["2611.00002"]
    assert [r.params.get("id_list") for r in arxiv_server.requests] == ["2611.00002"]
