"""Run health: count consecutive failures, and tell the maintainer through one GitHub issue.

Kept in state/health.json, beside (not inside) the state the pull requests
carry, so a failure never dirties the list's repository. In GitHub Actions the
file survives between runs through the cache (see .github/workflows/update.yml).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from msgspec import Struct, field
from msgspec.structs import replace

from bot.files import atomic_write_text

KEEP_ERRORS = 5


class Health(Struct, frozen=True):
    consecutive_failures: int = 0
    errors: tuple[str, ...] = field(default=())  # "time: message", newest last
    issue_open: bool = False
    last_run: datetime | None = None

    def failed(self, now: datetime, message: str) -> Health:
        errors = (*self.errors, f"{now:%Y-%m-%d %H:%M} UTC: {message}")[-KEEP_ERRORS:]
        return replace(
            self, consecutive_failures=self.consecutive_failures + 1, errors=errors, last_run=now
        )

    def succeeded(self, now: datetime) -> Health:
        return replace(self, consecutive_failures=0, errors=(), last_run=now)


def health_path(state_file: str) -> Path:
    return Path(state_file).parent / "health.json"


def load_health(path: Path) -> Health:
    """Read health.json; a missing or unreadable file is a fresh start (it is bookkeeping only)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Health(
            consecutive_failures=int(data.get("consecutive_failures", 0)),
            errors=tuple(str(e) for e in data.get("errors", ())),
            issue_open=bool(data.get("issue_open", False)),
            last_run=datetime.fromisoformat(data["last_run"]) if data.get("last_run") else None,
        )
    except (OSError, ValueError, TypeError, AttributeError):
        return Health()


def save_health(path: Path, health: Health) -> None:
    data = {
        "consecutive_failures": health.consecutive_failures,
        "errors": list(health.errors),
        "issue_open": health.issue_open,
        "last_run": health.last_run.isoformat() if health.last_run else None,
    }
    atomic_write_text(path, json.dumps(data, indent=2) + "\n")


def issue_body(health: Health) -> str:
    lines = [
        f"The arXiv bot failed **{health.consecutive_failures}** runs in a row. "
        "It keeps retrying on its schedule and closes this issue after the next success.",
        "",
        "Most recent errors (newest last):",
        "",
    ]
    lines += ["- `" + error.replace("`", "'") + "`" for error in health.errors]
    lines += [
        "",
        "Each message says what to fix; run `python -m bot run --dry-run` to check locally.",
    ]
    return "\n".join(lines) + "\n"
