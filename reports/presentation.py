"""How a value of a ``Kind`` is shown: the one place the formats, the charts and the page's preview ask.

``present(kind, value)`` says the text printed (PDF, preview), the number written, plotted
and added up with its spreadsheet format (none for text, a missing value or a suppressed
one), the date a spreadsheet holds for a date or a month (its first day), and the value as
JSON and CSV hold it (a rate as its fraction, a date or month as its ISO text, a suppressed
value as its marker).
"""

import datetime as dt
from dataclasses import dataclass

from reports.document import CALENDAR, NUMERIC, Kind, Suppressed, stored

MISSING = "—"


@dataclass(frozen=True)
class Cell:
    text: str
    value: object
    number: int | float | None = None
    number_format: str | None = None  # a key of ``excel.NUMBER_FORMATS``: "rate", "integer", "date", "month", ...
    date: dt.date | None = None  # a date or month, as a spreadsheet's date


def is_numeric(kind):
    """True for the kinds whose values are numbers (right-aligned, written as numbers)."""
    return kind in NUMERIC


def present(kind, value):
    """The ``Cell`` of ``value``, a value of ``kind`` in a ``ReportDocument``."""
    if value is None:
        return Cell(MISSING, None)
    if kind in CALENDAR and not isinstance(value, Suppressed):
        date = calendar_date(kind, value)
        return Cell(value, value, number_format=str(kind) if date else None, date=date)
    if isinstance(value, Suppressed) or not is_numeric(kind):
        return Cell(str(value), stored(value))
    if kind == Kind.RATE:
        return Cell(f"{value:.1%}", value, value, "rate")
    if kind == Kind.MONEY:
        return Cell(f"{value:,.2f}", value, value, "money")
    if isinstance(value, int):
        return Cell(f"{value:,}", value, value, "integer")
    return Cell(f"{value:,.2f}", value, value, "decimal")


def calendar_date(kind, value):
    """The day an ISO date names, or the first day of an ISO month; None for text that is neither."""
    try:
        return dt.date.fromisoformat(value if kind == Kind.DATE else f"{value}-01")
    except ValueError:
        return None
