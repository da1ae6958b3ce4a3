"""Install time: the workflow's install step against a cold `pip install .`, in one invocation.

Run: python -m benchmarks.install [--wheels DIR] [--repeats N]

Both installs read the same local wheel folder (no network while timed), each into a
fresh virtual environment whose creation is not timed:
- cold: `pip install .` with no cache, as the workflow did: the bot's wheel is built
  in an isolated environment (setuptools from the folder), every dependency resolved
  and unpacked, bytecode compiled; also with the `large-lists` extra (numpy), which
  was a required dependency before;
- warm: the install step of the workflow and of action.yml, `pip install --no-deps
  --no-compile --require-hashes -r requirements/lock.txt`, after one untimed run has
  filled pip's cache (as setup-python's or the action's cache would).
The wheel folder is built once with pip (from PyPI) when it does not exist yet.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "lock.txt"


def pip(python: Path, *args: str) -> None:
    subprocess.run([str(python), "-m", "pip", "-q", *args], check=True, capture_output=True)


def wheel_folder(folder: Path) -> Path:
    """Every wheel the installs need: the lock's, numpy, and the build backend."""
    if any(folder.glob("*.whl")):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    print(f"building the wheel folder {folder} (once, from PyPI)", flush=True)
    pip(Path(sys.executable), "download", "--no-deps", "-d", str(folder), "-r", str(LOCK))
    pip(Path(sys.executable), "download", "-d", str(folder), "numpy<3", "setuptools>=77")
    return folder


def fresh_venv(parent: Path, name: str) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(parent / name)], check=True)
    return parent / name / "bin" / "python"


def timed_install(parent: Path, name: str, *args: str) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, pip and its build subprocesses)."""
    python = fresh_venv(parent, name)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    pip(python, "install", "--no-index", *args)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    default = Path(tempfile.gettempdir()) / "arxiv-bot-wheels"
    parser.add_argument("--wheels", type=Path, default=default, help=f"(default: {default})")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    wheels = wheel_folder(args.wheels)
    links = ("--find-links", str(wheels))
    step = ("--no-deps", "--no-compile", "--require-hashes", "-r", str(LOCK))
    cold: list[tuple[float, float]] = []
    cold_numpy: list[tuple[float, float]] = []
    warm: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        parent = Path(tmp)
        cache = ("--cache-dir", str(parent / "pip-cache"))
        timed_install(parent, "warm-up", *links, *cache, *step)  # fills the cache
        for i in range(args.repeats):
            cold.append(timed_install(parent, f"cold{i}", *links, "--no-cache-dir", str(ROOT)))
            cold_numpy.append(
                timed_install(parent, f"np{i}", *links, "--no-cache-dir", f"{ROOT}[large-lists]")
            )
            warm.append(timed_install(parent, f"warm{i}", *links, *cache, *step))
    for kind, pick in (("wall", 0), ("CPU", 1)):
        c, cn, w = (statistics.median(t[pick] for t in x) for x in (cold, cold_numpy, warm))
        print(
            f"install ({kind}), local wheel folder, median of {args.repeats}: cold `pip install"
            f" .` {c:.2f} s, with numpy (a required dependency before) {cn:.2f} s; the "
            f"workflow's step on a warm cache (lock file, --no-deps --no-compile "
            f"--require-hashes) {w:.2f} s: ratio {w / c:.2f} against `pip install .`, "
            f"{w / cn:.2f} against the install with numpy (target <= 0.25)"
        )


if __name__ == "__main__":
    main()
