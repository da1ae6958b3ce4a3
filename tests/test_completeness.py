"""Every paper arXiv announces is seen, or the run says why (issue 14).

Whole runs against the local arXiv stand-in behaving as arXiv has been reported
to: each test asserts which papers end up listed after the next runs, the exit
code, what the output says, and the watermark.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.state import State, load_state, save_state
from tests.conftest import record
from tests.fakes.arxiv_server import ArxivRecord, FakeArxiv, Fault, feed
from tests.test_pullrequest import distinct_title

STATE = Path("state/state.json")


def sae(n: int, published: str = "2026-11-19", **fields: object) -> ArxivRecord:
    return record(f"2611.{n:05d}", distinct_title(n), published=published, **fields)


Run = Callable[..., tuple[int, dict[str, Any], str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """run(now, *args): one `run --json` at `now` (UTC); exit code, the report, stderr."""

    def run_at(now: str, *args: str) -> tuple[int, dict[str, Any], str]:
        monkeypatch.setenv("ARXIV_BOT_NOW", f"{now}T09:30:00+00:00")
        code = main(["run", "--json", *args])
        captured = capsys.readouterr()
        return code, (json.loads(captured.out) if captured.out.strip() else {}), captured.err

    return run_at


def listed(workdir: Path) -> str:
    return (workdir / "README.md").read_text(encoding="utf-8")


def watermark() -> date | None:
    return load_state(STATE).watermark


def configure(workdir: Path, **values: object) -> None:
    """Set [arxiv] keys in the working directory's config.toml."""
    path = workdir / "config.toml"
    text = path.read_text(encoding="utf-8")
    for key, value in values.items():
        text, count = re.subn(rf"(?m)^{key} = \S+", f"{key} = {value}", text)
        if not count:
            text = text.replace("[arxiv]\n", f"[arxiv]\n{key} = {value}\n", 1)
    path.write_text(text, encoding="utf-8")


# --- 1. an answer that contradicts itself ------------------------------------------


def test_empty_answer_that_promises_hits_fails_and_keeps_the_watermark(
    workdir: Path, arxiv_server: FakeArxiv, run: Run
) -> None:
    # A catch-up after missed days: the window (from 11-06) is longer than overlap_days.
    save_state(STATE, State(watermark=date(2026, 11, 10)))
    arxiv_server.add(*(sae(n, published=f"2026-11-{12 + n % 3}") for n in range(1, 7)))
    arxiv_server.script(*[Fault(empty=True)] * 5)  # 200, no entries, totalResults 6: every try
    code, _, err = run("2026-11-21")
    assert code == 1
    assert "page 1 holds 0 entries where totalResults 6 and start 0 promise 6" in err
    assert "nothing was changed" in err
    assert len(arxiv_server.requests) == 5  # retried, then failed
    assert watermark() == date(2026, 11, 10)
    assert "2611.00001" not in listed(workdir)
    health = json.loads((workdir / "state" / "health.json").read_text(encoding="utf-8"))
    assert health["consecutive_failures"] == 1

    code, out, err = run("2026-11-22")  # arXiv answers again
    assert code == 0, err
    assert len(out["added"]) == 6
    assert all(f"2611.{n:05d}" in listed(workdir) for n in range(1, 7))


def test_a_quiet_answer_never_moves_the_watermark(
    workdir: Path, arxiv_server: FakeArxiv, run: Run
) -> None:
    save_state(STATE, State(watermark=date(2026, 11, 10)))
    arxiv_server.add(*(sae(n, published=f"2026-11-{12 + n % 3}") for n in range(1, 7)))
    arxiv_server.script(Fault(empty=True, total=0))  # a transient answer: "nothing at all"
    code, out, err = run("2026-11-21")
    assert code == 0 and out["fetched"] == 0, err
    assert watermark() == date(2026, 11, 10)  # not 11-20: those days are read again
    code, out, _ = run("2026-11-22")
    assert code == 0 and len(out["added"]) == 6
    assert watermark() == date(2026, 11, 21)


def test_a_short_middle_page_is_retried(workdir: Path, arxiv_server: FakeArxiv, run: Run) -> None:
    configure(workdir, page_size=2)
    arxiv_server.add(*(sae(n) for n in range(1, 6)))
    arxiv_server.script(Fault(), Fault(empty=True))  # page 2 comes back empty once
    code, out, err = run("2026-11-21")
    assert code == 0, err
    assert len(out["added"]) == 5
    assert [r.params["start"] for r in arxiv_server.requests] == ["0", "2", "2", "4"]


# --- 2. papers announced late ------------------------------------------------------


def test_a_late_announced_paper_is_found_by_the_weekly_sweep(
    workdir: Path, arxiv_server: FakeArxiv, run: Run
) -> None:
    late = sae(4, published="2026-11-04")  # held in moderation until 11-28
    requests_per_run = []
    for day in range(21, 29):
        arxiv_server.add(sae(day, published=f"2026-11-{day - 1}"))  # the daily traffic
        if day == 28:
            arxiv_server.add(late)
        before = len(arxiv_server.requests)
        code, out, err = run(f"2026-11-{day}")
        assert code == 0, err
        requests_per_run.append(len(arxiv_server.requests) - before)
        if day < 28:
            assert "2611.00004" not in listed(workdir)
    assert requests_per_run == [1, 1, 1, 1, 1, 1, 1, 2]  # one query a day, two on sweep days
    assert out["sweep"] == ["2026-09-29", "2026-11-21"]  # up to the normal window (11-22 on)
    assert [a["id"] for a in out["added"]] == ["2611.00028", "2611.00004"]
    assert "2611.00004" in listed(workdir)
    store = json.loads((workdir / "state" / "run.json").read_text(encoding="utf-8"))
    assert store["last_sweep"] == "2026-11-28"


# --- 3. more hits than max_results -------------------------------------------------


def test_an_overflowing_window_is_split_down_to_minutes(
    workdir: Path, arxiv_server: FakeArxiv, run: Run
) -> None:
    configure(workdir, max_results=3)
    papers = [sae(n) for n in range(1, 9)]  # eight papers on one day, minutes apart
    for minute, paper in enumerate(papers):
        paper.published = paper.published.replace(hour=10, minute=minute)
    arxiv_server.add(*papers)
    code, out, err = run("2026-11-21")
    assert code == 0, err
    assert len(out["added"]) == 8
    stamps = [
        re.search(r"submittedDate:\[(\d{12}) TO (\d{12})\]", r.params["search_query"]).groups()
        for r in arxiv_server.requests
    ]
    assert any(low[:8] == high[:8] == "20261119" for low, high in stamps)  # within one day
    assert watermark() == date(2026, 11, 20)


def test_a_single_minute_over_max_results_fails_and_moves_nothing(
    workdir: Path, arxiv_server: FakeArxiv, run: Run
) -> None:
    configure(workdir, max_results=3)
    arxiv_server.add(*(sae(n) for n in range(1, 5)))  # four papers in the minute 12:00
    before = listed(workdir)
    code, _, err = run("2026-11-21")
    assert code == 1
    assert "4 hits submitted in the single minute 2026-11-19 12:00 alone" in err
    assert "arxiv.max_results (3)" in err
    assert listed(workdir) == before and not STATE.exists()


# --- 4. bytes XML forbids, and records that cannot be read -------------------------


def test_forbidden_bytes_are_stripped_and_a_broken_record_is_named(
    workdir: Path, arxiv_server: FakeArxiv, run: Run
) -> None:
    nul = sae(1)
    nul.title = "Sparse Autoencoders\x00 Find \x1bCircuits in Vision Transformers"
    broken = sae(2, published_text="2026-13-45T00:00:00Z")
    arxiv_server.add(nul, broken, sae(3))
    code, out, err = run("2026-11-21")
    assert code == 0, err
    assert sorted(a["id"] for a in out["added"]) == ["2611.00001", "2611.00003"]
    assert out["unreadable"] == [
        {
            "id": "2611.00002v1",
            "page": 1,
            "reason": "<published> '2026-13-45T00:00:00Z' is not a date",
        }
    ]
    assert "Sparse Autoencoders Find Circuits in Vision Transformers" in listed(workdir)
    assert "2611.00002v1 (page 1)" in err  # the log line names it too
    assert watermark() == date(2026, 11, 20)  # accounted for: the watermark may pass it
    assert len(arxiv_server.requests) == 1


def test_a_malformed_entry_is_named_and_the_rest_of_the_page_read(
    workdir: Path, arxiv_server: FakeArxiv, run: Run
) -> None:
    good = feed([sae(1), sae(2)], total=2, start=0, per_page=200)
    body = re.sub(rb"(<title>)(" + re.escape(distinct_title(2).encode()) + rb")", rb"\1<b>\2", good)
    assert body != good
    arxiv_server.script(Fault(body=body))
    code, out, err = run("2026-11-21", "--dry-run")
    assert code == 0, err
    assert [a["id"] for a in out["added"]] == ["2611.00001"]
    [unreadable] = out["unreadable"]
    assert unreadable["id"] == "2611.00002v1" and "malformed XML" in unreadable["reason"]


# --- 6. withdrawn papers -----------------------------------------------------------

WITHDRAWN = {
    11: {"comment": "Withdrawn due to an error in the causal-tracing experiments"},
    12: {"comment": "This paper has been withdrawn by the authors"},
    13: {"comment": "We withdraw this manuscript; a bug invalidated Section 4"},
    14: {"comment": "Withdrawn"},
    15: {"abstract": "This paper has been withdrawn by the authors due to a flaw."},
}


def test_withdrawn_papers_are_rejected_as_withdrawn_not_mentions(
    workdir: Path, arxiv_server: FakeArxiv, run: Run
) -> None:
    arxiv_server.add(*(sae(n, **fields) for n, fields in WITHDRAWN.items()))
    mention = sae(16, comment="Supersedes the earlier preprint that was withdrawn by the authors")
    arxiv_server.add(mention)
    code, out, err = run("2026-11-21")
    assert code == 0, err
    assert [a["id"] for a in out["added"]] == ["2611.00016"]
    reasons = {r["id"]: r["reason"] for r in out["rejected"]}
    assert reasons == {f"2611.{n:05d}": "withdrawn" for n in WITHDRAWN}
    assert not any(f"2611.{n:05d}" in listed(workdir) for n in WITHDRAWN)


# --- 7. waits without an end -------------------------------------------------------


def test_a_slow_drip_ends_at_the_whole_request_deadline(
    workdir: Path, arxiv_server: FakeArxiv, run: Run
) -> None:
    configure(workdir, timeout_seconds=0.3, max_retries=0)
    arxiv_server.add(sae(1))
    arxiv_server.script(Fault(drip=0.02))  # a byte every 20 ms: no read ever times out
    started = time.monotonic()
    code, _, err = run("2026-11-21")
    assert code == 1
    # The headers alone take 1.5 s to drip, the whole answer tens of seconds.
    assert time.monotonic() - started < 1.2
    assert "request timed out (arxiv.timeout_seconds bounds each whole request)" in err
    assert not STATE.exists()


def test_a_retry_after_beyond_the_time_budget_fails_at_once(
    workdir: Path, arxiv_server: FakeArxiv, run: Run
) -> None:
    arxiv_server.add(sae(1))
    arxiv_server.script(Fault(status=503, headers={"Retry-After": "3600"}))
    started = time.monotonic()
    code, _, err = run("2026-11-21")
    assert code == 1 and time.monotonic() - started < 5
    line = [line for line in err.splitlines() if line.startswith("error:")]
    assert line == [
        "error: arXiv asks to wait 3600 s, more than the 1200 s left of "
        "[run] time_budget_seconds; nothing was changed; the next run retries"
    ]
    assert len(arxiv_server.requests) == 1
    health = json.loads((workdir / "state" / "health.json").read_text(encoding="utf-8"))
    assert health["consecutive_failures"] == 1 and "asks to wait 3600 s" in health["errors"][0]
    assert not STATE.exists()


# --- 8. --since in the future ------------------------------------------------------


def test_since_after_today_is_refused_and_today_is_fine(
    workdir: Path, arxiv_server: FakeArxiv, run: Run
) -> None:
    save_state(STATE, State(watermark=date(2026, 11, 20)))
    code, _, err = run("2026-11-30", "--since", "2027-01-01")
    assert code == 1
    assert err.strip().splitlines()[-1] == (
        "error: --since 2027-01-01 is after today (2026-11-30, UTC): there is nothing to fetch;"
        " nothing was changed"
    )
    assert arxiv_server.requests == [] and watermark() == date(2026, 11, 20)
    arxiv_server.add(sae(1, published="2026-11-30"))
    code, out, err = run("2026-11-30", "--since", "2026-11-30")
    assert code == 0 and len(out["added"]) == 1, err


# --- 5. id lookups (audit) ---------------------------------------------------------

AUDITED = """# List

## Papers (4)
- [Sparse Autoencoders Find Features](https://arxiv.org/abs/2611.00001)
- [A Dead Link](https://arxiv.org/abs/2611.99999)
- [A Mistyped Link](https://arxiv.org/abs/2513.01234)
- [Probing the Residual Stream, Withdrawn Since](https://arxiv.org/abs/2611.00002)
"""


def test_audit_looks_ids_up_in_one_request_and_names_dead_bad_and_withdrawn(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "audited.md").write_text(AUDITED, encoding="utf-8")
    arxiv_server.add(
        record("2611.00001", "Sparse Autoencoders Find Features"),
        record(
            "2611.00002",
            "Probing the Residual Stream, Withdrawn Since",
            comment="This paper has been withdrawn by the authors",
        ),
    )
    assert main(["audit", "--json", "--target", "audited.md"]) == 0
    out = json.loads(capsys.readouterr().out)
    found = {(f["kind"], f["line"], f["id"]) for f in out["findings"]}
    assert ("not_on_arxiv", 5, "2611.99999") in found
    assert ("bad_arxiv_id", 6, "2513.01234") in found
    assert ("withdrawn", 7, "2611.00002") in found
    [request] = arxiv_server.requests  # one request, no paging past the dead id
    assert request.params["id_list"].split(",") == ["2611.00001", "2611.00002", "2611.99999"]
    assert request.params["max_results"] == "3" and "2513" not in request.params["id_list"]
    assert out["looked_up"] == 2


def test_the_stand_in_refuses_a_bad_id_as_arxiv_does(arxiv_server: FakeArxiv) -> None:
    status, body = arxiv_server.answer({"id_list": "2611.00001,2513.01234"})
    assert status == 400 and b"incorrect id format for 2513.01234" in body
