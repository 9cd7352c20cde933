"""Rows of breakdowns counted in the database: per step of a period's time series and per category.

Shared by the medical, dental, campaign and comprehensive report types, on top
of ``queries``. Each helper runs one grouped query, whatever the number of rows.
"""

from reports.catalog import queries
from reports.document import STEP_KINDS, rate, step_value

STEP = "step"  # the column of a time series that names its steps


def step_column(series):
    """``{STEP: kind}``: the first column of a section over ``series``, of its unit's kind."""
    return {STEP: STEP_KINDS[series.unit]}


def step_labels(series):
    """The document's label of the step column: the unit in words ("Week")."""
    return {STEP: series.unit.capitalize()}


def step_rows(series, counted, empty):
    """Rows ``[step, *values]`` for every step of ``series``: ``counted[step start]`` or ``empty``."""
    return [[step_value(series.unit, start), *values] for start, values in series.fill(counted, empty)]


def by_step(queryset, field, series, **aggregates):
    """Rows ``[step, *aggregates]`` for every step of ``series`` (local steps of ``field``), zeros when empty."""
    counted = queries.by_step(queryset, field, series, **aggregates)
    rows = {start: [values[name] for name in aggregates] for start, values in counted.items()}
    return step_rows(series, rows, [0] * len(aggregates))


def by_value(queryset, field, **aggregates):
    """``{value of field: [*aggregates]}`` for the values present in ``queryset``."""
    grouped = queryset.order_by().values(field).annotate(**aggregates)
    return {row[field]: [row[name] for name in aggregates] for row in grouped}


def choice_rows(counted, choices):
    """Rows ``[label, count, share]`` for every ``(value, label)`` choice in order; share of all counted."""
    total = sum(counted.values())
    return [[str(label), counted.get(value, 0), rate(counted.get(value, 0), total)] for value, label in choices]
