"""A report's filters in words: in every format, in stored documents and in the report list."""

import csv
import datetime as dt
import importlib
import io
import json

import openpyxl
import pytest
from django.apps import apps
from pypdf import PdfReader
from rest_framework.test import APIClient

from reports import catalog
from reports.catalog.report_type import ReportParams
from reports.document import ReportDocument
from reports.models import GeneratedReport
from reports.periods import Period
from reports.renderers import csv as csv_renderer
from reports.renderers import excel, pdf
from reports.renderers import json as json_renderer
from reports.renderers.cells import filters_text

MIGRATION = importlib.import_module("reports.migrations.0012_document_filter_labels")
FILTERS = {"sex": "F", "patient_type": "STUDENT", "visit_type": "dental"}  # not in the declaration's order
IN_WORDS = "Visit type: Dental; Sex: Female; Patient type: Student"
AS_STORED_BEFORE = "Sex: F; Patient type: STUDENT; Visit type: dental"  # as given, each key in words
LABELS = {
    "visit_type": {"label": "Visit type", "text": "Dental"},
    "sex": {"label": "Sex", "text": "Female"},
    "patient_type": {"label": "Patient type", "text": "Student"},
}


@pytest.fixture
def document(db):
    """A visit trends document of an empty quarter, filtered by visit type, sex and patient type."""
    params = ReportParams(period=Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31)), filters=dict(FILTERS))
    return catalog.get("VISIT_TRENDS").build(params)


def pdf_text(document):
    """The PDF's text with runs of whitespace (a table cell's line breaks) as one space."""
    pages = PdfReader(io.BytesIO(pdf.render(document))).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def excel_texts(document):
    book = openpyxl.load_workbook(io.BytesIO(excel.render(document)))
    return [cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row if cell]


def csv_cells(document):
    text = csv_renderer.render(document).decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


# --- every format -------------------------------------------------------------------------------


def test_the_document_keeps_the_filters_as_given_and_in_words(document):
    assert document.filters == FILTERS
    assert document.filter_labels == LABELS
    assert filters_text(document) == IN_WORDS


def test_the_pdf_prints_the_filters_in_words(document):
    text = pdf_text(document)
    assert IN_WORDS in text
    assert "Sex: F;" not in text and "STUDENT" not in text


def test_the_workbook_holds_the_filters_in_words(document):
    texts = excel_texts(document)
    assert IN_WORDS in texts
    assert not any("STUDENT" in str(text) for text in texts)


def test_the_csv_holds_the_filters_in_words(document):
    cells = csv_cells(document)
    assert IN_WORDS in cells
    assert not any("STUDENT" in cell for cell in cells)


def test_the_json_keeps_the_values_and_adds_the_words(document):
    data = json.loads(json_renderer.render(document))
    assert data["filters"] == FILTERS
    assert data["filter_labels"] == LABELS


def test_a_filter_with_no_choices_keeps_its_text(db):
    params = ReportParams(period=Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31)), filters={"department": "Nursing"})
    document = catalog.get("PATIENT_SUMMARY").build(params)
    assert filters_text(document) == "Department: Nursing"


def test_no_filters_print_as_none(db):
    document = catalog.get("VISIT_TRENDS").build(ReportParams(period=Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31))))
    assert (document.filter_labels, filters_text(document)) == ({}, "None")


def test_the_words_are_those_of_the_document_read_back(document):
    stored = ReportDocument.from_dict(json.loads(json.dumps(document.as_dict())))
    assert stored.as_dict() == document.as_dict()
    assert pdf_text(stored) == pdf_text(document)


def test_small_counts_hidden_keep_the_filters_in_words(document):
    hidden = catalog.get("VISIT_TRENDS").suppress(document, 10)
    assert hidden.filter_labels == LABELS


# --- documents stored before --------------------------------------------------------------------


def test_a_document_stored_before_reads_as_it_printed_then(document):
    before = MIGRATION.without_labels(document.as_dict())
    assert "filter_labels" not in before
    assert filters_text(ReportDocument.from_dict(before)) == AS_STORED_BEFORE


def test_the_migration_adds_the_words_as_a_report_made_now_holds_them(document):
    before = MIGRATION.without_labels(document.as_dict())
    migrated = MIGRATION.with_labels(before)
    assert migrated == document.as_dict()
    assert list(migrated) == list(document.as_dict())  # in the same place
    assert MIGRATION.without_labels(migrated) == before
    assert filters_text(ReportDocument.from_dict(migrated)) == IN_WORDS


def test_the_migration_rewrites_the_stored_documents(document, make_report, doctor):
    old = make_report(doctor, filters=FILTERS, document=MIGRATION.without_labels(document.as_dict()))
    none = make_report(doctor)
    MIGRATION.add_labels(apps, None)
    old.refresh_from_db()
    none.refresh_from_db()
    assert old.document["filter_labels"] == LABELS
    assert none.document is None
    MIGRATION.remove_labels(apps, None)
    old.refresh_from_db()
    assert "filter_labels" not in old.document


# --- the report list ----------------------------------------------------------------------------


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_list_tells_two_reports_of_one_title_apart_by_filters_and_hidden_counts(make_report, doctor):
    make_report(doctor, filters=FILTERS, suppress_small_counts=True)
    make_report(doctor, filters={"sex": "M"})
    make_report(doctor)
    results = client_for(doctor).get("/api/reports/generated/").json()["results"]
    assert {report["title"] for report in results} == {"Visit trends"}
    shown = [(report["filters"], report["filter_labels"], report["suppress_small_counts"]) for report in results]
    assert shown == [
        ({}, {}, False),
        ({"sex": "M"}, {"sex": {"label": "Sex", "text": "Male"}}, False),
        (FILTERS, LABELS, True),
    ]


def test_the_lists_query_count_does_not_grow_with_filtered_reports(make_report, doctor, django_assert_max_num_queries):
    client = client_for(doctor)
    make_report(doctor, filters=FILTERS)
    with django_assert_max_num_queries(10) as few:
        client.get("/api/reports/generated/")
    for _ in range(15):
        make_report(doctor, filters=FILTERS, suppress_small_counts=True)
    with django_assert_max_num_queries(len(few)):
        assert len(client.get("/api/reports/generated/").json()["results"]) == 16


def test_the_list_names_a_filter_of_a_report_type_that_no_longer_declares_it(make_report, doctor):
    make_report(doctor, filters={"ward": "North"})
    (report,) = client_for(doctor).get("/api/reports/generated/").json()["results"]
    assert report["filter_labels"] == {"ward": {"label": "Ward", "text": "North"}}
    assert GeneratedReport.objects.get().filters == {"ward": "North"}
