"""When a schedule runs: its occurrences, as local times in its zone, by python-dateutil's rrule.

A schedule recurs at ``local_time`` in ``time_zone`` every day, on chosen weekdays, or on a day
of the month (a day a month does not have falls on that month's last day, so the 31st is every
month's last day), from ``starts_on``. The rule counts in local wall-clock time and each
occurrence is then placed in the zone, so 07:00 stays 07:00 across a daylight-saving change; a
time the change skips (02:30 on the spring-forward night) runs at the same distance after the
change, and a time it repeats runs at its first instance.
"""

import datetime as dt

from dateutil import rrule

from reports.models import Frequency

WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)
SHORTEST_MONTH = 28
SEARCH_BACK = dt.timedelta(days=1)  # longer than any daylight-saving gap


def recurrence(schedule):
    """The schedule's occurrences as naive local datetimes (an ``rrule``)."""
    start = dt.datetime.combine(schedule.starts_on, schedule.local_time)
    if schedule.frequency == Frequency.DAILY:
        return rrule.rrule(rrule.DAILY, dtstart=start)
    if schedule.frequency == Frequency.WEEKLY:
        return rrule.rrule(rrule.WEEKLY, dtstart=start, byweekday=[WEEKDAYS[day] for day in schedule.weekdays])
    day = schedule.month_day
    if day <= SHORTEST_MONTH:
        return rrule.rrule(rrule.MONTHLY, dtstart=start, bymonthday=day)
    # The latest of the 28th up to the day that the month has: the 30th, or the last day of a shorter month.
    return rrule.rrule(rrule.MONTHLY, dtstart=start, bymonthday=range(SHORTEST_MONTH, day + 1), bysetpos=-1)


def _placed(schedule, local):
    """A local occurrence as an aware UTC datetime (a repeated time at its first instance)."""
    return local.replace(tzinfo=schedule.zone).astimezone(dt.UTC)


def _local(schedule, moment):
    return moment.astimezone(schedule.zone).replace(tzinfo=None)


def next_occurrence(schedule, after):
    """The first occurrence strictly after the aware moment ``after`` (UTC), or None when there is none.

    The search starts a day back in local time: an occurrence a daylight-saving gap moved later
    (02:30 run at 03:30) comes after local times that are earlier on the clock (03:10).
    """
    candidates = recurrence(schedule).xafter(_local(schedule, after) - SEARCH_BACK, inc=True)
    return next((placed for local in candidates if (placed := _placed(schedule, local)) > after), None)


def latest_occurrence(schedule, now):
    """The last occurrence at or before the aware moment ``now`` (UTC), or None before the first."""
    rule = recurrence(schedule)
    local = rule.before(_local(schedule, now), inc=True)
    while local is not None and _placed(schedule, local) > now:  # moved past ``now`` by a gap
        local = rule.before(local)
    return None if local is None else _placed(schedule, local)


DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _ordinal(day):
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def describe(schedule):
    """When it runs, in words: "Every Monday and Thursday at 07:00 (America/New_York)"."""
    at = f"at {schedule.local_time:%H:%M} ({schedule.time_zone})"
    if schedule.frequency == Frequency.DAILY:
        return f"Every day {at}"
    if schedule.frequency == Frequency.WEEKLY:
        names = [DAY_NAMES[day] for day in sorted(schedule.weekdays)]
        days = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"Every {days} {at}"
    day = schedule.month_day
    last = " (or the month's last day)" if day > SHORTEST_MONTH else ""
    return f"Monthly on the {_ordinal(day)}{last} {at}"
