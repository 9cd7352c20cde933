"""Values carry their kind: every format shows a value by its declared kind, never by its key's spelling."""

import csv as csv_module
import datetime as dt
import importlib
import io
import json as json_module
import zipfile
from types import SimpleNamespace

import openpyxl
import pytest
from pypdf import PdfReader

from reports import charts, presentation, suppression
from reports.api.previews import preview
from reports.document import (
    BPM,
    COUNT,
    DATE,
    HOUR,
    HOURS,
    MONTH,
    NUMBER,
    PER_DAY,
    QUARTER,
    RATE,
    RATING,
    TEXT,
    WEEK,
    WITHHELD,
    Chart,
    ReportDocument,
    Section,
    Suppressed,
)
from reports.presentation import present
from reports.renderers import csv, excel, json, pdf

MIGRATION = importlib.import_module("reports.migrations.0011_document_kinds")
CALENDAR = importlib.import_module("reports.migrations.0015_calendar_kinds")
HIDDEN = Suppressed(10)


def make_document(**fields):
    """A ward table whose rate is not named ``*_rate`` and whose ``turnover_rate`` is no rate, one count hidden."""
    return ReportDocument(
        **{
            "report_type": "TEST",
            "title": "Wards",
            "generated_at": "2025-04-01T09:30:00+08:00",
            "period": {"start": "2025-01-01", "end": "2025-03-31"},
            "filters": {},
            "record_count": 57,
            "summary": {"occupancy": 0.75, "turnover_rate": 1.5, "admissions": HIDDEN},
            "summary_kinds": {"occupancy": RATE, "turnover_rate": NUMBER, "admissions": COUNT},
            "sections": [
                Section(
                    "wards",
                    "Wards",
                    {"ward": TEXT, "beds": COUNT, "occupancy": RATE, "turnover_rate": NUMBER},
                    [["North", 40, 0.8, 1.25], ["South", HIDDEN, 0.625, 2.0], ["East", 17, WITHHELD, None]],
                )
            ],
            "charts": [Chart(kind, kind, kind, "wards", "ward", ["beds"]) for kind in ("bar", "line", "pie")],
            **fields,
        }
    )


def pdf_text(document):
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.render(document))).pages).split())


def excel_cells(document):
    book = openpyxl.load_workbook(io.BytesIO(excel.render(document)))
    return {sheet.title: {cell.coordinate: cell for row in sheet.iter_rows() for cell in row} for sheet in book}


def excel_charts(document):
    with zipfile.ZipFile(io.BytesIO(excel.render(document))) as archive:
        return [name for name in archive.namelist() if name.startswith("xl/charts/chart")]


# --- a rate is shown by its kind -----------------------------------------------------------------


def test_a_rate_not_named_rate_is_a_percentage_in_the_pdf_and_a_rate_named_so_is_not():
    text = pdf_text(make_document())
    assert "Occupancy 75.0%" in text and "Turnover rate 1.50" in text
    assert "North 40 80.0% 1.25" in text
    assert "South <11 62.5% 2.00" in text


def test_a_rate_not_named_rate_has_a_percent_format_in_excel():
    cells = excel_cells(make_document())
    wards = cells["Wards"]
    assert (wards["C2"].value, wards["D2"].value) == (0.8, 1.25)
    assert "%" in wards["C2"].number_format and "%" not in wards["D2"].number_format
    summary = {cell.value: cells["Summary"][f"B{cell.row}"] for cell in cells["Summary"].values() if cell.column == 1}
    assert summary["Occupancy"].value == 0.75 and "%" in summary["Occupancy"].number_format
    assert summary["Turnover rate"].value == 1.5 and "%" not in summary["Turnover rate"].number_format


def test_a_rate_not_named_rate_is_a_percentage_in_the_preview():
    body = preview(SimpleNamespace(pk=1, export_format="PDF"), make_document())
    figures = {figure["key"]: figure for figure in body["summary"]}
    assert (figures["occupancy"]["text"], figures["occupancy"]["is_rate"]) == ("75.0%", True)
    assert (figures["turnover_rate"]["text"], figures["turnover_rate"]["is_rate"]) == ("1.50", False)
    (wards,) = body["sections"]
    assert wards["rows"][0] == ["North", "40", "80.0%", "1.25"]
    assert wards["numeric"] == [False, True, True, True]


def test_a_chart_of_a_rate_not_named_rate_has_a_percent_axis():
    document = make_document(charts=[Chart("occupancy", "Occupancy", "bar", "wards", "ward", ["occupancy"])])
    (chart,) = document.charts
    assert charts.document_chart(document, chart, 400).contents[0].valueAxis.labelTextFormat(0.5) == "50%"


# --- a suppressed value ----------------------------------------------------------------------------


def test_a_suppressed_value_is_its_marker_in_every_format_and_never_plotted():
    document = make_document()
    assert "Admissions <11" in pdf_text(document)
    cells = excel_cells(document)
    assert (cells["Wards"]["B3"].value, cells["Wards"]["B3"].data_type) == ("<11", "s")
    assert cells["Wards"]["C4"].value == "not shown"
    rows = list(csv_module.reader(io.StringIO(csv.render(document).decode("utf-8-sig"))))
    assert ["Wards", "2", "South", "Beds", "<11"] in rows and ["Summary", "3", "Admissions", "Value", "<11"] in rows
    raw = csv.render(document).decode("utf-8-sig")
    assert '"Wards",2,"South","Beds","<11"' in raw and '"Wards",2,"South","Occupancy",0.625' in raw
    data = json_module.loads(json.render(document))
    assert data["summary"]["admissions"] == "<11" and data["sections"][0]["rows"][1][1] == "<11"
    body = preview(SimpleNamespace(pk=1, export_format="PDF"), document)
    assert {figure["key"]: (figure["value"], figure["text"]) for figure in body["summary"]}["admissions"] == (
        "<11",
        "<11",
    )
    assert body["sections"][0]["rows"][1] == ["South", "<11", "62.5%", "2.00"]
    drawings = {chart.kind: charts.document_chart(document, chart, 400) for chart in document.charts}
    assert drawings["bar"].contents[0].data == [[40, None, 17]]
    assert drawings["line"].contents[0].data == [[40, None, 17]]
    assert drawings["pie"] is None  # its shares would leave the hidden slice out
    assert len(excel_charts(document)) == 1  # Excel plots text as zero: only the bar chart stays
    described = charts.describe_series(*document.chart_data(document.charts[0]))
    assert described == "North: 40; South: <11; East: 17"


def test_suppression_makes_suppressed_values_read_back_from_json_as_suppressed():
    rules = suppression.Rules(
        counts=("admissions",),
        shown=("occupancy", "turnover_rate"),
        record_count="admissions",
        sections={"wards": suppression.Table(shown=("ward", "occupancy", "turnover_rate"), counts=("beds",))},
    )
    document = make_document(
        summary={"occupancy": 0.75, "turnover_rate": 1.5, "admissions": 57},
        sections=[
            Section(
                "wards",
                "Wards",
                {"ward": TEXT, "beds": COUNT, "occupancy": RATE, "turnover_rate": NUMBER},
                [["North", 40, 0.8, 1.25], ["South", 3, 0.625, 2.0]],
            )
        ],
    )
    hidden = suppression.suppress(document, rules, 10)
    assert hidden.section("wards").rows[1][1] == Suppressed(10)
    stored = ReportDocument.from_dict(json_module.loads(json_module.dumps(hidden.as_dict())))
    assert isinstance(stored.section("wards").rows[1][1], Suppressed)
    assert stored.as_dict() == hidden.as_dict()


# --- a kind is declared --------------------------------------------------------------------------


def test_a_column_without_a_kind_fails_when_the_section_is_made():
    with pytest.raises(ValueError, match="section 'wards': no kind declared for 'share'"):
        Section("wards", "Wards", ["ward", "share"], [["North", 0.5]], {"ward": TEXT})


def test_a_summary_figure_without_a_kind_fails_when_the_document_is_made():
    with pytest.raises(ValueError, match="summary: no kind declared for 'admissions'"):
        make_document(summary_kinds={"occupancy": RATE, "turnover_rate": NUMBER})


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (Section("t", "T", {"n": COUNT}, [[None]]), None),
        ({"key": "t", "title": "T", "columns": ["n"], "rows": [["many"]], "kinds": {"n": "count"}}, "not 'many'"),
        ({"key": "t", "title": "T", "columns": ["n"], "rows": [[1]], "kinds": {"n": "percent"}}, "'percent'"),
        ({"key": "t", "title": "T", "columns": ["n"], "rows": [[HIDDEN]], "kinds": {"n": "text"}}, "is text"),
    ],
)
def test_a_value_not_of_its_kind_fails_loudly(section, message):
    if message is None:
        assert section.rows == [[None]]
        return
    with pytest.raises(ValueError, match=message):
        Section(**section)


# --- documents stored before kinds -----------------------------------------------------------------


def test_the_migration_adds_the_kinds_the_names_and_values_implied():
    stored = MIGRATION.without_kinds(make_document().as_dict())
    stored["sections"][0]["rows"][2][2] = "<11"  # before kinds, every hidden value was the count marker
    assert "summary_kinds" not in stored and "kinds" not in stored["sections"][0]
    with pytest.raises(ValueError, match="no kind declared"):
        ReportDocument.from_dict(stored)
    migrated = MIGRATION.with_kinds(stored)
    assert migrated["summary_kinds"] == {"occupancy": "number", "turnover_rate": "rate", "admissions": "count"}
    kinds = {"ward": "text", "beds": "count", "occupancy": "number", "turnover_rate": "rate"}
    assert migrated["sections"][0]["kinds"] == kinds
    assert MIGRATION.without_kinds(migrated) == stored


# --- a number's unit and places come from its kind ------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        (BPM, 78.3, "78.3 bpm"),
        (PER_DAY, 2.8512, "2.85 a day"),
        (HOURS, 5.25, "5.25 h"),
        (RATING, 4.2, "4.20 of 5"),
        (HOUR, 10, "10:00\N{EN DASH}10:59"),
        (HOUR, 0, "00:00\N{EN DASH}00:59"),
        (NUMBER, 3, "3"),
        (COUNT, 12345, "12,345"),
    ],
)
def test_a_number_is_written_with_the_unit_and_places_of_its_kind(kind, value, text):
    assert present(kind, value).text == text


def units_document():
    return make_document(
        summary={"heart_rate": 78.3, "peak_hour": 10, "admissions": 57},
        summary_kinds={"heart_rate": BPM, "peak_hour": HOUR, "admissions": COUNT},
    )


def test_units_reach_the_pdf_the_preview_and_excel_number_formats():
    document = units_document()
    text = pdf_text(document)
    assert "Heart rate 78.3 bpm" in text and "Peak hour 10:00\N{EN DASH}10:59" in text
    figures = {
        figure["key"]: figure for figure in preview(SimpleNamespace(pk=1, export_format="PDF"), document)["summary"]
    }
    assert (figures["heart_rate"]["value"], figures["heart_rate"]["text"]) == (78.3, "78.3 bpm")
    cells = excel_cells(document)
    summary = {cell.value: cells["Summary"][f"B{cell.row}"] for cell in cells["Summary"].values() if cell.column == 1}
    assert summary["Heart rate"].value == 78.3 and summary["Heart rate"].number_format == '#,##0.0" bpm"'
    assert summary["Peak hour"].value == 10 and summary["Peak hour"].number_format == '00":00"'


# --- months -----------------------------------------------------------------------------------------


def monthly_document(rows=(("2025-01", 40), ("2025-02", HIDDEN)), column="month"):
    return make_document(
        sections=[Section("monthly", "Monthly", {column: MONTH, "beds": COUNT}, [list(row) for row in rows])],
        charts=[Chart("monthly", "Monthly", "bar", "monthly", column, ["beds"])],
    )


def test_a_month_is_its_iso_text_in_json_reads_as_a_month_in_the_pdf_and_the_preview_and_is_a_date_in_excel():
    document = monthly_document()
    data = json_module.loads(json.render(document))
    (section,) = data["sections"]
    assert section["rows"][0][0] == "2025-01" and section["kinds"]["month"] == "month"
    assert ReportDocument.from_dict(data).as_dict() == document.as_dict()
    assert "Jan 2025 40" in pdf_text(document)
    assert preview(SimpleNamespace(pk=1, export_format="PDF"), document)["sections"][0]["rows"][0] == ["Jan 2025", "40"]
    month = excel_cells(document)["Monthly"]["A2"]
    assert month.is_date and month.number_format == "mmm yyyy" and (month.value.year, month.value.month) == (2025, 1)


@pytest.mark.parametrize(
    ("kind", "value", "text", "tick", "first_day", "number_format"),
    [
        (DATE, "2025-03-05", "2025-03-05", "5 Mar", dt.date(2025, 3, 5), "yyyy-mm-dd"),
        (WEEK, "2025-03-03", "Week of 2025-03-03", "3 Mar", dt.date(2025, 3, 3), '"Week of "yyyy-mm-dd'),
        (MONTH, "2025-03", "Mar 2025", "Mar 2025", dt.date(2025, 3, 1), "mmm yyyy"),
        (QUARTER, "2025-Q2", "Q2 2025", "Q2 2025", dt.date(2025, 4, 1), '"Q2 "yyyy'),
    ],
)
def test_a_step_of_time_reads_as_one_in_every_format(kind, value, text, tick, first_day, number_format):
    document = make_document(
        sections=[Section("over_time", "Over time", {"step": kind, "beds": COUNT}, [[value, 40]])],
        charts=[Chart("over_time", "Over time", "line", "over_time", "step", ["beds"])],
    )
    assert json_module.loads(json.render(document))["sections"][0]["rows"][0] == [value, 40]
    assert f"{text} 40" in pdf_text(document)
    assert presentation.tick(kind, value) == tick
    cell = excel_cells(document)["Over time"]["A2"]
    assert (cell.value.date(), cell.number_format) == (first_day, number_format)
    rows = csv_module.DictReader(io.StringIO(csv.render(document).decode("utf-8-sig")))
    assert [(row["Label"], row["Value"]) for row in rows if row["Section"] == "Over time"] == [(value, "40")]


def test_text_in_a_month_column_that_is_no_month_stays_text_in_excel():
    cell = excel_cells(monthly_document(rows=[("Q1", 40)]))["Monthly"]["A2"]
    assert (cell.value, cell.data_type) == ("Q1", "s")


def test_the_migration_makes_stored_month_columns_months_and_back():
    current = monthly_document().as_dict()
    stored = CALENDAR.without_months(current)
    assert stored["sections"][0]["kinds"] == {"month": "text", "beds": "count"}
    assert excel_cells(ReportDocument.from_dict(stored))["Monthly"]["A2"].data_type == "s"
    assert CALENDAR.with_calendar_kinds(stored) == current
    empty = CALENDAR.without_months(monthly_document(rows=[]).as_dict())
    assert CALENDAR.with_calendar_kinds(empty)["sections"][0]["kinds"] == {"month": "month", "beds": "count"}


def test_the_migration_makes_stored_date_columns_dates():
    stored = make_document(
        sections=[
            Section(
                "campaigns",
                "Campaigns",
                {"start_date": TEXT, "date": TEXT, "note": TEXT},
                [["2025-01-31", None, "2025-02-01"], ["2025-12-01", "2025-12-02", "x"]],
            )
        ],
        charts=[],
    ).as_dict()
    migrated = CALENDAR.with_calendar_kinds(stored)
    assert migrated["sections"][0]["kinds"] == {"start_date": "date", "date": "date", "note": "text"}
    assert excel_cells(ReportDocument.from_dict(migrated))["Campaigns"]["A2"].is_date
    assert CALENDAR.without_months(migrated) == migrated


@pytest.mark.parametrize(
    ("rows", "column"),
    [([("January", 1)], "month"), ([("2025-13", 1)], "month"), ([], "period"), ([("soon", 1)], "end_date")],
)
def test_the_migration_leaves_other_text_as_text(rows, column):
    stored = CALENDAR.without_months(monthly_document(rows=rows, column=column).as_dict())
    assert CALENDAR.with_calendar_kinds(stored) == stored
