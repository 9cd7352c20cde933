import datetime as dt

import pytest

from conftest import local
from reports.periods import Period, Series, series_unit, step_of


def test_period_covers_whole_local_days():
    period = Period(dt.date(2025, 1, 31), dt.date(2025, 3, 1))
    assert period.starts_at == local(2025, 1, 31, 0, 0)
    assert period.ends_before == local(2025, 3, 2, 0, 0)
    assert period.days == 30


def test_step_starts_list_every_touched_month_in_order():
    period = Period(dt.date(2024, 11, 15), dt.date(2025, 2, 3))
    assert period.step_starts("month") == [
        dt.date(2024, 11, 1),
        dt.date(2024, 12, 1),
        dt.date(2025, 1, 1),
        dt.date(2025, 2, 1),
    ]


def test_weeks_start_on_monday_and_quarters_on_their_first_month():
    period = Period(dt.date(2025, 3, 5), dt.date(2025, 8, 20))  # a Wednesday to a Wednesday
    assert period.step_starts("week")[:2] == [dt.date(2025, 3, 3), dt.date(2025, 3, 10)]
    assert period.step_starts("quarter") == [dt.date(2025, 1, 1), dt.date(2025, 4, 1), dt.date(2025, 7, 1)]


def test_steps_are_clipped_to_the_period():
    steps = Period(dt.date(2025, 3, 5), dt.date(2025, 3, 20)).steps("week")
    assert [(step.start, step.end) for step in steps] == [
        (dt.date(2025, 3, 5), dt.date(2025, 3, 9)),
        (dt.date(2025, 3, 10), dt.date(2025, 3, 16)),
        (dt.date(2025, 3, 17), dt.date(2025, 3, 20)),
    ]


@pytest.mark.parametrize(
    ("days", "unit"),
    [
        (1, "day"),
        (7, "day"),
        (62, "day"),
        (63, "week"),
        (184, "week"),
        (185, "month"),
        (1096, "month"),
        (1097, "quarter"),
        (3653, "quarter"),
    ],
)
def test_a_series_steps_by_the_length_it_covers(days, unit):
    start = dt.date(2020, 1, 1)
    assert series_unit(Period(start, start + dt.timedelta(days=days - 1))) == unit


def test_a_series_starts_at_the_first_record_and_says_so():
    period = Period(dt.date(2020, 1, 1), dt.date(2024, 12, 31), today=dt.date(2026, 1, 1))
    series = Series.of(period, first=dt.date(2024, 3, 12))
    assert series.period == Period(dt.date(2024, 3, 12), dt.date(2024, 12, 31))
    assert series.unit == "month"  # ten months shown, not five years of quarters
    assert series.starts[0] == dt.date(2024, 3, 1)
    assert series.notes == ["No records before 12 March 2024, so the figures over time start there."]


@pytest.mark.parametrize("first", [None, dt.date(2019, 5, 1), dt.date(2020, 1, 1)])
def test_a_series_from_before_the_first_record_is_the_whole_period_without_a_note(first):
    period = Period(dt.date(2020, 1, 1), dt.date(2020, 1, 7), today=dt.date(2026, 1, 1))
    series = Series.of(period, first)
    assert (series.period, series.unit, series.notes) == (period, "day", [])


def test_a_first_record_within_the_first_step_changes_no_step():
    period = Period(dt.date(2021, 6, 1), dt.date(2026, 5, 31), today=dt.date(2027, 1, 1))  # by quarter
    assert Series.of(period, dt.date(2021, 6, 11)) == Series(period, "quarter")
    assert Series.of(period, dt.date(2021, 7, 1)).starts[0] == dt.date(2021, 7, 1)


def test_a_period_wholly_before_the_first_record_keeps_its_last_day():
    period = Period(dt.date(2020, 1, 1), dt.date(2020, 1, 31), today=dt.date(2026, 1, 1))
    series = Series.of(period, dt.date(2023, 1, 1))
    assert (series.period.start, series.period.end) == (dt.date(2020, 1, 31), dt.date(2020, 1, 31))
    assert series.notes == ["No records before 1 January 2023, so the figures over time start there."]


def test_fill_gives_every_step_its_counted_values_or_the_empty_ones():
    series = Series.of(Period(dt.date(2025, 1, 1), dt.date(2025, 1, 21)))
    assert series.unit == "day"
    filled = series.fill({dt.date(2025, 1, 2): 5}, 0)
    assert len(filled) == 21
    assert filled[:3] == [(dt.date(2025, 1, 1), 0), (dt.date(2025, 1, 2), 5), (dt.date(2025, 1, 3), 0)]


def test_step_of_uses_local_time():
    # 23:30 in Manila on 31 January is 15:30 UTC the same day; either way it is 31 January.
    late = local(2025, 1, 31, 23, 30)
    assert step_of(late.astimezone(dt.UTC)) == dt.date(2025, 1, 31)


@pytest.mark.parametrize(
    ("days", "unit"), [(7, "day"), (14, "day"), (60, "week"), (91, "week"), (365, "month"), (1095, "quarter")]
)
def test_a_series_for_a_small_chart_takes_the_finest_unit_with_few_enough_steps(days, unit):
    start = dt.date(2025, 1, 1)  # a Wednesday
    period = Period(start, start + dt.timedelta(days=days - 1), today=dt.date(2030, 1, 1))
    series = Series.of(period, most=14)
    assert series.unit == unit and len(series.starts) <= 14


def test_a_series_for_a_small_chart_of_five_years_steps_by_quarter():
    period = Period(dt.date(2020, 1, 1), dt.date(2024, 12, 31), today=dt.date(2030, 1, 1))
    assert Series.of(period, most=14).unit == "quarter"
