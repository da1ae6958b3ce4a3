"""Publish stage, local mode: write the list, then the state, each atomically."""

from __future__ import annotations

from pathlib import Path

from bot.files import atomic_write_text
from bot.pipeline import Plan
from bot.runstore import run_store_path, save_run_store
from bot.state import save_state


def read_list(path: Path) -> str:
    from bot.errors import ListFormatError

    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        raise ListFormatError(
            f"{path}: list file not found; set [target] file in config.toml or pass --target"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ListFormatError(f"{path}: cannot read list file ({exc})") from None


def publish_local(plan: Plan, list_path: Path, state_path: Path) -> None:
    """Write the list first: state only records papers once they are really listed.

    The run store (bookkeeping, not the list's history) comes last.
    """
    if plan.changes_list:
        atomic_write_text(list_path, plan.list_text)
    save_state(state_path, plan.state)
    save_run_store(run_store_path(state_path), plan.store)
