"""The "Last Updated" stamp: find it, tell its style, rewrite it in that style."""

from __future__ import annotations

from datetime import datetime

from bot.errors import ListFormatError
from bot.listdoc.lines import heading_name_and_count, heading_of

STAMP_FORMATS = (
    "%B %d, %Y at %I:%M:%S %p UTC",
    "%B %d, %Y at %I:%M %p UTC",
    "%Y-%m-%d %H:%M:%S UTC",
    "%Y-%m-%d %H:%M UTC",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%d",
    "%B %d, %Y",
    "%d %B %Y",
)
DEFAULT_STAMP_FORMAT = STAMP_FORMATS[0]


def detect_stamp_format(line: str) -> str | None:
    """The strftime format that reads the stamp line, or None."""
    text = line.strip()
    for fmt in STAMP_FORMATS:
        try:
            datetime.strptime(text, fmt)
        except ValueError:
            continue
        return fmt
    return None


def refresh_stamp(lines: list[str], heading: str, stamp_format: str, now: datetime) -> None:
    """Rewrite the line after the `heading` heading in its own format (in place).

    Raises ListFormatError when the heading, its stamp line or the stamp's format is missing.
    """
    wanted = heading.strip().casefold()
    for index, line in enumerate(lines):
        found = heading_of(line)
        if not found or heading_name_and_count(found[1])[0].strip().casefold() != wanted:
            continue
        stamp = next((i for i in range(index + 1, len(lines)) if lines[i].strip()), None)
        if stamp is None or heading_of(lines[stamp]):
            raise ListFormatError(f"heading '## {heading}' has no timestamp line below it")
        fmt = stamp_format or detect_stamp_format(lines[stamp])
        if fmt is None:
            raise ListFormatError(
                f"cannot tell the format of the stamp on line {stamp + 1} "
                f"({lines[stamp].strip()[:40]!r}); set target.stamp_format"
            )
        body = lines[stamp].rstrip("\r\n")
        ending = lines[stamp][len(body) :]
        indent = body[: len(body) - len(body.lstrip())]
        lines[stamp] = indent + now.strftime(fmt) + ending
        return
    raise ListFormatError(
        f"list has no '## {heading}' heading "
        '(target.last_updated_heading; set it to "" to keep no stamp)'
    )
