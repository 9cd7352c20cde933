"""CSV: UTF-8 with a BOM so Excel opens it; a header block, the summary, then each section.

Values are written as JSON holds them (``reports.presentation``): numbers bare (rates as fractions),
suppressed values as their marker. Every text cell
is quoted and neutralised by ``cell``; the audit trail's CSV download writes with ``SafeWriter`` too.
"""

import csv
import io
import re

from reports.bidi import strip_bidi
from reports.document import COUNT
from reports.models import ExportFormat
from reports.presentation import present

from . import FILE_TYPES
from .cells import filters_text, is_formula_like, is_number, text

EXTENSION, CONTENT_TYPE = FILE_TYPES[ExportFormat.CSV]

# Where a spreadsheet that splits on ; or tab (ignoring the quotes) or at a line break starts a cell.
FORMULA_AFTER_BREAK = re.compile(r"([;\t\r\n] *)(?=[=+\-@])")


def render(document):
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    for row in _rows(document):
        writer.writerow(row)
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


def _rows(document):
    period = document.period
    yield ["Title", document.title]
    yield ["Period start", period["start"]]
    yield ["Period end", period["end"]]
    yield ["Time zone", period.get("time_zone")]
    yield ["Filters", filters_text(document)]
    yield ["Generated at", document.generated_at]
    yield ["Record count", present(COUNT, document.record_count).value]
    for note in document.notes:
        yield ["Note", note]
    yield []
    yield ["Summary"]
    yield ["Metric", "Value"]
    for key, value in document.summary.items():
        yield [document.label(key), present(document.summary_kinds[key], value).value]
    yield []
    for section in document.sections:
        yield [section.title]
        yield [document.label(column) for column in section.columns]
        kinds = [section.kinds[column] for column in section.columns]
        for row in section.rows:
            yield [present(kind, value).value for kind, value in zip(kinds, row, strict=True)]
        yield []
