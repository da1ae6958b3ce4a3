"""A local HTTP server that speaks the GitHub REST API endpoints the bot uses.

It keeps an in-memory repository (blobs, trees, commits, refs, pull requests,
labels, issues), returns GitHub's JSON shapes with URLs on its own host and
port (PyGithub refuses others), and requires the token. Faults can be
scripted per (method, path pattern) to test retries and crashes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fakes.git_history import ancestors, merge_base, merge_texts
from tests.fakes.local_server import LocalServer, QuietHandler

OWNER, NAME = "octo", "awesome-list"
# The contents API leaves out the content of files over 1 MB (encoding "none"):
# https://docs.github.com/en/rest/repos/contents#get-repository-content
CONTENTS_LIMIT = 1024 * 1024
BOT_LOGIN = "arxiv-bot[bot]"


@dataclass
class Fault:
    method: str
    path: str  # regular expression matched against the path
    status: int = 502
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    after: bool = False  # do the work, then answer with the fault (a lost response)
    message: str = "Server Error"


# GitHub's own words (REST docs, "Rate limits for the REST API"); PyGithub matches them.
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID "
    "0000:1111:2222."
)
PRIMARY_MESSAGE = (
    "API rate limit exceeded for installation ID 1. If you reach out to GitHub Support for "
    "help, please include the request ID 0000:1111:2222."
)


def secondary_limit(
    method: str, path: str, retry_after: int | None = 0, status: int = 403, times: int = 1
) -> Fault:
    """A secondary rate limit as GitHub sends it: 403 or 429, the message, maybe Retry-After.

    The request was not processed (nothing is done, unlike `after=True`).
    """
    headers = {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4000"}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return Fault(method, path, status, times, headers, message=SECONDARY_MESSAGE)


def primary_limit(
    method: str, path: str, reset_in: int, status: int = 403, times: int = 1
) -> Fault:
    """The hourly limit spent: x-ratelimit-remaining 0 until x-ratelimit-reset (epoch s)."""
    headers = {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-used": "5000",
        "x-ratelimit-reset": str(int(time.time()) + reset_in),
        "x-ratelimit-resource": "core",
    }
    return Fault(method, path, status, times, headers, message=PRIMARY_MESSAGE)


@dataclass
class Pull:
    number: int
    title: str
    body: str
    head: str
    base: str
    draft: bool
    state: str = "open"
    merged: bool = False
    labels: list[str] = field(default_factory=list)
    head_sha: str = ""


@dataclass
class Issue:
    number: int
    title: str
    body: str
    state: str = "open"
    labels: list[str] = field(default_factory=list)


@dataclass
class Comment:
    id: int
    number: int  # the issue or pull request it is on
    body: str
    author: str = BOT_LOGIN


class FakeGitHub(LocalServer):
    def __init__(self, token: str, files: dict[str, str], default_branch: str = "main") -> None:
        self.token = token
        self.blobs: dict[str, bytes] = {}
        self.trees: dict[str, dict[str, str]] = {}
        self.commits: dict[str, dict[str, Any]] = {}
        self.refs: dict[str, str] = {}
        self.pulls: list[Pull] = []
        self.issues: list[Issue] = []
        self.comments: list[Comment] = []
        self.tree_links: dict[str, frozenset[str]] = {}
        self.requests_seen = 0
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str]] = []
        self.default_branch = default_branch
        self.lock = threading.RLock()
        self.refs[default_branch] = self.commit_files(files, [], "initial")
        super().__init__()

    @property
    def url(self) -> str:
        return self.base

    def use(self, workdir: Path, monkeypatch: Any) -> None:
        """Point the bot at this server: environment, and no pauses between GitHub writes."""
        config = (workdir / "config.toml").read_text(encoding="utf-8")
        config = config.replace("backoff_seconds = 2.0", "backoff_seconds = 0")
        config = config.replace("write_delay_seconds = 1.0", "write_delay_seconds = 0")
        (workdir / "config.toml").write_text(config, encoding="utf-8")
        monkeypatch.setenv("GITHUB_TOKEN", self.token)
        monkeypatch.setenv("GITHUB_REPOSITORY", f"{OWNER}/{NAME}")
        monkeypatch.setenv("GITHUB_API_URL", self.url)

    # -- git objects -------------------------------------------------------
    def _store(self, kind: str, payload: bytes) -> str:
        """An object id as git makes it: SHA-1 of "<kind> <size>\\0" and the payload (a
        blob's id is then the `sha` GitHub reports for that file's bytes)."""
        return hashlib.sha1(f"{kind} {len(payload)}\0".encode() + payload).hexdigest()

    def add_blob(self, content: bytes) -> str:
        sha = self._store("blob", content)
        self.blobs[sha] = content
        return sha

    def add_tree(self, entries: dict[str, str], links: frozenset[str] = frozenset()) -> str:
        """A tree; `links` are the paths that are symbolic links (mode 120000: the blob
        holds the target path)."""
        sha = self._store("tree", json.dumps([sorted(entries.items()), sorted(links)]).encode())
        self.trees[sha] = dict(entries)
        self.tree_links[sha] = links
        return sha

    def add_commit(self, tree: str, parents: list[str], message: str) -> str:
        sha = self._store(
            "commit", json.dumps([tree, parents, message, len(self.commits)]).encode()
        )
        self.commits[sha] = {"tree": tree, "parents": parents, "message": message}
        return sha

    def commit_files(
        self, files: dict[str, str], parents: list[str], message: str, base: str | None = None
    ) -> str:
        entries = dict(self.trees[self.commits[base]["tree"]]) if base else {}
        links = self.tree_links[self.commits[base]["tree"]] - set(files) if base else frozenset()
        for path, text in files.items():
            entries[path] = self.add_blob(text.encode("utf-8"))
        return self.add_commit(self.add_tree(entries, links), parents, message)

    def files_at(self, ref: str) -> dict[str, str]:
        sha = self.refs.get(ref, ref)
        tree = self.trees[self.commits[sha]["tree"]]
        return {path: self.blobs[blob].decode("utf-8") for path, blob in tree.items()}

    def file(self, path: str, ref: str | None = None) -> str:
        return self.files_at(ref or self.default_branch)[path]

    def is_link(self, path: str, ref: str | None = None) -> bool:
        sha = self.refs.get(ref or self.default_branch, ref or "")
        return path in self.tree_links[self.commits[sha]["tree"]]

    def link(self, branch: str, path: str, target: str) -> None:
        """Commit a symbolic link `path` -> `target` (relative to the link's folder)."""
        with self.lock:
            head = self.refs[branch]
            tree = self.commits[head]["tree"]
            entries = {**self.trees[tree], path: self.add_blob(target.encode())}
            links = self.tree_links[tree] | {path}
            self.refs[branch] = self.add_commit(self.add_tree(entries, links), [head], "link")

    # -- what people do on GitHub ----------------------------------------
    def push(self, branch: str, files: dict[str, str], message: str = "maintainer edit") -> None:
        with self.lock:
            head = self.refs[branch]
            self.refs[branch] = self.commit_files(files, [head], message, base=head)

    def merge(self, number: int) -> None:
        """Merge a PR with a merge commit, as the merge button does (line by line)."""
        with self.lock:
            pull = self.pull(number)
            merged = self.merge_commits(
                self.refs[pull.base], self.refs[pull.head], f"Merge #{number}"
            )
            assert merged is not None, "the stand-in's pull request has conflicts"
            self.refs[pull.base] = merged
            pull.state, pull.merged, pull.head_sha = "closed", True, self.refs[pull.head]

    def merge_commits(self, ours: str, theirs: str, message: str) -> str | None:
        """A merge commit of `theirs` into `ours` (ours first), or None on a conflict."""
        fork = merge_base(ours, theirs, self._parents)
        before = self.files_at(fork) if fork else {}
        mine, other = self.files_at(ours), self.files_at(theirs)
        files: dict[str, str] = {}
        for path in sorted(set(mine) | set(other)):
            text = merge_texts(before.get(path, ""), mine.get(path, ""), other.get(path, ""))
            if text is None:
                return None
            files[path] = text
        return self.commit_files(files, [ours, theirs], message)

    def _parents(self, sha: str) -> list[str]:
        return list(self.commits[sha]["parents"])

    def _ancestors(self, sha: str) -> set[str]:
        return set(ancestors(sha, self._parents))

    def close(self, number: int) -> None:
        """Close a PR unmerged; like GitHub, it keeps the head it had (later pushes go unseen)."""
        pull = self.pull(number)
        pull.state, pull.head_sha = "closed", self.refs.get(pull.head, pull.head_sha)

    def pull(self, number: int) -> Pull:
        return next(p for p in self.pulls if p.number == number)

    def open_pulls(self) -> list[Pull]:
        return [p for p in self.pulls if p.state == "open"]

    def rate_headers(self, headers: dict[str, str]) -> dict[str, str]:
        """GitHub's x-ratelimit-* headers on every answer; a fault's own win."""
        used = min(self.requests_seen, 5000)
        default = {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": str(5000 - used),
            "x-ratelimit-used": str(used),
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            "x-ratelimit-resource": "core",
        }
        lowered = {name.lower() for name in headers}
        return {**{k: v for k, v in default.items() if k not in lowered}, **headers}

    def script(self, *faults: Fault) -> None:
        self.faults.extend(faults)

    # -- JSON shapes -------------------------------------------------------
    def _repo_url(self) -> str:
        return f"{self.url}/repos/{OWNER}/{NAME}"

    def repo_json(self) -> dict[str, Any]:
        return {
            "id": 1,
            "name": NAME,
            "full_name": f"{OWNER}/{NAME}",
            "owner": {"login": OWNER, "id": 1, "type": "User", "url": f"{self.url}/users/{OWNER}"},
            "private": False,
            "default_branch": self.default_branch,
            "url": self._repo_url(),
            "html_url": f"https://github.example/{OWNER}/{NAME}",
            "permissions": {"admin": False, "push": True, "pull": True},
        }

    def commit_json(self, sha: str) -> dict[str, Any]:
        commit = self.commits[sha]
        return {
            "sha": sha,
            "url": f"{self._repo_url()}/git/commits/{sha}",
            "message": commit["message"],
            "tree": {
                "sha": commit["tree"],
                "url": f"{self._repo_url()}/git/trees/{commit['tree']}",
            },
            "parents": [
                {"sha": p, "url": f"{self._repo_url()}/git/commits/{p}"} for p in commit["parents"]
            ],
        }

    def ref_json(self, branch: str) -> dict[str, Any]:
        return {
            "ref": f"refs/heads/{branch}",
            "url": f"{self._repo_url()}/git/refs/heads/{branch}",
            "object": {
                "sha": self.refs[branch],
                "type": "commit",
                "url": f"{self._repo_url()}/git/commits/{self.refs[branch]}",
            },
        }

    def pull_json(self, pull: Pull) -> dict[str, Any]:
        # A closed pull request's head stays at its last commit, whatever the branch does next.
        head_sha = pull.head_sha if pull.state == "closed" else self.refs.get(pull.head, "")
        return {
            "id": 1000 + pull.number,
            "number": pull.number,
            "state": pull.state,
            "title": pull.title,
            "body": pull.body,
            "draft": pull.draft,
            "merged": pull.merged,
            "merged_at": "2026-11-21T10:00:00Z" if pull.merged else None,
            "url": f"{self._repo_url()}/pulls/{pull.number}",
            "html_url": f"https://github.example/{OWNER}/{NAME}/pull/{pull.number}",
            "issue_url": f"{self._repo_url()}/issues/{pull.number}",
            "user": {"login": BOT_LOGIN, "id": 2},
            "labels": [{"name": name} for name in pull.labels],
            "head": {
                "ref": pull.head,
                "sha": head_sha,
                "label": f"{OWNER}:{pull.head}",
                "repo": self.repo_json(),
            },
            "base": {
                "ref": pull.base,
                "sha": self.refs[pull.base],
                "label": f"{OWNER}:{pull.base}",
                "repo": self.repo_json(),
            },
        }

    def issue_json(self, issue: Issue) -> dict[str, Any]:
        return {
            "id": 5000 + issue.number,
            "number": issue.number,
            "title": issue.title,
            "body": issue.body,
            "state": issue.state,
            "labels": [{"name": n} for n in issue.labels],
            "url": f"{self._repo_url()}/issues/{issue.number}",
            "html_url": f"https://github.example/{OWNER}/{NAME}/issues/{issue.number}",
            "user": {"login": BOT_LOGIN, "id": 2},
        }

    # -- routing -----------------------------------------------------------
    def route(
        self, method: str, path: str, query: dict[str, str], body: dict[str, Any]
    ) -> tuple[int, Any]:
        prefix = f"/repos/{OWNER}/{NAME}"
        if not path.startswith(prefix):
            return 404, {"message": "Not Found"}
        rest = path[len(prefix) :]
        for pattern, handler_method, handler in self._routes():
            match = re.fullmatch(pattern, rest)
            if match and handler_method == method:
                return handler(query, body, *[unquote(g) for g in match.groups()])
        return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}

    def _routes(self) -> list[tuple[str, str, Callable[..., tuple[int, Any]]]]:
        return [
            (r"", "GET", lambda q, b: (200, self.repo_json())),
            (r"/branches/(.+)", "GET", self._get_branch),
            (r"/contents/(.+)", "GET", self._get_contents),
            (r"/git/blobs", "POST", self._post_blob),
            (r"/git/blobs/(\w+)", "GET", self._get_blob),
            (r"/git/trees", "POST", self._post_tree),
            (r"/git/commits", "POST", self._post_commit),
            (
                r"/git/commits/(\w+)",
                "GET",
                lambda q, b, sha: (
                    (200, self.commit_json(sha))
                    if sha in self.commits
                    else (404, {"message": "Not Found"})
                ),
            ),
            (r"/git/ref/heads/(.+)", "GET", self._get_ref),
            (r"/compare/(.+)\.\.\.(.+)", "GET", self._compare),
            (r"/merges", "POST", self._post_merge),
            (r"/git/refs", "POST", self._post_ref),
            (r"/git/refs/heads/(.+)", "PATCH", self._patch_ref),
            (r"/git/refs/heads/(.+)", "DELETE", self._delete_ref),
            (r"/pulls", "GET", self._list_pulls),
            (r"/pulls", "POST", self._create_pull),
            (r"/pulls/(\d+)", "GET", lambda q, b, n: (200, self.pull_json(self.pull(int(n))))),
            (r"/pulls/(\d+)", "PATCH", self._edit_pull),
            (r"/issues/(\d+)/labels", "POST", self._add_labels),
            (r"/issues", "GET", self._list_issues),
            (r"/issues", "POST", self._create_issue),
            (r"/issues/(\d+)", "PATCH", self._edit_issue),
            (r"/issues/(\d+)", "GET", self._get_issue),
            (r"/issues/(\d+)/comments", "POST", self._create_comment),
            (r"/issues/(\d+)/comments", "GET", self._list_comments),
            (r"/issues/comments/(\d+)", "PATCH", self._edit_comment),
            (r"/issues/comments/(\d+)", "DELETE", self._delete_comment),
        ]

    # -- comments (on issues and pull requests alike, as on GitHub) ---------
    def comment_json(self, comment: Comment) -> dict[str, Any]:
        return {
            "id": comment.id,
            "body": comment.body,
            "url": f"{self._repo_url()}/issues/comments/{comment.id}",
            "issue_url": f"{self._repo_url()}/issues/{comment.number}",
            "user": {"login": comment.author, "id": 2},
        }

    def comments_on(self, number: int) -> list[str]:
        return [c.body for c in self.comments if c.number == number]

    def _create_comment(self, q: dict[str, str], b: dict[str, Any], n: str) -> tuple[int, Any]:
        if len(b.get("body", "")) > 65536:
            return 422, {"message": "Validation Failed", "errors": [{"code": "too_long"}]}
        comment = Comment(1 + max([c.id for c in self.comments], default=0), int(n), b["body"])
        self.comments.append(comment)
        return 201, self.comment_json(comment)

    def _list_comments(self, q: dict[str, str], b: Any, n: str) -> tuple[int, Any]:
        return 200, [self.comment_json(c) for c in self.comments if c.number == int(n)]

    def _edit_comment(self, q: dict[str, str], b: dict[str, Any], n: str) -> tuple[int, Any]:
        comment = next(c for c in self.comments if c.id == int(n))
        comment.body = b["body"]
        return 200, self.comment_json(comment)

    def _delete_comment(self, q: dict[str, str], b: Any, n: str) -> tuple[int, Any]:
        self.comments = [c for c in self.comments if c.id != int(n)]
        return 204, None

    def _get_branch(self, q: dict[str, str], b: Any, branch: str) -> tuple[int, Any]:
        if branch not in self.refs:
            return 404, {"message": "Branch not found"}
        sha = self.refs[branch]
        return 200, {
            "name": branch,
            "commit": {**self.commit_json(sha), "commit": self.commit_json(sha)},
            "protected": False,
        }

    def _get_contents(self, q: dict[str, str], b: Any, path: str) -> tuple[int, Any]:
        ref = q.get("ref") or self.default_branch
        sha = self.refs.get(ref, ref)
        if sha not in self.commits:
            return 404, {"message": "No commit found for the ref"}
        tree_sha = self.commits[sha]["tree"]
        tree = self.trees[tree_sha]
        if path not in tree:
            return 404, {"message": "Not Found"}
        if path in self.tree_links[tree_sha]:
            # GitHub answers with the target file when the link points at one in the
            # repository, else with the link itself ("type": "symlink").
            target = self.blobs[tree[path]].decode()
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            if resolved not in tree or resolved in self.tree_links[tree_sha]:
                return 200, {"type": "symlink", "target": target, "path": path, "sha": tree[path]}
            path = resolved
        content = self.blobs[tree[path]]
        large = len(content) > CONTENTS_LIMIT
        return 200, {
            "type": "file",
            "encoding": "none" if large else "base64",
            "size": len(content),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": tree[path],
            "content": "" if large else base64.b64encode(content).decode(),
            "url": f"{self._repo_url()}/contents/{path}?ref={ref}",
        }

    def _post_blob(self, q: dict[str, str], b: dict[str, Any]) -> tuple[int, Any]:
        raw = (
            b["content"].encode("utf-8")
            if b.get("encoding", "utf-8") == "utf-8"
            else base64.b64decode(b["content"])
        )
        sha = self.add_blob(raw)
        return 201, {"sha": sha, "url": f"{self._repo_url()}/git/blobs/{sha}"}

    def _get_blob(self, q: dict[str, str], b: Any, sha: str) -> tuple[int, Any]:
        if sha not in self.blobs:
            return 404, {"message": "Not Found"}
        return 200, {
            "sha": sha,
            "encoding": "base64",
            "content": base64.b64encode(self.blobs[sha]).decode(),
            "size": len(self.blobs[sha]),
            "url": f"{self._repo_url()}/git/blobs/{sha}",
        }

    def _post_tree(self, q: dict[str, str], b: dict[str, Any]) -> tuple[int, Any]:
        entries: dict[str, str] = {}
        links: set[str] = set()
        if b.get("base_tree"):
            if b["base_tree"] not in self.trees:
                return 422, {"message": "base_tree is not a valid tree"}
            entries = dict(self.trees[b["base_tree"]])
            links = set(self.tree_links[b["base_tree"]])
        for item in b["tree"]:
            # An entry's mode says what it is from now on: 100644 turns a link into a file.
            (links.add if item.get("mode") == "120000" else links.discard)(item["path"])
            if "content" in item:  # inline content: GitHub makes the blob
                entries[item["path"]] = self.add_blob(item["content"].encode("utf-8"))
                continue
            if item.get("sha") not in self.blobs:
                return 422, {"message": f"tree.sha {item.get('sha')} is not a valid blob"}
            entries[item["path"]] = item["sha"]
        sha = self.add_tree(entries, frozenset(links))
        return 201, {
            "sha": sha,
            "url": f"{self._repo_url()}/git/trees/{sha}",
            "tree": [
                {"path": p, "mode": "100644", "type": "blob", "sha": s} for p, s in entries.items()
            ],
        }

    def _post_commit(self, q: dict[str, str], b: dict[str, Any]) -> tuple[int, Any]:
        if b["tree"] not in self.trees or any(p not in self.commits for p in b.get("parents", [])):
            return 422, {"message": "Invalid tree or parent"}
        sha = self.add_commit(b["tree"], list(b.get("parents", [])), b["message"])
        return 201, self.commit_json(sha)

    def _compare(self, q: dict[str, str], b: Any, base: str, head: str) -> tuple[int, Any]:
        """GET /compare/{base}...{head}: the commits on head since the merge base, oldest first."""
        base_sha, head_sha = self.refs.get(base, base), self.refs.get(head, head)
        if base_sha not in self.commits or head_sha not in self.commits:
            return 404, {"message": "Not Found"}
        fork = merge_base(base_sha, head_sha, self._parents)
        on_base = self._ancestors(base_sha)
        ahead = [c for c in ancestors(head_sha, self._parents) if c not in on_base][::-1]
        behind = [c for c in self._ancestors(base_sha) if c not in self._ancestors(head_sha)]
        status = "identical" if base_sha == head_sha else "ahead" if not behind else "diverged"
        if not ahead and behind:
            status = "behind"

        def as_commit(sha: str) -> dict[str, Any]:
            git = self.commit_json(sha)
            return {"sha": sha, "url": git["url"], "commit": git, "parents": git["parents"]}

        # Three dots: the files changed from the merge base to head, each with its blob at
        # head (GitHub lists up to 300); a file removed there has status "removed".
        old = self.trees[self.commits[fork]["tree"]] if fork else {}
        new = self.trees[self.commits[head_sha]["tree"]]
        files = [
            {
                "filename": path,
                "sha": new.get(path) or old[path],
                "status": "removed"
                if path not in new
                else "added"
                if path not in old
                else "modified",
            }
            for path in sorted(old.keys() | new.keys())
            if old.get(path) != new.get(path)
        ]
        return 200, {
            "url": f"{self._repo_url()}/compare/{base}...{head}",
            "status": status,
            "ahead_by": len(ahead),
            "behind_by": len(behind),
            "total_commits": len(ahead),
            "base_commit": as_commit(base_sha),
            "merge_base_commit": as_commit(fork) if fork else None,
            "commits": [as_commit(c) for c in ahead],
            "files": files[:300],
        }

    def _post_merge(self, q: dict[str, str], b: dict[str, Any]) -> tuple[int, Any]:
        """POST /merges: merge `head` into branch `base`; 204 if already in, 409 on a conflict."""
        branch, head = b["base"], self.refs.get(b["head"], b["head"])
        if branch not in self.refs or head not in self.commits:
            return 404, {"message": "Base does not exist"}
        if head in self._ancestors(self.refs[branch]):
            return 204, None
        message = b.get("commit_message") or f"Merge {b['head']} into {branch}"
        merged = self.merge_commits(self.refs[branch], head, message)
        if merged is None:
            return 409, {"message": "Merge conflict"}
        self.refs[branch] = merged
        return 201, {**self.commit_json(merged), "commit": self.commit_json(merged)}

    def _get_ref(self, q: dict[str, str], b: Any, branch: str) -> tuple[int, Any]:
        if branch not in self.refs:
            return 404, {"message": "Not Found"}
        return 200, self.ref_json(branch)

    def _post_ref(self, q: dict[str, str], b: dict[str, Any]) -> tuple[int, Any]:
        branch = b["ref"].removeprefix("refs/heads/")
        if branch in self.refs:
            return 422, {"message": "Reference already exists"}
        if b["sha"] not in self.commits:
            return 422, {"message": "Object does not exist"}
        self.refs[branch] = b["sha"]
        return 201, self.ref_json(branch)

    def _delete_ref(self, q: dict[str, str], b: Any, branch: str) -> tuple[int, Any]:
        if branch not in self.refs:
            return 422, {"message": "Reference does not exist"}
        del self.refs[branch]
        return 204, None

    def _patch_ref(self, q: dict[str, str], b: dict[str, Any], branch: str) -> tuple[int, Any]:
        if branch not in self.refs:
            return 422, {"message": "Reference does not exist"}
        if not b.get("force") and self.refs[branch] not in self._ancestors(b["sha"]):
            return 422, {"message": "Update is not a fast forward"}
        self.refs[branch] = b["sha"]
        return 200, self.ref_json(branch)

    def _list_pulls(self, q: dict[str, str], b: Any) -> tuple[int, Any]:
        pulls = [p for p in self.pulls if q.get("state", "open") in ("all", p.state)]
        if q.get("head"):
            pulls = [p for p in pulls if f"{OWNER}:{p.head}" == q["head"]]
        if q.get("base"):
            pulls = [p for p in pulls if p.base == q["base"]]
        return 200, [self.pull_json(p) for p in sorted(pulls, key=lambda p: -p.number)]

    def _create_pull(self, q: dict[str, str], b: dict[str, Any]) -> tuple[int, Any]:
        head = b["head"].split(":")[-1]
        if head not in self.refs:
            return 422, {
                "message": "Validation Failed",
                "errors": [{"resource": "PullRequest", "field": "head", "code": "invalid"}],
            }
        # GitHub refuses a second open pull request from one head into the same base only.
        if any(p.head == head and p.base == b["base"] and p.state == "open" for p in self.pulls):
            return 422, {
                "message": "Validation Failed",
                "errors": [
                    {
                        "resource": "PullRequest",
                        "code": "custom",
                        "message": f"A pull request already exists for {OWNER}:{head}.",
                    }
                ],
            }
        pull = Pull(
            self._next_number(),
            b["title"],
            b.get("body") or "",
            head,
            b["base"],
            bool(b.get("draft")),
        )
        self.pulls.append(pull)
        return 201, self.pull_json(pull)

    def _next_number(self) -> int:
        return 1 + max([p.number for p in self.pulls] + [i.number for i in self.issues], default=0)

    def _edit_pull(self, q: dict[str, str], b: dict[str, Any], n: str) -> tuple[int, Any]:
        pull = self.pull(int(n))
        if b.get("state") == "closed" and pull.state == "open":
            pull.head_sha = self.refs.get(pull.head, pull.head_sha)
        for key in ("title", "body", "state"):
            if key in b:
                setattr(pull, key, b[key])
        return 200, self.pull_json(pull)

    def _add_labels(self, q: dict[str, str], b: Any, n: str) -> tuple[int, Any]:
        number = int(n)
        target: Pull | Issue = next((p for p in self.pulls if p.number == number), None) or next(
            i for i in self.issues if i.number == number
        )
        # PyGithub sends a bare JSON list; the REST docs show {"labels": [...]}.
        for label in b if isinstance(b, list) else b.get("labels", []):
            if label not in target.labels:
                target.labels.append(label)
        return 200, [
            {"name": label, "url": f"{self._repo_url()}/labels/{label}"} for label in target.labels
        ]

    def _list_issues(self, q: dict[str, str], b: Any) -> tuple[int, Any]:
        issues = [i for i in self.issues if q.get("state", "open") in ("all", i.state)]
        if q.get("labels"):
            wanted = set(q["labels"].split(","))
            issues = [i for i in issues if wanted <= set(i.labels)]
        return 200, [self.issue_json(i) for i in issues]

    def _create_issue(self, q: dict[str, str], b: dict[str, Any]) -> tuple[int, Any]:
        issue = Issue(
            self._next_number(), b["title"], b.get("body") or "", labels=list(b.get("labels", []))
        )
        self.issues.append(issue)
        return 201, self.issue_json(issue)

    def _get_issue(self, q: dict[str, str], b: Any, n: str) -> tuple[int, Any]:
        number = int(n)
        pull = next((p for p in self.pulls if p.number == number), None)
        if pull is not None:
            as_issue = {**self.pull_json(pull), "url": f"{self._repo_url()}/issues/{number}"}
            return 200, {**as_issue, "pull_request": {"url": f"{self._repo_url()}/pulls/{number}"}}
        issue = next((i for i in self.issues if i.number == number), None)
        return (200, self.issue_json(issue)) if issue else (404, {"message": "Not Found"})

    def _edit_issue(self, q: dict[str, str], b: dict[str, Any], n: str) -> tuple[int, Any]:
        issue = next(i for i in self.issues if i.number == int(n))
        for key in ("title", "body", "state"):
            if key in b:
                setattr(issue, key, b[key])
        return 200, self.issue_json(issue)

    # -- HTTP --------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(QuietHandler):
            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}") if length else {}
                auth = self.headers.get("Authorization", "")
                if auth not in (f"token {fake.token}", f"Bearer {fake.token}"):
                    return self._send(
                        401,
                        {
                            "message": "Bad credentials",
                            "documentation_url": "https://docs.github.com/rest",
                        },
                        {},
                    )
                with fake.lock:
                    fake.log.append((method, parts.path))
                    fault = next(
                        (
                            f
                            for f in fake.faults
                            if f.method == method and f.times > 0 and re.search(f.path, parts.path)
                        ),
                        None,
                    )
                    if fault:
                        fault.times -= 1
                    fake.requests_seen += 1
                    if fault and not fault.after:
                        return self._send(fault.status, {"message": fault.message}, fault.headers)
                    status, payload = fake.route(method, parts.path, query, body)
                if fault:
                    return self._send(fault.status, {"message": fault.message}, fault.headers)
                self._send(status, payload, {})

            def _send(self, status: int, payload: Any, headers: dict[str, str]) -> None:
                body = b"" if status == 204 else json.dumps(payload).encode()
                self.reply(
                    status, body, "application/json; charset=utf-8", fake.rate_headers(headers)
                )

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def do_PATCH(self) -> None:
                self._serve("PATCH")

            def do_DELETE(self) -> None:
                self._serve("DELETE")

        return Handler
