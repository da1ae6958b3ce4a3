"""Publish in GitHub mode: one commit on the bot's branch, then its pull request.

Every request goes through `GithubRepository.call`. The branch only moves
forward (the new commit has the old head as a parent), except a branch whose
commits are all the bot's with no open pull request (kept in the closed one):
a maintainer's commits are never overwritten. Git data API writes follow
https://docs.github.com/en/rest/git (trees with inline content, commits, refs);
the base is merged in with POST /repos/{owner}/{repo}/merges.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from bot.errors import PublishError
from bot.models import OVERFLOW_MARKER, PullRequestRef
from bot.repository.github_client import GithubClient
from bot.repository.github_rules import describe_github_error, foreign_commits, with_trailer
from bot.repository.seam import BotBranch, Change, Published, Snapshot

log = logging.getLogger(__name__)
ANSWERS_TO_LOOK_AGAIN = frozenset({422, 500, 502, 503, 504})  # it may exist after all
CONFLICT_NOTE = "> **Note:** the bot could not add this run's papers."


def publish(gh: GithubClient, snapshot: Snapshot, change: Change) -> Published:
    """Write the change's commit (if it has files), then open or update the pull request.

    A conflict between a moved base and a maintainer's commits holds the change
    back: the branch is left as it is, and the PR body says why.
    """
    branch = snapshot.branch
    conflict = write_commit(gh, snapshot, change) if change.files else ""
    pull = branch.pull if branch is not None else None
    if pull is None:
        if not change.files:
            return Published()
        title = gh.settings.pr_title
        return Published(
            open_pull(gh, gh.settings.branch, title, change.pull_body, change.comments)
        )
    if branch is None:  # pragma: no cover - a pull request has a branch
        return Published(pull)
    if conflict:  # the body keeps what the branch shows, with the reason it did not change
        body = (
            branch.pull_body.split(CONFLICT_NOTE)[0].rstrip() + f"\n\n{CONFLICT_NOTE} {conflict}\n"
        )
        update_pull(gh, pull, branch, body, None)  # the branch did not change: nor do they
        return Published(pull, (conflict,), held_back=True)
    if change.touch_pull:
        update_pull(gh, pull, branch, change.pull_body, change.comments)
    elif not branch.labelled:  # a label call that failed before: the only write of such a run
        label(gh, pull.number)
    return Published(pull)


def write_commit(gh: GithubClient, snapshot: Snapshot, change: Change) -> str:
    """One commit with the change's files on the bot's branch.

    Returns "" once written, or why it was held back (a merge conflict).
    """
    branch, name = snapshot.branch, gh.settings.branch
    force: bool | None
    if branch is None:
        parents, tree, force = [snapshot.base_sha], gh.base_tree, None
    elif change.on_top:  # a maintainer's commits: the files were planned on their list
        parents, tree, force = [branch.head_sha], gh.head_tree, False
    elif branch.pull is None:
        if branch.foreign:
            raise PublishError(
                f"branch {name} holds commits the bot did not write "
                f"({'; '.join(branch.foreign[:3])}) and no open pull request (merged or "
                "closed): the bot leaves it alone; delete that branch once nothing on it is "
                "wanted, open a pull request from it, or set github.branch"
            )
        # The bot's commits only, kept in their closed pull request: start again from the base.
        parents, tree, force = [snapshot.base_sha], gh.base_tree, True
    else:  # the bot's commits only: its files on the base's tree, as a fast-forward
        parents = [branch.head_sha] + ([] if branch.has_base else [snapshot.base_sha])
        tree, force = gh.base_tree, False
    sha = make_commit(gh, tree, parents, change.files, with_trailer(change.message))
    if change.merge_base:
        merged = merged_on_trial(gh, name, sha, snapshot.base_sha)
        if merged is None:
            return conflict_note(gh.base, name)
        sha = merged
    move_branch(gh, name, sha, force)
    return ""


def make_commit(
    gh: GithubClient, tree: str, parents: list[str], files: dict[str, str], message: str
) -> str:
    """A tree with the files' content inline on top of `tree`, and a commit of it (of
    `tree` itself when there are no files)."""
    elements = [  # a list read through a symbolic link is written to the link's target
        {"path": gh.links.get(path, path), "mode": "100644", "type": "blob", "content": text}
        for path, text in files.items()
    ]
    if elements:
        tree = gh.call(
            "POST",
            "/git/trees",
            "writing the tree",
            body={"base_tree": tree, "tree": elements},
            retry=True,
        )["sha"]
    commit = gh.call(
        "POST",
        "/git/commits",
        "writing the commit",
        body={"message": message, "tree": tree, "parents": parents},
        retry=True,
    )
    return str(commit["sha"])


def move_branch(gh: GithubClient, name: str, sha: str, force: bool | None) -> None:
    """Create the branch (`force` None), or move it: forward only unless `force`."""
    if force is None:
        gh.call(
            "POST",
            "/git/refs",
            f"creating branch {name}",
            body={"ref": f"refs/heads/{name}", "sha": sha},
        )
        return
    moved = gh.call(
        "PATCH",
        f"/git/refs/heads/{quote(name, safe='/')}",
        f"moving branch {name}",
        body={"sha": sha, "force": force},
        tolerate=frozenset({422}),
    )
    if moved is None:  # 422 "Update is not a fast forward": someone pushed meanwhile
        raise PublishError(
            f"branch {name} moved while the bot ran (someone pushed to it): nothing was "
            "overwritten; rerun to build on top of the new commits"
        )


def merged_on_trial(gh: GithubClient, name: str, sha: str, base_sha: str) -> str | None:
    """Merge the base into commit `sha` on a trial branch of the bot's own (POST /merges).

    Returns the merge commit (or `sha` when the base is already in it), or None on
    a conflict; the bot's branch itself is not touched, and the trial branch is
    deleted either way.
    """
    trial = f"{name}-merge-trial"
    path = f"/git/refs/heads/{quote(trial, safe='/')}"
    gh.call("DELETE", path, f"clearing branch {trial}", tolerate=frozenset({404, 422}))
    move_branch(gh, trial, sha, None)
    try:
        merged = gh.call(
            "POST",
            "/merges",
            f"merging {gh.base} into {name}",
            body={
                "base": trial,
                "head": base_sha,
                "commit_message": with_trailer(f"Merge {gh.base} into {name}"),
            },
            tolerate=frozenset({409}),
        )
        status = gh.last_status
    finally:
        gh.call("DELETE", path, f"deleting branch {trial}", tolerate=frozenset({404, 422}))
    if merged is None:
        return None if status == 409 else sha  # 204: the base is in it already
    return str(merged["sha"])


def conflict_note(base: str, name: str) -> str:
    note = (
        f"`{base}` has moved and conflicts with edits on this branch: the bot left the "
        f"branch as it is (Resolve conflicts on GitHub, or merge `{base}` into `{name}` "
        "locally); the new papers wait and are proposed by the next run after that."
    )
    log.warning("%s", note)
    return note


def open_pull(
    gh: GithubClient, head: str, title: str, body: str, comments: Sequence[str]
) -> PullRequestRef:
    """Open the PR; never two: after a 5xx or 422 look for it before trying again."""
    fields = {"base": gh.base, "head": head, "title": title, "body": body}
    for attempt in range(gh.settings.max_retries + 1):
        created = gh.call(
            "POST",
            "/pulls",
            "opening the pull request",
            body={**fields, "draft": gh.settings.draft},
            tolerate=ANSWERS_TO_LOOK_AGAIN,
        )
        status, said = gh.last_status, gh.last_error
        found = created if created is not None else find_open_pull(gh, head)
        if found is not None:
            ref = PullRequestRef(int(found["number"]), str(found["html_url"]))
            if comments:
                replace_overflow_comments(gh, ref.number, comments)
            label(gh, ref.number)
            return ref
        if status < 500 or attempt == gh.settings.max_retries:
            break
        gh.sleep(gh.settings.backoff_seconds * 2**attempt)
    raise PublishError(
        describe_github_error(status, said, "opening the pull request", gh.settings.repo)
    )


def find_open_pull(gh: GithubClient, head: str) -> dict[str, Any] | None:
    found = gh.call(
        "GET",
        "/pulls",
        "listing pull requests",
        params={"state": "open", "head": f"{gh.owner}:{head}", "base": gh.base},
    )
    return found[0] if found else None


def update_pull(
    gh: GithubClient,
    pull: PullRequestRef,
    branch: BotBranch,
    body: str,
    comments: Sequence[str] | None,
) -> None:
    """Edit the body only when it changed; label only when a label is missing. The
    overflow comments are replaced by `comments`, or left as they are with None."""
    if branch.pull_body != body:
        gh.call(
            "PATCH",
            f"/pulls/{pull.number}",
            f"updating pull request #{pull.number}",
            body={"body": body},
        )
    if comments is not None and (comments or OVERFLOW_MARKER in branch.pull_body):
        replace_overflow_comments(gh, pull.number, comments)
    if not branch.labelled:
        label(gh, pull.number)


def label(gh: GithubClient, number: int) -> None:
    if gh.settings.labels:
        gh.call(
            "POST",
            f"/issues/{number}/labels",
            "labelling the pull request",
            body={"labels": list(gh.settings.labels)},
            retry=True,
        )


def replace_overflow_comments(gh: GithubClient, number: int, comments: Sequence[str]) -> None:
    """Edit, add or delete the bot's overflow comments on PR `number` to match `comments`."""
    action = f"updating the comments of pull request #{number}"
    listed = gh.call("GET", f"/issues/{number}/comments", action)
    old = [c for c in listed if (c.get("body") or "").startswith(OVERFLOW_MARKER)]
    for comment, body in zip(old, comments, strict=False):
        if comment.get("body") != body:
            gh.call("PATCH", f"/issues/comments/{comment['id']}", action, body={"body": body})
    # Not retried on a 5xx (it may have been posted): the next run replaces them all.
    for body in comments[len(old) :]:
        gh.call("POST", f"/issues/{number}/comments", action, body={"body": body})
    for comment in old[len(comments) :]:
        gh.call("DELETE", f"/issues/comments/{comment['id']}", action)


def open_or_update_pull(gh: GithubClient, head: str, title: str, body: str) -> PullRequestRef:
    """The audit's PR on `head`: update the open one, or open one."""
    found = find_open_pull(gh, head)
    if found is None:
        return open_pull(gh, head, title, body, ())
    number = int(found["number"])
    if found.get("body") != body or found.get("title") != title:
        gh.call(
            "PATCH",
            f"/pulls/{number}",
            f"updating pull request #{number}",
            body={"title": title, "body": body},
        )
    return PullRequestRef(number, str(found["html_url"]))


def rebuild_branch(
    gh: GithubClient, name: str, base_sha: str, files: dict[str, str], message: str
) -> str:
    """The audit's clean-up branch: one commit on the base, the branch forced to it.

    Returns "" once done, or why the branch was left alone: it holds a commit the bot
    did not write (a maintainer's work is never force-pushed away).
    """
    compared = gh.compare(base_sha, name)
    theirs = foreign_commits(compared) if compared is not None else ()
    if theirs:
        return (
            f"branch {name} holds {len(theirs)} commit(s) the bot did not write "
            f"({'; '.join(theirs[:3])}): the clean-up there was left as it is; merge or "
            "close its pull request, or delete the branch, for the next audit to rebuild it"
        )
    base = gh.call("GET", f"/git/commits/{base_sha}", "reading the base commit")
    sha = make_commit(gh, base["tree"]["sha"], [base_sha], files, with_trailer(message))
    move_branch(gh, name, sha, None if compared is None else True)
    return ""


def close_stale_pull(gh: GithubClient, name: str, base_sha: str) -> PullRequestRef | None:
    """Close the open clean-up PR when nothing is left to fix: merged later, it would undo
    by hand what the maintainer did since (a second copy removed, the first one too).

    The branch is first set to the base with a commit naming no fix, so its closing is
    not read as fixes declined. Returns the closed PR, or None (none open, or the branch
    holds a maintainer's commits: then it is left as it is).
    """
    found = find_open_pull(gh, name)
    if found is None:
        return None
    note = rebuild_branch(gh, name, base_sha, {}, "arXiv bot: nothing left to clean up")
    if note:
        log.warning("%s", note)
        return None
    number = int(found["number"])
    action = f"closing pull request #{number}"
    comment = "Nothing is left to clean up on the base branch: closing this pull request."
    gh.call("POST", f"/issues/{number}/comments", action, body={"body": comment})
    gh.call("PATCH", f"/pulls/{number}", action, body={"state": "closed"})
    return PullRequestRef(number, str(found["html_url"]))


def report_health(gh: GithubClient, label_name: str, failing: bool, title: str, body: str) -> None:
    """Open or update the health issue while failing; comment and close it on recovery."""
    action = "updating the health issue"
    issues = gh.call("GET", "/issues", action, params={"state": "open", "labels": label_name})
    if failing:
        if not issues:
            gh.call(
                "POST",
                "/issues",
                action,
                body={"title": title, "body": body, "labels": [label_name]},
            )
        elif issues[0].get("body") != body:
            gh.call("PATCH", f"/issues/{issues[0]['number']}", action, body={"body": body})
        return
    for issue in issues:
        number = issue["number"]
        gh.call(
            "POST",
            f"/issues/{number}/comments",
            action,
            body={"body": "The arXiv bot ran successfully again; closing."},
        )
        gh.call("PATCH", f"/issues/{number}", action, body={"state": "closed"})
