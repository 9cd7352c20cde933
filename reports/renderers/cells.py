"""What the file renderers share about cells: numbers, text, and text a spreadsheet would run."""

import datetime as dt

from reports.periods import long_date

OPEN_UP_TO = "Counted up to (period still open)"
RELATIVE_PERIOD = "Relative period"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_formula_like(text):
    """True for text a spreadsheet would read as a formula (formula injection)."""
    return text.startswith(FORMULA_PREFIXES)


def text(value):
    """A non-number value as text: None empty, lists joined by commas."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(text(item) for item in value)
    return str(value)


def period_text(period):
    """The period's days, after its name when it was given as a relative period ("Previous month: ");
    an open period says up to which day it was counted."""
    days = f"{period['start']} \N{EN DASH} {period['end']}"
    if label := period.get("label"):
        days = f"{label}: {days}"
    if up_to := period.get("up_to"):
        days += f", up to {long_date(dt.date.fromisoformat(up_to))} (period still open)"
    return days


def filters_text(document):
    """The filters in words as ``Label: value; …`` (``Sex: Female``), or ``None`` when there are none."""
    parts = [f"{shown['label']}: {shown['text']}" for shown in document.filter_labels.values()]
    return "; ".join(parts) or "None"


def generated_text(document):
    """The generation time to the minute, for people (the ISO form as given if it does not parse)."""
    try:
        return dt.datetime.fromisoformat(document.generated_at).isoformat(sep=" ", timespec="minutes")
    except ValueError:
        return document.generated_at
