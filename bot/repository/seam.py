"""The seam's plain values and its Protocol: a `Snapshot` gathered, a `Change` to publish."""

from __future__ import annotations

import hashlib
from typing import Protocol

from msgspec import Struct, field

from bot.models import PullRequestRef
from bot.state import PaperRecord, State

# Marks the commits the bot wrote (a git trailer), whoever the token belongs to.
TRAILER = "Generated-by: arxiv-bot"


class ClosedPull(Struct, frozen=True):
    """A bot pull request closed or merged since the state last recorded it."""

    number: int
    merged: bool
    state: State | None  # the state file at its last commit (None if it had none)


class BotBranch(Struct, frozen=True):
    """The bot's branch as gathered: its open pull request and who wrote its commits.

    `foreign` lists the commits on the branch (since it forked from the base) that
    the bot did not write, as "sha subject"; `list_text` is read only when there are
    some, or commits of an older bot version (otherwise the list there is the bot's
    own). `has_base` is False when the base moved on since the branch forked.
    """

    head_sha: str
    pull: PullRequestRef | None = None
    pull_body: str = ""
    labelled: bool = True
    foreign: tuple[str, ...] = ()
    has_base: bool = True
    state: State | None = None
    list_text: str | None = None
    legacy: bool = False  # commits of an older bot version (no trailer): checked by content
    # The list's git blob SHA-1 at the head ("" when the branch leaves it as at the merge
    # base): against the state's `list_blob`, whether the list was edited since the bot
    # wrote it (GitHub's compare lists each changed file with its blob sha).
    list_blob: str = ""


class Snapshot(Struct, frozen=True):
    """What a run reads before it plans: the list and state at the base, and the branch."""

    list_text: str
    state: State
    base_sha: str = ""
    branch: BotBranch | None = None
    closed: tuple[ClosedPull, ...] = ()
    notes: tuple[str, ...] = ()  # what gather found and the maintainer should know


class Change(Struct, frozen=True):
    """What publish writes: files (path -> text) and, in GitHub mode, the pull request.

    `on_top` builds on the branch head (it holds a maintainer's commits) instead of
    the base; `merge_base` then merges the moved base in. An empty `files` writes
    no commit. `adding` are the state records of the papers the list gains and
    `retitled` the titles it changes (id -> new title): the local intent record.
    """

    files: dict[str, str]
    message: str = ""
    on_top: bool = False
    merge_base: bool = False
    pull_body: str = ""
    comments: tuple[str, ...] = ()
    touch_pull: bool = True
    adding: tuple[PaperRecord, ...] = ()
    retitled: dict[str, str] = field(default_factory=dict)


class Published(Struct, frozen=True):
    """What publish did: the pull request, notes for the maintainer, and whether it held
    the change back (a conflict on the branch): then nothing was written, and the run's
    papers are not counted as published (the next run proposes them again)."""

    pull: PullRequestRef | None = None
    notes: tuple[str, ...] = ()
    held_back: bool = False


class Repository(Protocol):
    """Where the list lives: read a snapshot, write a change.

    `proposes` is True where changes go through review (a pull request) and the
    papers are recorded as pending until merged; `requests_made` counts requests
    to a remote service (for --debug).
    """

    proposes: bool
    requests_made: int

    def gather(self, list_path: str, state_path: str) -> Snapshot:
        """Read the list, its state and (where there is one) the bot's branch and PRs."""
        ...

    def publish(self, change: Change) -> Published:
        """Write `change`: the pull request it opened or updated, if any, and notes."""
        ...


def git_blob_sha(text: str) -> str:
    """Git's object id of a file holding `text` (UTF-8): SHA-1 of "blob <size>\\0" and
    the bytes (git's object format, the `sha` GitHub's APIs report for a file)."""
    data = text.encode("utf-8")
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
