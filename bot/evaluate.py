"""Measure the relevance filter on labeled records (precision, recall, F1, mistakes)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from msgspec import Struct

from bot.errors import ConfigError
from bot.models import Decision, RawRecord
from bot.normalize import to_paper
from bot.relevance import RelevanceRules, score_paper

LABELS = ("relevant", "irrelevant")
SKIPPED = "skipped"  # `label` records a skipped paper so that it is not asked again
REQUIRED = ("id", "title", "abstract", "label")


class LabeledDecision(Struct, frozen=True):
    decision: Decision
    relevant: bool

    @property
    def correct(self) -> bool:
        return self.decision.accepted == self.relevant


class Evaluation(Struct, frozen=True):
    results: tuple[LabeledDecision, ...]

    def count(self, accepted: bool, relevant: bool) -> int:
        return sum(
            1 for r in self.results if r.decision.accepted == accepted and r.relevant == relevant
        )

    @property
    def precision(self) -> float:
        tp, fp = self.count(True, True), self.count(True, False)
        return tp / (tp + fp) if tp + fp else 1.0

    @property
    def recall(self) -> float:
        tp, fn = self.count(True, True), self.count(False, True)
        return tp / (tp + fn) if tp + fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def mistakes(self) -> list[LabeledDecision]:
        return [r for r in self.results if not r.correct]

    def to_json(self) -> dict[str, Any]:
        return {
            "records": len(self.results),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "confusion": {
                "true_positive": self.count(True, True),
                "false_positive": self.count(True, False),
                "true_negative": self.count(False, False),
                "false_negative": self.count(False, True),
            },
            "misclassified": [
                {
                    "id": m.decision.paper.id,
                    "title": m.decision.paper.title,
                    "label": "relevant" if m.relevant else "irrelevant",
                    "score": m.decision.score,
                    "reason": m.decision.reason,
                }
                for m in self.mistakes
            ],
        }

    def to_text(self) -> str:
        data = self.to_json()
        c = data["confusion"]
        lines = [
            f"records:   {data['records']}",
            f"precision: {data['precision']:.3f}",
            f"recall:    {data['recall']:.3f}",
            f"f1:        {data['f1']:.3f}",
            f"confusion: TP {c['true_positive']}  FP {c['false_positive']}  "
            f"TN {c['true_negative']}  FN {c['false_negative']}",
        ]
        if self.mistakes:
            lines.append("misclassified:")
            for m in data["misclassified"]:
                lines.append(f"  [{m['label']}] {m['id']} {m['title']}")
                lines.append(f"      {m['reason']}")
        return "\n".join(lines)


def load_labeled(path: Path) -> list[tuple[RawRecord, bool]]:
    """Read LABELS.jsonl: one labeled arXiv record per line (blank lines skipped).

    Raises ConfigError naming the file (and line) when it is unreadable, a line is
    not a labeled record, or it holds no record at all.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read labeled records: {exc.strerror}") from None
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        missing = [k for k in REQUIRED if k not in obj]
        if missing:
            raise ConfigError(f"{path}:{number}: record lacks field '{missing[0]}'")
        if obj["label"] == SKIPPED:
            continue
        if obj["label"] not in LABELS:
            raise ConfigError(
                f"{path}:{number}: label must be 'relevant', 'irrelevant' or 'skipped', "
                f"got {obj['label']!r}"
            )
        records.append((record_from_json(obj), obj["label"] == "relevant"))
    if not records:
        # Precision and recall of nothing are undefined, not 1.000: say so and fail.
        raise ConfigError(f"{path}: no labeled records, so there is nothing to measure")
    return records


def record_from_json(obj: dict[str, Any]) -> RawRecord:
    published = _parse_time(obj.get("published"))
    return RawRecord(
        entry_id=str(obj["id"]),
        title=str(obj["title"]),
        abstract=str(obj["abstract"]),
        authors=tuple(obj.get("authors") or ()),
        published=published,
        updated=_parse_time(obj.get("updated")) if obj.get("updated") else published,
        primary_category=str(obj.get("primary_category") or ""),
        categories=tuple(obj.get("categories") or ()),
        comment=str(obj.get("comment") or ""),
        journal_ref=str(obj.get("journal_ref") or ""),
    )


def _parse_time(value: Any) -> datetime:
    if not value:
        return datetime(1970, 1, 1, tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def evaluate(records: list[tuple[RawRecord, bool]], rules: RelevanceRules) -> Evaluation:
    """Score every labeled record with `rules`."""
    return Evaluation(
        tuple(LabeledDecision(score_paper(to_paper(raw), rules), label) for raw, label in records)
    )
