"""Cron lines: parse `schedule.cron` in the dialect we promise, and compute its fire times.

The times are cronsim's (the cron library of healthchecks.io, which follows Debian
cron): weekday numbers count from Sunday = 0 (7 is Sunday too); when both the day of
month and the day of week are restricted (neither starts with `*`), a day matching
either fires; a time of day inside a skipped daylight-saving hour fires at the first
valid minute after it, and a repeated hour fires once, at its first occurrence (a line
with `*` in its minute or hour field runs by the clock, as cron does).

Dialect (refused otherwise, with one line naming `schedule.cron`): five fields; numbers
and three-letter names (months, weekdays); `*`, ranges `a-b`, steps `*/n` and `a-b/n`,
lists `a,b`; the aliases `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`,
`@midnight`, `@hourly`. Not: a seconds field, Quartz's `L`, `W`, `#` and `?`,
descending ranges (`5-1`), `a/n` (cron implementations disagree on it).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError
from msgspec import Struct

from bot.errors import ConfigError

ALIASES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
FIELDS = ("minute", "hour", "day of month", "month", "day of week")
_LAST = {"minute": 59, "hour": 23, "day of month": 31, "month": 12, "day of week": 7}
_VALUE = r"(?:\d+|[a-z]{3})"
# One list item: `*`, `*/n`, `a`, `a-b` or `a-b/n`.
_TERM = re.compile(rf"\*(?:/\d+)?|{_VALUE}(?:-{_VALUE}(?:/\d+)?)?", re.IGNORECASE)


def zone_named(name: str) -> ZoneInfo:
    """The IANA time zone `name`; ConfigError names `schedule.timezone`."""
    try:
        return ZoneInfo(name)
    # OSError: a folder of the database ("Europe"), a name too long for a file name.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(
            f"schedule.timezone {name!r} is not a known time zone (e.g. UTC, Europe/Berlin)"
        ) from None


class CronLine(Struct, frozen=True):
    """A checked cron line in a time zone; `fields` are the five fields after aliases."""

    text: str
    fields: str
    zone: ZoneInfo

    def times_after(self, moment: datetime) -> Iterator[datetime]:
        """Fire times strictly after `moment` (aware), ascending, in `zone`.

        cronsim steps a fixed time of day on the wall clock, which loses the fold of a
        repeated hour: a time not after `moment` is skipped, so nothing fires twice.
        (Compared in UTC: Python compares two times of one zone by their wall clocks.)
        """
        after = moment.astimezone(UTC)
        fires = CronSim(self.fields, moment.astimezone(self.zone))
        while True:
            try:
                fire = next(fires)
            except OverflowError:  # past 9999-12-31: no later date exists
                return
            if fire.astimezone(UTC) > after:
                yield fire

    def next_after(self, moment: datetime) -> datetime:
        """The first fire time strictly after `moment`."""
        return next(self.times_after(moment))

    def upcoming(self, moment: datetime, count: int) -> list[datetime]:
        """The next `count` fire times strictly after `moment` (fewer when the calendar
        ends first, in 9999)."""
        return list(itertools.islice(self.times_after(moment), count))


def parse_cron(text: str, timezone: str) -> CronLine:
    """Check `text` against the dialect above; ConfigError (one line) names what is wrong."""
    zone = zone_named(timezone)
    odd = next((c for c in text.strip() if c.isspace() and c not in " \t"), None)
    if odd is not None:  # cron separates fields with spaces and tabs only
        raise _refused(text, f"U+{ord(odd):04X} between fields (use spaces)")
    fields = ALIASES.get(text.strip().lower(), text)
    parts = fields.split()
    if text.strip().startswith("@") and text.strip().lower() not in ALIASES:
        raise _refused(text, f"unknown alias (use one of {', '.join(ALIASES)})")
    if len(parts) != 5:
        seconds = " (a seconds field is not supported)" if len(parts) == 6 else ""
        raise _refused(text, f"needs 5 fields (minute hour day month weekday){seconds}")
    for name, part in zip(FIELDS, parts, strict=True):
        for term in part.split(","):
            if not _TERM.fullmatch(term):
                raise _refused(
                    text, f"{name} field: {term!r} is not standard cron{_hint(term, name)}"
                )
    line = CronLine(text, " ".join(parts), zone)
    try:
        line.next_after(datetime(2000, 1, 1, tzinfo=zone))
    except StopIteration:
        raise _refused(text, "it never fires") from None
    except CronSimError as exc:  # a value out of range, or a range that runs backwards
        why = "a value out of range, a range that runs backwards, or a day that never comes"
        raise _refused(text, f"{exc}: {why}") from None
    return line


def _hint(term: str, field: str) -> str:
    if re.search(r"[LW#?]", term, re.IGNORECASE):
        return " (Quartz's L, W, # and ? are not supported)"
    if re.fullmatch(rf"{_VALUE}/\d+", term, re.IGNORECASE):
        first, step = term.split("/")
        return f" (write {first}-{_LAST[field]}/{step})"
    return ""


def _refused(text: str, why: str) -> ConfigError:
    return ConfigError(f"schedule.cron {text!r} is refused: {why}")


def local_minute(value: str, zone: ZoneInfo) -> datetime:
    """`YYYY-MM-DDTHH:MM` as a local time in `zone`.

    A time inside a skipped hour moves to the first valid minute after it; a time in a
    repeated hour means its first occurrence. ValueError for another format.
    """
    return _valid_minute(datetime.strptime(value, "%Y-%m-%dT%H:%M"), zone)


def counting_from(value: str, zone: ZoneInfo) -> datetime:
    """The instant `--from value` counts fire times strictly after (local_minute's rules).

    From inside a skipped hour, a line due in it fires at the hour's end (cronsim's rule),
    which is where local_minute moved the time: counted from just before, it is shown.
    """
    naive = datetime.strptime(value, "%Y-%m-%dT%H:%M")
    moment = _valid_minute(naive, zone)
    if moment.replace(tzinfo=None) == naive:
        return moment
    return (moment.astimezone(UTC) - timedelta(microseconds=1)).astimezone(zone)


def _valid_minute(naive: datetime, zone: ZoneInfo) -> datetime:
    moment = naive.replace(tzinfo=zone, fold=0)
    while _imaginary(moment):
        naive += timedelta(minutes=1)
        moment = naive.replace(tzinfo=zone, fold=0)
    return moment


def _imaginary(moment: datetime) -> bool:
    """True for a wall time that the zone skips (it does not survive a round trip)."""
    return moment.astimezone(UTC).astimezone(moment.tzinfo).replace(tzinfo=None) != (
        moment.replace(tzinfo=None)
    )
