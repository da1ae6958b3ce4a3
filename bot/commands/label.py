"""`arxiv-bot label`: label papers from a run's report or from arXiv, for `evaluate`.

The papers come from `--from FILE` (a `run --json` report, whose papers' abstracts
are looked up on arXiv by id, or a JSONL file of arXiv records such as a labels
file) or from arXiv itself (`--since DATE`, default the last `arxiv.lookback_days`
days, with the configured queries: the bot's own dry run). See bot/labeling.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from bot.config import Config, load_config
from bot.environment import Environment
from bot.errors import BotError, ConfigError
from bot.models import RawRecord

LOOKUP_LIMIT = 300  # report papers looked up per session: 3 arXiv requests


def main(args: argparse.Namespace, env: Environment) -> int:
    from bot.labeling import label_papers, labelled_ids, most_informative_first
    from bot.relevance import screen

    config = load_config(args.config)
    out: Path = args.out
    done = labelled_ids(out)
    listed = listed_ids(config)
    screened = screen(papers_to_label(args, config, env, done | listed), config.relevance)
    threshold = config.relevance.threshold
    fresh = [d for d in screened.decisions if d.paper.id not in done]
    todo = most_informative_first((d for d in fresh if d.paper.id not in listed), threshold)
    print(
        f"{len(todo)} paper(s) to label, closest to the threshold first; "
        f"{len(done)} already in {out} (never asked again)"
        + (f"; {len(fresh) - len(todo)} already in the list" if len(fresh) > len(todo) else "")
    )
    if not todo:
        print(f"nothing left to label; next: python -m bot evaluate {out}")
        return 0
    with open_for_append(out) as handle:
        session = label_papers(todo, handle, threshold, answer, print)
    left = len(todo) - session.answered
    print(
        f"\nlabelled {session.answered} paper(s) this time ({session.relevant} relevant, "
        f"{session.irrelevant} irrelevant, {session.skipped} skipped); "
        f"{out} holds {len(done) + session.answered}; {left} left"
    )
    if left:
        print("run the same command again to go on where you stopped")
    print(f"next: python -m bot evaluate {out}")
    return 0


def listed_ids(config: Config) -> set[str]:
    """The arXiv ids the list (`target.file`) already shows: the maintainer chose them.

    None when the list cannot be read: labelling does not need it.
    """
    from bot.listdoc.document import ListDocument

    try:
        text = Path(config.target.file).read_text(encoding="utf-8")
        return ListDocument(text, config.target).ids
    except (OSError, UnicodeDecodeError, BotError):
        return set()


def answer(prompt: str) -> str:
    """One line from stdin; echoed when stdin is not a terminal, so a transcript reads well."""
    line = input(prompt)
    if not sys.stdin.isatty():
        print(line)
    return line


def open_for_append(path: Path) -> TextIO:
    """The labels file opened for appending, a line break first if its last line lacks one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        needs_break = path.exists() and path.stat().st_size > 0 and not _ends_with_newline(path)
        handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - returned to a with block
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the labels: {exc.strerror}") from None
    if needs_break:
        handle.write("\n")
    return handle


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, 2)
        return handle.read(1) == b"\n"


def papers_to_label(
    args: argparse.Namespace, config: Config, env: Environment, done: set[str]
) -> list[RawRecord]:
    """The arXiv records to show: from --from FILE, else from arXiv since --since.

    Of a report's papers, at most LOOKUP_LIMIT not labelled yet are looked up, those
    whose score in the report was closest to the threshold (a session labels fewer).
    """
    from bot.arxivid import id_scheme_problem
    from bot.fetch import ArxivSource

    source = ArxivSource(config.arxiv, env.arxiv_api)
    if args.source is not None:
        records, scored = read_source(args.source)
        threshold = config.relevance.threshold
        todo = sorted(
            ((paper_id, score) for paper_id, score in scored if paper_id not in done),
            key=lambda item: abs(item[1] - threshold),
        )
        ids = [paper_id for paper_id, _ in todo[:LOOKUP_LIMIT]]
        if ids:
            print(
                f"looking up {len(ids)} of the report's {len(todo)} unlabelled paper(s) on arXiv",
                file=sys.stderr,
            )
            lookup = source.fetch_ids([i for i in ids if not id_scheme_problem(i)])
            records += lookup.records
            for paper_id in [i for i in ids if id_scheme_problem(i)] + lookup.missing:
                print(f"{paper_id}: not on arXiv (a dead or mistyped id); skipped", file=sys.stderr)
        return records
    end = env.now.date()
    since = args.since or end - timedelta(days=config.arxiv.lookback_days)
    print(f"querying arXiv for papers submitted {since} to {end}", file=sys.stderr)
    return source.fetch(since, end).records


def read_source(path: Path) -> tuple[list[RawRecord], list[tuple[str, float]]]:
    """Records of a JSONL file, or the ids and scores of a `run --json` report's papers.

    Raises ConfigError naming the file (and line) when it is neither.
    """
    from bot.evaluate import record_from_json

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read papers to label: {exc.strerror}") from None
    try:
        report = json.loads(text)
    except json.JSONDecodeError:
        report = None
    if isinstance(report, dict) and "rejected" in report:  # a `run --json` report
        papers = [*report.get("added", []), *report.get("rejected", [])]
        scores = {str(p["id"]): float(p.get("score") or 0) for p in papers if p.get("id")}
        return [], list(scores.items())
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(record_from_json(json.loads(line)))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            raise ConfigError(
                f"{path}:{number}: neither an arXiv record (id, title, abstract) "
                "nor a run --json report"
            ) from None
    return records, []
