"""The optional model judge: ask a chat model about papers, and apply what it says.

Pure: the question goes out through an `ask` function passed in (bot/chat.py is the
HTTP edge), so this module does no I/O. Papers go in batches of `batch_size`, each
batch one chat request carrying the list's topic. What the judge may do (issue 18):

- move a borderline paper into the pull request (`Decision.by_judge`, with its reason);
- flag an accepted paper for the reviewer (`Decision.doubted`); it is still added;
- say that a rejected paper looks relevant (scope "all"): shown, never added.

It never drops a paper. A timeout, an error or a malformed answer never fails a run:
the papers of that batch and of every later batch keep the score's decision (one
failure is enough to wait for: an outage would otherwise cost a timeout per batch),
and the returned `JudgeNote` says the judge was unavailable and why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from msgspec.structs import replace

from bot.budget import UNLIMITED, TimeBudget
from bot.config import JudgeConfig
from bot.errors import JudgeError
from bot.models import Decision, JudgeNote, Verdict

Message = dict[str, str]  # {"role": "system" | "user", "content": text}
Ask = Callable[[list[Message]], str]  # the chat edge: messages in, the answer's text out
# The run's judge (bot/chat.judge_edge): the new papers' decisions in, the same decisions
# (some with the judge's verdict) and a note of what it did out. Never raises over the judge.
Judge = Callable[[list[Decision]], tuple[list[Decision], JudgeNote]]
ABSTRACT_CHARS = 1500  # per paper: ten papers stay well under small models' input limits
REASON_CHARS = 200

SYSTEM_PROMPT = """\
You review new arXiv papers for a curated reading list. The list's topic:

{topic}

For each paper decide whether it belongs on the list. It belongs when its main \
contribution is on the topic. A paper that only mentions the topic, or uses the same \
words in another sense, does not belong.

Answer with one JSON object and nothing else:
{{"verdicts": [{{"id": "<the paper's id>", "relevant": true, "reason": "<one sentence>"}}]}}
with exactly one verdict per paper, using the ids given, and "relevant": false for a \
paper that does not belong."""


def in_scope(decisions: Sequence[Decision], scope: str) -> list[Decision]:
    """The decisions the judge is asked about: the borderline band, or every paper.

    A paper excluded whatever its score (withdrawn by its authors) is never asked about.
    """
    if scope == "all":
        return [d for d in decisions if not d.excluded]
    return [d for d in decisions if d.borderline and not d.accepted and not d.excluded]


def batches(decisions: Sequence[Decision], size: int) -> list[list[Decision]]:
    return [list(decisions[i : i + size]) for i in range(0, len(decisions), size)]


def messages_for(batch: Sequence[Decision], topic: str) -> list[Message]:
    """The chat messages for one batch: the topic and rules, then the papers."""
    papers = []
    for number, decision in enumerate(batch, start=1):
        p = decision.paper
        abstract = " ".join(p.abstract.split())
        if len(abstract) > ABSTRACT_CHARS:
            abstract = abstract[:ABSTRACT_CHARS].rsplit(" ", 1)[0] + " ..."
        categories = ", ".join(dict.fromkeys((p.primary_category, *p.categories)))
        papers.append(
            f"[{number}] id: {p.id}\ntitle: {' '.join(p.title.split())}\n"
            f"categories: {categories}\nabstract: {abstract}"
        )
    return [
        {"role": "system", "content": SYSTEM_PROMPT.format(topic=topic.strip())},
        {"role": "user", "content": "Papers:\n\n" + "\n\n".join(papers)},
    ]


def parse_verdicts(answer: str, ids: Sequence[str]) -> dict[str, Verdict]:
    """Read the model's answer: verdicts by paper id, for the `ids` asked about only.

    Tolerates a Markdown code fence, text around the JSON object, a bare list, "v2"
    or "arXiv:" on ids, and "yes"/"no" for booleans. A paper left out simply has no
    verdict. Raises JudgeError("malformed answer") when no verdict list can be read.
    """
    items = _verdict_items(answer)
    wanted = set(ids)
    found: dict[str, Verdict] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        paper_id = _plain_id(str(item.get("id", "")))
        relevant = _boolean(item.get("relevant"))
        if paper_id not in wanted or relevant is None or paper_id in found:
            continue
        reason = " ".join(str(item.get("reason") or "").split())
        if len(reason) > REASON_CHARS:
            reason = reason[: REASON_CHARS - 3].rstrip() + "..."
        found[paper_id] = Verdict(relevant, reason or "(no reason given)")
    if items and not found:
        raise JudgeError("malformed answer", detail="no verdict names a paper it was asked about")
    return found


def _verdict_items(answer: str) -> list[Any]:
    text = re.sub(r"^\s*```(?:json)?\s*|\s*```\s*$", "", answer.strip())
    starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
    if not starts:
        raise JudgeError("malformed answer", detail="no JSON in it")
    start = min(starts)
    end = max(text.rfind("}"), text.rfind("]")) + 1
    try:
        data = json.loads(text[start:end])
    except json.JSONDecodeError as exc:
        raise JudgeError("malformed answer", detail=f"not JSON ({exc.msg})") from None
    if isinstance(data, dict):
        data = data.get("verdicts")
    if not isinstance(data, list):
        raise JudgeError("malformed answer", detail='no "verdicts" list')
    return data


def _plain_id(value: str) -> str:
    value = value.strip()
    value = re.sub(r"^(?:arxiv:|https?://arxiv\.org/abs/)", "", value, flags=re.IGNORECASE)
    return re.sub(r"v\d+$", "", value)


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "relevant"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "no", "irrelevant"):
        return False
    return None


def with_verdict(decision: Decision, verdict: Verdict) -> Decision:
    """The decision with the judge's verdict; a borderline paper it calls relevant is accepted."""
    moved = verdict.relevant and decision.borderline and not decision.accepted
    return replace(decision, verdict=verdict, accepted=decision.accepted or moved, by_judge=moved)


def consult(
    decisions: Sequence[Decision],
    config: JudgeConfig,
    ask: Ask,
    budget: TimeBudget = UNLIMITED,
) -> tuple[list[Decision], JudgeNote]:
    """Ask the judge about the decisions in scope; return all decisions, in order, and a note.

    Never raises over the judge: a JudgeError ends the consultation, and the note says
    so. A batch is sent only while the run's `budget` still holds a whole request
    (`timeout_seconds`): the judge never makes a run overrun its time limit.
    """
    scoped = in_scope(decisions, config.scope)
    verdicts: dict[str, Verdict] = {}
    problem = ""
    for batch in batches(scoped, config.batch_size):
        if not budget.allows(config.timeout_seconds):
            problem = "not asked: [run] time_budget_seconds is nearly spent"
            break
        try:
            answer = ask(messages_for(batch, config.topic))
            verdicts |= parse_verdicts(answer, [d.paper.id for d in batch])
        except JudgeError as exc:
            problem = str(exc)
            break
    judged = [
        with_verdict(d, verdicts[d.paper.id]) if d.paper.id in verdicts else d for d in decisions
    ]
    answered = sum(1 for d in scoped if d.paper.id in verdicts)
    if not problem and answered < len(scoped):
        problem = f"no verdict for {len(scoped) - answered} paper(s)"
    return judged, JudgeNote(len(scoped), answered, problem, config.model)
