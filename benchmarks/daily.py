"""CPU of a daily run: the real 880-entry list, 100 new hits. Run: python -m benchmarks.daily

CPU is user + system time of the whole process tree (the bot and any process it
starts), read from getrusage(RUSAGE_CHILDREN) around each run: every descendant
that was waited for is counted. The baseline, timed the same way in the same
invocation, is a naive one-file script that does the same fetch from the same
local arXiv stand-in and an exact-id dedupe against the list, then appends the
new lines. The ratio (bot / naive) is the figure to compare across commits.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import bot_env, new_records, write_config  # noqa: E402

LIST_880 = ROOT / "tests" / "data" / "awesome-mechanistic-interpretability-880.md"
NEW_HITS = 100
WATERMARK = date(2026, 11, 20)

# The naive baseline: what a one-file cron script would do. The query is the bot's
# (passed in), so both ask the stand-in the same thing.
NAIVE = r"""
import re, sys
import arxiv
url, query, path = sys.argv[1:4]
client = arxiv.Client(page_size=200, delay_seconds=0, num_retries=0)
client.query_url_format = url.rstrip("?") + "?{}"
search = arxiv.Search(query=query, max_results=2000,
                      sort_by=arxiv.SortCriterion.SubmittedDate)
text = open(path, encoding="utf-8").read()
known = set(re.findall(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", text))
lines = []
for result in client.results(search):
    short = result.get_short_id().split("v")[0]
    if short not in known:
        known.add(short)
        lines.append(f"- [{result.title}]({result.entry_id})")
with open(path, "w", encoding="utf-8") as handle:
    handle.write(text + "\n".join(lines) + "\n")
print(len(lines))
"""


def tree_cpu(command: list[str], folder: Path, env: dict[str, str]) -> tuple[float, str]:
    """User + system seconds of `command` and all its waited-for descendants; its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{command[2:4]} failed: {proc.stderr[-800:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, proc.stdout


def daily_folder(parent: Path, name: str) -> Path:
    """A list repository as a daily run finds it: the list, its state, the config."""
    folder = parent / name
    folder.mkdir()
    text = LIST_880.read_text(encoding="utf-8")
    (folder / "README.md").write_text(text, encoding="utf-8")
    ids = sorted(set(re.findall(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", text)))
    papers = [{"id": i, "title": "", "status": "added", "since": "2025-01-01"} for i in ids]
    state = {"version": 1, "watermark": WATERMARK.isoformat(), "papers": papers}
    (folder / "state").mkdir()
    (folder / "state" / "state.json").write_text(json.dumps(state), encoding="utf-8")
    write_config(folder)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    from bot.config import load_config
    from bot.fetch import build_query
    from tests.fakes.arxiv_server import FakeArxiv

    with tempfile.TemporaryDirectory() as tmp, FakeArxiv(new_records(NEW_HITS)) as server:
        parent = Path(tmp)
        env = bot_env(server.url)
        env.pop("GITHUB_TOKEN", None)
        config = load_config(daily_folder(parent, "probe") / "config.toml")
        query = build_query(config.arxiv, WATERMARK.replace(day=16), date(2026, 11, 21))
        bot_cpu, naive_cpu = [], []
        added = naive_added = ""
        for i in range(args.repeats + 1):  # the first pair warms caches (bytecode, disk)
            folder = daily_folder(parent, f"bot{i}")
            cpu, out = tree_cpu([sys.executable, "-m", "bot", "run", "--json"], folder, env)
            added = str(len(json.loads(out)["added"]))
            folder = daily_folder(parent, f"naive{i}")
            command = [sys.executable, "-c", NAIVE, server.url, query, "README.md"]
            ncpu, naive_added = tree_cpu(command, folder, env)
            if i:
                bot_cpu.append(cpu)
                naive_cpu.append(ncpu)
            shutil.rmtree(parent / f"bot{i}")
            shutil.rmtree(parent / f"naive{i}")
    bot, naive = statistics.median(bot_cpu), statistics.median(naive_cpu)
    print(
        f"daily run, 880-entry list, {NEW_HITS} new hits: bot CPU (user+sys, process tree) "
        f"median {bot:.3f} s, naive fetch + exact-id dedupe {naive:.3f} s over {args.repeats} "
        f"runs each: ratio {bot / naive:.2f} (bot added {added}, naive added {naive_added.strip()})"
    )


if __name__ == "__main__":
    main()
