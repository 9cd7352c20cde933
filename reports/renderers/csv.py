"""CSV: one tidy table, a line per value, that goes straight into a pivot table.

Every line has the same five columns, ``Section, Row, Label, Column, Value``:

- ``Section``: "Report" (title, period start and end, time zone, filters, generation time,
  record count, notes), "Summary" (the headline figures; a summary in groups has a Section per
  group, "Summary: Visits"), then each section by its title (made unique, as a pivot table
  groups by it);
- ``Row``: the row's number within its section (or summary group), from 1;
- ``Label``: what names the row: a Report field or a summary figure's label, or a section row's
  first cell when that is text, a date or a month or a chart's categories (empty otherwise);
- ``Column``: the column's label ("Value" for Report and Summary; a compared report's Summary has
  a line for each of "This period", the earlier period, "Change", "Change, %" and, when the
  periods have not the same number of days, each period's figure per day);
- ``Value``: the value as JSON holds it (``reports.presentation``): numbers bare (rates as
  fractions), dates and months as ISO text, suppressed values as their marker, nothing when missing.

A section row's label cell is not repeated as a line of its own, unless it is the section's only
column. A pivot of a section's lines, ``Label`` (or ``Row``) down and ``Column`` across, gives the
section's table back. One long table rather than a zip of a CSV per section: the file stays one
``text/csv`` file that downloads, previews and opens as before, and one pivot or filter reads any
section, or several together.

Every text cell is quoted and neutralised by ``cell``; the audit trail's CSV download writes with
``SafeWriter`` too.
"""

import csv
import io
import re

from reports import comparison
from reports.bidi import strip_bidi
from reports.document import COUNT
from reports.models import ExportFormat
from reports.presentation import is_numeric, present

from . import FILE_TYPES
from .cells import OPEN_UP_TO, RELATIVE_PERIOD, filters_text, is_formula_like, is_number, text

EXTENSION, CONTENT_TYPE = FILE_TYPES[ExportFormat.CSV]

# Where a spreadsheet that splits on ; or tab (ignoring the quotes) or at a line break starts a cell.
FORMULA_AFTER_BREAK = re.compile(r"([;\t\r\n] *)(?=[=+\-@])")
HEADER = ("Section", "Row", "Label", "Column", "Value")
RESERVED_SECTIONS = ("Report", "Summary")


def render(document):
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(HEADER)
    for line in _lines(document):
        writer.writerow(line)
    return buffer.getvalue().encode("utf-8-sig")


def cell(value):
    """A value as a CSV cell: a number as it is; anything else as text that cannot become a formula.

    Bidirectional controls are stripped. A ``'`` goes before a leading ``= + - @``, tab or carriage
    return (OWASP's rule), and before ``= + - @`` after a ``;``, tab or line break: a spreadsheet
    that splits the line there, quotes or not, starts no cell with a formula either.
    """
    if value is None or is_number(value):
        return value
    content = FORMULA_AFTER_BREAK.sub(r"\1'", strip_bidi(text(value)))
    return "'" + content if is_formula_like(content) else content


class SafeWriter:
    """A ``csv.writer`` whose cells go through ``cell`` and whose text cells are all quoted."""

    def __init__(self, file):
        self._writer = csv.writer(file, quoting=csv.QUOTE_NONNUMERIC)

    def writerow(self, values):
        return self._writer.writerow([cell(value) for value in values])


def _lines(document):
    yield from _pairs("Report", _details(document))
    summaries = []
    if document.comparison:
        titles, figures = comparison.headline(document)
    else:
        titles = ["Value"]
        figures = {key: [(document.summary_kinds[key], value)] for key, value in document.summary.items()}
    for heading, keys in document.grouped_summary():
        summaries.append(summary_name(heading))
        for number, key in enumerate(keys, start=1):
            for title, (kind, value) in zip(titles, figures[key], strict=True):
                yield [summaries[-1], number, document.label(key), title, present(kind, value).value]
    names = section_names(document.sections, reserved=("Report", *summaries))
    for name, section in zip(names, document.sections, strict=True):
        yield from _table(document, name, section)


def summary_name(heading):
    """The Section of a group of summary figures: "Summary", or "Summary: Visits" for the group "Visits"."""
    return f"Summary: {heading}" if heading else "Summary"


def _details(document):
    """The Report section's ``(field, value)`` pairs."""
    period = document.period
    yield "Title", document.title
    if label := period.get("label"):
        yield RELATIVE_PERIOD, label
    yield "Period start", period["start"]
    yield "Period end", period["end"]
    if up_to := period.get("up_to"):
        yield OPEN_UP_TO, up_to
    yield "Time zone", period.get("time_zone")
    if document.comparison:
        earlier = document.comparison["period"]
        yield "Compared with", earlier["label"]
        yield "Compared period start", earlier["start"]
        yield "Compared period end", earlier["end"]
    yield "Filters", filters_text(document)
    yield "Generated at", document.generated_at
    yield "Record count", present(COUNT, document.record_count).value
    for note in document.notes:
        yield "Note", note


def _pairs(name, pairs):
    """A line per ``(label, value)`` pair, in the column "Value"."""
    for number, (label, value) in enumerate(pairs, start=1):
        yield [name, number, label, "Value", value]


def _table(document, name, section):
    """A line per cell of a section's rows, but for each row's label."""
    label = label_column(document, section)
    columns = [column for column in section.columns if column != label] or section.columns
    for number, row in enumerate(section.rows, start=1):
        values = dict(zip(section.columns, row, strict=True))
        row_label = present(section.kinds[label], values[label]).value if label else None
        for column in columns:
            value = present(section.kinds[column], values[column]).value
            yield [name, number, row_label, document.label(column), value]


def label_column(document, section):
    """The column that names a section's rows: its first, when text, a date or a month or a chart's categories."""
    if not section.columns:
        return None
    first = section.columns[0]
    charted = any(chart.section == section.key and chart.category == first for chart in document.charts)
    return first if charted or not is_numeric(section.kinds[first]) else None


def section_names(sections, reserved=RESERVED_SECTIONS):
    """The sections' titles, numbered where one repeats another or a reserved name (ignoring case)."""
    used = {name.lower() for name in reserved}
    names = []
    for section in sections:
        base = section.title or section.key
        name, number = base, 1
        while name.lower() in used:
            number += 1
            name = f"{base} ({number})"
        used.add(name.lower())
        names.append(name)
    return names
