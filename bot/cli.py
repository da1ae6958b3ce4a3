"""Command line: parse the arguments, read the environment once, run one command.

Kept light at import time: each command's module loads when it runs, and heavy
libraries load inside the commands that use them.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from bot import __version__
from bot.environment import load_dotenv_file, read_environment, secret_values
from bot.errors import BotError, Stopped

log = logging.getLogger("bot")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):  # the form is right, the day is not
            raise argparse.ArgumentTypeError(f"invalid date {value!r}: {exc}") from None
        raise argparse.ArgumentTypeError(f"invalid date {value!r}: use YYYY-MM-DD") from None


def parse_since(value: str) -> date | timedelta:
    """A date (YYYY-MM-DD), or a number of days back ("21d"), resolved by the command."""
    if value[:-1].isdigit() and value[-1:] == "d":
        if int(value[:-1]) > 36500:  # arXiv began in 1991
            raise argparse.ArgumentTypeError(f"invalid window {value!r}: at most 36500d")
        return timedelta(days=int(value[:-1]))
    return parse_date(value)


def positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"invalid count {value!r}: use a whole number >= 1")
    return int(value)


def add_command(commands: Any, name: str, summary: str) -> argparse.ArgumentParser:
    """A subcommand with the options every command shares."""
    command: argparse.ArgumentParser = commands.add_parser(name, help=summary)
    command.add_argument(
        "--config",
        type=Path,
        default=Path("config.toml"),
        help="configuration file (default: ./config.toml)",
    )
    # Also accepted after the command; documented once, on the main parser.
    command.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    return command


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser: every command, or with `only`, that command alone.

    A run parses one command: building the others' parsers took a fiftieth of a
    daily run's CPU. `main` builds them all whenever the command is not plain to
    see (no command, help or version first, a misspelt name), so help and errors
    are argparse's own.
    """
    parser = argparse.ArgumentParser(
        prog="arxiv-bot",
        description="Keep an awesome list of arXiv papers up to date.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="verbose logs and tracebacks (secrets stay redacted)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (summary, add_arguments) in COMMANDS.items():
        if only is None or name == only:
            add_arguments(add_command(commands, name, summary))
    return parser


def command_named(argv: Sequence[str]) -> str | None:
    """The command `argv` names before any other word, or None (then all are built)."""
    for word in argv:
        if word == "--debug":
            continue
        return word if word in COMMANDS else None
    return None


def _run_arguments(run: argparse.ArgumentParser) -> None:
    run.add_argument(
        "--target",
        type=Path,
        help="work on this local list file (local mode), overriding [target] file",
    )
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="write nothing anywhere; show what would be added and the diff",
    )
    run.add_argument(
        "--since",
        type=parse_since,
        metavar="YYYY-MM-DD|Nd",
        help="start of the submission window, a date or N days back such as 21d "
        "(default: watermark in state, else lookback_days)",
    )
    run.add_argument(
        "--json", action="store_true", help="print one JSON object on stdout (logs go to stderr)"
    )


def _schedule_arguments(schedule: argparse.ArgumentParser) -> None:
    schedule.add_argument(
        "--once-now", action="store_true", help="run immediately, then keep the schedule"
    )
    schedule.add_argument(
        "--next",
        type=positive_int,
        metavar="N",
        help="print the next N fire times (ISO 8601 with the UTC offset) and exit",
    )
    schedule.add_argument(
        "--from",
        dest="start",
        metavar="YYYY-MM-DDTHH:MM",
        help="with --next: count from this local time in schedule.timezone (default: now)",
    )


def _audit_arguments(audit: argparse.ArgumentParser) -> None:
    audit.add_argument(
        "--target", type=Path, help="audit this local list file instead of [target] file"
    )
    audit.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def _no_arguments(command: argparse.ArgumentParser) -> None:
    pass


def _evaluate_arguments(evaluate: argparse.ArgumentParser) -> None:
    evaluate.add_argument(
        "labels", type=Path, metavar="LABELS.jsonl", help="one labeled arXiv record per line"
    )
    evaluate.add_argument(
        "--list",
        type=Path,
        metavar="LIST.md",
        help="add the list-similarity signal against this list's papers (abstracts from the"
        " run store, looked up on arXiv when missing)",
    )
    evaluate.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def _init_arguments(init: argparse.ArgumentParser) -> None:
    init.add_argument(
        "--target", type=Path, help="the list to read (default: README.md)", metavar="FILE"
    )
    init.add_argument(
        "--force", action="store_true", help="overwrite an existing configuration file"
    )


def _label_arguments(label: argparse.ArgumentParser) -> None:
    source = label.add_mutually_exclusive_group()
    source.add_argument(
        "--from",
        dest="source",
        type=Path,
        metavar="REPORT.json",
        help="papers of a `run --json` report (abstracts looked up on arXiv) or a JSONL of records",
    )
    source.add_argument(
        "--since",
        type=parse_date,
        metavar="YYYY-MM-DD",
        help="papers the configured queries find on arXiv since then (default: lookback_days)",
    )
    label.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="LABELS.jsonl",
        help="labels file (evaluate's format); appended to, never asked twice about an id",
    )


# Each command: its one-line summary and its own options (bot/commands/<name>.py runs it).
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "run": ("fetch new papers and add them (local file or pull request)", _run_arguments),
    "schedule": ("run on the cron schedule in config.toml, in the foreground", _schedule_arguments),
    "audit": ("report duplicates, changed titles, off-topic and broken entries", _audit_arguments),
    "health": (
        "open, update or close the GitHub health issue from state/health.json",
        _no_arguments,
    ),
    "evaluate": ("measure the relevance filter on labeled records", _evaluate_arguments),
    "init": ("read an existing list and write a config.toml that works on it", _init_arguments),
    "label": ("label papers y/n for evaluate, resuming where it stopped", _label_arguments),
}


class RedactingFilter(logging.Filter):
    """Replace every known secret in log records, including --debug ones."""

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 4]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        return True


class LongLineFilter(logging.Filter):
    """Cut a log line past `limit` characters, saying how much was left out.

    With --debug, PyGithub logs whole request and response bodies: a big list travels
    base64-encoded, megabytes on one line. Added after the redactor, so a secret is
    replaced before any cut could leave a piece of it.
    """

    def __init__(self, limit: int = 2000) -> None:
        super().__init__()
        self.limit = limit

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if len(message) > self.limit:
            cut = len(message) - self.limit
            record.msg = f"{message[: self.limit]}... ({cut} more characters not shown)"
            record.args = None
        return True


def setup_logging(debug: bool, redactor: RedactingFilter) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redactor)
    handler.addFilter(LongLineFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    logging.getLogger("bot").setLevel(logging.DEBUG if debug else logging.INFO)
    for noisy in ("arxiv", "urllib3", "github"):
        logging.getLogger(noisy).setLevel(logging.NOTSET if debug else logging.WARNING)


def closed_stdout() -> int:
    """The reader of stdout went away (`... | head`): stop quietly, as SIGPIPE would.

    Python's documented recipe (signal module, "Note on SIGPIPE"): point stdout at
    devnull so the flush at interpreter exit cannot raise again. 141 = 128 + SIGPIPE,
    what a shell reports for a command that a closed pipe stopped.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141


def stop_on_signals() -> Callable[[], None]:
    """SIGTERM and SIGINT raise Stopped wherever the command is; returns the undo.

    Also what makes the bot stop as PID 1 in a container, where a signal without a
    handler is ignored. (`schedule` sets its own: it lets a run finish.)
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Stopped(signum)

    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    return restore


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    args = build_parser(command_named(words)).parse_args(words)
    restore_signals = stop_on_signals()
    try:
        return run_command_line(args)
    finally:
        restore_signals()


def run_command_line(args: argparse.Namespace) -> int:
    """Run the parsed command; turn its outcome into an exit code and at most one line."""
    try:
        load_dotenv_file(Path.cwd() / ".env")
    except BotError as exc:  # before the secrets are known: the message holds none
        return failed(args, f"error: {exc}", 1)
    redactor = RedactingFilter(secret_values())
    debug = bool(getattr(args, "debug", False))
    setup_logging(debug, redactor)
    try:
        env = read_environment()
        command = importlib.import_module(f"bot.commands.{args.command}")
        code: int = command.main(args, env)
        sys.stdout.flush()  # here, so that a closed pipe is seen inside this try
        return code
    except BrokenPipeError:
        return closed_stdout()
    except BotError as exc:
        return failed(args, f"error: {redactor.redact(str(exc))}", 1)
    except (KeyboardInterrupt, Stopped) as exc:
        stop = exc if isinstance(exc, Stopped) else Stopped(signal.SIGINT)
        return failed(args, f"error: {stop}; nothing half-written was left behind", stop.exit_code)
    except Exception as exc:  # a bug: say so, show the traceback only on request
        if debug:
            import traceback

            print(redactor.redact(traceback.format_exc()), file=sys.stderr)
        message = redactor.redact(f"{type(exc).__name__}: {exc}")
        return failed(args, f"internal error: {message} (rerun with --debug for details)", 2)


def failed(args: argparse.Namespace, line: str, code: int) -> int:
    """Say why the command failed in one line on stderr, and with --json, as the one JSON
    object on stdout too (`{"error": line, "exit_code": code}`): a script reading stdout
    gets an answer, not nothing. Returns `code`."""
    print(line, file=sys.stderr)
    if getattr(args, "json", False):
        with contextlib.suppress(OSError):  # a closed stdout: the stderr line stands
            print(json.dumps({"error": line, "exit_code": code}), flush=True)
    return code
