"""The run store: bookkeeping outside the list's history (state/run.json, Actions cache)."""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from pathlib import Path

import pytest

from bot.budget import TimeBudget
from bot.errors import WaitTooLongError
from bot.runstore import (
    RunStore,
    load_run_store,
    run_store_from_json,
    run_store_path,
    run_store_to_json,
    save_run_store,
)
from tests.conftest import record
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.github_server import FakeGitHub
from tests.test_pullrequest import github, run  # the GitHub fixture, reused

__all__ = ["github"]


OFF_TOPIC = record(
    "2611.00042",
    "Neurons of Enzyme Reaction Kinetics",
    abstract="Artificial neurons model a chemical reaction.",
)


def windows(server: FakeArxiv, since: int = 0) -> list[str]:
    """The submission windows ("YYYYMMDD-YYYYMMDD") of the searches from search `since` on.

    Id lookups (the listed papers' abstracts, by id_list) are not searches: skipped.
    """
    found = []
    for request in server.requests:
        if "search_query" not in request.params:
            continue
        query = request.params["search_query"]
        match = re.search(r"submittedDate:\[(\d{8})\d{4} TO (\d{8})", query)
        assert match, query
        found.append(f"{match.group(1)}-{match.group(2)}")
    return found[since:]


def test_round_trip_and_cache_api(tmp_path: Path) -> None:
    store = (
        RunStore(watermark=date(2026, 11, 20))
        .with_cache("abstracts", {"2611.00001": "An abstract."})
        .with_cache("abstracts", {"2611.00002": "Another."})
        .with_rejected({"2611.00003": 1.5})
        .swept(date(2026, 11, 16))
    )
    path = run_store_path("state/state.json")
    assert path == Path("state/run.json")
    save_run_store(tmp_path / "run.json", store)
    again = load_run_store(tmp_path / "run.json")
    assert again == store
    assert again.cache("abstracts") == {"2611.00001": "An abstract.", "2611.00002": "Another."}
    assert again.cache("never filled") == {}
    assert again.without_cache("abstracts", {"2611.00001"}).cache("abstracts") == {
        "2611.00002": "Another."
    }
    assert run_store_from_json(run_store_to_json(store)) == store


def test_missing_or_corrupt_store_is_empty_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert load_run_store(tmp_path / "absent.json") == RunStore()
    broken = tmp_path / "run.json"
    broken.write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert load_run_store(broken) == RunStore()
    assert "run store unusable" in caplog.text and "re-reads" in caplog.text
    broken.write_text('{"version": 99}', encoding="utf-8")
    assert load_run_store(broken) == RunStore()


def test_time_budget_refuses_a_wait_that_does_not_fit() -> None:
    now = [100.0]
    budget = TimeBudget.start(1200, clock=lambda: now[0])
    assert budget.allows(600)
    now[0] += 900
    assert budget.left() == 300
    assert not budget.allows(301)
    with pytest.raises(WaitTooLongError) as caught:
        budget.check_wait("arXiv", 3600)
    assert str(caught.value) == (
        "arXiv asks to wait 3600 s, more than the 300 s left of [run] time_budget_seconds;"
        " nothing was changed; the next run retries"
    )
    assert caught.value.wait_seconds == 3600


def test_quiet_run_in_github_mode_moves_the_store_watermark_not_the_repository(
    github: FakeGitHub,
    arxiv_server: FakeArxiv,
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    arxiv_server.add(OFF_TOPIC)  # arXiv answers, the filter rejects it: nothing to add
    code, out, err = run(capsys)
    assert code == 0, err
    assert out["pull_request"] is None and github.pulls == []
    assert "state/state.json" not in github.files_at("main")  # nothing committed
    store = json.loads((workdir / "state" / "run.json").read_text(encoding="utf-8"))
    assert store["watermark"] == "2026-11-20"
    assert windows(arxiv_server) == ["20261114-20261121"]  # first run: lookback_days = 7

    # A week later the window starts from the store's watermark (minus overlap_days), and
    # the late-paper sweep is due: the 60 days before it.
    monkeypatch.setenv("ARXIV_BOT_NOW", "2026-11-28T09:30:00+00:00")
    code, out, err = run(capsys)
    assert code == 0, err
    assert windows(arxiv_server, 1) == ["20261116-20261128", "20260929-20261115"]
    assert json.loads((workdir / "state" / "run.json").read_text())["watermark"] == "2026-11-27"

    # The Actions cache is gone: the committed state (none here) is the fallback.
    (workdir / "state" / "run.json").unlink()
    monkeypatch.setenv("ARXIV_BOT_NOW", "2026-11-30T09:30:00+00:00")
    code, out, err = run(capsys)
    assert code == 0, err
    assert windows(arxiv_server, 3) == ["20261123-20261130"]


def test_filter_rejections_are_remembered_and_reported_once(
    arxiv_server: FakeArxiv, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    arxiv_server.add(OFF_TOPIC)
    assert main(["run", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in first["rejected"]] == ["2611.00042"]
    store = json.loads((workdir / "state" / "run.json").read_text(encoding="utf-8"))
    assert list(store["rejected"]) == ["2611.00042"]
    assert main(["run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rejected"] == []


def test_unreadable_records_are_named_in_the_pull_request(
    github: FakeGitHub,
    arxiv_server: FakeArxiv,
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.test_pullrequest import sae

    broken = sae(2)
    broken.published_text = "not a date"  # type: ignore[attr-defined]
    arxiv_server.add(sae(1), broken)
    code, _, err = run(capsys)
    assert code == 0, err
    body = github.pull(1).body
    assert "records that cannot be read" in body
    # Escaped as everything from arXiv is: GitHub shows it verbatim.
    assert "- 2611\\.00002v1 (page 1): \\<published\\> 'not a date' is not a date" in body


def test_old_rejections_are_forgotten() -> None:
    store = RunStore(rejected={"2609.00001": 1.0, "2610.00002": 2.0, "hep-th/9901001": 0.5})
    assert store.forget_rejected_before(date(2026, 10, 14)).rejected == {"2610.00002": 2.0}
    kept = RunStore(rejected={"2610.00002": 2.0})
    assert kept.forget_rejected_before(date(2026, 10, 1)) is kept
