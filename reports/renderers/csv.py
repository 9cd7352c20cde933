"""CSV: UTF-8 with a BOM so Excel opens it; a header block, the summary, then each section.

Numbers are written as in the document (rates as fractions, like JSON); text a
spreadsheet would run as a formula is prefixed with ``'``.
"""

import csv
import io

from .cells import filters_text, is_formula_like, is_number, text

EXTENSION = "csv"
CONTENT_TYPE = "text/csv; charset=utf-8"


def render(document):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([_cell(value) for value in row] for row in _rows(document))
    return buffer.getvalue().encode("utf-8-sig")


def _cell(value):
    if value is None or is_number(value):
        return value
    content = text(value)
    return "'" + content if is_formula_like(content) else content


def _rows(document):
    period = document.period
    yield ["Title", document.title]
    yield ["Period start", period["start"]]
    yield ["Period end", period["end"]]
    yield ["Time zone", period.get("time_zone")]
    yield ["Filters", filters_text(document)]
    yield ["Generated at", document.generated_at]
    yield ["Record count", document.record_count]
    for note in document.notes:
        yield ["Note", note]
    yield []
    yield ["Summary"]
    yield ["Metric", "Value"]
    for key, value in document.summary.items():
        yield [document.label(key), value]
    yield []
    for section in document.sections:
        yield [section.title]
        yield [document.label(column) for column in section.columns]
        yield from section.rows
        yield []
