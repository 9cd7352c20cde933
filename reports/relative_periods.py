"""Relative periods: "previous month", "last 30 days", ... resolved to dates in the clinic's zone.

A relative period is resolved at a reference moment (``at``), not at whatever time the code
runs, so that a report started late or retried covers the dates it would have covered on time.
The moment's local day in ``TIME_ZONE`` is "today". Weeks run Monday to Sunday. A period
ending today is open (``reports.periods.Period``).

Named periods are in ``NAMED``; two take a number: ``last_{n}_days`` (today and the n - 1 days
before) and ``last_{n}_complete_months`` (the n months before the current one).
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from reports.periods import Period, local_zone, unit_start

DAY = dt.timedelta(days=1)
MOST_DAYS = 3660  # ten years: the longest period a report covers
MOST_MONTHS = 120
LAST_DAYS = re.compile(r"last_([1-9][0-9]*)_days")
LAST_MONTHS = re.compile(r"last_([1-9][0-9]*)_complete_months")


def _this(unit):
    def resolve(today):
        return unit_start(today, unit), today

    return resolve


def _previous(unit):
    def resolve(today):
        end = unit_start(today, unit) - DAY
        return unit_start(end, unit), end

    return resolve


def _yesterday(today):
    return today - DAY, today - DAY


# name: (label, resolve(today) -> (start, end)), in the order a form offers them.
NAMED = {
    "today": ("Today", lambda today: (today, today)),
    "yesterday": ("Yesterday", _yesterday),
    "this_week": ("This week (from Monday)", _this("week")),
    "previous_week": ("Previous week (Monday to Sunday)", _previous("week")),
    "last_7_days": ("Last 7 days (today and the 6 before)", None),
    "last_30_days": ("Last 30 days (today and the 29 before)", None),
    "this_month": ("This month", _this("month")),
    "previous_month": ("Previous month", _previous("month")),
    "this_quarter": ("This quarter", _this("quarter")),
    "previous_quarter": ("Previous quarter", _previous("quarter")),
    "this_year": ("This year", _this("year")),
    "previous_year": ("Previous year", _previous("year")),
}


@dataclass(frozen=True)
class Resolved:
    """A relative period's ``name`` and the ``period`` it resolved to at a moment."""

    name: str
    period: Period

    @property
    def label(self):
        return label(self.name)

    def __str__(self):
        """ "Previous month: 1–31 October 2026"."""
        return f"{self.label}: {date_range_text(self.period.start, self.period.end)}"


def _last_days(name):
    match = LAST_DAYS.fullmatch(name)
    return int(match[1]) if match else None


def _last_months(name):
    match = LAST_MONTHS.fullmatch(name)
    return int(match[1]) if match else None


def check(name):
    """``name`` if it names a relative period; ValueError saying why otherwise."""
    if name in NAMED:
        return name
    days, months = _last_days(name), _last_months(name)
    if days is not None and days > MOST_DAYS:
        raise ValueError(f"At most the last {MOST_DAYS} days.")
    if months is not None and months > MOST_MONTHS:
        raise ValueError(f"At most the last {MOST_MONTHS} complete months.")
    if days is None and months is None:
        choices = ", ".join([*NAMED, "last_N_days", "last_N_complete_months"])
        raise ValueError(f"No relative period {name!r}: choose one of {choices}.")
    return name


def label(name):
    """A relative period in words: "Previous month", "Last 90 days (today and the 89 before)"."""
    check(name)
    if name in NAMED:
        return NAMED[name][0]
    if (days := _last_days(name)) is not None:
        return "Today" if days == 1 else f"Last {days} days (today and the {days - 1} before)"
    months = _last_months(name)
    return "Previous month" if months == 1 else f"Last {months} complete months"


def local_day(at):
    """The clinic's day at the moment ``at`` (an aware datetime)."""
    return timezone.localtime(at, local_zone()).date()


def resolve(name, at):
    """The ``Resolved`` period ``name`` covers, seen at the moment ``at``; ValueError for an unknown name."""
    check(name)
    today = local_day(at)
    days, months = _last_days(name), _last_months(name)
    if name in NAMED and NAMED[name][1] is not None:
        start, end = NAMED[name][1](today)
    elif days is not None:
        start, end = today - dt.timedelta(days=days - 1), today
    else:
        end = unit_start(today, "month") - DAY
        start = unit_start(end, "month")
        for _ in range(months - 1):
            start = unit_start(start - DAY, "month")
    return Resolved(name, Period(start, end, today, label(name)))


def date_range_text(start, end):
    """Two days in words, the shared month and year once: "1–31 October 2026", "28 September – 4 October 2026"."""
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}\N{EN DASH}{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} \N{EN DASH} {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} \N{EN DASH} {end.day} {end:%B %Y}"
