"""arXiv requests per week of weekday runs, with and without the late-paper sweep.

Run: python -m benchmarks.requests [--hits-per-day N ...] [--weeks W]

The local arXiv stand-in serves N matching papers per calendar day (minutes spread
over the day, 90 days back and through the runs); the bot runs each weekday at 06:17
UTC with the shipped config (pacing off) for W weeks after one warm-up run, and the
requests each run made are counted from the stand-in's log. The sweep's share is the
difference between the shipped config and the same with `sweep_every_days = 0`.
15 hits a day is the shipped query's rate in the 4,863-record traffic sample (March
2025 to July 2026); the whole of arXiv is a few times that.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import re
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import write_config  # noqa: E402

FIRST_MONDAY = date(2026, 11, 2)


def papers(hits_per_day: int, last_day: date) -> list[object]:
    from benchmarks.data import make_titles, vocabulary
    from tests.fakes.arxiv_server import ArxivRecord

    rng = random.Random(14)
    titles = make_titles(hits_per_day * 91, rng, vocabulary())  # distinct, as real ones are
    records = []
    day = last_day - timedelta(days=90)
    number = 0
    while day <= last_day:
        for _ in range(hits_per_day):
            number += 1
            minute = rng.randrange(24 * 60)
            when = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minute)
            records.append(
                ArxivRecord(
                    id=f"{day:%y%m}.{number:05d}",
                    title=titles[number - 1],
                    abstract="Probing the residual stream of a language model.",
                    published=when,
                )
            )
        day += timedelta(days=1)
    return records


def requests_per_run(hits_per_day: int, weeks: int, sweep: bool) -> list[int]:
    """Requests of each weekday run after a warm-up run on the Friday before."""
    from bot.cli import main
    from tests.fakes.arxiv_server import FakeArxiv

    days = [FIRST_MONDAY - timedelta(days=3)] + [
        FIRST_MONDAY + timedelta(days=d) for d in range(7 * weeks) if d % 7 < 5
    ]
    counts = []
    with tempfile.TemporaryDirectory() as tmp, FakeArxiv(papers(hits_per_day, days[-1])) as fake:
        folder = Path(tmp)
        write_config(folder)
        config = (folder / "config.toml").read_text(encoding="utf-8")
        # One phrase: the count of requests does not depend on the query, and the
        # stand-in evaluates a short one much faster.
        config = re.sub(r"(?ms)^queries = \[.*?^\]", 'queries = ["residual stream"]', config)
        if not sweep:
            config = config.replace("sweep_every_days = 7", "sweep_every_days = 0")
        (folder / "config.toml").write_text(config, encoding="utf-8")
        (folder / "README.md").write_text(
            "# List\n\n## Last Updated\n2026-10-01\n\n## Papers (0)\n", encoding="utf-8"
        )
        old_cwd = Path.cwd()
        os.chdir(folder)
        os.environ["ARXIV_API_URL"] = fake.url
        try:
            for day in days:
                os.environ["ARXIV_BOT_NOW"] = f"{day}T06:17:00+00:00"
                before = len(fake.requests)
                with contextlib.redirect_stdout(io.StringIO()):
                    if main(["run", "--json"]) != 0:
                        raise SystemExit(f"the run of {day} failed")
                counts.append(len(fake.requests) - before)
        finally:
            os.chdir(old_cwd)
    return counts[1:]  # without the warm-up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hits-per-day", type=int, nargs="+", default=[15, 50, 100])
    parser.add_argument("--weeks", type=int, default=4)
    args = parser.parse_args()
    import logging

    logging.disable(logging.WARNING)
    print("hits/day | requests/week without sweep | with the weekly sweep | sweep's share")
    for rate in args.hits_per_day:
        plain = requests_per_run(rate, args.weeks, sweep=False)
        swept = requests_per_run(rate, args.weeks, sweep=True)
        per_week = sum(plain) / args.weeks, sum(swept) / args.weeks
        print(
            f"{rate:8d} | {per_week[0]:27.1f} | {per_week[1]:21.1f} | "
            f"+{per_week[1] - per_week[0]:.1f} (max per run: {max(plain)}, {max(swept)})"
        )


if __name__ == "__main__":
    main()
