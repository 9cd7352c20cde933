"""The reports REST API: every endpoint and its error answers."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from reports import catalog
from reports.models import GeneratedReport, ReportStatus, ReportTemplate, UserLogin, reports_storage

GENERATE = "/api/reports/templates/{}/generate/"
VALID = {"date_range_start": "2025-01-01", "date_range_end": "2025-03-31", "export_format": "PDF"}


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- authentication ---------------------------------------------------------


def test_login_returns_token_and_roles(doctor):
    response = APIClient().post("/api/auth/login/", {"username": "doctor", "password": "pw-doctor"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {"id": doctor.pk, "username": "doctor", "roles": ["DOCTOR"]}
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION="Token " + body["token"])
    assert token_client.get("/api/reports/templates/").status_code == 200
    assert list(UserLogin.objects.values_list("user", flat=True)) == [doctor.pk]  # kept for activity figures


def test_login_with_wrong_password_is_400_without_echoing_it(doctor):
    response = APIClient().post("/api/auth/login/", {"username": "doctor", "password": "nope-secret"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert "nope-secret" not in response.content.decode()


def test_logout_revokes_the_token(doctor):
    token = APIClient().post("/api/auth/login/", {"username": "doctor", "password": "pw-doctor"}).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + token)
    assert client.post("/api/auth/logout/").status_code == 204
    assert client.get("/api/reports/templates/").status_code == 401


@pytest.mark.parametrize(
    "url",
    ["/api/reports/templates/", "/api/reports/generated/", "/api/reports/generated/dashboard/"],
)
def test_anonymous_gets_401(db, url):
    assert APIClient().get(url).status_code == 401


def test_patients_with_a_login_get_403(make_user):
    student = client_for(make_user("STUDENT"))
    assert student.get("/api/reports/templates/").status_code == 403
    assert student.get("/api/reports/generated/").status_code == 403


# --- templates --------------------------------------------------------------


def test_templates_list_only_what_the_role_may_use(make_user):
    nurse = client_for(make_user("NURSE"))
    types = {item["report_type"] for item in nurse.get("/api/reports/templates/").json()["results"]}
    assert "DENTAL_STATISTICS" not in types
    assert "MEDICAL_STATISTICS" in types
    dentist = client_for(make_user("DENTIST"))
    assert "DENTAL_STATISTICS" in {i["report_type"] for i in dentist.get("/api/reports/templates/").json()["results"]}


def test_admin_sees_every_declared_template_with_all_formats(admin):
    body = client_for(admin).get("/api/reports/templates/").json()
    assert body["count"] == len(catalog.REPORT_TYPES)
    assert {item["report_type"] for item in body["results"]} == set(catalog.REPORT_TYPES)
    assert all(item["supported_formats"] == ["PDF", "EXCEL", "CSV", "JSON"] for item in body["results"])


def test_template_detail_publishes_allowed_filters(api):
    template = ReportTemplate.objects.get(report_type="PATIENT_SUMMARY")
    body = api.get(f"/api/reports/templates/{template.pk}/").json()
    assert set(body) >= {"id", "name", "description", "report_type", "supported_formats", "requires_date_range"}
    assert body["allowed_filters"]["sex"]["type"] == "choice"
    assert {choice["value"] for choice in body["allowed_filters"]["sex"]["choices"]} == {"M", "F", "O"}


def test_unknown_and_non_numeric_template_ids_are_404(api):
    assert api.get("/api/reports/templates/999999/").status_code == 404
    assert api.get("/api/reports/templates/abc/").status_code == 404
    assert api.post(GENERATE.format("99999999999999999999"), VALID, format="json").status_code == 404


def test_inactive_template_is_404(api, template):
    template.is_active = False
    template.save()
    assert api.post(GENERATE.format(template.pk), VALID, format="json").status_code == 404


# --- generate ---------------------------------------------------------------


def test_generate_returns_202_and_enqueues_after_commit(api, template, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post(GENERATE.format(template.pk), VALID, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["report_id"] == body["id"]
    assert body["status"] == "PENDING"
    assert body["export_format"] == "PDF"
    assert "file" not in body and not any("url" in key for key in body)
    assert len(callbacks) == 1
    task = DBTaskResult.objects.get()
    assert task.task_path == "reports.tasks.generate_report"
    assert task.args_kwargs["args"] == [body["id"]]
    assert GeneratedReport.objects.get().task_id == str(task.id)


def test_generate_reads_iso_datetimes_as_their_local_day(api, template):
    payload = {**VALID, "date_range_start": "2025-01-01T23:30:00+08:00", "date_range_end": "2025-03-30T20:00:00Z"}
    body = api.post(GENERATE.format(template.pk), payload, format="json").json()
    # 20:00 UTC on 30 March is 04:00 on 31 March in Manila.
    assert (body["date_range_start"], body["date_range_end"]) == ("2025-01-01", "2025-03-31")


def test_generate_default_title_names_template_and_period(api, template):
    body = api.post(GENERATE.format(template.pk), VALID, format="json").json()
    assert body["title"] == "Visit trends 2025-01-01 to 2025-03-31"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date_range_start": None}, "date_range_start"),
        ({"date_range_start": "2025-13-01"}, "date_range_start"),
        ({"date_range_start": "2026-02-30"}, "date_range_start"),
        ({"date_range_start": ""}, "date_range_start"),
        ({"date_range_start": 20250101}, "date_range_start"),
        ({"date_range_start": ["2025-01-01"]}, "date_range_start"),
        ({"date_range_end": "2024-12-31"}, "date_range_end"),
        ({"date_range_end": "2040-01-01"}, "date_range_end"),
        ({"export_format": "pdf"}, "export_format"),
        ({"export_format": "DOCX"}, "export_format"),
        ({"filters": {"colour": "red"}}, "filters"),
        ({"filters": {"sex": "X"}}, "filters"),
        ({"filters": ["sex"]}, "filters"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Report\u202egnp.exe"}, "title"),
    ],
)
def test_generate_rejects_bad_input_with_the_field_and_creates_nothing(api, template, change, field):
    payload = {key: value for key, value in {**VALID, **change}.items() if value is not None}
    response = api.post(GENERATE.format(template.pk), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert response.json()[field]
    assert GeneratedReport.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_generate_names_the_bad_filter_key(api, template):
    response = api.post(GENERATE.format(template.pk), {**VALID, "filters": {"sex": "X"}}, format="json")
    assert "sex" in response.json()["filters"]


def test_generate_rejects_a_format_the_template_does_not_support(api, template):
    template.supported_formats = ["PDF"]
    template.save()
    response = api.post(GENERATE.format(template.pk), {**VALID, "export_format": "CSV"}, format="json")
    assert response.status_code == 400
    assert "export_format" in response.json()


def test_generate_with_a_template_the_role_may_not_use_is_403(make_user):
    nurse = client_for(make_user("NURSE"))
    dental = ReportTemplate.objects.get(report_type="DENTAL_STATISTICS")
    response = nurse.post(GENERATE.format(dental.pk), VALID, format="json")
    assert response.status_code == 403
    assert GeneratedReport.objects.count() == 0


# --- generated reports ------------------------------------------------------


def test_list_shows_own_reports_newest_first_and_admin_sees_all(make_report, doctor, make_user, admin):
    other = make_user("NURSE")
    first = make_report(doctor)
    second = make_report(doctor)
    make_report(other)
    ids = [item["id"] for item in client_for(doctor).get("/api/reports/generated/").json()["results"]]
    assert ids == [second.pk, first.pk]
    assert client_for(admin).get("/api/reports/generated/").json()["count"] == 3


def test_list_is_paginated_with_page_size(make_report, doctor):
    for _ in range(25):
        make_report(doctor)
    client = client_for(doctor)
    body = client.get("/api/reports/generated/").json()
    assert (body["count"], len(body["results"])) == (25, 20)
    assert body["next"] and body["previous"] is None
    assert len(client.get("/api/reports/generated/?page_size=5").json()["results"]) == 5
    assert len(client.get("/api/reports/generated/?page_size=1000").json()["results"]) == 25


def test_list_filters_by_status_type_and_format(make_report, doctor):
    make_report(doctor, status=ReportStatus.FAILED)
    make_report(doctor, export_format="CSV")
    client = client_for(doctor)
    assert client.get("/api/reports/generated/?status=FAILED").json()["count"] == 1
    assert client.get("/api/reports/generated/?export_format=CSV").json()["count"] == 1
    assert client.get("/api/reports/generated/?report_type=VISIT_TRENDS").json()["count"] == 2
    response = client.get("/api/reports/generated/?status=DONE")
    assert response.status_code == 400
    assert "status" in response.json()


def test_detail_and_status_fields(completed_report, doctor):
    client = client_for(doctor)
    detail = client.get(f"/api/reports/generated/{completed_report.pk}/").json()
    assert detail["status"] == "COMPLETED"
    assert detail["progress_percentage"] == 100
    assert detail["file_size"] > 0
    assert detail["generation_seconds"] >= 0
    assert detail["template_name"] == "Visit trends"
    assert detail["generated_by_name"] == "doctor"
    assert not any("url" in key or key == "file" for key in detail)
    status = client.get(f"/api/reports/generated/{completed_report.pk}/status/").json()
    assert set(status) == {
        "id",
        "status",
        "progress_percentage",
        "error_message",
        "error_details",
        "created_at",
        "completed_at",
    }


def test_status_reads_only_the_status_columns_of_one_table(completed_report, doctor):
    """The polled endpoint joins nothing and reads none of the report's other columns."""
    client = client_for(doctor)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/api/reports/generated/{completed_report.pk}/status/").status_code == 200
    (read,) = [query["sql"] for query in queries if 'FROM "reports_generatedreport"' in query["sql"]]
    assert "JOIN" not in read
    assert '"title"' not in read


def test_another_users_report_is_404_everywhere(completed_report, make_user):
    nurse = client_for(make_user("NURSE"))
    base = f"/api/reports/generated/{completed_report.pk}/"
    for url in (base, base + "status/", base + "download/"):
        assert nurse.get(url).status_code == 404
    assert nurse.delete(base).status_code == 404
    assert GeneratedReport.objects.filter(pk=completed_report.pk).exists()


def test_download_streams_the_file_with_headers_and_counts(completed_report, doctor):
    client = client_for(doctor)
    response = client.get(f"/api/reports/generated/{completed_report.pk}/download/")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/json"
    assert int(response["Content-Length"]) == len(content) == completed_report.file_size
    day = timezone.localtime(completed_report.completed_at).date()
    assert response["Content-Disposition"] == f'attachment; filename="visit-trends_{day:%Y-%m-%d}.json"'
    assert json.loads(content)["report_type"] == "VISIT_TRENDS"
    completed_report.refresh_from_db()
    assert completed_report.download_count == 1


@pytest.mark.parametrize("status", [ReportStatus.PENDING, ReportStatus.GENERATING, ReportStatus.FAILED])
def test_download_before_completion_is_409_and_not_counted(make_report, doctor, status):
    report = make_report(doctor, status=status)
    response = client_for(doctor).get(f"/api/reports/generated/{report.pk}/download/")
    assert response.status_code == 409
    assert "detail" in response.json()
    report.refresh_from_db()
    assert report.download_count == 0


def test_download_of_an_expired_report_is_410(completed_report, doctor):
    GeneratedReport.objects.filter(pk=completed_report.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client_for(doctor).get(f"/api/reports/generated/{completed_report.pk}/download/").status_code == 410
    GeneratedReport.objects.filter(pk=completed_report.pk).update(status=ReportStatus.EXPIRED, expires_at=None)
    assert client_for(doctor).get(f"/api/reports/generated/{completed_report.pk}/download/").status_code == 410


def test_delete_removes_the_record_and_its_file(completed_report, doctor, django_capture_on_commit_callbacks):
    storage = reports_storage()
    name = completed_report.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(doctor).delete(f"/api/reports/generated/{completed_report.pk}/")
    assert response.status_code == 204
    assert not GeneratedReport.objects.filter(pk=completed_report.pk).exists()
    assert not storage.exists(name)


def test_the_system_dashboard_counts_everyones_reports_for_admin_only(make_report, template, doctor, make_user, admin):
    make_report(
        doctor, status=ReportStatus.COMPLETED, file_size=100, download_count=2, generation_time=dt.timedelta(seconds=2)
    )
    make_report(
        doctor,
        status=ReportStatus.COMPLETED,
        file_size=50,
        export_format="PDF",
        generation_time=dt.timedelta(seconds=4),
    )
    make_report(doctor, status=ReportStatus.FAILED)
    make_report(doctor, status=ReportStatus.EXPIRED)
    make_report(make_user("NURSE"), status=ReportStatus.PENDING)
    assert client_for(doctor).get("/api/reports/generated/dashboard/").status_code == 403
    body = client_for(admin).get("/api/reports/generated/dashboard/").json()
    assert body["totals"] == {"reports": 5, "completed": 2, "failed": 1, "pending": 1, "generating": 0, "expired": 1}
    assert body["by_format"] == {"JSON": 4, "PDF": 1}
    assert body["popular_templates"] == [{"template_id": template.pk, "name": "Visit trends", "count": 5}]
    assert body["average_generation_seconds"] == 3.0
    assert body["total_downloads"] == 2
    assert body["storage_bytes"] == 150
    assert body["failure_rate"] == pytest.approx(1 / 4, abs=1e-4)  # of completed, expired and failed
    assert len(body["recent_reports"]) == 5


def test_dashboard_query_count_does_not_grow_with_reports(make_report, admin, django_assert_max_num_queries):
    client = client_for(admin)
    for _ in range(3):
        make_report(admin)
    with django_assert_max_num_queries(8) as few:
        client.get("/api/reports/generated/dashboard/")
    for _ in range(30):
        make_report(admin)
    with django_assert_max_num_queries(len(few)):
        client.get("/api/reports/generated/dashboard/")
