"""A report that counted nothing is one page saying so; a table that counted nothing is one line, with no chart."""

import datetime as dt
import io
import zipfile

import pytest
from pypdf import PdfReader

from conftest import local
from reports import catalog
from reports.catalog.report_type import ReportParams
from reports.document import COUNT, TEXT, WITHHELD, Section
from reports.periods import Period
from reports.renderers import excel, pdf

REPORT_TYPES = sorted(catalog.REPORT_TYPES)
EMPTY_WEEK = Period(dt.date(2025, 3, 3), dt.date(2025, 3, 9))
MARCH = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31))

pytestmark = pytest.mark.django_db


def pdf_pages(document):
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.render(document))).pages]


def excel_charts(document):
    with zipfile.ZipFile(io.BytesIO(excel.render(document))) as archive:
        return [name for name in archive.namelist() if name.startswith("xl/charts/chart")]


@pytest.mark.parametrize("key", [key for key in REPORT_TYPES if key != "PATIENT_SUMMARY"])
def test_a_report_that_counted_nothing_is_one_page_saying_so(key):
    document = catalog.get(key).build(ReportParams(period=EMPTY_WEEK))
    assert document.is_empty
    (page,) = pdf_pages(document)
    assert " ".join(pdf.NOTHING_COUNTED.split()) in page
    assert not any(section.title in page.replace(document.title, "") for section in document.sections)


def test_an_empty_report_embeds_no_empty_chart_in_excel():
    document = catalog.get("DENTAL_STATISTICS").build(ReportParams(period=EMPTY_WEEK))
    assert document.charts and excel_charts(document) == []


def test_a_table_that_counted_nothing_is_one_line_without_its_chart(make_patient, make_medical_visit):
    make_medical_visit(make_patient(), local(2025, 3, 4), diagnosis="Headache")  # no vitals: no BP, no BMI
    document = catalog.get("MEDICAL_STATISTICS").build(ReportParams(period=MARCH))
    assert not document.is_empty
    assert document.section("blood_pressure").is_empty and not document.section("top_diagnoses").is_empty
    text = " ".join(pdf_pages(document))
    assert f"Blood-pressure categories {pdf.EMPTY_SECTION}" in text
    assert "Normal" not in text.split("Blood-pressure categories", 1)[1].split("BMI", 1)[0]
    charted = {chart.section for chart in document.charts if chart.section not in ("blood_pressure", "bmi_bands")}
    assert len(excel_charts(document)) <= len(charted)


@pytest.mark.parametrize(
    ("rows", "empty"),
    [([], True), ([["A", 0], ["B", None]], True), ([["A", 0], ["B", 2]], False), ([["A", WITHHELD]], False)],
)
def test_a_section_is_empty_when_it_counted_nothing(rows, empty):
    kind = COUNT if all(row[1] != WITHHELD for row in rows) else "rate"
    assert Section("groups", "Groups", {"group": TEXT, "figure": kind}, rows).is_empty is empty
