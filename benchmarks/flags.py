"""The flag budget: how many papers of real arXiv traffic dedupe flags as possible duplicates.

Run from the project root: PYTHONPATH=. python benchmarks/flags.py [TRAFFIC.jsonl] [LIST.md]
Defaults: the shared arxiv_traffic.jsonl (4,863 real records; not in a clone, pass
another file) against tests/data/awesome-mechanistic-interpretability-880.md. Goes
through the pure pipeline: normalize, dedupe, relevance with the shipped config.toml.
Prints every flag and every duplicate found by title, for a person to judge.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRAFFIC = Path("/work/shared/data/arxiv_traffic.jsonl")  # the shared data folder
LIST = ROOT / "tests" / "data" / "awesome-mechanistic-interpretability-880.md"


def main() -> None:
    from bot.config import load_config
    from bot.dedupe import TitleIndex, split_duplicates
    from bot.listdoc.document import ListDocument
    from bot.models import KnownTitle, RawRecord
    from bot.normalize import normalize_titles
    from bot.relevance import screen
    from bot.samepaper import Facts, Verdict, judge

    traffic = Path(sys.argv[1]) if len(sys.argv) > 1 else TRAFFIC
    listed = Path(sys.argv[2]) if len(sys.argv) > 2 else LIST
    config = load_config(ROOT / "config.toml")
    records = []
    for line in traffic.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        when = datetime.fromisoformat(r["published"]).replace(tzinfo=UTC)
        records.append(
            RawRecord(
                f"http://arxiv.org/abs/{r['id']}v1", r["title"], r["abstract"],
                tuple(r["authors"]), when, when, r["primary_category"], tuple(r["categories"]),
            )
        )  # fmt: skip
    screened = screen(records, config.relevance)
    document = ListDocument(listed.read_text(encoding="utf-8"), config.target)
    index = TitleIndex(document.known, config.dedupe.title_threshold)
    fresh, duplicates, possible = split_duplicates(screened.papers, index)
    accepted = {d.paper.id for d in screened.decisions if d.accepted}
    how = Counter(d.how for d in duplicates)
    print(
        f"{len(screened.papers)} papers against {len(document.entries)} entries: "
        f"{how['id']} duplicates by id, {how['title']} by title, {len(possible)} flagged as "
        f"possible duplicates ({sum(1 for i in possible if i in accepted)} of them accepted "
        f"by the relevance filter, so in a pull request), {len(fresh) - len(possible)} new"
    )
    for d in duplicates:
        if d.how == "title":
            print(f"  same: {d.paper.id} {d.paper.title!r}\n        = {d.matched.id} "
                  f"{d.matched.title!r} ({d.matched.source}; {d.why})")  # fmt: skip
    print("pairs the title search found that the verdict calls different papers:")
    run = TitleIndex([KnownTitle(p.id, p.title, "this run") for p in screened.papers], 90.0)
    norms = normalize_titles([p.title for p in screened.papers])
    shown: set[frozenset[str | None]] = set()
    for searched in (index, run):
        for i, found in searched.similar(norms).items():
            paper = screened.papers[i]
            for known, score in found:
                verdict = judge(searched.facts(known), Facts.of(paper))
                pair = frozenset((known.id, paper.id))
                if len(pair) == 2 and pair not in shown and verdict.verdict is Verdict.DIFFERENT:
                    shown.add(pair)
                    print(f"  {score:.1f} {paper.id} {paper.title!r}\n        / {known.id} "
                          f"{known.title!r} ({known.source}; {verdict.why})")  # fmt: skip
    for paper in fresh:
        if paper.id in possible:
            p = possible[paper.id]
            where = "accepted" if paper.id in accepted else "rejected by relevance"
            print(f"  flag ({where}): {paper.id} {paper.title!r}\n        ~ {p.matched.id} "
                  f"{p.matched.title!r} ({p.matched.source}; {p.why})")  # fmt: skip


if __name__ == "__main__":
    main()
