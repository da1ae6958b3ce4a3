"""The GitHub adapter of the repository seam: gather a snapshot, publish one commit and one PR.

`GithubRepository` reads through the client (github_client, the only importer
of PyGithub) and writes through github_publish.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.errors import ListFormatError, PublishError
from bot.models import PullRequestRef
from bot.repository.github_client import GithubClient
from bot.repository.github_publish import publish
from bot.repository.github_rules import commit_author, foreign_commits
from bot.repository.seam import BotBranch, Change, ClosedPull, Published, Snapshot
from bot.repository.settings import GithubSettings, github_settings
from bot.state import State

__all__ = ["GithubRepository", "GithubSettings", "github_settings"]
log = logging.getLogger(__name__)


class GithubRepository(GithubClient):
    """A list in a GitHub repository, changed through the bot's branch and pull request."""

    proposes = True

    def gather(self, list_path: str, state_path: str) -> Snapshot:
        """Read the list and state at the base, the bot's PRs, and its branch's commits."""
        branch = self.settings.branch
        self.check_own_branch(branch, "github.branch", "arxiv-bot/updates")
        base_sha, self.base_tree = self.base_head()
        log.debug("%s: base branch %s at %s", self.settings.repo, self.base, base_sha)
        list_text = self.read_file(list_path, base_sha)
        if list_text is None:
            raise ListFormatError(
                f"{list_path} not found on branch '{self.base}' of {self.settings.repo}; "
                "fix target.file"
            )
        state = self.read_state(state_path, base_sha, self.base) or State()
        # By head alone: a pull request from the bot's branch into another base (the
        # maintainer retargeted it, or github.base changed) must be seen, not rebuilt.
        every = self.call(
            "GET",
            "/pulls",
            "listing the bot's pull requests",
            params={"state": "all", "head": f"{self.owner}:{branch}"},
        )
        elsewhere = [p for p in every if p["state"] == "open" and p["base"]["ref"] != self.base]
        if elsewhere:
            raise PublishError(
                f"pull request #{elsewhere[0]['number']} from {branch} is open into "
                f"'{elsewhere[0]['base']['ref']}', not github.base '{self.base}': set "
                "github.base to it, or retarget or close it; nothing was changed"
            )
        pulls = [p for p in every if p["base"]["ref"] == self.base]
        open_pull = next((p for p in pulls if p["state"] == "open"), None)
        closed = tuple(
            ClosedPull(
                p["number"],
                bool(p.get("merged_at")),
                self.read_state(state_path, p["head"]["sha"], f"PR #{p['number']}"),
            )
            for p in pulls
            if p["state"] == "closed" and p["number"] not in state.handled_pulls
        )
        bot_branch = self._branch(base_sha, open_pull, list_path, state_path)
        self.snapshot = Snapshot(list_text, state, base_sha, bot_branch, closed)
        return self.snapshot

    def _branch(
        self, base_sha: str, pull: dict[str, Any] | None, list_path: str, state_path: str
    ) -> BotBranch | None:
        """The bot's branch: its commits since the base (who wrote them), and its files."""
        branch = self.settings.branch
        compared = self.compare(base_sha, branch)
        if compared is None:
            return None
        commits = compared["commits"]
        head = commits[-1] if commits else compared["merge_base_commit"]
        self.head_tree = str(head["commit"]["tree"]["sha"])
        foreign = foreign_commits(compared)
        legacy = any(commit_author(c["commit"]["message"]) == "older bot" for c in commits)
        has_base = int(compared.get("behind_by", 0)) == 0
        if pull is None:
            return BotBranch(str(head["sha"]), foreign=foreign, has_base=has_base)
        head_sha = str(head["sha"])
        labels = {label["name"] for label in pull.get("labels", [])}
        files: list[dict[str, Any]] = compared.get("files") or []
        listed = next((f for f in files if f["filename"] == list_path), {})
        list_blob = "" if listed.get("status") == "removed" else str(listed.get("sha") or "")
        state = self.read_state(state_path, head_sha, f"PR #{pull['number']}")
        edited = state is not None and bool(state.list_blob) and state.list_blob != list_blob
        list_text = self.read_file(list_path, head_sha) if foreign or legacy or edited else None
        if (foreign or legacy or edited) and list_text is None:
            raise PublishError(
                f"{list_path} is gone from branch {branch} of pull request #{pull['number']} "
                "(renamed or deleted there): the bot cannot tell its papers from your edits; "
                "restore it on the branch, or close the pull request; nothing was changed"
            )
        return BotBranch(
            head_sha,
            PullRequestRef(int(pull["number"]), str(pull["html_url"])),
            pull.get("body") or "",
            set(self.settings.labels) <= labels,
            foreign,
            has_base,
            state,
            list_text,
            legacy,
            list_blob,
        )

    # -- writing (bot/repository/github_publish.py: requests through `call` only) --
    def publish(self, change: Change) -> Published:
        """Write the commit (if any), then open or update the pull request."""
        assert self.snapshot is not None, "gather before publish"
        return publish(self, self.snapshot, change)
