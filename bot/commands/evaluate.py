"""`arxiv-bot evaluate`: measure the relevance filter on labeled records.

With `[relevance.judge]` enabled, the same records are measured a second time with
the model judge's advice applied as a run applies it, so a maintainer sees on their
own labels what the judge adds (and how often its own verdicts agree with them).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.config import Config, load_config
from bot.environment import Environment
from bot.evaluate import Evaluation, LabeledDecision
from bot.models import Decision, JudgeNote


def main(args: argparse.Namespace, env: Environment) -> int:
    from bot.evaluate import evaluate, load_labeled
    from bot.relevance import compile_rules

    config = load_config(args.config)
    result = evaluate(load_labeled(args.labels), compile_rules(config.relevance))
    if args.list is not None:
        result = with_list(result, config, args.list, env)
    judge = None
    if config.relevance.judge.enabled:  # its HTTP edge (httpx) loads only then
        from bot.chat import model_judge

        judge = model_judge(config.relevance.judge, env)
    judged = None
    if judge is not None:
        decisions, note = judge([r.decision for r in result.results])
        judged = (with_decisions(result, decisions), note)
    if args.json:
        data = result.to_json()
        if judged is not None:
            data["with_judge"] = judge_json(*judged)
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        text = result.to_text()
        if judged is not None:
            text += "\n\n" + judge_text(*judged, scope=config.relevance.judge.scope)
        sys.stdout.write(text + "\n")
    return 0


def with_list(result: Evaluation, config: Config, list_path: Path, env: Environment) -> Evaluation:
    """The records measured with the list-similarity signal against `list_path`'s papers.

    Their abstracts come from the run store (config's state folder), the missing ones
    looked up on arXiv; the store keeps them for the next run or evaluation. A record
    that is itself on the list is left out of its own comparison.
    """
    from bot.arxiv_side import listed_profile
    from bot.listdoc.document import ListDocument
    from bot.listsim import with_list_similarity
    from bot.repository.local import read_list
    from bot.runstore import load_run_store, run_store_path, save_run_store

    store_path = run_store_path(config.target.state_file)
    document = ListDocument(read_list(list_path), config.target)
    profile, store = listed_profile(config, env.arxiv_api, document.ids, load_run_store(store_path))
    save_run_store(store_path, store)
    if profile is None:
        return result
    decisions = [
        with_list_similarity(r.decision, profile, config.relevance) for r in result.results
    ]
    return with_decisions(result, decisions)


def with_decisions(result: Evaluation, decisions: list[Decision]) -> Evaluation:
    """The same labeled records with the judge's decisions in place of the score's."""
    return Evaluation(
        tuple(
            LabeledDecision(decision, labeled.relevant)
            for decision, labeled in zip(decisions, result.results, strict=True)
        )
    )


def verdict_agreement(result: Evaluation) -> tuple[int, int]:
    """How many of the judge's own verdicts agree with the labels, of how many it gave."""
    judged = [r for r in result.results if r.decision.verdict is not None]
    agree = sum(
        1 for r in judged if r.decision.verdict and r.decision.verdict.relevant == r.relevant
    )
    return agree, len(judged)


def judge_json(result: Evaluation, note: JudgeNote) -> dict[str, Any]:
    agree, judged = verdict_agreement(result)
    return result.to_json() | {
        "judge": {
            "model": note.model,
            "asked": note.asked,
            "answered": note.answered,
            "unavailable": note.problem or None,
            "verdicts": judged,
            "verdicts_agreeing_with_labels": agree,
        }
    }


def judge_text(result: Evaluation, note: JudgeNote, scope: str) -> str:
    agree, judged = verdict_agreement(result)
    lines = [
        f"with the model judge (scope {scope}): {note.describe()}",
        f"its own verdicts agree with the labels on {agree} of {judged}",
        result.to_text(),
    ]
    return "\n".join(lines)
