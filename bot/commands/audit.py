"""`arxiv-bot audit`: report what is wrong with the list; in GitHub mode, propose the safe fixes."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import msgspec

from bot.budget import TimeBudget
from bot.config import load_config
from bot.environment import Environment
from bot.errors import FetchError, PublishError, WaitTooLongError
from bot.repository.settings import github_settings

log = logging.getLogger("bot")


def main(args: argparse.Namespace, env: Environment) -> int:
    """Report what is wrong with the list; with GitHub settings, propose the safe fixes in a PR."""
    from bot.arxiv_side import arxiv_source
    from bot.audit import audit_entries, lookup_ids
    from bot.cleanup import cleanup_list, declined_keys
    from bot.listdoc.document import ListDocument
    from bot.normalize import to_paper
    from bot.relevance import compile_rules

    config = load_config(args.config)
    settings = None if args.target else github_settings(config, env)
    if settings is not None:
        from bot.repository.github import GithubRepository

        gh = GithubRepository(settings, TimeBudget.start(config.run.time_budget_seconds))
        gh.check_own_branch(config.github.audit_branch, "github.audit_branch", "arxiv-bot/audit")
        base_sha = gh.base_sha()
        text = gh.read_file(config.target.file, base_sha)
        if text is None:
            raise PublishError(
                f"{config.target.file} not found on branch '{gh.base}'; fix target.file"
            )
        list_name = config.target.file
    else:
        from bot.repository.local import read_list

        list_path = args.target or Path(config.target.file)
        text, list_name = read_list(list_path), str(list_path)
    document = ListDocument(text, config.target)
    arxiv_error = ""
    missing: tuple[str, ...] = ()
    try:
        lookup = arxiv_source(config, env.arxiv_api).fetch_ids(lookup_ids(document))
    except (FetchError, WaitTooLongError) as exc:
        # The list's own checks (duplicates, counts, ids, links) need no arXiv: report
        # them, say which checks were skipped, propose nothing, and fail.
        arxiv_error = str(exc)
        current = {}
    else:
        for record in lookup.unreadable:
            log.warning("arXiv sent a record that cannot be read: %s", record.describe())
        current = {paper.id: paper for paper in map(to_paper, lookup.records)}
        missing = tuple(lookup.missing)
    findings = audit_entries(
        document,
        current,
        compile_rules(config.relevance),
        config.dedupe.title_threshold,
        missing=missing,
    )
    pull = None
    cleanup = None
    if settings is not None and not arxiv_error:
        from bot.audit_body import audit_body
        from bot.repository.github_publish import (
            close_stale_pull,
            open_or_update_pull,
            rebuild_branch,
        )

        branch = config.github.audit_branch
        # Every commit of a closed clean-up PR: a maintainer's commit on top must not
        # hide the fixes the bot's commits named (they are declined all the same).
        declined = declined_keys(
            [
                message
                for p in gh.closed_pulls(branch)
                if not p.merged
                for message in gh.messages_since(base_sha, p.head_sha) or ()
            ]
        )
        cleanup = cleanup_list(document, findings, current, declined)
        if cleanup.text != text:
            title = "arXiv bot: list clean-up"
            files = {config.target.file: cleanup.text}
            held = rebuild_branch(gh, branch, base_sha, files, cleanup.commit_message(title))
            if held:
                log.warning("%s", held)
            else:
                body = audit_body(findings, cleanup, list_name)
                pull = open_or_update_pull(gh, branch, title, body)
        elif (closed := close_stale_pull(gh, branch, base_sha)) is not None:
            log.info("closed clean-up pull request #%d: nothing left to clean up", closed.number)
    if args.json:
        data = {
            "entries": len(document.entries),
            "looked_up": len(current),
            "findings": [msgspec.structs.asdict(f) for f in findings],
            "pull_request": {"number": pull.number, "url": pull.url} if pull else None,
            "fixed_in_pull_request": len(cleanup.fixed) if cleanup else 0,
            "declined_before": len(cleanup.declined) if cleanup else 0,
            "arxiv_error": arxiv_error or None,
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return _skipped(arxiv_error)
    print(
        f"{list_name}: {len(document.entries)} entries, {len(current)} found on arXiv, "
        f"{len(findings)} findings"
    )
    for finding in findings:
        print(
            f"  line {finding.line} [{finding.kind}] {finding.title[:70]}\n      {finding.detail}"
        )
    if cleanup is not None and cleanup.declined:
        print(f"{len(cleanup.declined)} fix(es) declined in a closed clean-up PR: not proposed")
    if pull is not None and cleanup is not None:
        print(f"clean-up pull request: #{pull.number} {pull.url} ({len(cleanup.fixed)} fixes)")
    return _skipped(arxiv_error)


def _skipped(arxiv_error: str) -> int:
    """Exit 0, or 1 with one line when arXiv could not be asked (its checks were skipped)."""
    if not arxiv_error:
        return 0
    print(
        f"error: {arxiv_error}; the checks that ask arXiv (dead links, changed titles, "
        "withdrawn and off-topic papers) were skipped and no clean-up was proposed",
        file=sys.stderr,
    )
    return 1
