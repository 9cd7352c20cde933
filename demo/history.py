"""The period seeded: its days, how busy the clinic is on each, and times within clinic hours."""

import bisect
import datetime as dt
import itertools

from reports.periods import local_zone

# Month weights: the rainy season (June to October) brings colds, fever and dengue;
# April and May are the summer break; late December to early January the campus is closed.
MEDICAL_MONTHS = {
    1: 1.0,
    2: 1.0,
    3: 1.1,
    4: 0.55,
    5: 0.65,
    6: 1.3,
    7: 1.45,
    8: 1.6,
    9: 1.55,
    10: 1.45,
    11: 1.0,
    12: 0.8,
}
DENTAL_MONTHS = {1: 1.0, 2: 1.4, 3: 1.0, 4: 0.6, 5: 0.7, 6: 1.0, 7: 1.0, 8: 1.2, 9: 1.1, 10: 1.0, 11: 1.0, 12: 0.7}
REGISTRATION_MONTHS = {1: 2.5, 6: 1.5, 7: 2.0, 8: 3.5}  # enrolment; other months 0.5
WEEKDAYS = (1.0, 1.0, 1.0, 1.0, 0.95, 0.15, 0.02)  # Monday to Sunday
CLINIC_HOURS = ((8, 9, 10, 11, 12, 13, 14, 15, 16), (6, 10, 14, 13, 4, 7, 8, 7, 5))  # late-morning peak
WEEKEND_HOURS = ((8, 9, 10, 11), (3, 4, 4, 2))
SEASON_MONTHS = {"rainy": {6, 7, 8, 9, 10}, "exam": {3, 5, 10, 12}, "enrolment": {1, 7, 8}}


def cumulative(weights):
    return list(itertools.accumulate(weights))


class Weighted:
    """``rng.choices(values, weights)[0]``, the very same draw, without summing the weights at each draw."""

    def __init__(self, values, weights):
        self.values, self.cumulative = tuple(values), cumulative(weights)
        self.total, self.last = self.cumulative[-1] + 0.0, len(self.values) - 1

    def __call__(self, rng):
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.total, 0, self.last)]


def day_weight(day, months, other_months=0.0):
    if (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 3):
        return 0.01  # Christmas break
    return months.get(day.month, other_months) * WEEKDAYS[day.weekday()]


CLINIC_HOUR = Weighted(*CLINIC_HOURS)
WEEKEND_HOUR = Weighted(*WEEKEND_HOURS)


class History:
    """The days from ``first_day`` to the day before ``today``, and the seeded ``rng`` that draws from them."""

    def __init__(self, rng, first_day, today):
        self.rng = rng
        self.today = today
        self.zone = local_zone()
        self.cutoff = dt.datetime.combine(today, dt.time.min, tzinfo=self.zone)
        self.days = [first_day + dt.timedelta(days=i) for i in range((today - first_day).days)]
        self.medical_days = cumulative(day_weight(day, MEDICAL_MONTHS) for day in self.days)
        self.dental_days = cumulative(day_weight(day, DENTAL_MONTHS) for day in self.days)
        self.registration_days = cumulative(day_weight(day, REGISTRATION_MONTHS, 0.5) for day in self.days)

    def pick_day(self, cumulative, first=0):
        """A day from the index ``first`` on, drawn with the given cumulative weights."""
        low = cumulative[first - 1] if first else 0.0
        return self.days[min(bisect.bisect(cumulative, self.rng.uniform(low, cumulative[-1])), len(cumulative) - 1)]

    def share_after(self, cumulative, first):
        """The share of the weight of the days from the index ``first`` on."""
        return 1 - (cumulative[first - 1] / cumulative[-1] if first else 0.0)

    def at(self, day):
        """A time in clinic hours on ``day``."""
        hour = (WEEKEND_HOUR if day.weekday() >= 5 else CLINIC_HOUR)(self.rng)
        return dt.datetime.combine(day, dt.time(hour, self.rng.randrange(60)), tzinfo=self.zone)
