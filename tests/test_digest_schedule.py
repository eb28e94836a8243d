"""Digest schedules: local wall-clock times across daylight-saving changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.services.digests import DigestError, next_run, parse_time, parse_weekday, parse_zone

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC


def runs(
    frequency: str, weekday: int | None, at: str, zone: ZoneInfo, start: dt.datetime, n: int
) -> list[dt.datetime]:
    out, t = [], start
    for _ in range(n):
        t = next_run(frequency, weekday, parse_time(at), zone, t)
        out.append(t)
    return out


def test_daily_nine_am_berlin_across_both_changes_of_2026() -> None:
    # Summer time starts on 2026-03-29 (+1 -> +2) and ends on 2026-10-25 (+2 -> +1).
    spring = runs("daily", None, "09:00", BERLIN, dt.datetime(2026, 3, 27, 12, tzinfo=UTC), 4)
    assert [r.astimezone(BERLIN).strftime("%m-%d %H:%M") for r in spring] == [
        "03-28 09:00",
        "03-29 09:00",
        "03-30 09:00",
        "03-31 09:00",
    ]
    assert [r.strftime("%H:%M") for r in spring] == ["08:00", "07:00", "07:00", "07:00"]
    autumn = runs("daily", None, "09:00", BERLIN, dt.datetime(2026, 10, 24, 12, tzinfo=UTC), 3)
    assert [r.astimezone(BERLIN).strftime("%m-%d %H:%M") for r in autumn] == [
        "10-25 09:00",
        "10-26 09:00",
        "10-27 09:00",
    ]
    assert [r.strftime("%H:%M") for r in autumn] == ["08:00", "08:00", "08:00"]
    assert len(set(spring + autumn)) == 7  # once a day, never twice


def test_weekly_on_a_weekday() -> None:
    mondays = runs("weekly", 0, "18:30", NEW_YORK, dt.datetime(2026, 3, 1, tzinfo=UTC), 3)
    assert [r.astimezone(NEW_YORK).strftime("%a %m-%d %H:%M") for r in mondays] == [
        "Mon 03-02 18:30",
        "Mon 03-09 18:30",
        "Mon 03-16 18:30",
    ]  # US change: 03-08
    assert mondays[0].hour == 23 and mondays[1].hour == 22


def test_times_that_do_not_exist_or_happen_twice() -> None:
    # 02:30 does not exist in Berlin on 2026-03-29: the run is at the first instant after.
    gap = next_run("daily", None, dt.time(2, 30), BERLIN, dt.datetime(2026, 3, 28, 12, tzinfo=UTC))
    assert gap == dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert gap.astimezone(BERLIN).strftime("%H:%M") == "03:30"
    # 02:30 happens twice on 2026-10-25: the first one, once.
    twice = next_run(
        "daily", None, dt.time(2, 30), BERLIN, dt.datetime(2026, 10, 24, 12, tzinfo=UTC)
    )
    assert twice == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    after = next_run("daily", None, dt.time(2, 30), BERLIN, twice)
    assert after.date() == dt.date(2026, 10, 26)


def test_strictly_after() -> None:
    at = dt.datetime(2026, 5, 1, 7, 0, tzinfo=UTC)  # exactly 09:00 Berlin
    assert next_run("daily", None, dt.time(9), BERLIN, at) == at + dt.timedelta(days=1)
    assert next_run("daily", None, dt.time(9), BERLIN, at - dt.timedelta(seconds=1)) == at


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: parse_time("25:00"), "not a time of day"),
        (lambda: parse_time("9am"), "use HH:MM"),
        (lambda: parse_zone("Mars/Olympus"), "not an IANA time zone"),
        (lambda: parse_weekday("someday"), "not a weekday"),
    ],
)
def test_bad_schedule_parts_say_what_to_use(call, message) -> None:
    with pytest.raises(DigestError, match=message):
        call()
    assert parse_time(" 7:05 ") == dt.time(7, 5) and parse_weekday("Wed") == 2
