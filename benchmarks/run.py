"""Benchmarks for the scale targets. Run: python -m benchmarks.run [--quick]

Prints each figure with what it measures. Medians of several runs where cheap.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.data import dedupe_workload, make_titles, vocabulary  # noqa: E402
from benchmarks.github_requests import bench_github_requests  # noqa: E402
from benchmarks.numpy_paths import bench_numpy_paths  # noqa: E402


def bench_dedupe(known_count: int, candidate_count: int, repeats: int, check: bool) -> None:
    """Dedupe (index build, title search, same-paper verdicts), and with `check` the
    exhaustive rapidfuzz search it replaces: same pairs, and the CPU ratio of the two."""
    from bot.dedupe import TitleIndex, split_duplicates
    from bot.models import KnownTitles, Paper
    from bot.normalize import clean_title, normalize_title

    known, candidates = dedupe_workload(known_count, candidate_count)
    # Dedupe receives normalized papers: the normalize stage already cleaned their titles.
    papers = [
        Paper(f"2999.{i:05d}", 1, clean_title(title), "", (), date(2026, 1, 1), "cs.LG", ())
        for i, title in enumerate(candidates)
    ]
    # The columns the list parse hands to dedupe (ids play no part in title matching).
    items = KnownTitles([None] * len(known), known, ["list"] * len(known))
    walls, cpus = [], []
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()  # CPU of every thread (BLAS)
        index = TitleIndex(items, 90.0)
        split = split_duplicates(papers, index)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    ours_cpu = statistics.median(cpus)
    print(
        f"dedupe: {candidate_count} candidates vs {known_count} known titles: "
        f"median {statistics.median(walls):.3f} s wall, {ours_cpu:.3f} s CPU over {repeats} runs "
        f"(index build + title search + verdicts; {len(split.duplicates)} same paper, "
        f"{len(split.possible)} possible duplicates, {len(split.fresh)} new)"
    )
    if not check:
        return
    import numpy as np
    from rapidfuzz import fuzz, process

    known_norms = sorted({normalize_title(k) for k in known})
    cand_norms = [normalize_title(c) for c in candidates]
    start, cpu = time.perf_counter(), time.process_time()
    scores = process.cdist(
        cand_norms, known_norms, scorer=fuzz.ratio, score_cutoff=90, workers=-1, dtype=np.uint8
    )
    exhaustive_wall, exhaustive_cpu = time.perf_counter() - start, time.process_time() - cpu
    rows, cols = np.nonzero(scores)
    exhaustive = {(int(q), known_norms[k]) for q, k in zip(rows, cols, strict=True)}
    # The title search must find exactly these pairs (the verdict then judges each).
    found = index.similar(cand_norms)
    ours = {(q, normalize_title(k.title)) for q, pairs in found.items() for k, _ in pairs}
    status = "identical" if ours == exhaustive else f"DIFFERENT ({len(ours ^ exhaustive)} differ)"
    print(
        f"dedupe check: exhaustive rapidfuzz cdist at 90 finds {len(exhaustive)} pairs in "
        f"{exhaustive_wall:.1f} s wall, {exhaustive_cpu:.1f} s CPU; the title search: "
        f"{len(ours)} pairs, {status}; dedupe takes {exhaustive_cpu / ours_cpu:.1f}x less CPU "
        f"({exhaustive_wall / statistics.median(walls):.1f}x less wall time)"
    )
    if ours != exhaustive:
        raise SystemExit(1)


def write_big_list(folder: Path, entries: int) -> None:
    import random

    rng = random.Random(11)
    titles = make_titles(entries, rng, vocabulary())
    lines = [
        f"- [{t}](https://arxiv.org/abs/{1000 + i // 99999:04d}.{i % 99999:05d})"
        for i, t in enumerate(titles)
    ]
    readme = (
        "# Big List\n\n## Last Updated\nJuly 31, 2025 at 01:19:00 AM UTC\n\n"
        f"## Papers ({entries})\n" + "\n".join(lines) + "\n\n## License\nCC-BY\n"
    )
    (folder / "README.md").write_text(readme, encoding="utf-8")
    papers = [
        {
            "id": f"{1000 + i // 99999:04d}.{i % 99999:05d}",
            "title": t,
            "status": "added",
            "since": "2025-01-01",
        }
        for i, t in enumerate(titles)
    ]
    state = {"version": 1, "watermark": "2026-11-01", "papers": papers}
    (folder / "state").mkdir()
    (folder / "state" / "state.json").write_text(json.dumps(state), encoding="utf-8")


def new_records(count: int) -> list[object]:
    import random

    from tests.fakes.arxiv_server import ArxivRecord

    rng = random.Random(12)
    words = vocabulary()
    titles = make_titles(count, rng, words)
    start = datetime(2026, 11, 20, tzinfo=UTC)
    return [
        ArxivRecord(
            id=f"2611.{i:05d}",
            title=title,
            abstract="We train sparse autoencoders on the residual stream of a language model and "
            + " ".join(rng.choice(words) for _ in range(120)),
            published=start - timedelta(minutes=i),
            primary_category="cs.LG",
            categories=("cs.LG", "cs.CL"),
        )
        for i, title in enumerate(titles)
    ]


def bench_end_to_end(entries: int, records: int, repeats: int) -> None:
    from tests.fakes.arxiv_server import FakeArxiv

    with tempfile.TemporaryDirectory() as tmp, FakeArxiv(new_records(records)) as server:
        folder = Path(tmp)
        write_big_list(folder, entries)
        write_config(folder)
        env = bot_env(server.url)
        env.pop("GITHUB_TOKEN", None)
        command = [sys.executable, "-m", "bot", "run", "--dry-run", "--json"]
        run_timed(command, folder, env)  # warm-up
        walls, peaks = [], []
        for _ in range(repeats):
            server.requests.clear()
            wall, peak, stdout = run_timed(command, folder, env)
            walls.append(wall)
            peaks.append(peak)
        pages = len(server.requests)  # of the last timed run
        # Separate runs for the whole tree (the bot and its worker process): sampling
        # /proc takes CPU from the run, so these runs are not timed.
        trees = [tree_peak_mb(command, folder, env) for _ in range(3)]
        report = json.loads(stdout)
        print(
            f"end to end: run --dry-run --json, {entries}-entry README and state, {records} new records: "
            f"median {statistics.median(walls):.2f} s wall over {repeats} runs, peak RSS {max(peaks):.0f} MB "
            f"(fetched {report['fetched']}, added {len(report['added'])}, {pages} requests)"
        )
        if all(tree is not None for tree in trees):
            print(
                f"end to end, memory of the process tree (the bot and its worker, summed, sampled "
                f"every 2 ms): peak {max(t for t in trees if t is not None):.0f} MB over {len(trees)} runs"
            )
        page_size = 200
        expected = math.ceil(report["fetched"] / page_size)
        status = "as expected" if pages == expected else "UNEXPECTED"
        print(
            f"arXiv requests: {pages} for {report['fetched']} hits at page_size {page_size}: ceil = {expected}, {status}"
        )


def bench_github_mode(entries: int, records: int, repeats: int) -> None:
    """The Action's way: list and state read (and the pull request written) through the
    local stand-in of the GitHub API, which runs in this process and shares the cores."""
    from tests.fakes.arxiv_server import FakeArxiv
    from tests.fakes.github_server import NAME, OWNER, FakeGitHub

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_big_list(folder, entries)
        write_config(folder)
        paths = ("README.md", "state/state.json")
        files = {path: (folder / path).read_text(encoding="utf-8") for path in paths}
        token = "ghp_" + "0" * 36
        with FakeArxiv(new_records(records)) as arxiv, FakeGitHub(token, files) as github:
            env = {
                **bot_env(arxiv.url),
                "GITHUB_TOKEN": token,
                "GITHUB_REPOSITORY": f"{OWNER}/{NAME}",
                "GITHUB_API_URL": github.url,
                "ARXIV_BOT_HEALTH_ISSUE": "skip",
            }
            dry = [sys.executable, "-m", "bot", "run", "--dry-run", "--json"]
            walls = [run_timed(dry, folder, env)[0] for _ in range(repeats)]
            dry_tree = tree_peak_mb(dry, folder, env)
            start = time.perf_counter()
            tree = tree_peak_mb([sys.executable, "-m", "bot", "run", "--json"], folder, env)
            wall = time.perf_counter() - start  # opened the pull request (sampled, once)
            assert len(github.open_pulls()) == 1
        trees = f"; process tree peaks {dry_tree:.0f} and {tree:.0f} MB" if tree else ""
        print(
            f"GitHub mode (no target), same scale: dry run median {statistics.median(walls):.2f} s "
            f"over {repeats} runs; a run that opens the pull request {wall:.2f} s{trees}"
        )


def write_config(folder: Path) -> None:
    """The shipped config.toml with no pauses (arXiv pacing, GitHub backoff and writes),
    as a normal daily run: no late-paper sweep (benchmarks/requests.py counts its requests)."""
    config = (ROOT / "config.toml").read_text(encoding="utf-8")
    config = config.replace("sweep_every_days = 7", "sweep_every_days = 0")
    for pause in ("delay_seconds = 3.0", "backoff_seconds = 2.0", "write_delay_seconds = 1.0"):
        config = config.replace(pause, pause.split("=")[0] + "= 0")
    (folder / "config.toml").write_text(config, encoding="utf-8")


def bot_env(arxiv_url: str) -> dict[str, str]:
    return {
        **installed_env(),
        "ARXIV_API_URL": arxiv_url,
        "ARXIV_BOT_NOW": "2026-11-21T09:00:00+00:00",
    }


def run_timed(command: list[str], folder: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, the process's own peak RSS in MB, and its stdout; fails loudly."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=folder, env=env, stdout=out, stderr=err)
        # wait4 gives this child's own peak RSS (KB on Linux).
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"run failed: {err.read().decode()[-500:]}")
        out.seek(0)
        return wall, usage.ru_maxrss / 1024, out.read().decode()


def tree_peak_mb(command: list[str], folder: Path, env: dict[str, str]) -> float | None:
    """The largest summed RSS of a command and its child processes (Linux /proc), or None."""
    proc = subprocess.Popen(
        command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = 0
    while proc.poll() is None:
        pids = [proc.pid, *_children(proc.pid)]
        peak = max(peak, sum(_rss_kb(pid) for pid in pids))
        time.sleep(0.002)
    assert proc.stderr is not None
    if proc.returncode != 0:
        raise SystemExit(f"run failed: {proc.stderr.read().decode()[-500:]}")
    return peak / 1024 if Path("/proc/self/status").exists() else None


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            found += map(int, Path(f"/proc/{pid}/task/{task}/children").read_text().split())
    except OSError:  # the process ended meanwhile
        pass
    return found


def _rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next(
        (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
    )


def installed_env() -> dict[str, str]:
    """The environment of the bot as installed: bytecode cached (pip install compiles it),
    which a sandbox's PYTHONDONTWRITEBYTECODE would prevent. An untimed first run writes it."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # The runs start in temporary folders: this checkout's bot, installed or not. Each
    # folder once: a repeated entry doubles every import's search, which shifts when
    # the worker peaks against the bot (the process tree's peak moved 232 -> 259 MB).
    paths = [str(ROOT), *env.get("PYTHONPATH", "").split(os.pathsep)]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(p for p in paths if p))
    return env


def machine_speed() -> None:
    """A fixed pure-Python workload, to read the other figures against (VMs drift)."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        times.append(time.perf_counter() - start)
    print(f"machine: a 10,000,000-step Python loop takes {min(times):.2f} s (best of 3)")


def bench_startup(repeats: int) -> None:
    command = [sys.executable, "-m", "bot", "--help"]
    subprocess.run(command, cwd=ROOT, env=installed_env(), capture_output=True, check=True)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=installed_env(), capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    print(
        f"start-up: python -m bot --help: median {statistics.median(times) * 1000:.0f} ms over {repeats} runs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, no exhaustive check")
    args = parser.parse_args()
    machine_speed()
    if args.quick:
        bench_startup(3)
        bench_end_to_end(10_000, 500, 1)
        bench_github_mode(10_000, 500, 1)
        bench_github_requests(installed_env())
        bench_dedupe(10_000, 500, 3, check=False)
        bench_numpy_paths(10_000, 300)
        return
    # Subprocess figures first: a child's peak RSS counts pages shared with this process
    # at fork time, and the exhaustive check below grows it by hundreds of MB.
    bench_startup(7)
    bench_end_to_end(100_000, 2_000, 5)
    bench_github_mode(100_000, 2_000, 3)
    bench_github_requests(installed_env())
    bench_dedupe(100_000, 2_000, 5, check=True)
    bench_numpy_paths(20_000, 500)


if __name__ == "__main__":
    main()
