"""Report periods: inclusive ranges of local calendar days in ``TIME_ZONE``."""

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

    def months(self):
        """The first day of every month the period touches, in order."""
        month = self.start.replace(day=1)
        months = []
        while month <= self.end:
            months.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return months

    def as_dict(self):
        """The period as a document records it; an open one says up to which day it was counted."""
        data = {"start": self.start.isoformat(), "end": self.end.isoformat(), "time_zone": settings.TIME_ZONE}
        if self.is_open:
            data["up_to"] = self.today.isoformat()
        return data


def month_of(value):
    """The month (its first day) a ``TruncMonth`` value falls in, in local time."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, local_zone()).date()
    return value.replace(day=1)


def month_label(month):
    """A month as its ISO text, ``2025-01``: the value of a ``MONTH`` column (``reports.document``)."""
    return month.strftime("%Y-%m")


def fill_months(period, counted, empty):
    """One row per month of ``period`` in order: ``counted[month]`` or ``empty``.

    ``counted`` maps the month's first day to that month's values, as read from
    the database; months without data get ``empty`` (usually zeros).
    """
    return [(month, counted.get(month, empty)) for month in period.months()]
