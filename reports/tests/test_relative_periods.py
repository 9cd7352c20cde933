"""Relative periods resolve to the same dates whenever a run starts, at every edge of the calendar."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports import relative_periods
from reports.periods import local_zone
from reports.relative_periods import NAMED, date_range_text, resolve

MANILA = ZoneInfo("Asia/Manila")
NEW_YORK = ZoneInfo("America/New_York")


def at(year, month, day, hour=12, minute=0, zone=MANILA):
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


def dates(name, moment):
    period = resolve(name, moment).period
    return period.start, period.end


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        ("today", dt.date(2026, 12, 3), dt.date(2026, 12, 3)),
        ("yesterday", dt.date(2026, 12, 2), dt.date(2026, 12, 2)),
        ("this_week", dt.date(2026, 11, 30), dt.date(2026, 12, 3)),  # 3 December 2026 is a Thursday
        ("previous_week", dt.date(2026, 11, 23), dt.date(2026, 11, 29)),
        ("last_7_days", dt.date(2026, 11, 27), dt.date(2026, 12, 3)),
        ("last_30_days", dt.date(2026, 11, 4), dt.date(2026, 12, 3)),
        ("this_month", dt.date(2026, 12, 1), dt.date(2026, 12, 3)),
        ("previous_month", dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
        ("this_quarter", dt.date(2026, 10, 1), dt.date(2026, 12, 3)),
        ("previous_quarter", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ("this_year", dt.date(2026, 1, 1), dt.date(2026, 12, 3)),
        ("previous_year", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        ("last_90_days", dt.date(2026, 9, 5), dt.date(2026, 12, 3)),
        ("last_3_complete_months", dt.date(2026, 9, 1), dt.date(2026, 11, 30)),
    ],
)
def test_every_named_period_on_an_ordinary_day(name, start, end):
    assert dates(name, at(2026, 12, 3)) == (start, end)


def test_last_7_days_and_previous_week_differ_and_say_so():
    moment = at(2026, 12, 3)
    assert dates("last_7_days", moment) != dates("previous_week", moment)
    assert resolve("last_7_days", moment).label == "Last 7 days (today and the 6 before)"
    assert resolve("previous_week", moment).label == "Previous week (Monday to Sunday)"


@pytest.mark.parametrize(
    ("name", "moment", "start", "end"),
    [
        ("previous_month", at(2024, 3, 31), dt.date(2024, 2, 1), dt.date(2024, 2, 29)),  # a leap February
        ("previous_month", at(2025, 3, 31), dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
        ("previous_month", at(2027, 1, 1), dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
        ("previous_quarter", at(2027, 1, 15), dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("previous_week", at(2027, 1, 1), dt.date(2026, 12, 21), dt.date(2026, 12, 27)),  # across the new year
        ("this_week", at(2027, 1, 1), dt.date(2026, 12, 28), dt.date(2027, 1, 1)),
        ("previous_year", at(2024, 2, 29), dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
        ("last_30_days", at(2024, 3, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)),  # 29 February counts
        ("last_2_complete_months", at(2024, 3, 1), dt.date(2024, 1, 1), dt.date(2024, 2, 29)),
        ("last_13_complete_months", at(2026, 1, 31), dt.date(2024, 12, 1), dt.date(2025, 12, 31)),
    ],
)
def test_month_ends_leap_days_and_year_boundaries(name, moment, start, end):
    assert dates(name, moment) == (start, end)


def test_the_first_and_last_minute_of_a_local_day_belong_to_it():
    last_minute = at(2026, 10, 31, 23, 59).astimezone(dt.UTC)  # 15:59 UTC
    first_minute = at(2026, 11, 1, 0, 0).astimezone(dt.UTC)  # 16:00 UTC, still 31 October in UTC
    assert dates("this_month", last_minute) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert dates("this_month", first_minute) == (dt.date(2026, 11, 1), dt.date(2026, 11, 1))
    assert dates("previous_month", first_minute) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


@pytest.mark.parametrize(
    ("moment", "today"),
    [
        (dt.datetime(2026, 3, 8, 4, 59, tzinfo=dt.UTC), dt.date(2026, 3, 7)),  # 23:59 EST, clocks go forward at 2:00
        (dt.datetime(2026, 3, 8, 5, 0, tzinfo=dt.UTC), dt.date(2026, 3, 8)),  # 00:00 EST on the day of the change
        (dt.datetime(2026, 3, 9, 3, 59, tzinfo=dt.UTC), dt.date(2026, 3, 8)),  # 23:59 EDT
        (dt.datetime(2026, 11, 1, 3, 59, tzinfo=dt.UTC), dt.date(2026, 10, 31)),  # 23:59 EDT, clocks go back
        (dt.datetime(2026, 11, 2, 4, 59, tzinfo=dt.UTC), dt.date(2026, 11, 1)),  # 23:59 EST, a 25-hour day
    ],
)
def test_a_zone_with_daylight_saving_time(settings, moment, today):
    settings.TIME_ZONE = "America/New_York"
    assert dates("today", moment) == (today, today)
    resolved = resolve("yesterday", moment)
    assert (resolved.period.start, resolved.period.today) == (today - dt.timedelta(days=1), today)


def test_a_run_that_starts_late_covers_the_dates_of_its_reference_moment():
    scheduled = at(2026, 11, 30, 23, 0)
    late = scheduled + dt.timedelta(hours=5)  # 1 December: another month if resolved at run time
    assert dates("this_month", scheduled) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert dates("this_month", late) != dates("this_month", scheduled)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("previous_month", "Previous month: 1–31 October 2026"),
        ("previous_week", "Previous week (Monday to Sunday): 26 October – 1 November 2026"),  # 2 November is a Monday
        ("last_7_days", "Last 7 days (today and the 6 before): 27 October – 2 November 2026"),
        ("previous_year", "Previous year: 1 January – 31 December 2025"),
        ("last_30_days", "Last 30 days (today and the 29 before): 4 October – 2 November 2026"),
        ("today", "Today: 2 November 2026"),
    ],
)
def test_a_resolved_period_shows_its_name_and_its_dates(name, text):
    assert str(resolve(name, at(2026, 11, 2))) == text


def test_date_ranges_across_years():
    assert date_range_text(dt.date(2025, 12, 29), dt.date(2026, 1, 4)) == "29 December 2025 – 4 January 2026"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("last_month", "No relative period 'last_month'"),
        ("last_0_days", "No relative period 'last_0_days'"),
        ("last_3661_days", "At most the last 3660 days."),
        ("last_121_complete_months", "At most the last 120 complete months."),
        ("", "No relative period ''"),
    ],
)
def test_an_unknown_period_is_refused_with_its_reason(name, reason):
    with pytest.raises(ValueError, match=reason):
        resolve(name, at(2026, 12, 3))


NAMES = st.sampled_from([*NAMED, "last_1_days", "last_45_days", "last_1_complete_months", "last_14_complete_months"])
MOMENTS = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31), timezones=st.just(dt.UTC)
)


@given(name=NAMES, moment=MOMENTS)
def test_every_period_is_whole_days_ending_by_today(name, moment):
    resolved = resolve(name, moment)
    today = relative_periods.local_day(moment)
    period = resolved.period
    assert period.start <= period.end <= today and period.today == today
    if name.startswith(("this_", "last_")) and "complete" not in name:
        assert period.end == today and period.is_open
    if name.startswith("previous_"):
        this = resolve(name.replace("previous_", "this_"), moment).period
        assert period.end == this.start - dt.timedelta(days=1)
        # Any moment of the current unit sees the same previous one.
        assert resolve(name, dt.datetime.combine(this.start, dt.time(12), tzinfo=local_zone())) == resolved
