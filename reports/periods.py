"""Report periods: inclusive ranges of local calendar days in ``TIME_ZONE``, and their steps.

A period is cut into calendar steps (days, weeks from Monday, months, quarters or years) for a
time series: a report's series steps by the length it covers (``series``), the dashboard's by
how many points its small charts hold (``reports.clinic_figures``).
"""

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def local_zone():
    return ZoneInfo(settings.TIME_ZONE)


def local_today():
    """Today's date in the clinic's zone."""
    return timezone.localdate(timezone.now(), local_zone())


def long_date(day):
    """A date as people write it: 3 December 2026."""
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Period:
    """The days from ``start`` to ``end``, seen on ``today`` (the clinic's today unless given).

    A period that has not ended by ``today`` is open: its figures per day count the days elapsed.
    """

    start: dt.date
    end: dt.date
    today: dt.date = field(default_factory=local_today, compare=False)
    label: str = field(default="", compare=False)  # the relative period it was given as: "Previous month"
    # The step of its time series when another period sets it: a comparison steps as the period it is compared with.
    step_unit: str = ""

    @property
    def zone(self):
        return local_zone()

    @property
    def is_open(self):
        """True while the period's last day has not ended."""
        return self.end >= self.today

    @property
    def elapsed_days(self):
        """The days of the period up to and including today: all of them once it has ended, 0 before it starts."""
        return max(0, (min(self.end, self.today) - self.start).days + 1)

    def now_stamp(self):
        """This moment in the period's zone, as a document records when it was generated."""
        return timezone.localtime(timezone.now(), self.zone).isoformat(timespec="seconds")

    @property
    def starts_at(self):
        """The first day's 00:00 local time (inclusive)."""
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=self.zone)

    @property
    def ends_before(self):
        """The 00:00 local time after the last day (exclusive)."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=self.zone)

    @property
    def days(self):
        return (self.end - self.start).days + 1

    def lookup(self, field):
        """Filter keyword arguments selecting ``field`` within the period."""
        return {f"{field}__gte": self.starts_at, f"{field}__lt": self.ends_before}

    def since(self, first):
        """The part of the period from ``first`` (the clinic's first record) on; the whole period when ``first`` is
        earlier or None. A period wholly before ``first`` keeps one day, its last, so that it stays a period."""
        if first is None or first <= self.start:
            return self
        return Period(min(first, self.end), self.end, self.today)

    def step_starts(self, unit):
        """The first day of every calendar ``unit`` the period touches, in order (the first may precede ``start``)."""
        starts, start = [], unit_start(self.start, unit)
        while start <= self.end:
            starts.append(start)
            start = next_start(start, unit)
        return starts

    def steps(self, unit):
        """The period cut at calendar ``unit`` boundaries: one ``Period`` a step, the first and last clipped to it."""
        return [
            Period(max(start, self.start), min(next_start(start, unit) - dt.timedelta(days=1), self.end), self.today)
            for start in self.step_starts(unit)
        ]

    def as_dict(self):
        """The period as a document records it; an open one says up to which day it was counted."""
        data = {"start": self.start.isoformat(), "end": self.end.isoformat(), "time_zone": settings.TIME_ZONE}
        if self.label:
            data["label"] = self.label
        if self.step_unit:
            data["step_unit"] = self.step_unit
        if self.is_open:
            data["up_to"] = self.today.isoformat()
        return data


UNITS = ("day", "week", "month", "quarter", "year")
MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}
# A time series steps by days up to about two months, by weeks up to about six months, by months
# up to three years and by quarters beyond: from 8 to 62 points, never a single one for a week.
SERIES_UNITS = (("day", 62), ("week", 184), ("month", 1096), ("quarter", None))


def unit_start(day, unit):
    """The first day of the calendar ``unit`` (weeks start on Monday) that holds ``day``."""
    if unit == "day":
        return day
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    return day.replace(month=(day.month - 1) // MONTHS_IN[unit] * MONTHS_IN[unit] + 1, day=1)


def next_start(start, unit):
    """The first day of the ``unit`` after the one starting on ``start``."""
    if unit in ("day", "week"):
        return start + dt.timedelta(days=1 if unit == "day" else 7)
    years, month = divmod(start.month - 1 + MONTHS_IN[unit], 12)
    return dt.date(start.year + years, month + 1, 1)


def series_unit(period):
    """The step of a time series over ``period``, by its length (``SERIES_UNITS``)."""
    return next(unit for unit, longest in SERIES_UNITS if longest is None or period.days <= longest)


def unit_of_at_most(period, most, units=UNITS):
    """The finest of ``units`` that cuts ``period`` into at most ``most`` steps; the coarsest when none does."""
    return next((unit for unit in units if len(period.step_starts(unit)) <= most), units[-1])


@dataclass(frozen=True)
class Series:
    """A time series over ``period`` (from the clinic's first record on): its ``unit`` and step ``starts``.

    ``before`` is the clinic's first record day when the report's period starts before it: the
    series starts there, and the document says so (``notes``).
    """

    period: Period
    unit: str
    before: dt.date | None = None

    @classmethod
    def of(cls, period, first=None, most=None):
        """The series of ``period`` given the clinic's ``first`` record day (None: no record at all).

        Its unit is by the length shown (``series_unit``), or, for a small chart, the finest with at
        most ``most`` steps (quarters when none). A first record within the period's first step
        changes no step: the series is the whole period. A period whose ``step_unit`` is set steps
        by it over its whole length: it is compared with another, step for step, and a step before
        the first record counts nothing.
        """
        if period.step_unit:
            return cls(period, period.step_unit)

        def unit_of(shown):
            if most is None:
                return series_unit(shown)
            return unit_of_at_most(shown, most, tuple(unit for unit, _ in SERIES_UNITS))

        unit = unit_of(period)
        if first is None or first < next_start(unit_start(period.start, unit), unit):
            return cls(period, unit)
        shown = period.since(first)
        return cls(shown, unit_of(shown), first)

    @property
    def starts(self):
        return self.period.step_starts(self.unit)

    def fill(self, counted, empty):
        """One ``(step start, values)`` per step in order: ``counted[start]`` or ``empty``."""
        return [(start, counted.get(start, empty)) for start in self.starts]

    @property
    def notes(self):
        """What a document says when the series starts after the period does: "No records before 5 March 2024..."."""
        if self.before is None:
            return []
        return [f"No records before {long_date(self.before)}, so the figures over time start there."]


def step_of(value):
    """The local day a ``Trunc`` value (a datetime or a date) stands for: its step's first day."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, local_zone()).date()
    return value
