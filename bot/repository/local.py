"""The local-files adapter of the repository seam: the list and its state as files on disk.

Crash consistency: publish records its intent (the papers it is about to add)
before it writes the list, then the list, then the state, then drops the
intent. Killed at any instant, the next gather finishes or forgets the
interrupted run: papers the list shows are recorded in the state, papers it
does not show are not, and the writes' leftover temporary files are swept.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

import msgspec
from msgspec.structs import replace

from bot.config import TargetConfig
from bot.errors import ListFormatError, StateError
from bot.files import atomic_write_text, target_inside
from bot.listdoc.document import ListDocument
from bot.repository.seam import Change, Published, Snapshot
from bot.state import PaperRecord, State, load_state, state_to_json

log = logging.getLogger(__name__)
INTENT_FILE = "intent.json"


class Intent(msgspec.Struct, frozen=True):
    """What an interrupted run was about to add to the list, and the titles it changed."""

    list_file: str
    papers: list[PaperRecord]
    titles: dict[str, str] = {}


def list_not_found(path: Path) -> ListFormatError:
    return ListFormatError(
        f"{path}: list file not found; check the path (--target, or [target] file in config.toml)"
    )


def check_list_file(path: Path) -> None:
    """Raise ListFormatError when the list file does not exist (a mistyped path)."""
    if not path.exists():
        raise list_not_found(path)


def read_list(path: Path) -> str:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        raise list_not_found(path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ListFormatError(f"{path}: cannot read list file ({exc})") from None


class LocalFiles:
    """The list and state files on disk: no versions, no pull requests.

    `write(path, text)` writes one file atomically (injected so that tests can
    stop a run between two writes); `dry_run` sweeps and repairs nothing. A list
    that is a symbolic link is written through to its target, which must be
    inside `tree` (the working directory).
    """

    proposes = False
    requests_made = 0

    def __init__(
        self,
        list_path: Path,
        state_path: Path,
        target: TargetConfig,
        tree: Path,
        dry_run: bool = False,
        write: Callable[[Path, str], None] = atomic_write_text,
    ) -> None:
        self.list_path = list_path
        self.tree = tree
        self.target = target
        self.state_path = state_path
        self.intent_path = state_path.parent / INTENT_FILE
        self.dry_run = dry_run
        self.write = write

    def gather(self, list_path: str = "", state_path: str = "") -> Snapshot:
        """Read the list and state; first sweep and converge what an interrupted run left."""
        if not self.dry_run:
            self.sweep()
        text = read_list(self.list_path)
        state = load_state(self.state_path)
        intent = self.read_intent()
        if intent is None:
            return Snapshot(text, state)
        state, recorded = recover(state, intent, ListDocument(text, self.target))
        if not self.dry_run:
            self.write(self.state_path, state_to_json(state))
            self.intent_path.unlink(missing_ok=True)
        note = (
            f"an interrupted run was completed: {len(recorded)} paper(s) it had written to "
            f"{self.list_path} are now recorded in {self.state_path}"
        )
        log.warning("%s", note)
        return Snapshot(text, state, notes=(note,))

    def publish(self, change: Change) -> Published:
        """Intent, then the list, then the state, then drop the intent (see the module doc)."""
        list_key, state_key = str(self.list_path), str(self.state_path)
        if list_key in change.files:
            self.write(self.intent_path, _intent_json(change, list_key))
            self.write(target_inside(self.list_path, self.tree), change.files[list_key])
        if state_key in change.files:
            self.write(self.state_path, change.files[state_key])
        self.intent_path.unlink(missing_ok=True)
        return Published()

    def sweep(self) -> None:
        """Remove the temporary files interrupted atomic writes left: the list's, beside it,
        and every one in the state folder (the bot's own: state, intent, run store, health)."""
        listed = target_inside(self.list_path, self.tree)
        leftovers = [*listed.parent.glob(f".{listed.name}.*.tmp")]
        leftovers += self.state_path.parent.glob(".*.tmp")
        for leftover in leftovers:
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
                log.info("removed %s, left by an interrupted write", leftover)

    def read_intent(self) -> Intent | None:
        try:
            return msgspec.json.decode(self.intent_path.read_bytes(), type=Intent)
        except FileNotFoundError:
            return None
        except (OSError, msgspec.DecodeError) as exc:
            raise StateError(
                f"{self.intent_path}: unreadable record of an interrupted run ({exc}); "
                "delete it and rerun (papers already in the list stay there)"
            ) from None


def recover(state: State, intent: Intent, listed: ListDocument) -> tuple[State, list[str]]:
    """The state once an interrupted run is settled: the papers the list shows are recorded.

    Papers the list does not show were never written (the run stopped before the
    list): they stay unrecorded, and the next fetch finds them again.
    """
    recorded = [r for r in intent.papers if r.id in listed.ids]
    papers = dict(state.papers)
    for record in recorded:
        papers[record.id] = record
    shown = listed.titles
    titles = {i: t for i, t in intent.titles.items() if shown.get(i) == t}
    return replace(state, papers=papers).with_titles(titles), [r.id for r in recorded]


def _intent_json(change: Change, list_key: str) -> str:
    intent = Intent(list_key, list(change.adding), dict(change.retitled))
    return msgspec.json.encode(intent).decode() + "\n"
