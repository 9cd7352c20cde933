import datetime as dt

from conftest import local
from reports.periods import Period, fill_months, month_of


def test_period_covers_whole_local_days():
    period = Period(dt.date(2025, 1, 31), dt.date(2025, 3, 1))
    assert period.starts_at == local(2025, 1, 31, 0, 0)
    assert period.ends_before == local(2025, 3, 2, 0, 0)
    assert period.days == 30


def test_months_lists_every_touched_month_in_order():
    period = Period(dt.date(2024, 11, 15), dt.date(2025, 2, 3))
    assert period.months() == [dt.date(2024, 11, 1), dt.date(2024, 12, 1), dt.date(2025, 1, 1), dt.date(2025, 2, 1)]


def test_month_of_uses_local_time():
    # 23:30 in Manila on 31 January is 15:30 UTC the same day; either way it is January.
    late = local(2025, 1, 31, 23, 30)
    assert month_of(late.astimezone(dt.UTC)) == dt.date(2025, 1, 1)


def test_fill_months_gives_zeros_for_empty_months():
    period = Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    rows = fill_months(period, {dt.date(2025, 2, 1): 5}, 0)
    assert rows == [(dt.date(2025, 1, 1), 0), (dt.date(2025, 2, 1), 5), (dt.date(2025, 3, 1), 0)]
