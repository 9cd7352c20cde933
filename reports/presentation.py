"""How a value of a ``Kind`` is shown: the one place the formats, the charts and the page's preview ask.

``present(kind, value)`` says the text printed (PDF, preview), the number written, plotted
and added up with its spreadsheet format (none for text, a missing value or a hidden
one), the date a spreadsheet holds for a date or a month (its first day), and the value as
JSON and CSV hold it (a rate as its fraction, a date or month as its ISO text, a suppressed
count as its marker, a withheld figure as "not shown").
"""

import datetime as dt
from dataclasses import dataclass

from reports.document import CALENDAR, HIDDEN, NUMERIC, Kind, stored

MISSING = "—"


@dataclass(frozen=True)
class Measure:
    """How a number of a kind is written: its decimal places and unit, and its spreadsheet number format."""

    digits: int
    unit: str = ""

    @property
    def number_format(self):
        places = "." + "0" * self.digits if self.digits else ""
        return f'#,##0{places}" {self.unit}"' if self.unit else f"#,##0{places}"

    def text(self, value):
        return f"{value:,.{self.digits}f}" + (f" {self.unit}" if self.unit else "")


MEASURES = {
    Kind.COUNT: Measure(0),
    Kind.NUMBER: Measure(2),
    Kind.MONEY: Measure(2),
    Kind.PER_DAY: Measure(2, "a day"),
    Kind.HOURS: Measure(2, "h"),
    Kind.RATING: Measure(2, "of 5"),
    Kind.PAIN: Measure(2, "of 10"),
    Kind.BPM: Measure(1, "bpm"),
}
RATE_FORMAT = "0.0%"
HOUR_FORMAT = '00":00"'
CALENDAR_FORMATS = {Kind.DATE: "yyyy-mm-dd", Kind.MONTH: "mmm yyyy"}


@dataclass(frozen=True)
class Cell:
    text: str
    value: object
    number: int | float | None = None
    number_format: str | None = None  # a spreadsheet number format (Excel's codes)
    date: dt.date | None = None  # a date or month, as a spreadsheet's date


def unit(kind):
    """The unit a value of ``kind`` is counted in, for an axis title ("%", "bpm"); "" for a count or a plain number."""
    return "%" if kind == Kind.RATE else MEASURES.get(kind, MEASURES[Kind.NUMBER]).unit


def is_numeric(kind):
    """True for the kinds whose values are numbers (right-aligned, written as numbers)."""
    return kind in NUMERIC


def present(kind, value):
    """The ``Cell`` of ``value``, a value of ``kind`` in a ``ReportDocument``."""
    if value is None:
        return Cell(MISSING, None)
    if kind in CALENDAR and not isinstance(value, HIDDEN):
        date = calendar_date(kind, value)
        return Cell(value, value, number_format=CALENDAR_FORMATS[kind] if date else None, date=date)
    if isinstance(value, HIDDEN) or not is_numeric(kind):
        return Cell(str(value), stored(value))
    if kind == Kind.RATE:
        return Cell(f"{value:.1%}", value, value, RATE_FORMAT)
    if kind == Kind.HOUR:
        return Cell(f"{value:02d}:00\N{EN DASH}{value:02d}:59", value, value, HOUR_FORMAT)
    measure = MEASURES[Kind.COUNT if kind == Kind.NUMBER and isinstance(value, int) else kind]
    return Cell(measure.text(value), value, value, measure.number_format)


def calendar_date(kind, value):
    """The day an ISO date names, or the first day of an ISO month; None for text that is neither."""
    try:
        return dt.date.fromisoformat(value if kind == Kind.DATE else f"{value}-01")
    except ValueError:
        return None
