"""Excel: a Summary sheet, then one sheet per section with its native charts beside the table.

A summary in groups lists each group's figures under a row with its heading.

Numbers are written as numbers in the format of their kind (rates as fractions with a percent
format, ``reports.presentation``), dates, weeks, months and quarters as dates (their first day,
shown "2025-03-05", "Week of 2025-03-03", "Mar 2025", "Q1 2025"; the period's start and end
too), suppressed values as their marker. A chart over time labels its steps in that format.
Text is always written as a string; text a spreadsheet would run as a formula also gets
Excel's quote prefix.
"""

import io
import re

import xlsxwriter

from reports import charts, comparison
from reports.document import CALENDAR, COUNT, DATE, HIDDEN, RATE, TEXT
from reports.models import ExportFormat
from reports.presentation import CALENDAR_FORMATS, present

from . import FILE_TYPES
from .cells import OPEN_UP_TO, RELATIVE_PERIOD, filters_text, generated_text, is_formula_like, is_number, text

EXTENSION, CONTENT_TYPE = FILE_TYPES[ExportFormat.EXCEL]

SHEET_NAME_LENGTH = 31
FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
RESERVED_SHEET_NAMES = {"summary", "history"}
CHART_TYPES = {"bar": "column", "line": "line", "pie": "pie", "trend": "column"}
BARS = ("bar", "trend")
CHART_SIZE = {"width": 600, "height": 320}
CHART_ROWS = 17
PLOTTED_AS_ZERO = "Not drawn: some values are hidden by small-cell suppression, and Excel would plot them as zeros."
NAVY = "#1F3A5F"
TEXT_STYLES = {
    "text": {},
    "title": {"bold": True, "font_size": 16, "font_color": NAVY},
    "label": {"bold": True, "font_color": "#506070"},
    "group": {"bold": True, "font_color": NAVY, "bottom": 1, "bottom_color": NAVY},
    "header": {"bold": True, "font_color": "#FFFFFF", "bg_color": NAVY, "border": 1, "border_color": "#C9D3DD"},
    "note": {"bold": True, "bg_color": "#FFF4D6", "font_color": "#7A5300"},
}


def render(document):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book = _Book(workbook)
    book.summary_sheet(document)
    for section, name in zip(document.sections, sheet_names(document.sections), strict=True):
        book.section_sheet(document, section, name)
    workbook.close()
    return buffer.getvalue()


def sheet_names(sections):
    """Valid, unique sheet names from the section titles (Excel compares them ignoring case)."""
    used = set(RESERVED_SHEET_NAMES)
    names = []
    for section in sections:
        base = _clean(section.title) or _clean(section.key) or "Section"
        name, number = base, 1
        while name.lower() in used:
            number += 1
            suffix = f" ({number})"
            name = base[: SHEET_NAME_LENGTH - len(suffix)].rstrip() + suffix
        used.add(name.lower())
        names.append(name)
    return names


def _clean(title):
    return FORBIDDEN_IN_SHEET_NAMES.sub(" ", title).strip(" '")[:SHEET_NAME_LENGTH].strip(" '")


class _Book:
    """A workbook with the report's cell formats and the writing of its sheets."""

    def __init__(self, workbook):
        self.workbook = workbook
        self.formats = {
            (style, quoted): workbook.add_format({**properties, "quote_prefix": quoted})
            for style, properties in TEXT_STYLES.items()
            for quoted in (False, True)
        }

    def number_format(self, code):
        """The workbook's format of a number format code, added on first use."""
        if code not in self.formats:
            self.formats[code] = self.workbook.add_format({"num_format": code})
        return self.formats[code]

    def write(self, sheet, row, column, value, kind=TEXT, style="text"):
        """One cell of ``kind``: numbers as numbers, dates as dates, the rest as a string; None leaves it empty."""
        if value is None:
            return
        cell = present(kind, value)
        if cell.number is not None:
            sheet.write_number(row, column, cell.number, self.number_format(cell.number_format))
        elif cell.date is not None:
            sheet.write_datetime(row, column, cell.date, self.number_format(cell.number_format))
        else:
            content = text(cell.value)
            sheet.write_string(row, column, content, self.formats[style, is_formula_like(content)])

    def summary_sheet(self, document):
        sheet = self.workbook.add_worksheet("Summary")
        self.write(sheet, 0, 0, document.title, style="title")
        details = [
            *([(RELATIVE_PERIOD, label, TEXT)] if (label := document.period.get("label")) else []),
            ("Period start", document.period["start"], DATE),
            ("Period end", document.period["end"], DATE),
            *([(OPEN_UP_TO, up_to, DATE)] if (up_to := document.period.get("up_to")) else []),
            ("Time zone", document.period.get("time_zone"), TEXT),
            *self.compared_details(document),
            ("Filters", filters_text(document), TEXT),
            ("Generated at", generated_text(document), TEXT),
            ("Records", document.record_count, COUNT),
        ]
        details += [("Note", note, TEXT) for note in document.notes]
        for row, (label, value, kind) in enumerate(details, start=2):
            self.write(sheet, row, 0, label, style="label")
            self.write(sheet, row, 1, value, kind, style="note" if label == "Note" else "text")
        row = len(details) + 3
        if document.comparison:
            titles, figures = comparison.headline(document)
        else:
            titles = ["Value"]
            figures = {key: [(document.summary_kinds[key], value)] for key, value in document.summary.items()}
        for column, title in enumerate(["Metric", *titles]):
            self.write(sheet, row, column, title, style="header")
        for heading, keys in document.grouped_summary():
            if heading:
                row += 1
                self.write(sheet, row, 0, heading, style="group")
            for key in keys:
                row += 1
                self.write(sheet, row, 0, document.label(key))
                for column, (kind, value) in enumerate(figures[key], start=1):
                    self.write(sheet, row, column, value, kind)
        labels = [document.label(key) for key in document.summary] + [label for label, _, _ in details]
        sheet.set_column(0, 0, _width(labels))
        sheet.set_column(1, 1, _width([*(text(value) for _, value, _ in details), titles[0]]))
        if len(titles) > 1:
            sheet.set_column(2, len(titles), _width(titles[1:]))

    @staticmethod
    def compared_details(document):
        """The earlier period of a compared report: its name, first and last day."""
        if not document.comparison:
            return []
        period = document.comparison["period"]
        return [
            ("Compared with", period["label"], TEXT),
            ("Compared period start", period["start"], DATE),
            ("Compared period end", period["end"], DATE),
        ]

    def section_sheet(self, document, section, name):
        sheet = self.workbook.add_worksheet(name)
        for column, key in enumerate(section.columns):
            self.write(sheet, 0, column, document.label(key), style="header")
            cells = [row[column] for row in section.rows]
            sheet.set_column(column, column, _width([document.label(key), *map(_shown, cells)]))
        for row, values in enumerate(section.rows, start=1):
            for column, (key, value) in enumerate(zip(section.columns, values, strict=True)):
                self.write(sheet, row, column, value, section.kinds[key])
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, len(section.rows), len(section.columns) - 1)
        charts = [chart for chart in document.charts if chart.section == section.key]
        position = 0
        for chart in charts:
            if not _drawable(section, chart):
                if reason := _left_out(document, section, chart):
                    self.write(sheet, 1 + position * CHART_ROWS, len(section.columns) + 1, f"{chart.title}: {reason}")
                    position += 1
                continue
            if chart.kind == "heatmap":
                shade(sheet, section, chart)
                continue
            sheet.insert_chart(
                1 + position * CHART_ROWS, len(section.columns) + 1, self.chart(document, section, chart, name)
            )
            position += 1

    def chart(self, document, section, chart, sheet_name):
        """A native chart reading the section sheet's cells."""
        excel_chart = self.workbook.add_chart({"type": CHART_TYPES[chart.kind]})
        index = {column: position for position, column in enumerate(section.columns)}
        category, last = index[chart.category], len(section.rows)
        values = chart.values[:1] if chart.kind == "pie" else [*chart.values, *chart.earlier]
        colours = charts.series_colours(len(values), len(chart.earlier))
        for number, (key, colour) in enumerate(zip(values, colours, strict=True)):
            column = index[key]
            series = {
                "name": [sheet_name, 0, column],
                "categories": [sheet_name, 1, category, last, category],
                "values": [sheet_name, 1, column, last, column],
            }
            earlier = number >= len(chart.values)  # the earlier period's: faded, a dashed line
            if chart.kind == "line":
                series["marker"] = {"type": "circle", "fill": {"color": hex_colour(colour)}, "border": {"none": True}}
                series["line"] = {"color": hex_colour(colour), **({"dash_type": "dash"} if earlier else {})}
            elif chart.kind != "pie":
                series["fill"] = {"color": hex_colour(colour)}
                series["border"] = {"none": True}
            excel_chart.add_series(series)
        excel_chart.set_title({"name": chart.title})
        excel_chart.set_size(CHART_SIZE)
        if chart.kind != "pie":
            category_title, value_title = charts.axis_titles(document, chart)
            x_axis, y_axis = {"name": category_title}, {"name": value_title}
            if (category_kind := section.kinds[chart.category]) in CALENDAR:  # a category per row, as its cell reads
                x_axis["text_axis"] = True
                if category_kind in CALENDAR_FORMATS:  # a quarter's cell has its own format: the axis links to it
                    x_axis["num_format"] = CALENDAR_FORMATS[category_kind]
            if all(section.kinds[key] == RATE for key in values):
                y_axis["num_format"] = "0%"
            excel_chart.set_x_axis(x_axis)
            excel_chart.set_y_axis(y_axis)
            if len(values) == 1:
                excel_chart.set_legend({"none": True})
        return excel_chart


def shade(sheet, section, chart):
    """A heatmap in Excel: the table's own cells shaded by value (a colour scale), from pale to the chart colour."""
    columns = [section.columns.index(key) for key in chart.values]
    sheet.conditional_format(
        1,
        min(columns),
        len(section.rows),
        max(columns),
        {
            "type": "2_color_scale",
            "min_color": hex_colour(charts.HEAT_EMPTY),
            "max_color": hex_colour(charts.HEAT_FULL),
        },
    )


def hex_colour(colour):
    return "#" + colour.hexval()[2:].upper()


def _drawable(section, chart):
    """A chart with something counted; Excel plots text as zero, so a hidden value may be a missing bar, but not a
    point of a line or a pie slice."""
    index = {column: position for position, column in enumerate(section.columns)}
    plotted = [(section.kinds[key], row[index[key]]) for row in section.rows for key in chart.values]
    suppressed = [value is not None and present(kind, value).number is None for kind, value in plotted]
    counted = any(present(kind, value).number for kind, value in plotted)
    return counted and (chart.kind in BARS or not any(suppressed))


def _left_out(document, section, chart):
    """Why a chart is not drawn when its values are hidden: ``charts.left_out``'s reason, or Excel's zeros."""
    index = [section.columns.index(key) for key in chart.values]
    hidden = any(isinstance(row[column], HIDDEN) for row in section.rows for column in index)
    return charts.left_out(document, chart) or (PLOTTED_AS_ZERO if hidden else None)


def _shown(value):
    if is_number(value):
        return f"{value:,.2f}"
    return text(value)


def _width(texts, low=10, high=60):
    return min(max([low, *(len(item) + 2 for item in texts)]), high)
