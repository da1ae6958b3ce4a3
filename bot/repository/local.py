"""The local-files adapter of the repository seam: the list and state as files on disk."""

from __future__ import annotations

from pathlib import Path

from bot.errors import ListFormatError
from bot.files import write_through
from bot.pipeline import Plan
from bot.runstore import run_store_path, save_run_store
from bot.state import save_state


def read_list(path: Path) -> str:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        raise ListFormatError(
            f"{path}: list file not found; set [target] file in config.toml or pass --target"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ListFormatError(f"{path}: cannot read list file ({exc})") from None


class LocalFiles:
    """The list's files in a folder (the working directory): no versions, no pull requests."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def read_file(self, path: str, ref: str | None = None) -> str | None:
        """The text of `path` under the root, or None if absent (`ref` is ignored)."""
        try:
            return read_list(self.root / path)
        except ListFormatError:
            if (self.root / path).exists():
                raise
            return None


def publish_local(plan: Plan, list_path: Path, state_path: Path, tree: Path) -> None:
    """Write the list first: state only records papers once they are really listed.

    A list that is a symbolic link is written through to its target, which must be
    inside `tree` (the working directory). The run store (bookkeeping, not the list's
    history) comes last. Raises FileWriteError naming the file that could not be written.
    """
    if plan.changes_list:
        write_through(list_path, plan.list_text, tree)
    save_state(state_path, plan.state)
    save_run_store(run_store_path(state_path), plan.store)
