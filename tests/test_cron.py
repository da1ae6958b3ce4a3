"""Cron lines fire when standard cron would: against cronsim over years, and a fixed DST table."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import islice, pairwise
from zoneinfo import ZoneInfo

import pytest
from cronsim import CronSim

from bot.cron import counting_from, local_minute, parse_cron, zone_named
from bot.errors import ConfigError

ZONES = ("UTC", "US/Pacific", "Europe/Berlin", "Australia/Sydney", "America/Havana")
EXPRESSIONS = (
    "17 6 * * mon-fri",
    "23 6 * * 1-5",
    "0 6 * * 0-4",
    "0 6 * * */2",
    "0 6 1 * mon",
    "0 0 * * *",
    "30 2 * * *",
    "30 1 * * *",
    "0 0 13 * 5",
    "15 2 * * 0,7",
    "0 9-17/4 * jan,jul *",
    "*/20 * * * *",
    "0 * * * *",
    "5 4 29 2 *",
    "0 12 1-7 * 1",
)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_fire_times_equal_cronsims_over_years(expression: str, zone: str) -> None:
    """Four years (both DST changes in each), from a start just before each year's changes."""
    line = parse_cron(expression, zone)
    for year in (2022, 2023, 2024, 2025):
        for month in (3, 10):  # before the northern and southern changes
            start = datetime(year, month, 1, tzinfo=line.zone)
            ours = line.upcoming(start, 40)
            reference = list(islice(CronSim(expression, start), 40))
            assert ours == reference, (expression, zone, start)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("time_of_day", ["0 0", "30 1", "30 2", "0 3"])
def test_a_daily_line_fires_once_on_every_day_across_dst(time_of_day: str, zone: str) -> None:
    """Cron's promise, checked without cronsim: no day skipped, none doubled, in three years."""
    line = parse_cron(f"{time_of_day} * * *", zone)
    first = datetime(2022, 1, 1, tzinfo=line.zone)
    fires = line.upcoming(first, 3 * 365)
    days = [fire.date() for fire in fires]
    assert days == [
        date(2022, 1, 1) + timedelta(days=i + (time_of_day == "0 0")) for i in range(len(days))
    ]
    assert all(b.astimezone(UTC) > a.astimezone(UTC) for a, b in pairwise(fires))


# Expected times pinned by hand (the rule of the Decisions: a skipped time fires at the
# first valid minute after it, a repeated one once, at its first occurrence; a line with
# `*` in the minute or hour field runs by the clock).
DST_TABLE = [
    # Issue #19: Monday 2022-03-14 was skipped across the change.
    (
        "0 0 * * *",
        "US/Pacific",
        "2022-03-12T23:00",
        ["2022-03-13T00:00:00-08:00", "2022-03-14T00:00:00-07:00", "2022-03-15T00:00:00-07:00"],
    ),
    (
        "30 2 * * *",
        "US/Pacific",
        "2022-03-12T12:00",
        ["2022-03-13T03:00:00-07:00", "2022-03-14T02:30:00-07:00"],
    ),
    (
        "30 1 * * *",
        "US/Pacific",
        "2022-11-05T12:00",
        ["2022-11-06T01:30:00-07:00", "2022-11-07T01:30:00-08:00"],
    ),
    (
        "0 0 * * *",
        "US/Pacific",
        "2022-11-05T23:00",
        ["2022-11-06T00:00:00-07:00", "2022-11-07T00:00:00-08:00"],
    ),
    (
        "0 * * * *",
        "US/Pacific",
        "2022-11-06T00:30",
        ["2022-11-06T01:00:00-07:00", "2022-11-06T01:00:00-08:00", "2022-11-06T02:00:00-08:00"],
    ),
    (
        "*/30 * * * *",
        "US/Pacific",
        "2022-03-13T01:00",
        ["2022-03-13T01:30:00-08:00", "2022-03-13T03:00:00-07:00", "2022-03-13T03:30:00-07:00"],
    ),
    (
        "15 2 * * sun",
        "US/Pacific",
        "2024-03-09T00:00",
        ["2024-03-10T03:00:00-07:00", "2024-03-17T02:15:00-07:00"],
    ),
    (
        "30 2 * * *",
        "Europe/Berlin",
        "2023-03-25T12:00",
        ["2023-03-26T03:00:00+02:00", "2023-03-27T02:30:00+02:00"],
    ),
    (
        "30 2 * * *",
        "Europe/Berlin",
        "2023-10-28T12:00",
        ["2023-10-29T02:30:00+02:00", "2023-10-30T02:30:00+01:00"],
    ),
    (
        "30 2 * * *",
        "Australia/Sydney",
        "2023-09-30T12:00",
        ["2023-10-01T03:00:00+11:00", "2023-10-02T02:30:00+11:00"],
    ),
    (
        "30 2 * * *",
        "Australia/Sydney",
        "2023-04-01T12:00",
        ["2023-04-02T02:30:00+11:00", "2023-04-03T02:30:00+10:00"],
    ),
    # Cuba moves its clocks at midnight: midnight itself does not exist that day.
    (
        "0 0 * * *",
        "America/Havana",
        "2023-03-11T12:00",
        ["2023-03-12T01:00:00-04:00", "2023-03-13T00:00:00-04:00"],
    ),
]


@pytest.mark.parametrize(("expression", "zone", "start", "expected"), DST_TABLE)
def test_dst_table(expression: str, zone: str, start: str, expected: list[str]) -> None:
    line = parse_cron(expression, zone)
    fires = line.upcoming(local_minute(start, line.zone), len(expected))
    assert [fire.isoformat() for fire in fires] == expected


def weekdays(expression: str, count: int = 7) -> list[str]:
    line = parse_cron(expression, "UTC")
    start = datetime(2026, 11, 1, tzinfo=UTC)  # a Sunday
    return [fire.strftime("%a %d") for fire in line.upcoming(start - timedelta(minutes=1), count)]


def test_weekday_numbers_count_from_sunday() -> None:
    # Issue #19: `0-4` was read as sun-thu by name and refused by APScheduler.
    assert weekdays("0 6 * * 0-4", 5) == ["Sun 01", "Mon 02", "Tue 03", "Wed 04", "Thu 05"]
    # Issue #19: `*/2` fired Sunday, Monday, Wednesday, Friday.
    assert weekdays("0 6 * * */2", 4) == ["Sun 01", "Tue 03", "Thu 05", "Sat 07"]
    assert weekdays("0 6 * * 7", 2) == ["Sun 01", "Sun 08"]
    assert weekdays("0 6 * * 1-5", 5) == weekdays("0 6 * * mon-fri", 5)


def test_both_day_fields_restricted_means_either() -> None:
    # Issue #19: `0 6 1 * mon` fired only on Mondays that fall on the 1st.
    assert weekdays("0 6 1 * mon", 7) == [
        *("Sun 01", "Mon 02", "Mon 09", "Mon 16", "Mon 23", "Mon 30"),
        "Tue 01",  # December the 1st
    ]
    assert weekdays("0 6 * * mon", 2) == ["Mon 02", "Mon 09"]  # `*` day of month: Mondays only


@pytest.mark.parametrize(
    ("alias", "fields"),
    [
        ("@daily", "0 0 * * *"),
        ("@midnight", "0 0 * * *"),
        ("@hourly", "0 * * * *"),
        ("@weekly", "0 0 * * 0"),
        ("@monthly", "0 0 1 * *"),
        ("@yearly", "0 0 1 1 *"),
        ("@ANNUALLY", "0 0 1 1 *"),
    ],
)
def test_aliases(alias: str, fields: str) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_cron(alias, "UTC").upcoming(start, 3) == parse_cron(fields, "UTC").upcoming(
        start, 3
    )


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ("0 0 * * * *", "seconds field"),
        ("* * *", "needs 5 fields"),
        ("0 0 L * *", "Quartz"),
        ("0 0 LW * *", "Quartz"),
        ("0 0 15W * *", "Quartz"),
        ("0 0 * * 5L", "Quartz"),
        ("0 0 * * 1#2", "Quartz"),
        ("0 0 ? * mon", "Quartz"),
        ("5-1 * * * *", "runs backwards"),
        ("0 0 * * fri-mon", "runs backwards"),
        ("61 * * * *", "out of range"),
        ("0 24 * * *", "out of range"),
        ("0 0 * * 8", "out of range"),
        ("0 0 0 * *", "out of range"),
        ("0 0 30 2 *", "never comes"),
        ("5/10 * * * *", "write 5-59/10"),
        ("*/0 * * * *", "out of range"),
        ("0 0 * * monday", "not standard cron"),
        ("0 0 * foo *", "out of range"),
        ("@reboot", "unknown alias"),
        ("", "needs 5 fields"),
    ],
)
def test_outside_the_dialect_is_refused_in_one_line(expression: str, why: str) -> None:
    with pytest.raises(ConfigError, match=r"^schedule\.cron .* is refused: ") as raised:
        parse_cron(expression, "UTC")
    assert why in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize("name", ["Mars/Olympus", "Europe", "Etc", "x" * 5000])
def test_an_unknown_time_zone_is_refused(name: str) -> None:
    # "Europe" is a folder of the database and 5,000 characters no file name: both were
    # an internal error (exit 2) instead of this line.
    with pytest.raises(ConfigError, match=r"schedule\.timezone '.*' is not a known time zone"):
        parse_cron("0 0 * * *", name)


def test_from_inside_a_skipped_hour_shows_the_fire_moved_to_its_end() -> None:
    # cronsim's rule: 02:30 on the day it does not exist fires at 03:00. From 02:00 or
    # 02:15 that day, --next showed the next day first.
    line = parse_cron("30 2 * * *", "US/Pacific")
    for start in ("2022-03-13T02:00", "2022-03-13T02:15", "2022-03-13T01:59"):
        fires = line.upcoming(counting_from(start, line.zone), 2)
        assert [f.isoformat() for f in fires] == [
            "2022-03-13T03:00:00-07:00",
            "2022-03-14T02:30:00-07:00",
        ], start
    expected = CronSim("30 2 * * *", datetime(2022, 3, 13, 1, 59, tzinfo=line.zone))
    assert next(expected).isoformat() == "2022-03-13T03:00:00-07:00"  # the reference agrees
    after = counting_from("2022-03-13T03:00", line.zone)  # a valid time: strictly after
    assert line.next_after(after).isoformat() == "2022-03-14T02:30:00-07:00"


def test_only_spaces_and_tabs_separate_fields() -> None:
    assert parse_cron("0\t6 * * mon", "UTC").fields == "0 6 * * mon"
    with pytest.raises(ConfigError, match=r"U\+00A0 between fields"):
        parse_cron("0 6\u00a0* * mon", "UTC")  # pasted from a web page


def test_the_calendar_ends_in_9999_without_an_error() -> None:
    line = parse_cron("0 0 29 2 *", "UTC")
    fires = line.upcoming(datetime(9990, 1, 1, tzinfo=UTC), 10)
    assert [f.year for f in fires] == [9992, 9996]  # fewer than asked: no later leap day


def test_from_times_that_do_not_exist_or_repeat() -> None:
    pacific = zone_named("US/Pacific")
    assert local_minute("2022-03-13T02:30", pacific).isoformat() == "2022-03-13T03:00:00-07:00"
    assert local_minute("2022-11-06T01:30", pacific).isoformat() == "2022-11-06T01:30:00-07:00"
    assert (
        local_minute("2022-06-01T09:15", ZoneInfo("UTC")).isoformat() == "2022-06-01T09:15:00+00:00"
    )
    with pytest.raises(ValueError):
        local_minute("2022-06-01 09:15", pacific)


def test_a_repeated_hour_never_fires_twice_when_started_inside_it() -> None:
    line = parse_cron("30 1 * * *", "US/Pacific")
    second_pass = datetime(2022, 11, 6, 1, 10, tzinfo=line.zone, fold=1)  # 01:10 PST
    assert line.next_after(second_pass).isoformat() == "2022-11-07T01:30:00-08:00"
