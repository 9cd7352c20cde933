"""The file renderers, checked by reading their output back with real readers."""

import csv as csv_module
import datetime as dt
import io
import json as json_module
import zipfile

import openpyxl
import pytest
from pypdf import PdfReader

from reports import renderers
from reports.bidi import BIDI_CONTROLS
from reports.document import COUNT, DATE, MONTH, NUMBER, RATE, TEXT, Chart, ReportDocument, Section
from reports.renderers import csv, excel, json, pdf
from reports.renderers.cells import is_formula_like
from reports.tests.readers import csv_lines, csv_pairs, csv_sections, formula_cells, shown_text

FORMULA = '=HYPERLINK("http://x","y")'
MARKUP = "<b>bold</b> & co"
SUMMARY = {
    "total_visits": 1234,
    "unique_patients": 987,
    "average_visits_per_patient": 1.25,
    "follow_up_rate": 0.4251,
    "median_wait_minutes": None,
    "change_from_previous_period": -12,
}
SUMMARY_KINDS = {
    "total_visits": COUNT,
    "unique_patients": COUNT,
    "average_visits_per_patient": NUMBER,
    "follow_up_rate": RATE,
    "median_wait_minutes": NUMBER,
    "change_from_previous_period": COUNT,
}
# How the PDF prints each summary figure.
PRINTED = {
    "total_visits": "1,234",
    "unique_patients": "987",
    "average_visits_per_patient": "1.25",
    "follow_up_rate": "42.5%",
    "median_wait_minutes": "—",
    "change_from_previous_period": "-12",
}


def make_document(rows=True):
    """A hand-built document; without rows it is an empty period with a note."""
    monthly = [["2025-01", 410, 120, 530, 0.8], ["2025-02", 380, None, 380, 0.75], ["2025-03", 250, 74, 324, 0.912]]
    diagnoses = [[FORMULA, "Niño", 4, 0.4], [MARKUP, "Ana", 3, 0.3], ["-5 days rash", "Zoë", 2, 0.2]]
    if not rows:
        monthly, diagnoses = [], []
    return ReportDocument(
        report_type="TEST",
        title="Clinic visits Q1",
        generated_at="2025-04-01T09:30:00+08:00",
        period={"start": "2025-01-01", "end": "2025-03-31", "time_zone": "Asia/Manila"},
        filters={"department": "Medical"},
        record_count=1234 if rows else 0,
        summary=dict(SUMMARY) if rows else {"total_visits": 0, "follow_up_rate": None},
        summary_kinds=SUMMARY_KINDS,
        sections=[
            Section(
                "monthly",
                "Monthly visits",
                {"month": MONTH, "medical": COUNT, "dental": COUNT, "total": COUNT, "completion_rate": RATE},
                monthly,
            ),
            Section(
                "top_diagnoses",
                "Top diagnoses",
                {"diagnosis": TEXT, "patient": TEXT, "count": COUNT, "share": RATE},
                diagnoses,
            ),
        ],
        charts=[
            Chart("visits", "Visits per month", "bar", "monthly", "month", ["medical", "dental"]),
            Chart("diagnosis_share", "Diagnosis share", "pie", "top_diagnoses", "diagnosis", ["count"]),
        ],
        notes=[] if rows else ["No data in this period"],
        labels={"follow_up_rate": "Follow-up rate"},
    )


def pdf_pages(document):
    """Each page's text with runs of whitespace (pypdf puts table cells on lines of their own) as one space."""
    reader = PdfReader(io.BytesIO(pdf.render(document)))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def workbook(document):
    return openpyxl.load_workbook(io.BytesIO(excel.render(document)))


def excel_summary(book):
    """{metric label: value} from the Summary sheet's Metric/Value table."""
    rows = list(book["Summary"].iter_rows(values_only=True))
    start = rows.index(("Metric", "Value")) + 1
    return {label: value for label, value in rows[start:]}


def csv_rows(document):
    return list(csv_module.reader(io.StringIO(csv.render(document).decode("utf-8-sig"))))


@pytest.mark.parametrize("renderer", [pdf, excel, csv, json])
def test_renderers_declare_their_file_type(renderer):
    expected = {
        pdf: ("pdf", "application/pdf"),
        excel: ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        csv: ("csv", "text/csv; charset=utf-8"),
        json: ("json", "application/json"),
    }
    assert (renderer.EXTENSION, renderer.CONTENT_TYPE) == expected[renderer]
    assert isinstance(renderer.render(make_document()), bytes)


def test_pdf_prints_the_document_literally():
    text = "\n".join(pdf_pages(make_document()))
    assert "Clinic visits Q1" in text
    assert "2025-01-01 \N{EN DASH} 2025-03-31" in text
    assert "Asia/Manila" in text
    assert "Department: Medical" in text
    assert "1,234" in text
    assert "Follow-up rate" in text
    assert "42.5%" in text
    assert f"{FORMULA} Niño 4 40.0%" in text
    assert f"{MARKUP} Ana 3 30.0%" in text
    assert "91.2%" in text


def test_pdf_charts_are_vector_drawings_with_a_legend():
    reader = PdfReader(io.BytesIO(pdf.render(make_document())))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Visits per month" in text
    assert "Diagnosis share" in text
    assert "Medical" in text and "Dental" in text
    assert "(44.4%)" in text and "(33.3%)" in text
    assert all(not page.images for page in reader.pages)


def test_pdf_long_table_repeats_its_header_and_a_pie_keeps_the_largest_slices():
    document = make_document()
    document.sections[1].rows = [[f"Case-{number}", "Ana", number, 0.01] for number in range(150)]
    pages = pdf_pages(document)
    with_rows = [page for page in pages if "Ana" in page]
    assert len(with_rows) >= 3
    assert all("Diagnosis Patient Count Share Case-" in page for page in with_rows)
    assert "Case-149" in with_rows[-1]
    pie = pages[-1]
    assert "Diagnosis share" in pie
    assert "Case-149" in pie and "Case-142" in pie and "Case-141" not in pie
    assert "Other (89.6%)" in pie  # cases 0-141 together
    assert all("Clinic visits Q1" in page for page in pages)
    assert f"Page {len(pages)}" in pages[-1]


def test_pdf_shows_notes_and_none_as_a_dash():
    empty = "\n".join(pdf_pages(make_document(rows=False)))
    assert "No data in this period" in empty
    full = "\n".join(pdf_pages(make_document()))
    assert "Median wait minutes —" in full


def test_excel_summary_sheet():
    book = workbook(make_document())
    assert book.sheetnames == ["Summary", "Monthly visits", "Top diagnoses"]
    summary = book["Summary"]
    assert summary["A1"].value == "Clinic visits Q1"
    details = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row[0]}
    assert (details["Period start"], details["Period end"]) == (dt.datetime(2025, 1, 1), dt.datetime(2025, 3, 31))
    assert details["Time zone"] == "Asia/Manila"
    assert details["Filters"] == "Department: Medical"
    assert details["Records"] == 1234
    assert excel_summary(book) == {
        "Total visits": 1234,
        "Unique patients": 987,
        "Average visits per patient": 1.25,
        "Follow-up rate": 0.4251,
        "Median wait minutes": None,
        "Change from previous period": -12,
    }
    rate = next(row[1] for row in summary.iter_rows() if row[0].value == "Follow-up rate")
    assert "%" in rate.number_format


def test_excel_section_sheets():
    book = workbook(make_document())
    monthly = book["Monthly visits"]
    assert [cell.value for cell in monthly[1]] == ["Month", "Medical", "Dental", "Total", "Completion rate"]
    assert [[cell.value for cell in row] for row in monthly.iter_rows(min_row=2)] == [
        [dt.datetime(2025, 1, 1), 410, 120, 530, 0.8],
        [dt.datetime(2025, 2, 1), 380, None, 380, 0.75],
        [dt.datetime(2025, 3, 1), 250, 74, 324, 0.912],
    ]
    assert "%" in monthly["E2"].number_format
    assert "%" not in monthly["B2"].number_format
    assert monthly.freeze_panes == "A2"
    assert monthly.auto_filter.ref == "A1:E4"
    assert monthly.column_dimensions["E"].width >= len("Completion rate")
    assert len(monthly._charts) == 1
    diagnoses = book["Top diagnoses"]
    assert len(diagnoses._charts) == 1
    assert diagnoses["B2"].value == "Niño"
    assert diagnoses["A3"].value == MARKUP


def test_excel_months_and_dates_are_dates_with_a_date_format():
    document = make_document()
    campaigns = [["Flu drive", "2025-02-14", 30], ["Fair", "soon", 2]]
    document.sections.append(
        Section("campaigns", "Campaigns", {"title": TEXT, "start_date": DATE, "participants": COUNT}, campaigns)
    )
    book = workbook(document)
    month = book["Monthly visits"]["A2"]
    assert (month.value, month.is_date, month.number_format) == (dt.datetime(2025, 1, 1), True, "mmm yyyy")
    start = book["Campaigns"]["B2"]
    assert (start.value, start.is_date, start.number_format) == (dt.datetime(2025, 2, 14), True, "yyyy-mm-dd")
    assert (book["Campaigns"]["B3"].value, book["Campaigns"]["B3"].data_type) == ("soon", "s")
    period = {
        row[0].value: row[1] for row in book["Summary"].iter_rows() if row[0].value in ("Period start", "Period end")
    }
    assert all(cell.is_date and cell.number_format == "yyyy-mm-dd" for cell in period.values())


def test_an_excel_chart_of_months_reads_the_month_cells_and_labels_them_as_months():
    with zipfile.ZipFile(io.BytesIO(excel.render(make_document()))) as archive:
        charts = [archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/charts/chart")]
    (monthly,) = [chart for chart in charts if "Monthly visits" in chart]
    assert "<c:cat><c:numRef><c:f>'Monthly visits'!$A$2:$A$4</c:f>" in monthly
    assert '<c:numFmt formatCode="mmm yyyy" sourceLinked="0"/>' in monthly
    assert "<c:catAx>" in monthly and "<c:auto" not in monthly  # a text axis: one category per month


def test_excel_formula_text_stays_text():
    sheet = workbook(make_document())["Top diagnoses"]
    for cell in (sheet["A2"], sheet["A4"]):
        assert cell.data_type == "s"
        assert cell.quotePrefix
    assert sheet["A2"].value == FORMULA
    assert sheet["A4"].value == "-5 days rash"
    assert not sheet["A3"].quotePrefix


def test_excel_sheet_names_are_valid_and_unique():
    document = make_document()
    title = "Visits: by [clinic] / dept? *all* \\ with a very long name"
    document.sections = [
        Section("a", title, {"x": COUNT}, [[1]]),
        Section("b", title, {"x": COUNT}, [[2]]),
        Section("c", "Summary", {"x": COUNT}, [[3]]),
    ]
    document.charts = []
    names = workbook(document).sheetnames
    assert len(names) == len({name.lower() for name in names}) == 4
    for name in names:
        assert len(name) <= 31
        assert not set(name) & set("[]:*?/\\")


def test_csv_layout_and_encoding():
    raw = csv.render(make_document())
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(make_document())
    assert rows[:2] == [
        ["Section", "Row", "Label", "Column", "Value"],
        ["Report", "1", "Title", "Value", "Clinic visits Q1"],
    ]
    report = csv_pairs(raw, "Report")
    assert (report["Period start"], report["Period end"]) == ("2025-01-01", "2025-03-31")
    assert report["Time zone"] == "Asia/Manila"
    assert report["Filters"] == "Department: Medical"
    assert report["Record count"] == 1234
    assert ["Monthly visits", "2", "2025-02", "Dental", ""] in rows
    assert ["Monthly visits", "2", "2025-02", "Completion rate", "0.75"] in rows
    diagnoses = [row for row in rows if row[0] == "Top diagnoses"]
    assert diagnoses[:3] == [
        ["Top diagnoses", "1", "'" + FORMULA, "Patient", "Niño"],
        ["Top diagnoses", "1", "'" + FORMULA, "Count", "4"],
        ["Top diagnoses", "1", "'" + FORMULA, "Share", "0.4"],
    ]
    assert diagnoses[3][2] == MARKUP
    assert diagnoses[-1][2] == "'-5 days rash"


def test_csv_is_one_rectangular_table_with_a_fixed_header():
    rows = csv_rows(make_document())
    assert rows[0] == ["Section", "Row", "Label", "Column", "Value"]
    assert {len(row) for row in rows} == {5}
    assert [section for section in dict.fromkeys(row[0] for row in rows[1:])] == [
        "Report",
        "Summary",
        "Monthly visits",
        "Top diagnoses",
    ]


def shown_in_csv(value):
    """A document's value as the CSV's reader gets it: missing as empty, text neutralised."""
    return "" if value is None else csv.cell(value)


def test_a_pivot_of_the_csv_gives_every_sections_table_with_numbers_as_numbers():
    document = make_document()
    sections = csv_sections(csv.render(document))
    for section in document.sections:
        labels = [document.label(column) for column in section.columns[1:]]
        expected = [
            {"Label": shown_in_csv(label), **dict(zip(labels, map(shown_in_csv, values), strict=True))}
            for label, *values in section.rows
        ]
        assert sections[section.title] == expected
    assert sections["Monthly visits"][0] == {
        "Label": "2025-01",
        "Medical": 410,
        "Dental": 120,
        "Total": 530,
        "Completion rate": 0.8,
    }
    assert sections["Top diagnoses"][0]["Label"] == "'" + FORMULA
    _, lines = csv_lines(csv.render(document))
    assert all(isinstance(line["Row"], float) for line in lines)
    assert {type(line["Value"]) for line in lines if line["Section"] == "Monthly visits"} == {float, str}


def test_csv_negative_numbers_are_not_prefixed():
    assert csv_pairs(csv.render(make_document()), "Summary")["Change from previous period"] == -12


def test_csv_rows_without_a_label_column_keep_every_value_and_section_names_are_unique():
    document = make_document()
    document.sections = [
        Section("a", "Summary", {"visits": COUNT, "average": NUMBER}, [[5, 1.5]]),
        Section("b", "Efficiency", {"visits": COUNT}, [[7]]),
        Section("c", "efficiency", {"name": TEXT}, [["North"], ["South"]]),
    ]
    document.charts = []
    sections = csv_sections(csv.render(document))
    assert list(sections) == ["Report", "Summary", "Summary (2)", "Efficiency", "efficiency (2)"]
    assert sections["Summary (2)"] == [{"Label": "", "Visits": 5, "Average": 1.5}]
    assert sections["Efficiency"] == [{"Label": "", "Visits": 7}]
    assert sections["efficiency (2)"] == [{"Label": "North", "Name": "North"}, {"Label": "South", "Name": "South"}]


def test_csv_labels_rows_by_a_charted_number_column():
    document = make_document()
    document.sections = [Section("ratings", "Ratings", {"rating": NUMBER, "count": COUNT}, [[5, 12], [4, 3]])]
    document.charts = [Chart("ratings", "Ratings", "bar", "ratings", "rating", ["count"])]
    assert csv_sections(csv.render(document))["Ratings"] == [{"Label": 5, "Count": 12}, {"Label": 4, "Count": 3}]


def test_json_is_the_document():
    document = make_document()
    assert json_module.loads(json.render(document)) == document.as_dict()


def test_every_format_shows_the_same_figures():
    document = make_document()
    figures = json_module.loads(json.render(document))["summary"]
    in_csv = csv_pairs(csv.render(document), "Summary")
    in_excel = excel_summary(workbook(document))
    pdf_text = "\n".join(pdf_pages(document))
    assert figures == SUMMARY
    for key, value in figures.items():
        label = document.label(key)
        assert in_excel[label] == value
        assert (in_csv[label] if in_csv[label] != "" else None) == value
        assert f"{label} {PRINTED[key]}" in pdf_text


def test_an_empty_document_renders_in_every_format():
    document = make_document(rows=False)
    assert "No data in this period" in "\n".join(pdf_pages(document))
    book = workbook(document)
    assert book["Monthly visits"].max_row == 1
    assert not book["Monthly visits"]._charts
    assert any("No data in this period" in row for row in book["Summary"].iter_rows(values_only=True))
    rows = csv_rows(document)
    assert ["Report", "8", "Note", "Value", "No data in this period"] in rows
    assert "Monthly visits" not in csv_sections(csv.render(document))
    assert json_module.loads(json.render(document))["notes"] == ["No data in this period"]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-x", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text(text):
    assert is_formula_like(text)


@pytest.mark.parametrize("text", ["", "a=b", "Niño", "1-2", " =x"])
def test_ordinary_text(text):
    assert not is_formula_like(text)


# --- text that cannot turn into a formula or a lie ------------------------------------------

SPLIT_FORMULAS = ["ok;=1+1;@SUM(1)", "tab\t=1+1", "a; -2", "line\n+1", "cr\r@x"]


def document_with(comments=(), **fields):
    """``make_document()`` read back from its stored form with these comments as diagnoses and these fields."""
    data = {**make_document().as_dict(), **fields}
    data["sections"][1]["rows"] = [[comment, "Ana", 1, 0.5] for comment in comments] or data["sections"][1]["rows"]
    return ReportDocument.from_dict(data)


def test_csv_quotes_every_text_cell_and_no_split_of_a_line_starts_a_formula():
    raw = csv.render(document_with(SPLIT_FORMULAS)).decode("utf-8-sig")
    assert '"Section","Row","Label","Column","Value"' in raw
    assert '"Report",1,"Title","Value","Clinic visits Q1"' in raw
    assert '"Report",7,"Record count","Value",1234' in raw
    assert '"Top diagnoses",1,"ok;\'=1+1;\'@SUM(1)","Patient","Ana"' in raw
    assert '"Top diagnoses",1,"ok;\'=1+1;\'@SUM(1)","Share",0.5' in raw
    assert '"tab\t\'=1+1"' in raw
    assert formula_cells(raw) == []
    comments = [row["Label"] for row in csv_sections(csv.render(document_with(SPLIT_FORMULAS)))["Top diagnoses"]]
    assert comments == ["ok;'=1+1;'@SUM(1)", "tab\t'=1+1", "a; '-2", "line\n'+1", "cr\r'@x"]


BIDI_TITLE = "Clinic visits\u202e 1Q"
BIDI_COMMENT = "Great\u202e!ecivres\u202c \u2067ok\u2069\u200f"


@pytest.mark.parametrize("export_format", ["PDF", "EXCEL", "CSV", "JSON"])
def test_no_bidirectional_control_reaches_a_file(export_format):
    document = document_with(
        [BIDI_COMMENT],
        title=BIDI_TITLE,
        filters={"department": "Med\u202bical"},
        notes=["Counts\u061c hidden"],
    )
    shown = shown_text(export_format, renderers.get(export_format).render(document))
    assert not set(shown) & set(BIDI_CONTROLS)
    assert "Great!ecivres ok" in shown.replace("\n", " ")
    assert "Clinic visits 1Q" in shown
