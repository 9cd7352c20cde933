"""Rows of breakdowns counted in the database: per month of a period and per category.

Shared by the medical, dental, campaign and comprehensive report types, on top
of ``queries``. Each helper runs one grouped query, whatever the number of rows.
"""

from reports.catalog import queries
from reports.document import rate
from reports.periods import fill_months, month_label


def by_month(queryset, field, period, **aggregates):
    """Rows ``[month, *aggregates]`` for every month of ``period`` (local months of ``field``), zeros when empty."""
    counted = queries.monthly(queryset, field, period, **aggregates)
    return [
        [month_label(month), *(values.get(name, 0) for name in aggregates)]
        for month, values in fill_months(period, counted, {})
    ]


def by_value(queryset, field, **aggregates):
    """``{value of field: [*aggregates]}`` for the values present in ``queryset``."""
    grouped = queryset.order_by().values(field).annotate(**aggregates)
    return {row[field]: [row[name] for name in aggregates] for row in grouped}


def choice_rows(counted, choices):
    """Rows ``[label, count, share]`` for every ``(value, label)`` choice in order; share of all counted."""
    total = sum(counted.values())
    return [[str(label), counted.get(value, 0), rate(counted.get(value, 0), total)] for value, label in choices]
