"""A report compared with an earlier period: which period, and one document holding both.

``earlier_period`` says which days a report is compared with: the previous period (whole
calendar months before whole months, otherwise as many days immediately before) or the same
period last year (29 February maps to 28). The report type computes both periods alike (the
earlier one stepping as the current one does) and each is suppressed by its own rules;
``compare`` then puts them in one ``ReportDocument`` by docs/reports.md, "Comparison with an
earlier period":

- every headline figure keeps its earlier value and its change: absolute, in percentage points
  for a rate; relative only over an earlier value above 0, ``NEW`` over 0, missing without data;
- a compared section gains, for each figure column, the earlier value and the change, on every
  row that exists in either period (categories by their name, steps by their place in the
  period); what is missing in a period counts 0 for a count and is missing for anything else;
- a change of a hidden value is withheld, so that no hidden count can be worked out by subtraction;
- a chart draws the earlier period's series beside the current ones (a pie becomes bars, a trend
  bars of both periods); a listing or a grid (``Section.compared`` False) keeps its own period.

``headline`` lays out the headline figures for the formats, with figures per day beside the
counts when the two periods have not the same number of days counted.
"""

import dataclasses
import datetime as dt

from reports.catalog.breakdowns import STEP
from reports.document import (
    CHANGE,
    COUNT,
    DIFFERENCE,
    HIDDEN,
    NEW,
    NUMERIC,
    PER_DAY,
    RATE_DIGITS,
    STEP_KINDS,
    WITHHELD,
    Section,
    change_kind,
    step_value,
)
from reports.models import CompareTo
from reports.periods import Period, long_date, next_start, unit_start

EARLIER, CHANGED = "__earlier", "__change"
UNITS_OF_KINDS = {kind: unit for unit, kind in STEP_KINDS.items()}


def earlier_period(period, compare_to, step_unit=""):
    """The ``Period`` a report over ``period`` is compared with, named by ``compare_to``, stepping by ``step_unit``.

    The previous period of whole calendar months is as many whole months before (October's is
    September); of any other period, as many days immediately before. The same period last year
    has the same days a year before, 29 February as 28; whole months stay whole months.
    """
    months = _whole_months(period)
    if compare_to == CompareTo.PREVIOUS_PERIOD:
        if months:
            start = _months_before(period.start, months)
        else:
            start = period.start - dt.timedelta(days=period.days)
        end = period.start - dt.timedelta(days=1)
    elif compare_to == CompareTo.SAME_PERIOD_LAST_YEAR:
        start, end = _a_year_before(period.start), _a_year_before(period.end)
        if months:
            end = next_start(unit_start(end, "month"), "month") - dt.timedelta(days=1)
    else:
        raise ValueError(f"No earlier period for {compare_to!r}.")
    return Period(start, end, period.today, label=CompareTo(compare_to).label, step_unit=step_unit)


def _whole_months(period):
    """How many whole calendar months ``period`` is, or 0 when it is not whole months."""
    if period.start.day != 1 or (period.end + dt.timedelta(days=1)).day != 1:
        return 0
    return (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1


def _months_before(day, months):
    """The first of the month ``months`` months before ``day``'s month (``day`` is a first)."""
    years, month = divmod(day.month - 1 - months, 12)
    return dt.date(day.year + years, month + 1, 1)


def _a_year_before(day):
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def step_unit(document):
    """The step of the document's time series ("" when it has none), for the earlier period to step alike."""
    for section in document.sections:
        if section.columns and section.columns[0] == STEP:
            return UNITS_OF_KINDS[section.kinds[STEP]]
    return ""


def compare(current, earlier, compare_to, flows=()):
    """``current`` with ``earlier`` (the same report over ``earlier_period``) beside it: one ``ReportDocument``.

    ``flows``: the summary counts that add up over time (``ReportType.flows``), shown per day too.
    """
    name = CompareTo(compare_to).label
    labels = dict(current.labels)
    earlier_sections = {section.key: section for section in earlier.sections}
    sections, compared = [], set()
    for section in current.sections:
        other = earlier_sections.get(section.key)
        if section.compared and other is not None and section.columns[1:]:
            sections.append(_compared_section(current, earlier, section, other, name, labels))
            compared.add(section.key)
        else:
            sections.append(section)
    changes = {
        key: [
            difference(kind, current.summary[key], earlier.summary.get(key)),
            relative(kind, current.summary[key], earlier.summary.get(key)),
        ]
        for key, kind in current.summary_kinds.items()
    }
    comparison = {
        "compare_to": str(compare_to),
        "period": dict(earlier.period),
        "record_count": earlier.record_count,
        "summary": {key: earlier.summary.get(key) for key in current.summary},
        "changes": changes,
        "per_day": [key for key in current.summary if key in flows],
    }
    return dataclasses.replace(
        current,
        sections=sections,
        charts=[_compared_chart(chart) if chart.section in compared else chart for chart in current.charts],
        labels=labels,
        notes=[*current.notes, _note(name, earlier.period)],
        comparison=comparison,
    )


def recorded(period):
    """The ``Period`` a document records (``Period.as_dict``), seen on the day it was counted up to."""
    start, end = dt.date.fromisoformat(period["start"]), dt.date.fromisoformat(period["end"])
    today = dt.date.fromisoformat(period["up_to"]) if period.get("up_to") else end + dt.timedelta(days=1)
    return Period(start, end, today)


def _note(name, period):
    days = recorded(period)
    return (
        f"Compared with the {name.lower()}, {long_date(days.start)} to {long_date(days.end)}: a change is this "
        "period's figure less that period's, in percentage points for a rate."
    )


def difference(kind, current, earlier):
    """The change of a figure of ``kind`` from ``earlier`` to ``current``: withheld when either is hidden,
    missing when either is, None for a figure that does not change by a number."""
    if change_kind(kind) is None:
        return None
    if isinstance(current, HIDDEN) or isinstance(earlier, HIDDEN):
        return WITHHELD
    if current is None or earlier is None:
        return None
    change = current - earlier
    return change if isinstance(change, int) else round(change, RATE_DIGITS)


def relative(kind, current, earlier):
    """The relative change of a figure from ``earlier`` to ``current``, a fraction: only over an earlier value
    above 0, ``NEW`` from 0 to more; never for a rate (its change is in points) or a figure without change."""
    if change_kind(kind) != DIFFERENCE:
        return None
    if isinstance(current, HIDDEN) or isinstance(earlier, HIDDEN):
        return WITHHELD
    if current is None or earlier is None:
        return None
    if earlier > 0:
        return round((current - earlier) / earlier, RATE_DIGITS)
    return NEW if earlier == 0 and current > 0 else None


def _compared_section(current, earlier, section, other, name, labels):
    """``section`` with the earlier period's values and their changes beside each figure column."""
    first, rest = section.columns[0], section.columns[1:]
    figures = [column for column in rest if section.kinds[column] in NUMERIC and change_kind(section.kinds[column])]
    columns = {first: section.kinds[first]}
    if first == STEP:
        columns[first + EARLIER] = section.kinds[first]
        labels[first + EARLIER] = f"{current.label(first)}, {name.lower()}"
    for column in rest:
        columns[column] = section.kinds[column]
        if column in figures:
            columns[column + EARLIER] = section.kinds[column]
            columns[column + CHANGED] = change_kind(section.kinds[column])
            labels[column + EARLIER] = f"{current.label(column)}, {name.lower()}"
            labels[column + CHANGED] = f"{current.label(column)}, change"
    pairs = _steps(current, earlier, section, other) if first == STEP else _categories(section, other)
    rows = []
    for this, that in pairs:
        row = [this[first]] + ([that[first]] if first == STEP else [])
        for column in rest:
            value = this[column] if this[column] is not None or column in figures else that[column]
            row.append(value)
            if column in figures:
                kind = section.kinds[column]
                row += [that[column], difference(kind, this[column], that[column])]
        rows.append(row)
    return Section(section.key, section.title, columns, rows, compared=True)


def _empty(section):
    """A row a period does not have: 0 for a count, missing otherwise."""
    return {column: 0 if kind == COUNT else None for column, kind in section.kinds.items()}


def _categories(section, other):
    """(current row, earlier row) for every row in either, by the name in the first column: the current
    rows in their order, then the earlier period's other rows in theirs."""
    first = section.columns[0]
    mine = [dict(zip(section.columns, row, strict=True)) for row in section.rows]
    theirs = {str(row[0]): dict(zip(other.columns, row, strict=True)) for row in other.rows}
    pairs = [(row, theirs.pop(str(row[first]), None)) for row in mine]
    pairs += [(None, row) for row in theirs.values()]
    return [
        (
            this or {**_empty(section), first: that[first]},
            that or {**_empty(section), first: this[first]},
        )
        for this, that in pairs
    ]


def _steps(current, earlier, section, other):
    """(current row, earlier row) for each step of either period, by its place in its period: the first
    month with the first month. A step a period does not reach is named by that period's own step, or
    missing beyond its end."""
    unit = UNITS_OF_KINDS[section.kinds[STEP]]
    starts = [recorded(document.period).step_starts(unit) for document in (current, earlier)]
    placed = []
    for table, period_starts in zip((section, other), starts, strict=True):
        places = {step_value(unit, start): place for place, start in enumerate(period_starts)}
        placed.append(
            {
                places[str(row[0])]: dict(zip(table.columns, row, strict=True))
                for row in table.rows
                if str(row[0]) in places
            }
        )
    pairs = []
    for place in range(max(len(period_starts) for period_starts in starts)):
        this, that = (
            rows.get(place) or {**_empty(section), STEP: step_value(unit, s[place]) if place < len(s) else None}
            for rows, s in zip(placed, starts, strict=True)
        )
        pairs.append((this, that))
    return pairs


def _compared_chart(chart):
    """A chart of a compared section drawing both periods: a pie and a trend become bars."""
    kind = "bar" if chart.kind in ("pie", "trend") else chart.kind
    return dataclasses.replace(chart, kind=kind, earlier=[column + EARLIER for column in chart.values])


def headline(document):
    """The headline of a compared document: (column titles, {summary key: [(kind, value), ...]}).

    The columns are this period, the earlier one, the change and the relative change, then, when
    the periods counted different numbers of days, each period's figure per day of the counts
    that add up over time (``comparison["per_day"]``).
    """
    comparison = document.comparison
    name = CompareTo(comparison["compare_to"]).label
    days = (recorded(document.period).elapsed_days, recorded(comparison["period"]).elapsed_days)
    per_day = days[0] != days[1] and comparison.get("per_day")
    titles = ["This period", name, "Change", "Change, %"]
    if per_day:
        titles += ["This period, a day", f"{name}, a day"]
    rows = {}
    for key, kind in document.summary_kinds.items():
        values = (document.summary[key], comparison["summary"][key])
        change, relative_change = comparison["changes"][key]
        cells = [(kind, values[0]), (kind, values[1]), (change_kind(kind) or kind, change), (CHANGE, relative_change)]
        if per_day:
            flow = key in comparison["per_day"]
            cells += [
                (PER_DAY, _per_day(value, count) if flow else None) for value, count in zip(values, days, strict=True)
            ]
        rows[key] = cells
    return titles, rows


def _per_day(value, days):
    if value is None or not days:
        return None
    return WITHHELD if isinstance(value, HIDDEN) else round(value / days, 2)
