"""How people's programs read the report files: for tests of what reaches a reader and of the figures in each."""

import csv
import io

import openpyxl
from pypdf import PdfReader

FORMULA_STARTS = ("=", "+", "-", "@")


def shown_text(export_format, content):
    """All the text a reader of the file sees: PDF pages and title, Excel cells and sheet names, CSV or JSON."""
    if export_format == "PDF":
        reader = PdfReader(io.BytesIO(content))
        return "\n".join([reader.metadata.title, *(page.extract_text() for page in reader.pages)])
    if export_format == "EXCEL":
        book = openpyxl.load_workbook(io.BytesIO(content))
        cells = [str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row]
        return "\n".join([*book.sheetnames, *cells])
    return content.decode("utf-8-sig")


def csv_lines(content):
    """The report CSV's header and its lines as dicts, read as a spreadsheet does: unquoted cells are numbers."""
    text = io.StringIO(content.decode("utf-8-sig"), newline="")
    header, *lines = csv.reader(text, quoting=csv.QUOTE_NONNUMERIC)
    return header, [dict(zip(header, line, strict=True)) for line in lines]


def csv_sections(content):
    """A pivot table of the report CSV: ``{section: [{"Label": label, column: value, ...} per row, in order]}``."""
    sections = {}
    for line in csv_lines(content)[1]:
        rows = sections.setdefault(line["Section"], {})
        rows.setdefault(line["Row"], {"Label": line["Label"]})[line["Column"]] = line["Value"]
    return {name: list(rows.values()) for name, rows in sections.items()}


def csv_pairs(content, section):
    """``{label: value}`` of a section of label and value pairs (the CSV's Report and Summary)."""
    return {row["Label"]: row["Value"] for row in csv_sections(content)[section]}


def cells_a_spreadsheet_may_see(text):
    """Every cell the CSV text can split into on ``,``, ``;`` or tab, read by a CSV reader (a line
    break outside quotes ends a line) or split naively line by line (quotes ignored), except numbers
    (a negative number is no formula)."""
    for delimiter in ",;\t":
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            yield from (cell for cell in row if not _is_number(cell))
        if delimiter != ",":
            for line in text.splitlines():
                yield from (piece for piece in line.split(delimiter) if not _is_number(piece))


def formula_cells(text):
    """The cells of ``cells_a_spreadsheet_may_see`` that a spreadsheet would run as formulas."""
    return [cell for cell in cells_a_spreadsheet_may_see(text) if cell.lstrip('"').startswith(FORMULA_STARTS)]


def _is_number(cell):
    try:
        float(cell)
    except ValueError:
        return False
    return True
