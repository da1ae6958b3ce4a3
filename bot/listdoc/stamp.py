"""The "Last Updated" stamp: find it, tell its style, rewrite it in that style.

A stamp is either the first line below a heading named `target.last_updated_heading`
("## Last Updated" then "July 31, 2025 at 01:19:00 AM UTC"), or a line that starts
with that label ("Last Updated 27 August, 2025", "**Last updated:** *Jul 31, 2025*").
Emphasis and the label around the date are kept; only the date is rewritten, in the
format it was written in. Formats are the standard library's strptime/strftime ones.
"""

from __future__ import annotations

import re
from datetime import datetime
from itertools import combinations, product

from bot.errors import ListFormatError
from bot.listdoc.lines import heading_name_and_count, heading_of

_DAYS = (
    "%B %d, %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d %B, %Y",
    "%d %b, %Y",
    "%A, %B %d, %Y",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
)
_TIMES = (
    "",
    " at %I:%M:%S %p",
    " at %I:%M %p",
    " %I:%M:%S %p",
    " %I:%M %p",
    " %H:%M:%S",
    " %H:%M",
    " at %H:%M",
    "T%H:%M:%SZ",
    "T%H:%M:%S",
)
_ZONES = ("", " UTC", " (UTC)", " GMT")
STAMP_FORMATS = tuple(
    d + t + z for d, t, z in product(_DAYS, _TIMES, _ZONES) if "T%" not in t or not z
)
_AROUND = " \t*_`>"
_NUMERIC = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-]\d{4}\b")
_SWAPPED = {"%d/%m/%Y": "%m/%d/%Y", "%d.%m.%Y": "%m.%d.%Y", "%d-%m-%Y": "%m-%d-%Y"}
_SWAPPED |= {v: k for k, v in _SWAPPED.items()}


def detect_stamp_format(text: str, context: str = "") -> str | None:
    """The strftime format that reads the date `text`, or None.

    A numeric date that reads both ways ("05/07/2025") is read in the order the other
    numeric dates in `context` (the list) use; with nothing to decide, it raises
    ListFormatError asking for target.stamp_format.
    """
    text = text.strip(_AROUND)
    # strptime compiles each format anew (it caches five): only the formats whose
    # features the text has are tried, one to three instead of all of them.
    found = [fmt for fmt in _formats_shaped(_features(text)) if _reads(text, fmt)]
    if not found:
        return None
    fmt = found[0]
    days = fmt.split(" ")[0].split("T")[0]
    other = fmt.replace(days, _SWAPPED[days], 1) if days in _SWAPPED else ""
    if other and other in found:
        order = numeric_order(context)
        if order is None:
            raise ListFormatError(
                f"the stamp date {text!r} reads as day/month or month/day and the list's "
                f'other dates do not tell which: set target.stamp_format (e.g. "{fmt}")'
            )
        fmt = fmt if order == days.split(days[2])[0] else other
    return _as_written(text, fmt)


# strptime reads "1" for %d, but strftime writes "01": a stamp written without the
# zero ("June 1, 2026") keeps it off, marked as glibc marks it ("%-d"), which
# render_stamp writes on every platform.
_UNPADDED = ("%d", "%m", "%I", "%H")


def _as_written(text: str, fmt: str) -> str:
    """`fmt`, with "%-d" (and %-m, %-I, %-H) where `text` writes that number unpadded."""
    when = datetime.strptime(text, fmt)
    if when.day >= 10 and ("%B" in fmt or "%b" in fmt):
        # "July 31, 2025" does not show whether a day is padded: beside a month's name,
        # English writes "December 5", so that is how the next stamp reads.
        fmt = fmt.replace("%d", "%-d")
    present = [d for d in _UNPADDED if d in fmt]
    for size in range(len(present) + 1):
        for chosen in combinations(present, size):
            variant = fmt
            for directive in chosen:
                variant = variant.replace(directive, "%-" + directive[1])
            if render_stamp(variant, when) == text:
                if chosen:  # a date written "7/31/2025" writes "12/5/2026" too
                    for directive in ("%d", "%m"):
                        variant = variant.replace(directive, "%-" + directive[1])
                return variant
    return fmt


def render_stamp(fmt: str, when: datetime) -> str:
    """`when` in the strftime format `fmt`, which may write %-d, %-m, %-I and %-H unpadded."""
    for letter, value in (
        ("d", when.day),
        ("m", when.month),
        ("I", (when.hour - 1) % 12 + 1),
        ("H", when.hour),
    ):
        fmt = fmt.replace("%-" + letter, str(value))
    return when.strftime(fmt)


def _features(text: str) -> tuple[object, ...]:
    """What a stamp or a format shows: the time's colons, AM/PM, the zone, an ISO "T",
    month or day names, the date's first separator ("-", "/", "."), "at", a leading
    digit, and its commas (a weekday name adds one)."""
    zone = next((z for z in ("(UTC)", "UTC", "GMT", "Z") if text.endswith(z)), "")
    words = re.sub(r"%[a-zA-Z]|\b(?:at|AM|PM|am|pm|UTC|GMT)\b|(?<=\d)T(?=\d)|Z$", "", text)
    return (
        text.count(":"),
        re.search(r"\b[AP]M\b|%p", text, re.I) is not None,
        zone,
        re.search(r"(?:\d|%[dY])T(?:\d|%H)", text) is not None,
        re.search(r"%[bBA]", text) is not None or re.search(r"[A-Za-z]{3}", words) is not None,
        next((c for c in text if c in "-/."), ""),
        " at " in text,
        text[:1].isdigit() or text[:2] in ("%d", "%Y", "%m"),
        text.count(","),
    )


def _formats_shaped(shape: tuple[object, ...]) -> list[str]:
    """The STAMP_FORMATS whose _features are `shape`, in their order.

    Read off the parts of each format (its date, time and zone) rather than computed
    for all 544 formats: that table took a tenth of the list side's start-up.
    tests/test_listdoc.py checks both give the same formats for every shape.
    """
    colons, ampm, zone, iso, names, separator, at, digit, commas = shape
    days = [
        d
        for d in _DAYS
        if (re.search(r"%[bBA]", d) is not None, next((c for c in d if c in "-/."), ""))
        == (names, separator)
        and (d[:2] in ("%d", "%Y", "%m")) == digit
    ]
    times = [t for t in _TIMES if (t.count(":"), "%p" in t, " at " in t) == (colons, ampm, at)]
    return [
        d + t + z
        for d in days
        for t in times
        for z in _ZONES
        if ("T%" not in t or not z)
        and (z.strip() or ("Z" if t.endswith("Z") else "")) == zone
        and (t.startswith("T%H") and d.endswith(("%d", "%Y"))) == iso
        and (d + t + z).count(",") == commas
    ]


def numeric_order(text: str) -> str | None:
    """ "%d" when the text's numeric dates put the day first, "%m" for month first, or None."""
    day_first = month_first = False
    for first, second in _NUMERIC.findall(text):
        day_first |= int(first) > 12
        month_first |= int(second) > 12
    if day_first != month_first:
        return "%d" if day_first else "%m"
    return None


def _reads(text: str, fmt: str) -> bool:
    try:
        datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True


def refresh_stamp(lines: list[str], label: str, stamp_format: str, now: datetime) -> None:
    """Rewrite the stamp's date in its own format (in place), keeping what is around it.

    Raises ListFormatError when there is no stamp, or its format cannot be told.
    """
    index, start = find_stamp(lines, label)
    line = lines[index]
    body = line.rstrip("\r\n")
    end = len(body.rstrip(_AROUND))
    date_text = body[start:end]
    fmt = stamp_format or detect_stamp_format(date_text, "".join(lines))
    if fmt is None:
        raise ListFormatError(
            f"cannot tell the format of the stamp on line {index + 1} "
            f"({date_text.strip()[:40]!r}); set target.stamp_format (a strftime format)"
        )
    lines[index] = body[:start] + render_stamp(fmt, now) + body[end:] + line[len(body) :]


_LABEL_END = re.compile(r"[\s:*_\-\u2013\u2014]*(?:on\s+)?[\s*_]*", re.I)


def find_stamp(lines: list[str], label: str) -> tuple[int, int]:
    """(line index, offset where the date starts) of the stamp labelled `label`."""
    wanted = label.strip().casefold()
    for index, line in enumerate(lines):
        heading = heading_of(line)
        if not heading or heading_name_and_count(heading[1])[0].strip().casefold() != wanted:
            continue
        stamp = next((i for i in range(index + 1, len(lines)) if lines[i].strip()), None)
        if stamp is None or heading_of(lines[stamp]):
            raise ListFormatError(f"heading '## {label}' has no timestamp line below it")
        text = lines[stamp]
        return stamp, len(text) - len(text.lstrip(_AROUND))
    for index, line in enumerate(lines):
        text = line.lstrip("#").lstrip(_AROUND)
        if text[: len(wanted)].casefold() != wanted:
            continue
        after_label = _LABEL_END.match(line, len(line) - len(text) + len(wanted))
        start = after_label.end() if after_label else len(line)
        if line[start:].strip(_AROUND + "\r\n"):
            return index, start
    raise ListFormatError(
        f"list has no '## {label}' heading and no line starting with '{label}' "
        '(target.last_updated_heading; set it to "" to keep no stamp)'
    )
