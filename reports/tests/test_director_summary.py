"""Comprehensive analytics as the clinic director's one-page summary: grouped figures in every format, one PDF page."""

import datetime as dt
import io
import json
from types import SimpleNamespace

import openpyxl
import pytest
from pypdf import PdfReader

from conftest import local
from demo.seed import Volume, populate
from reports import catalog
from reports.api.previews import preview
from reports.catalog.report_type import ReportParams, ReportType
from reports.document import COUNT, ReportDocument
from reports.periods import Period
from reports.presentation import present
from reports.renderers import csv, excel, pdf
from reports.renderers import json as json_renderer
from reports.tests.readers import csv_pairs, csv_sections, shown_text

comprehensive = catalog.get("COMPREHENSIVE_ANALYTICS")
GROUPS = ["Patients", "Visits", "Outcomes", "Satisfaction", "Campaigns"]
TODAY = dt.date(2026, 6, 15)
WINTER = Period(dt.date(2025, 1, 1), dt.date(2025, 2, 28))


def pdf_text(content):
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def figure_lines(document):
    """Each summary figure as the PDF prints it: its label, then its value."""
    return [
        f"{document.label(key)} {present(document.summary_kinds[key], value).text}"
        for key, value in document.summary.items()
    ]


@pytest.mark.django_db
def test_a_year_and_five_years_of_the_demo_clinic_fit_one_page():
    populate(Volume(patients=300), TODAY - dt.timedelta(days=5 * 366), TODAY, seed=3)
    for period in (
        Period(dt.date(2025, 6, 1), dt.date(2026, 5, 31)),  # by month
        Period(dt.date(2021, 6, 1), dt.date(2026, 5, 31)),  # by quarter
    ):
        for document in (
            comprehensive.build(ReportParams(period=period)),
            comprehensive.suppress(comprehensive.build(ReportParams(period=period)), 10),
        ):
            content = pdf.render(document)
            assert len(PdfReader(io.BytesIO(content)).pages) == 1, period
            text = pdf_text(content)
            assert all(heading in text for heading in GROUPS)
            diagnoses = [row[0] for row in document.section("top_diagnoses").rows]
            assert len(diagnoses) == 5 and all(name in text for name in diagnoses)
            assert "Acute upper respiratory infection (J06.9)" in diagnoses
            labels = [document.label(key) for key in document.summary]
            assert len(set(labels)) == len(labels)
            assert all(text.count(line) == 1 for line in figure_lines(document)), "every figure is printed once"
            steps = document.section("visits_trend")
            inner = [row[0] for row in steps.rows[1:-1]]  # the first and last are in the period's dates
            assert steps.title in text and not any(step in text for step in inner), "drawn, not printed"


@pytest.fixture
def winter(make_patient, make_medical_visit, make_dental_visit, make_feedback, make_campaign, make_participant):
    """Two months of visits, feedback and a campaign: enough of each for every group to count something."""
    patients = [make_patient() for _ in range(12)]
    for day, patient in enumerate(patients, start=1):
        make_medical_visit(patient, local(2025, 1, day), diagnosis="flu", diagnosis_code="J11", outcome="RESOLVED")
        make_dental_visit(patient, local(2025, 2, day), procedure="CLEANING", outcome="RESOLVED")
        make_feedback(patient, local(2025, 1 + day % 2, day), 5, recommend=True)
    campaign = make_campaign(start_date=dt.date(2025, 1, 6), end_date=dt.date(2025, 1, 31))
    for patient in patients:
        make_participant(campaign, patient, attended=True)


def test_every_format_shows_the_groups(winter):
    document = comprehensive.build(ReportParams(period=WINTER))
    assert list(document.summary_groups) == GROUPS

    book = openpyxl.load_workbook(io.BytesIO(excel.render(document)))
    column = [row[0] for row in book["Summary"].iter_rows(values_only=True)]
    figures = column[column.index("Metric") + 1 :]
    assert figures == [
        name for heading, keys in document.summary_groups.items() for name in (heading, *map(document.label, keys))
    ]

    content = csv.render(document)
    sections = csv_sections(content)
    assert [name for name in sections if name.startswith("Summary")] == [f"Summary: {name}" for name in GROUPS]
    assert csv_pairs(content, "Summary: Visits")["Visits (medical and dental)"] == 24
    assert csv_pairs(content, "Summary: Patients")["Patients seen"] == 12

    stored = json.loads(json_renderer.render(document))
    assert stored["summary_groups"] == {heading: list(keys) for heading, keys in document.summary_groups.items()}
    assert ReportDocument.from_dict(stored).as_dict() == stored

    page = preview(SimpleNamespace(pk=1, export_format="PDF"), document)
    assert [group["title"] for group in page["summary_groups"]] == GROUPS
    assert page["summary_groups"][1]["keys"][0] == "total_visits"

    text = pdf_text(pdf.render(document))
    assert all(line in text for line in figure_lines(document))
    assert "RECORDS 24" in text, "the record count is the visits"
    assert "flu (J11)" in text


def test_a_document_without_groups_shows_its_figures_as_one_list_as_before(winter):
    document = catalog.get("VISIT_TRENDS").build(ReportParams(period=WINTER))
    stored = document.as_dict()
    assert "summary_groups" not in stored and document.summary_groups == {}
    assert ReportDocument.from_dict(stored).as_dict() == stored
    sections = csv_sections(csv.render(document))
    assert "Summary" in sections and not any(name.startswith("Summary:") for name in sections)
    book = openpyxl.load_workbook(io.BytesIO(excel.render(document)))
    column = [row[0] for row in book["Summary"].iter_rows(values_only=True)]
    assert column[column.index("Metric") + 1 :] == [document.label(key) for key in document.summary]
    assert preview(SimpleNamespace(pk=1, export_format="PDF"), document)["summary_groups"] == []
    assert "Summary" in shown_text("PDF", pdf.render(document))


def test_groups_hold_every_figure_exactly_once():
    fields = {
        "report_type": "TEST",
        "title": "Test",
        "generated_at": "",
        "period": {"start": "2025-01-01", "end": "2025-01-31"},
        "filters": {},
        "record_count": 1,
        "summary": {"a": 1, "b": 2},
        "summary_kinds": {"a": COUNT, "b": COUNT},
    }
    assert ReportDocument(**fields, summary_groups={"One": ["a"], "Two": ["b"]}).grouped_summary() == [
        ("One", ["a"]),
        ("Two", ["b"]),
    ]
    assert ReportDocument(**fields).grouped_summary() == [("", ["a", "b"])]
    for groups in ({"One": ["a"]}, {"One": ["a", "b"], "Two": ["b"]}, {"One": ["a", "b", "c"]}):
        with pytest.raises(ValueError, match="summary groups"):
            ReportDocument(**fields, summary_groups=groups)


def test_a_report_type_declares_groups_of_all_its_figures(monkeypatch):
    monkeypatch.setattr(catalog, "register", lambda report_type: None)
    with pytest.raises(TypeError, match="summary_groups"):

        class Partial(ReportType):
            key = "PARTIAL"
            name = description = contents = "Partial"
            reads = comprehensive.reads
            summary_kinds = {"a": COUNT, "b": COUNT}
            summary_groups = {"One": ("a",)}
            suppression = comprehensive.suppression
            roles = comprehensive.roles
