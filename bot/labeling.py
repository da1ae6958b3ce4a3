"""Fast labelling for `evaluate`: show a paper, record y / n / skip, resume where it stopped.

The labels file is the JSONL `evaluate` reads (bot/evaluate.py): one record a line
with `id, title, abstract, authors, primary_category, categories, published, label`
(`relevant`, `irrelevant` or `skipped`), plus the `score` and `reason` the filter
gave when it was labelled. Each answer is appended (and flushed to disk) at once, so
quitting or a crash loses nothing; a paper whose id is in the file is never asked
about again.
"""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from msgspec import Struct

from bot.errors import ConfigError
from bot.evaluate import SKIPPED
from bot.listdoc.markdown import short_authors
from bot.models import Decision

ANSWERS = {
    "y": "relevant",
    "yes": "relevant",
    "n": "irrelevant",
    "no": "irrelevant",
    "s": SKIPPED,
    "skip": SKIPPED,
}
QUIT = ("q", "quit")
PROMPT = "relevant to the list? [y]es [n]o [s]kip [q]uit: "
ABSTRACT_LINES = 4
WIDTH = 96


def labelled_ids(path: Path) -> set[str]:
    """The ids already in the labels file (none when it does not exist yet).

    Raises ConfigError naming the file and line when a line is not a JSON record with an id.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return set()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the labels: {exc.strerror}") from None
    ids = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            ids.add(str(json.loads(line)["id"]))
        except (json.JSONDecodeError, KeyError, TypeError):
            raise ConfigError(
                f"{path}:{number}: not a labeled record; fix or delete the line"
            ) from None
    return ids


def most_informative_first(decisions: Iterable[Decision], threshold: float) -> list[Decision]:
    """Papers closest to the threshold first: where a label tells the most about the weights."""
    return sorted(decisions, key=lambda d: (abs(d.score - threshold), d.paper.id))


def card(decision: Decision, position: int, total: int, threshold: float) -> str:
    """What a person reads before answering: title, authors, categories, abstract, score."""
    p = decision.paper
    verdict = (
        "accepted" if decision.accepted else "borderline" if decision.borderline else "rejected"
    )
    abstract = textwrap.wrap(" ".join(p.abstract.split()), WIDTH - 4)
    shown = abstract[:ABSTRACT_LINES]
    if len(abstract) > ABSTRACT_LINES:
        shown[-1] += " ..."
    categories = ", ".join(dict.fromkeys((p.primary_category, *p.categories)))
    lines = [
        "",
        f"[{position}/{total}] {p.id}  score {decision.score:g} "
        f"({verdict}; threshold {threshold:g})  {p.url}",
        " ".join(p.title.split()),
        f"{short_authors(p.authors)} · {categories or '-'} · {p.published}",
        *(f"    {line}" for line in shown),
        f"  why: {decision.reason}",
    ]
    return "\n".join(lines)


def label_record(decision: Decision, label: str) -> dict[str, Any]:
    """The labels file's line for one answer."""
    p = decision.paper
    return {
        "id": p.id,
        "title": p.title,
        "abstract": p.abstract,
        "authors": list(p.authors),
        "primary_category": p.primary_category,
        "categories": list(p.categories),
        "published": p.published.isoformat(),
        "label": label,
        "score": decision.score,
        "reason": decision.reason,
    }


class Session(Struct):
    """One labelling session: counts of this session's answers."""

    relevant: int = 0
    irrelevant: int = 0
    skipped: int = 0
    quit: bool = False

    def count(self, label: str) -> None:
        setattr(self, label, getattr(self, label) + 1)

    @property
    def answered(self) -> int:
        return self.relevant + self.irrelevant + self.skipped


def ask_label(ask: Callable[[str], str], say: Callable[[str], None]) -> str | None:
    """One answer: a label, or None to quit (also on end of input). Asks until it understands."""
    while True:
        try:
            answer = ask(PROMPT).strip().lower()
        except EOFError:
            return None
        if answer in QUIT:
            return None
        if answer in ANSWERS:
            return ANSWERS[answer]
        say("  please answer y, n, s or q")


def label_papers(
    decisions: Sequence[Decision],
    out: IO[str],
    threshold: float,
    ask: Callable[[str], str],
    say: Callable[[str], None],
) -> Session:
    """Show each paper and append its label to `out` (flushed to disk after every answer).

    `decisions` are the papers not labelled yet, in the order to ask them.
    """
    session = Session()
    for position, decision in enumerate(decisions, start=1):
        say(card(decision, position, len(decisions), threshold))
        label = ask_label(ask, say)
        if label is None:
            session.quit = True
            break
        out.write(json.dumps(label_record(decision, label), ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())
        session.count(label)
    return session
