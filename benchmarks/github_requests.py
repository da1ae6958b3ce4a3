"""GitHub requests per run kind, and the wall time of runs that open or update a PR.

Each run is `python -m bot run` against the local GitHub stand-in, with the
shipped config.toml (only arXiv's pacing off: its stand-in is local too), on
the 124-entry list in tests/data. Requests are counted by the stand-in; health
issue calls are left out (none happen here).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_KINDS = (
    ("nothing new, no pull request", "2026-11-21", ()),
    ("open (3 new papers)", "2026-11-21", (1, 2, 3)),
    ("nothing new, PR open, same day", "2026-11-21", ()),
    ("nothing new, PR open, next day", "2026-11-22", ()),
    ("update (1 new paper)", "2026-11-22", (4,)),
    ("after merge, nothing new", "2026-11-23", ()),
)


def record(n: int) -> object:
    from tests.fakes.arxiv_server import ArxivRecord
    from tests.test_pullrequest import distinct_title

    return ArxivRecord(
        id=f"2611.{n:05d}",
        title=distinct_title(n),
        abstract="We use sparse autoencoders on the residual stream of a language model.",
        published=datetime(2026, 11, 19, 12, tzinfo=UTC),
    )


def bench_github_requests(env: dict[str, str]) -> None:
    """Print requests (and writes) per run kind, and the wall time of each run."""
    from tests.fakes.arxiv_server import FakeArxiv
    from tests.fakes.github_server import NAME, OWNER, FakeGitHub

    token = "ghp_" + "0" * 36
    readme = (ROOT / "tests/data/awesome-mechanistic-interpretability.md").read_text("utf-8")
    config = (ROOT / "config.toml").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp, FakeArxiv() as arxiv:
        folder = Path(tmp)
        (folder / "config.toml").write_text(
            config.replace("delay_seconds = 3.0", "delay_seconds = 0"), encoding="utf-8"
        )
        with FakeGitHub(token, {"README.md": readme}) as github:
            env = {
                **env,
                "ARXIV_API_URL": arxiv.url,
                "GITHUB_TOKEN": token,
                "GITHUB_REPOSITORY": f"{OWNER}/{NAME}",
                "GITHUB_API_URL": github.url,
                "ARXIV_BOT_HEALTH_ISSUE": "skip",
            }
            command = [sys.executable, "-m", "bot", "run", "--json"]
            for kind, day, papers in RUN_KINDS:
                if kind.startswith("after merge"):
                    github.merge(1)
                arxiv.add(*[record(n) for n in papers])
                env["ARXIV_BOT_NOW"] = f"{day}T09:00:00+00:00"
                mark = len(github.log)
                start = time.perf_counter()
                subprocess.run(command, cwd=folder, env=env, capture_output=True, check=True)
                wall = time.perf_counter() - start
                calls = github.log[mark:]
                written = sum(1 for method, _ in calls if method != "GET")
                print(
                    f"GitHub requests, {kind}: {len(calls)} ({written} writes), "
                    f"{wall:.2f} s wall (shipped write_delay_seconds)"
                )
