"""The one chart definition: the same reportlab drawings in the PDF and, as SVG, on the page."""

import datetime as dt
import io
import re
import zipfile
from xml.dom import minidom

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, String

from reports import charts
from reports.document import (
    BPM,
    COUNT,
    DATE,
    HOUR,
    MONTH,
    QUARTER,
    RATE,
    TEXT,
    WEEK,
    Chart,
    ReportDocument,
    Section,
    step_value,
)
from reports.periods import Period
from reports.renderers import excel, pdf
from reports.tests.test_kinds import make_document as make_kinds_document
from reports.tests.test_renderers import MARKUP, make_document, pdf_pages


def parsed(markup):
    return minidom.parseString(markup).documentElement  # noqa: S318 (our own output)


def test_svg_scales_needs_no_inline_styles_and_carries_its_text_alternative():
    document = make_document()
    drawing = charts.document_chart(document, document.charts[1], charts.PAGE_WIDTH)
    markup = charts.svg(drawing, "Diagnosis share", "What it shows")
    root = parsed(markup)
    assert root.tagName == "svg" and root.getAttribute("xmlns") == "http://www.w3.org/2000/svg"
    assert root.getAttribute("viewBox") == f"0 0 {charts.PAGE_WIDTH} {int(drawing.height)}"
    assert not root.hasAttribute("width") and not root.hasAttribute("height")
    assert root.getAttribute("role") == "img"
    assert root.getElementsByTagName("title")[0].firstChild.data == "Diagnosis share"
    assert root.getElementsByTagName("desc")[0].firstChild.data == "What it shows"
    elements = root.getElementsByTagName("*")
    assert not [e for e in elements if e.hasAttribute("style") or e.hasAttribute("id") or e.hasAttribute("clip")]
    slices = [e for e in elements if e.tagName == "path" and e.getAttribute("fill").startswith("rgb(")]
    assert len(slices) == 3  # one per diagnosis, coloured through presentation attributes
    texts = [e for e in elements if e.tagName == "text"]
    assert all("Arial" in e.getAttribute("font-family") for e in texts)
    assert "<script" not in markup


def test_svg_prints_clinic_text_literally():
    document = make_document()
    markup = charts.svg(charts.document_chart(document, document.charts[1], charts.PAGE_WIDTH), "Share")
    assert "<b>" not in markup
    assert f"{MARKUP}  (33.3%)" in texts(markup)


def texts(markup):
    return [e.firstChild.data for e in parsed(markup).getElementsByTagName("text") if e.firstChild]


def test_the_page_and_the_pdf_draw_the_same_chart():
    document = make_document()
    printed = " ".join(pdf_pages(document))
    for chart in document.charts:
        on_page = texts(charts.svg(charts.document_chart(document, chart, charts.PAGE_WIDTH), chart.title))
        in_pdf = texts(charts.svg(charts.document_chart(document, chart, pdf.WIDTH), chart.title))
        assert on_page == in_pdf
        legend = [entry for entry in on_page if entry in ("Medical", "Dental") or entry.endswith("%)")]
        assert legend
        assert all(" ".join(entry.split()) in printed for entry in legend)


def test_a_chart_without_categories_draws_nothing():
    document = make_document(rows=False)
    assert all(charts.document_chart(document, chart, charts.PAGE_WIDTH) is None for chart in document.charts)


def test_long_rotated_labels_keep_inside_the_drawing():
    labels = ["acute upper respiratory infection", "b", "c", "d", "e", "f", "g", "h", "i", "j"]
    drawing = charts.xy_chart("bar", labels, [("Visits", list(range(10)))], charts.PAGE_WIDTH)
    plot = drawing.contents[0]
    assert plot.categoryAxis.labels.angle == 35
    assert plot.x > 45  # moved right so the first label is not cut off
    assert plot.x + plot.width <= drawing.width


def test_counts_get_whole_number_ticks():
    drawing = charts.xy_chart("bar", ["Mon", "Tue"], [("Visits", [1, 2])], 300)
    assert drawing.contents[0].valueAxis.valueStep == 1


def test_dashboard_charts_from_figures_and_series():
    figures = {
        "by_format": {"PDF": 3, "EXCEL": 1},
        "popular_templates": [{"template_id": 1, "name": "Visit trends", "count": 4}],
    }
    today = dt.date(2025, 4, 30)
    series = {
        "by_status": [("PENDING", "Pending", 0), ("COMPLETED", "Completed", 3), ("FAILED", "Failed", 1)],
        "daily": [(today - dt.timedelta(days=29 - n), 4 if n == 29 else 0) for n in range(30)],
        "generation_by_template": [("Visit trends", 0.25)],
    }
    drawn = {chart.key: chart for chart in charts.dashboard_charts(figures, series)}
    assert drawn["status"].description == "Completed: 3; Failed: 1"
    assert drawn["formats"].description == "PDF: 3; Excel: 1"
    assert drawn["daily"].description == "Apr 30: 4"
    assert drawn["generation_time"].description == "Visit trends: 250 ms"
    assert all(isinstance(chart.drawing, Drawing) for chart in drawn.values())
    status = drawn["status"].svg()
    assert "Completed  (75.0%)" in status and re.search(r">\s*4\s*<", status)  # the total inside the donut
    labels = texts(drawn["daily"].svg())
    assert "Apr 30" in labels and "Apr 25" in labels and "Apr 29" not in labels


def test_seconds_read_as_people_say_them():
    assert [charts.seconds_text(s) for s in (0.0421, 2.5, 95)] == ["42 ms", "2.5 s", "1.6 min"]


# A chart cell: a count, missing (None) or hidden by suppression (its marker text).
CELLS = st.one_of(st.integers(0, 10_000), st.none(), st.just("<11"))
# Up to three series over 1 to 14 categories.
SERIES = st.integers(1, 14).flatmap(lambda width: st.lists(st.lists(CELLS, min_size=width, max_size=width), max_size=3))


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(
    kind=st.sampled_from(["bar", "line", "pie", "heatmap"]),
    rows=SERIES,
)
def test_any_mix_of_hidden_missing_and_present_values_draws_or_is_left_out(kind, rows):
    """Every chart kind over any series shape: a drawing that renders (PDF and SVG), or None."""
    values = [f"series{index}" for index in range(len(rows) if kind != "pie" else min(len(rows), 1))]
    categories = len(rows[0]) if rows else 0
    table = [[f"c{row}", *(series[row] for series in rows[: len(values)])] for row in range(categories)]
    document = ReportDocument(
        report_type="VISIT_TRENDS",
        title="Shapes",
        generated_at="2026-01-01T00:00:00+08:00",
        period={"start": "2026-01-01", "end": "2026-01-07"},
        filters={},
        record_count=0,
        summary={},
        sections=[Section("table", "Table", {"category": TEXT, **dict.fromkeys(values, COUNT)}, table)],
        charts=[Chart("chart", "Chart", kind, "table", "category", values)],
    )
    drawing = charts.document_chart(document, document.charts[0], charts.PAGE_WIDTH)
    if drawing is not None:
        renderPDF.drawToString(drawing)
        charts.svg(drawing, "Chart")


def heat_document(rows):
    hours = [f"h{hour}" for hour in range(3)]
    return ReportDocument(
        report_type="CLINICIAN_WORKLOAD",
        title="Heat",
        generated_at="2026-01-01T00:00:00+08:00",
        period={"start": "2026-01-01", "end": "2026-01-07"},
        filters={},
        record_count=0,
        summary={},
        sections=[Section("grid", "Grid", {"weekday": TEXT, **dict.fromkeys(hours, COUNT)}, rows)],
        charts=[Chart("grid", "Grid", "heatmap", "grid", "weekday", hours)],
    )


def test_a_heatmap_shades_each_cell_by_its_value_and_greys_a_hidden_one():
    document = heat_document([["Monday", 0, 5, 10], ["Tuesday", "<11", 20, 1]])
    drawing = charts.document_chart(document, document.charts[0], charts.PAGE_WIDTH)
    cells = [shape for shape in drawing.contents if type(shape).__name__ == "Rect" and shape.height > 8]
    fills = [cell.fillColor.hexval() for cell in cells]
    assert len(cells) == 6
    assert fills[4] == charts.HEAT_FULL.hexval()  # 20, the largest
    assert fills[0] == charts.HEAT_EMPTY.hexval()  # 0
    assert fills[3] == charts.HEAT_HIDDEN.hexval()  # hidden: grey, whatever it stands for
    assert "<11" not in texts(charts.svg(drawing, "Grid"))
    assert charts.document_chart(heat_document([["Monday", 0, 0, 0]]), document.charts[0], charts.PAGE_WIDTH) is None


def test_excel_shades_a_heatmaps_cells_in_place_of_a_chart():
    book = openpyxl.load_workbook(
        io.BytesIO(excel.render(heat_document([["Monday", 0, 5, 10], ["Tuesday", 3, 20, 1]])))
    )
    sheet = book["Grid"]
    (formatting,) = sheet.conditional_formatting
    assert str(formatting.sqref) == "B2:D3"
    (rule,) = formatting.rules
    assert rule.type == "colorScale"
    assert [colour.rgb[-6:] for colour in rule.colorScale.color] == ["F4F6F8", "2E5C8A"]
    assert not sheet._charts


# --- axis titles ------------------------------------------------------------------------------------


def titled_document(kind=COUNT, value_title=""):
    values = ["visits"] if not value_title else ["visits", "patients"]
    return ReportDocument(
        report_type="TEST",
        title="Test",
        generated_at="2026-01-01T00:00:00+08:00",
        period={"start": "2025-01-01", "end": "2025-01-31"},
        filters={},
        record_count=3,
        summary={},
        sections=[
            Section(
                "by_hour",
                "By hour",
                {"hour": HOUR, "visits": kind, "patients": kind},
                [[9, 2, 1], [10, 3, 2]],
            )
        ],
        charts=[Chart("by_hour", "By hour", "bar", "by_hour", "hour", values, value_title)],
    )


def drawn_strings(drawing):
    """Every text of a drawing, with the angle it reads at (0 across, 90 upwards)."""
    found = []

    def walk(node, upwards):
        for child in getattr(node, "contents", []):
            if isinstance(child, String):
                found.append((child.text, 90 if upwards else 0))
            transform = getattr(child, "transform", None)
            walk(child, upwards or (transform is not None and transform[:4] == (0, 1, -1, 0)))

    walk(drawing, False)
    return found


@pytest.mark.parametrize(
    ("kind", "value_title", "expected"),
    [(COUNT, "", "Visits"), (BPM, "", "Visits (bpm)"), (RATE, "", "Visits (%)"), (COUNT, "People", "People")],
)
def test_bar_and_line_charts_title_both_axes_with_the_unit(kind, value_title, expected):
    document = titled_document(kind, value_title)
    (chart,) = document.charts
    assert charts.axis_titles(document, chart) == ("Hour", expected)
    strings = drawn_strings(charts.document_chart(document, chart, 400))
    assert ("Hour", 0) in strings and (expected, 90) in strings


def test_excel_charts_title_both_axes():
    with zipfile.ZipFile(io.BytesIO(excel.render(titled_document(BPM)))) as archive:
        xml = archive.read("xl/charts/chart1.xml").decode()
    assert xml.count("<c:title>") == 3  # the chart's and its two axes'
    assert "Hour" in xml and "Visits (bpm)" in xml


@pytest.mark.parametrize(
    ("kind", "steps", "first_tick"),
    [(DATE, 62, "1 Jan"), (WEEK, 26, "1 Jan"), (MONTH, 36, "Jan 2024"), (QUARTER, 40, "Q1 2024")],
)
def test_a_chart_over_time_writes_level_labels_that_fit_from_the_first_step(kind, steps, first_tick):
    unit = {DATE: "day", WEEK: "week", MONTH: "month", QUARTER: "quarter"}[kind]
    starts = Period(dt.date(2024, 1, 1), dt.date(2040, 1, 1)).step_starts(unit)[:steps]
    values = [step_value(unit, start) for start in starts]
    document = make_kinds_document(
        sections=[Section("over_time", "Over time", {"step": kind, "visits": COUNT}, [[v, 5] for v in values])],
        charts=[Chart("over_time", "Visits", "line", "over_time", "step", ["visits"])],
    )
    drawing = charts.document_chart(document, document.charts[0], width=480)
    plot = next(item for item in drawing.contents if hasattr(item, "categoryAxis"))
    names = plot.categoryAxis.categoryNames
    written = [name for name in names if name]
    assert names[0] == first_tick and plot.categoryAxis.labels.angle == 0
    assert 2 <= len(written) <= 14  # legible: never every one of dozens of steps, never a single one
    every = names.index(written[1])
    assert all(bool(name) == (index % every == 0) for index, name in enumerate(names))
