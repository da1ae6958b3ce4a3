from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.errors import StateError
from bot.files import run_lock
from bot.models import Paper
from bot.state import State, fetch_window, load_state, next_watermark, save_state

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


def test_roundtrip(tmp_path: Path) -> None:
    paper = Paper("2611.00001", 2, "T", "", (), date(2026, 11, 1), "cs.LG", ())
    state = State().with_papers([paper], "added", NOW.date()).after_success(NOW, date(2026, 11, 20))
    path = tmp_path / "state" / "state.json"
    save_state(path, state)
    assert load_state(path) == state
    assert not list(path.parent.glob("*.tmp"))


def test_missing_state_is_empty(tmp_path: Path) -> None:
    assert load_state(tmp_path / "none.json") == State()


@pytest.mark.parametrize(
    "content", ['{"version": 1, "papers": [{"id": "x"}]', "", '{"version": 9}', "[1, 2]"]
)
def test_corrupt_state_is_an_error_and_kept(tmp_path: Path, content: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(StateError, match="corrupt state file") as info:
        load_state(path)
    assert str(path) in str(info.value)
    assert path.read_text(encoding="utf-8") == content


def test_window_first_run_uses_lookback() -> None:
    assert fetch_window(State(), None, date(2026, 11, 21), 7, 4) == (
        date(2026, 11, 14),
        date(2026, 11, 21),
    )


def test_window_continues_from_watermark_with_overlap() -> None:
    state = State(watermark=date(2026, 11, 10))
    assert fetch_window(state, None, date(2026, 11, 21), 7, 4) == (
        date(2026, 11, 6),
        date(2026, 11, 21),
    )


def test_since_overrides() -> None:
    assert fetch_window(
        State(watermark=date(2026, 11, 10)), date(2020, 1, 1), date(2026, 11, 21), 7, 4
    )[0] == date(2020, 1, 1)


def test_watermark_moves_to_the_last_full_day() -> None:
    assert next_watermark(None, date(2026, 11, 14), date(2026, 11, 21)) == date(2026, 11, 20)
    assert next_watermark(date(2026, 11, 10), date(2026, 11, 6), date(2026, 11, 21)) == date(
        2026, 11, 20
    )


def test_window_after_a_gap_keeps_the_old_watermark() -> None:
    assert next_watermark(date(2026, 1, 1), date(2026, 6, 1), date(2026, 6, 10)) == date(2026, 1, 1)


def test_watermark_never_moves_back() -> None:
    assert next_watermark(date(2026, 11, 20), date(2026, 11, 1), date(2026, 11, 5)) == date(
        2026, 11, 20
    )


def test_second_lock_fails_clearly(tmp_path: Path) -> None:
    lock = tmp_path / ".lock"
    with (
        run_lock(lock),
        pytest.raises(StateError, match="another run is in progress"),
        run_lock(lock),
    ):
        pass
    with run_lock(lock):  # released after the first run
        pass


def test_corrupt_record_error_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    record = '{"id": "2501.00001", "title": "T", "status": "maybe", "since": "2026-01-01"}'
    path.write_text(f'{{"version": 1, "papers": [{record}]}}', encoding="utf-8")
    with pytest.raises(StateError, match=r"papers\[0\]\.status") as info:
        load_state(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)
