"""Whatever an attacker or a careless client sends ends in a clear 4xx, and nothing changes."""

import datetime as dt
import io
import json

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from conftest import local
from reports.bidi import BIDI_CONTROLS
from reports.models import GeneratedReport, ReportAccessEvent, ReportTemplate
from reports.services import generating, requesting
from reports.tests.readers import formula_cells, shown_text

VALID = {"date_range_start": "2025-01-01", "date_range_end": "2025-03-31", "export_format": "CSV"}


@pytest.fixture
def generate_url(template):
    return f"/api/reports/templates/{template.pk}/generate/"


def assert_rejected(response, field, rows_before=0):
    assert 400 <= response.status_code < 500, response.content
    assert field in response.json(), response.json()
    assert all(isinstance(message, str) and message for message in _messages(response.json()[field]))
    assert GeneratedReport.objects.count() == rows_before
    assert DBTaskResult.objects.count() == 0


def _messages(value):
    if isinstance(value, dict):
        return [message for inner in value.values() for message in _messages(inner)]
    return value if isinstance(value, list) else [value]


HOSTILE = [
    ("date_range_start", "2026-02-30"),
    ("date_range_start", "30/01/2025"),
    ("date_range_start", "2025-1-1"),
    ("date_range_start", ""),
    ("date_range_start", 20250101),
    ("date_range_start", ["2025-01-01"]),
    ("date_range_start", {"year": 2025}),
    ("date_range_start", None),
    ("date_range_start", "1899-12-31"),
    ("date_range_start", "1970-01-01"),
    ("date_range_end", "9999-12-31"),
    ("date_range_end", "2099-01-01"),
    ("date_range_end", "2024-12-31"),
    ("date_range_start", "2025-01-01T00:00:00+25:00"),
    ("date_range_start", "0001-01-01T00:00:00+14:00"),
    ("date_range_end", "9999-12-31T23:59:59-14:00"),
    ("date_range_start", "2025-01-01'; DROP TABLE reports_generatedreport; --"),
    ("export_format", "pdf"),
    ("export_format", "DOCX"),
    ("export_format", ""),
    ("export_format", ["PDF"]),
    ("filters", {"sex": "X"}),
    ("filters", {"sex": ["F", "M"]}),
    ("filters", {"sex": {"$ne": "F"}}),
    ("filters", {"patient_type": "STUDENT' OR '1'='1"}),
    ("filters", {"department": "{{ settings.SECRET_KEY }}" + "x" * 100}),
    ("filters", {"department": "Engineering\x00"}),
    ("filters", {"unknown": "value"}),
    ("filters", "sex=F"),
    ("filters", ["sex"]),
    ("title", "x" * 1_000),
    ("title", "Monthly\x07report"),
    ("title", "Report\u202egnp.exe"),
    ("title", "<script>alert(1)</script>"),
    ("title", 12345),
]


@pytest.mark.parametrize(("field", "value"), HOSTILE, ids=[f"{f}={v!r}"[:60] for f, v in HOSTILE])
def test_hostile_values_are_rejected_naming_the_field(api, generate_url, field, value):
    payload = {**VALID, field: value}
    assert_rejected(api.post(generate_url, payload, format="json"), field)


def test_a_range_over_ten_years_is_rejected(api, generate_url, settings):
    settings.REPORT_EARLIEST_DATE = dt.date(2000, 1, 1)
    response = api.post(generate_url, {**VALID, "date_range_start": "2010-01-01", "date_range_end": "2025-01-01"})
    assert_rejected(response, "date_range_end")


def test_a_datetime_with_an_offset_is_read_as_its_local_day(api, generate_url):
    response = api.post(generate_url, {**VALID, "date_range_start": "2024-12-31T16:30:00-00:00"})
    assert response.status_code == 202
    assert response.json()["date_range_start"] == "2025-01-01"  # 00:30 in Manila


def test_a_one_megabyte_title_is_refused_before_it_is_read_whole(api, generate_url):
    response = api.post(generate_url, {**VALID, "title": "x" * 1_000_000}, format="json")
    assert response.status_code == 413
    assert "detail" in response.json()
    assert GeneratedReport.objects.count() == 0


def test_a_ten_megabyte_body_is_refused(api, generate_url):
    body = json.dumps({**VALID, "filters": {"department": "x" * 10_000_000}})
    response = api.generic("POST", generate_url, body, content_type="application/json")
    assert response.status_code == 413
    assert GeneratedReport.objects.count() == 0


def test_deeply_nested_json_is_a_400_not_a_crash(api, generate_url):
    body = '{"filters": ' + "[" * 5000 + "]" * 5000 + "}"
    response = api.generic("POST", generate_url, body, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert GeneratedReport.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        *("", "not json", "{", "[1, 2]", "NaN", '{"date_range_start": NaN}'),
        # Unpaired surrogates: valid JSON escapes, but not text (error messages would echo them).
        *(r'{"export_format": "\ud800"}', r'{"filters": {"\udc00": "x"}}', r'{"title": "a\udfffb"}'),
    ],
)
def test_malformed_bodies_are_400(api, generate_url, body):
    response = api.generic("POST", generate_url, body, content_type="application/json")
    assert response.status_code == 400
    assert GeneratedReport.objects.count() == 0


def test_form_encoded_bodies_are_415(api, generate_url):
    response = api.post(generate_url, VALID, format="multipart")
    assert response.status_code == 415
    assert GeneratedReport.objects.count() == 0


@pytest.mark.parametrize("report_id", ["-1", "0x10", "1e3", "99999999999999999999", "abc", "1;DROP"])
def test_malformed_ids_are_404(api, report_id):
    for suffix in ("", "status/", "download/"):
        assert api.get(f"/api/reports/generated/{report_id}/{suffix}").status_code == 404
    assert api.delete(f"/api/reports/generated/{report_id}/").status_code == 404


def test_unknown_but_wellformed_ids_are_404(api):
    assert api.get("/api/reports/generated/999999999999999999/").status_code == 404
    assert api.get("/api/reports/templates/999999999999999999/").status_code == 404


@pytest.mark.parametrize("query", ["status=done", "report_type=NOPE", "export_format=pdf", "page=abc", "page=-1"])
def test_bad_list_parameters_are_4xx(api, query):
    response = api.get(f"/api/reports/generated/?{query}")
    assert response.status_code in (400, 404)
    assert response.json()


def test_a_template_cannot_be_changed_through_the_api(api, template):
    for method in ("put", "patch", "delete"):
        response = getattr(api, method)(f"/api/reports/templates/{template.pk}/", {"name": "x"}, format="json")
        assert response.status_code == 405
    assert api.post("/api/reports/templates/", {"name": "x"}, format="json").status_code == 405
    assert ReportTemplate.objects.get(pk=template.pk).name == "Visit trends"


def test_exports_neutralise_formulas_from_clinic_data(make_patient, make_medical_visit, doctor, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {**settings.STORAGES["reports"], "OPTIONS": {"location": tmp_path}},
    }
    formula = '=HYPERLINK("http://x","y")'
    patient = make_patient()
    make_medical_visit(patient, local(2025, 2, 3), diagnosis=formula, outcome="RESOLVED")
    template = ReportTemplate.objects.get(report_type="TREATMENT_OUTCOMES")
    files = {}
    for export_format in ("CSV", "EXCEL"):
        report = requesting.request_report(
            user=doctor,
            template=template,
            date_range_start=dt.date(2025, 1, 1),
            date_range_end=dt.date(2025, 3, 31),
            export_format=export_format,
        )
        generating.run_report(report.pk)
        report.refresh_from_db()
        files[export_format] = (tmp_path / report.file.name).read_bytes()
    csv_text = files["CSV"].decode("utf-8-sig")
    assert "'" + formula.lower() in csv_text.lower().replace('""', '"')
    assert "\n" + formula.lower() not in csv_text.lower()
    workbook = load_workbook(io.BytesIO(files["EXCEL"]))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    diagnosis = [cell for cell in cells if "hyperlink" in cell.value.lower()]
    assert diagnosis
    assert all(cell.data_type == "s" for cell in diagnosis)


@pytest.mark.parametrize("export_format", ["PDF", "EXCEL", "CSV", "JSON"])
def test_feedback_comments_and_titles_reach_files_without_bidi_controls_or_split_formulas(
    make_patient, make_feedback, doctor, settings, tmp_path, export_format
):
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {**settings.STORAGES["reports"], "OPTIONS": {"location": tmp_path}},
    }
    make_feedback(make_patient(), local(2025, 2, 3), 5, comments="ok;=1+1;@SUM(1) \u202e!ecivres")
    report = requesting.request_report(
        user=doctor,
        template=ReportTemplate.objects.get(report_type="FEEDBACK_ANALYSIS"),
        date_range_start=dt.date(2025, 1, 1),
        date_range_end=dt.date(2025, 3, 31),
        export_format=export_format,
        title="Feedback \u202e1Q",  # as ADMIN may set it in Django admin, where no API checks it
        suppress_small_counts=False,
    )
    generating.run_report(report.pk)
    report.refresh_from_db()
    shown = shown_text(export_format, (tmp_path / report.file.name).read_bytes())
    assert not set(shown) & set(BIDI_CONTROLS)
    assert "Feedback 1Q" in shown
    assert "!ecivres" in shown
    if export_format == "CSV":
        assert formula_cells(shown) == []


def test_rejected_requests_are_audited_without_a_report(api, generate_url):
    api.post(generate_url, {**VALID, "export_format": "DOCX"}, format="json")
    event = ReportAccessEvent.objects.get()
    assert (event.action, event.outcome, event.status_code, event.report_id) == ("GENERATE", "REJECTED", 400, None)
    assert event.occurred_at <= timezone.now()
