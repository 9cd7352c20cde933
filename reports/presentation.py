"""How a value of a ``Kind`` is shown: the one place the formats, the charts and the page's preview ask.

``present(kind, value)`` says the text printed (PDF, preview), the number written, plotted
and added up with its spreadsheet format (none for text, a missing value or a hidden
one), the date a spreadsheet holds for a date, week, month or quarter (its first day), and the
value as JSON and CSV hold it (a rate as its fraction, a date, week, month or quarter as its ISO
text, a suppressed count as its marker, a withheld figure as "not shown"). ``tick`` is the short
text of a calendar value on a chart's axis.
"""

import datetime as dt
from dataclasses import dataclass

from reports.document import CALENDAR, MARKS, NUMERIC, Kind, stored

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
# A change between two periods shows its sign: "+12", "-3"; a rate's in percentage points.
SIGNED_FORMATS = {0: "+#,##0;-#,##0;0", 2: "+#,##0.00;-#,##0.00;0.00"}
POINTS_FORMAT = '+0.0" pp";-0.0" pp";0.0" pp"'
CHANGE_FORMAT = "+0.0%;-0.0%;0.0%"
HOUR_FORMAT = '00":00"'
CALENDAR_FORMATS = {Kind.DATE: "yyyy-mm-dd", Kind.WEEK: '"Week of "yyyy-mm-dd', Kind.MONTH: "mmm yyyy"}


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
    if kind in CALENDAR and not isinstance(value, MARKS):
        date = calendar_date(kind, value)
        if date is None:
            return Cell(value, value)
        return Cell(_calendar_text(kind, date), value, number_format=_calendar_format(kind, date), date=date)
    if isinstance(value, MARKS) or not is_numeric(kind):
        return Cell(str(value), stored(value))
    if kind == Kind.RATE:
        return Cell(f"{value:.1%}", value, value, RATE_FORMAT)
    if kind in (Kind.DIFFERENCE, Kind.POINTS, Kind.CHANGE):
        return _change(kind, value)
    if kind == Kind.HOUR:
        return Cell(f"{value:02d}:00\N{EN DASH}{value:02d}:59", value, value, HOUR_FORMAT)
    measure = MEASURES[Kind.COUNT if kind == Kind.NUMBER and isinstance(value, int) else kind]
    return Cell(measure.text(value), value, value, measure.number_format)


def _change(kind, value):
    """A change with its sign: a difference as a count (whole) or to two places, a rate's in percentage
    points (the number written in points), a relative change as a percentage."""
    sign = "+" if value else ""  # no change is 0, without a sign
    if kind == Kind.POINTS:
        points = round(value * 100, 1)
        return Cell(f"{points:{sign}.1f} pp", value, points, POINTS_FORMAT)
    if kind == Kind.CHANGE:
        return Cell(f"{value:{sign}.1%}", value, value, CHANGE_FORMAT)
    digits = 0 if isinstance(value, int) else 2
    return Cell(f"{value:{sign},.{digits}f}", value, value, SIGNED_FORMATS[digits])


def _calendar_text(kind, date):
    """A date as its ISO text, a week as "Week of" its Monday's, a month as "Jan 2025", a quarter as "Q1 2025"."""
    if kind == Kind.QUARTER:
        return f"Q{(date.month - 1) // 3 + 1} {date.year}"
    if kind == Kind.MONTH:
        return f"{date:%b %Y}"
    return f"Week of {date.isoformat()}" if kind == Kind.WEEK else date.isoformat()


def _calendar_format(kind, date):
    """A spreadsheet shows a quarter's first day as the quarter: "Q1 "yyyy (it has no code for quarters)."""
    return f'"Q{(date.month - 1) // 3 + 1} "yyyy' if kind == Kind.QUARTER else CALENDAR_FORMATS[kind]


def calendar_date(kind, value):
    """The first day a date, week, month or quarter value names; None for text that is none of them."""
    try:
        if kind == Kind.QUARTER:
            year, quarter = value.split("-Q")
            return dt.date(int(year), int(quarter) * 3 - 2, 1)
        return dt.date.fromisoformat(value if kind in (Kind.DATE, Kind.WEEK) else f"{value}-01")
    except ValueError:
        return None


def tick(kind, value):
    """A calendar value's short text on a chart's axis: "5 Mar" (a day, or the week from it), "Mar 2025", "Q1 2025"."""
    date = calendar_date(kind, value) if kind in CALENDAR and isinstance(value, str) else None
    if date is None:
        return str(value)
    return f"{date.day} {date:%b}" if kind in (Kind.DATE, Kind.WEEK) else _calendar_text(kind, date)
