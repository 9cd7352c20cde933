"""The API actions the /reports page uses: cards, bulk status, preview, retry, export as, dashboard charts."""

import datetime as dt
import json

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from conftest import local
from reports import catalog
from reports.api.serializers import MAX_STATUS_IDS
from reports.bidi import BIDI_CONTROLS
from reports.models import GeneratedReport, ReportStatus, ReportTemplate
from reports.services import generating, requesting

GENERATED = "/api/reports/generated/"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- template cards -----------------------------------------------------------


def test_every_report_type_has_a_one_line_preview():
    contents = {key: report_type.contents for key, report_type in catalog.REPORT_TYPES.items()}
    assert all(line and "\n" not in line and len(line) <= 110 for line in contents.values())


def test_cards_list_the_usable_templates_with_their_contents(make_user, django_assert_max_num_queries):
    nurse = client_for(make_user("NURSE"))
    with django_assert_max_num_queries(4):
        body = nurse.get("/api/reports/templates/cards/").json()
    cards = {card["report_type"]: card for card in body["results"]}
    assert "DENTAL_STATISTICS" not in cards
    medical = cards["MEDICAL_STATISTICS"]
    assert medical["contents"] == catalog.get("MEDICAL_STATISTICS").contents
    assert medical["supported_formats"] == ["PDF", "EXCEL", "CSV", "JSON"]
    assert medical["allowed_filters"]["sex"]["type"] == "choice"
    assert body["count"] == len(cards)


# --- bulk status --------------------------------------------------------------


def test_bulk_status_answers_for_the_callers_reports_only(make_report, doctor, make_user, admin):
    mine = make_report(doctor, status=ReportStatus.GENERATING, progress_percentage=40)
    done = make_report(doctor, status=ReportStatus.COMPLETED, progress_percentage=100)
    theirs = make_report(make_user("NURSE"))
    ids = f"{mine.pk},{done.pk},{theirs.pk},999999"
    body = client_for(doctor).get(f"{GENERATED}status/?ids={ids}").json()
    by_id = {row["id"]: row for row in body["results"]}
    assert set(by_id) == {mine.pk, done.pk}
    assert by_id[mine.pk]["status"] == "GENERATING"
    assert by_id[mine.pk]["progress_percentage"] == 40
    assert set(by_id[done.pk]) == {
        "id",
        "status",
        "progress_percentage",
        "error_message",
        "error_details",
        "created_at",
        "completed_at",
    }
    everyone = client_for(admin).get(f"{GENERATED}status/?ids={ids}").json()
    assert {row["id"] for row in everyone["results"]} == {mine.pk, done.pk, theirs.pk}


@pytest.mark.parametrize(
    "query",
    [
        *("", "?ids=", "?ids=1,a", "?ids=0", "?ids=-1", "?ids=1.5", "?ids=1,,2", "?ids=" + "9" * 19, "?other=1"),
        # Digits int() refuses (superscript two) or reads (Arabic-Indic, fullwidth), and 5,000 of them.
        *("?ids=²", "?ids=1,%D9%A3", "?ids=%EF%BC%91", "?ids=" + "1" * 5000),
    ],
)
def test_bulk_status_rejects_bad_ids_with_400(doctor, query):
    response = client_for(doctor).get(f"{GENERATED}status/{query}")
    assert response.status_code == 400
    assert "ids" in response.json()


def test_bulk_status_caps_the_number_of_ids(doctor):
    too_many = ",".join(str(pk) for pk in range(1, MAX_STATUS_IDS + 2))
    response = client_for(doctor).get(f"{GENERATED}status/?ids={too_many}")
    assert response.status_code == 400
    assert str(MAX_STATUS_IDS) in response.json()["ids"][0]
    assert client_for(doctor).get(f"{GENERATED}status/?ids={too_many.rsplit(',', 1)[0]}").status_code == 200


def test_bulk_status_needs_a_login(db):
    assert APIClient().get(f"{GENERATED}status/?ids=1").status_code == 401


def test_bulk_status_query_count_does_not_grow_with_ids(make_report, doctor, django_assert_max_num_queries):
    client = client_for(doctor)
    few = [make_report(doctor).pk for _ in range(2)]
    with django_assert_max_num_queries(4) as counted:
        assert len(client.get(f"{GENERATED}status/?ids={','.join(map(str, few))}").json()["results"]) == 2
    many = [make_report(doctor).pk for _ in range(40)]
    with django_assert_max_num_queries(len(counted)):
        assert len(client.get(f"{GENERATED}status/?ids={','.join(map(str, many))}").json()["results"]) == 40


# --- preview ------------------------------------------------------------------


@pytest.fixture
def january_visit(make_patient, make_medical_visit):
    make_medical_visit(make_patient(), local(2025, 1, 15))


def test_preview_shows_the_stored_documents_figures_tables_and_charts(january_visit, completed_report, doctor):
    response = client_for(doctor).get(f"{GENERATED}{completed_report.pk}/preview/")
    assert response.status_code == 200
    body = response.json()
    document = completed_report.document
    assert body["title"] == document["title"] == "Visit trends"
    assert body["period"] == document["period"]
    assert [figure["key"] for figure in body["summary"]] == list(document["summary"])
    total = next(figure for figure in body["summary"] if figure["key"] == "total_visits")
    assert total == {"key": "total_visits", "label": "Total visits", "value": 1, "text": "1", "is_rate": False}
    assert [section["key"] for section in body["sections"]] == [section["key"] for section in document["sections"]]
    # The first visit is on 15 January: eleven weeks from then, by week.
    over_time = next(section for section in body["sections"] if section["key"] == "over_time")
    assert over_time["columns"] == ["Week", "Medical", "Dental", "Total"]
    assert over_time["rows"][0] == ["Week of 2025-01-13", "1", "0", "1"]
    assert over_time["numeric"] == [False, True, True, True]
    charts = {chart["key"]: chart for chart in body["charts"]}
    assert set(charts) == {chart["key"] for chart in document["charts"]}  # each of them counted the one visit
    svg = charts["over_time"]["svg"]
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<title>Visits by week</title>" in svg
    assert "style=" not in svg and "<script" not in svg and " id=" not in svg
    assert charts["over_time"]["description"].startswith("2025-01-13: Medical 1, Dental 0, Total 1")


def test_an_empty_reports_preview_draws_no_empty_chart(completed_report, doctor):
    body = client_for(doctor).get(f"{GENERATED}{completed_report.pk}/preview/").json()
    assert completed_report.document["record_count"] == 0 and completed_report.document["charts"]
    assert body["charts"] == []


def test_preview_figures_are_printed_as_in_the_pdf(completed_report, doctor):
    GeneratedReport.objects.filter(pk=completed_report.pk).update(
        document={
            **completed_report.document,
            "summary": {"success_rate": 0.4567, "total_visits": 12345},
            "summary_kinds": {"success_rate": "rate", "total_visits": "count"},
        }
    )
    body = client_for(doctor).get(f"{GENERATED}{completed_report.pk}/preview/").json()
    assert [(f["label"], f["text"], f["is_rate"]) for f in body["summary"]] == [
        ("Success rate", "45.7%", True),
        ("Total visits", "12,345", False),
    ]


@pytest.mark.parametrize("status", [ReportStatus.PENDING, ReportStatus.GENERATING, ReportStatus.FAILED])
def test_preview_before_completion_is_409(make_report, doctor, status):
    report = make_report(doctor, status=status)
    response = client_for(doctor).get(f"{GENERATED}{report.pk}/preview/")
    assert response.status_code == 409
    assert status.label.lower() in response.json()["detail"]


def test_preview_of_an_expired_report_is_410(completed_report, doctor):
    GeneratedReport.objects.filter(pk=completed_report.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client_for(doctor).get(f"{GENERATED}{completed_report.pk}/preview/").status_code == 410
    GeneratedReport.objects.filter(pk=completed_report.pk).update(status=ReportStatus.EXPIRED, expires_at=None)
    assert client_for(doctor).get(f"{GENERATED}{completed_report.pk}/preview/").status_code == 410


def test_preview_of_another_users_report_is_404_and_admin_may_see_it(completed_report, make_user, admin):
    path = f"{GENERATED}{completed_report.pk}/preview/"
    assert client_for(make_user("DOCTOR")).get(path).status_code == 404
    assert client_for(admin).get(path).status_code == 200
    assert client_for(admin).get(f"{GENERATED}99999/preview/").status_code == 404
    assert client_for(admin).get(f"{GENERATED}abc/preview/").status_code == 404


def test_preview_query_count_is_fixed(completed_report, doctor, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert client_for(doctor).get(f"{GENERATED}{completed_report.pk}/preview/").status_code == 200


def test_titles_and_names_set_in_the_admin_reach_the_page_without_bidi_controls(make_report, doctor, admin, template):
    template.name = "Visit \u2067trends\u2069"
    template.save()
    report = make_report(doctor, title="Q1 \u202egnp.exe", status=ReportStatus.COMPLETED, progress_percentage=100)
    # As stored before bidirectional controls were stripped from documents.
    report.document = generating.build_document(report).as_dict() | {"title": report.title}
    report.save()
    client = client_for(doctor)
    paths = [
        *(GENERATED, f"{GENERATED}{report.pk}/", f"{GENERATED}{report.pk}/preview/", f"{GENERATED}dashboard/"),
        *(f"{GENERATED}dashboard/charts/", "/api/reports/templates/", "/api/reports/templates/cards/"),
    ]
    for path in paths:
        caller = client_for(admin) if "dashboard" in path else client  # the System tab's: ADMIN only
        shown = json.dumps(caller.get(path).json(), ensure_ascii=False)
        assert not set(shown) & set(BIDI_CONTROLS), path
        assert "Q1 gnp.exe" in shown or "Visit trends" in shown, path


# --- retry --------------------------------------------------------------------


def test_retry_queues_a_failed_report_again(make_report, doctor, django_capture_on_commit_callbacks):
    report = make_report(doctor, status=ReportStatus.FAILED, error_message="Storage was down.", attempts=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(doctor).post(f"{GENERATED}{report.pk}/retry/")
    assert response.status_code == 202
    body = response.json()
    assert body["id"] == report.pk
    assert body["status"] == "PENDING"
    assert body["error_message"] == ""
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [report.pk]
    report.refresh_from_db()
    assert report.attempts == 0 and report.task_id == str(task.id)


@pytest.mark.parametrize("status", [ReportStatus.PENDING, ReportStatus.COMPLETED, ReportStatus.EXPIRED])
def test_retry_of_a_report_that_has_not_failed_is_409(make_report, doctor, status):
    report = make_report(doctor, status=status)
    response = client_for(doctor).post(f"{GENERATED}{report.pk}/retry/")
    assert response.status_code == 409
    assert "Only a failed report" in response.json()["detail"]
    report.refresh_from_db()
    assert report.status == status


def test_retry_of_another_users_report_is_404(make_report, doctor, make_user):
    report = make_report(doctor, status=ReportStatus.FAILED)
    assert client_for(make_user("DOCTOR")).post(f"{GENERATED}{report.pk}/retry/").status_code == 404
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED


def test_retry_needs_the_template_still_allowed(make_report, make_user, template):
    nurse = make_user("NURSE")
    report = make_report(nurse, status=ReportStatus.FAILED)
    ReportTemplate.objects.filter(pk=template.pk).update(allowed_roles=["DOCTOR"])
    assert client_for(nurse).post(f"{GENERATED}{report.pk}/retry/").status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED


def test_retry_query_count_is_fixed(make_report, doctor, django_assert_max_num_queries):
    report = make_report(doctor, status=ReportStatus.FAILED)
    with django_assert_max_num_queries(8):
        assert client_for(doctor).post(f"{GENERATED}{report.pk}/retry/").status_code == 202


# --- export as ----------------------------------------------------------------


def test_export_requests_the_same_report_in_another_format(make_report, doctor, admin):
    original = make_report(
        doctor, status=ReportStatus.COMPLETED, title="Q1 visits", filters={"visit_type": "medical"}, export_format="PDF"
    )
    response = client_for(admin).post(f"{GENERATED}{original.pk}/export/", {"export_format": "EXCEL"}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["id"] != original.pk and body["status"] == "PENDING"
    exported = GeneratedReport.objects.get(pk=body["id"])
    assert exported.generated_by == admin
    assert (exported.template_id, exported.title, exported.filters, exported.export_format) == (
        original.template_id,
        "Q1 visits",
        {"visit_type": "medical"},
        "EXCEL",
    )
    assert (exported.date_range_start, exported.date_range_end) == (original.date_range_start, original.date_range_end)


def test_export_of_an_expired_report_in_its_own_format_generates_it_again(make_report, doctor):
    original = make_report(doctor, status=ReportStatus.EXPIRED, export_format="CSV")
    response = client_for(doctor).post(f"{GENERATED}{original.pk}/export/", {"export_format": "CSV"}, format="json")
    assert response.status_code == 202
    assert response.json()["export_format"] == "CSV"


@pytest.mark.parametrize("body", [{}, {"export_format": ""}, {"export_format": "DOCX"}, {"export_format": ["PDF"]}])
def test_export_rejects_a_missing_or_unknown_format(make_report, doctor, body):
    report = make_report(doctor, status=ReportStatus.COMPLETED)
    response = client_for(doctor).post(f"{GENERATED}{report.pk}/export/", body, format="json")
    assert response.status_code == 400
    assert "export_format" in response.json()
    assert GeneratedReport.objects.count() == 1


def test_export_rejects_a_format_the_template_does_not_support(make_report, doctor, template):
    ReportTemplate.objects.filter(pk=template.pk).update(supported_formats=["PDF", "CSV"])
    report = make_report(doctor, status=ReportStatus.COMPLETED)
    response = client_for(doctor).post(f"{GENERATED}{report.pk}/export/", {"export_format": "JSON"}, format="json")
    assert response.status_code == 400
    assert response.json()["export_format"] == ["This report can be exported as PDF, CSV, not JSON."]


def test_export_of_another_users_report_is_404(make_report, doctor, make_user):
    report = make_report(doctor, status=ReportStatus.COMPLETED)
    response = client_for(make_user("NURSE")).post(
        f"{GENERATED}{report.pk}/export/", {"export_format": "CSV"}, format="json"
    )
    assert response.status_code == 404
    assert GeneratedReport.objects.count() == 1


def test_export_needs_the_template_still_allowed(make_report, make_user, template):
    nurse = make_user("NURSE")
    report = make_report(nurse, status=ReportStatus.COMPLETED)
    ReportTemplate.objects.filter(pk=template.pk).update(is_active=False)
    response = client_for(nurse).post(f"{GENERATED}{report.pk}/export/", {"export_format": "CSV"}, format="json")
    assert response.status_code == 403
    assert GeneratedReport.objects.count() == 1


def test_export_query_count_is_fixed(make_report, doctor, django_assert_max_num_queries):
    report = make_report(doctor, status=ReportStatus.COMPLETED, filters={"sex": "F"})
    with django_assert_max_num_queries(8):
        response = client_for(doctor).post(f"{GENERATED}{report.pk}/export/", {"export_format": "CSV"}, format="json")
    assert response.status_code == 202


# --- dashboard charts ---------------------------------------------------------


def charts_of(client):
    body = client.get(f"{GENERATED}dashboard/charts/").json()
    return body["scope"], {chart["key"]: chart for chart in body["charts"]}


def test_dashboard_charts_draw_everyones_reports_for_admin_only(make_report, doctor, make_user, admin):
    make_report(doctor, status=ReportStatus.COMPLETED, export_format="PDF", generation_time=dt.timedelta(seconds=2))
    make_report(doctor, status=ReportStatus.FAILED)
    make_report(make_user("NURSE"), status=ReportStatus.PENDING, export_format="CSV")
    assert client_for(doctor).get(f"{GENERATED}dashboard/charts/").status_code == 403
    scope, charts = charts_of(client_for(admin))
    assert scope == "system"
    assert list(charts) == ["status", "daily", "popular_templates", "formats", "generation_time"]
    assert all(chart["svg"].startswith("<svg") for chart in charts.values())
    assert charts["status"]["description"] == "Pending: 1; Completed: 1; Failed: 1"
    assert charts["formats"]["description"] == "CSV: 1; JSON: 1; PDF: 1"
    assert charts["popular_templates"]["description"] == "Visit trends: 3"
    assert charts["generation_time"]["description"] == "Visit trends: 2.0 s"
    assert charts["daily"]["description"].endswith(": 3")
    assert "Completed  (33.3%)" in charts["status"]["svg"]


def test_dashboard_charts_with_no_reports_are_empty_with_a_reason(admin):
    scope, charts = charts_of(client_for(admin))
    assert scope == "system"
    assert all(chart["svg"] == "" for chart in charts.values())
    assert all(chart["description"] == "No reports yet." for chart in charts.values())


def test_dashboard_charts_query_count_does_not_grow_with_reports(make_report, admin, django_assert_max_num_queries):
    client = client_for(admin)
    for _ in range(3):
        make_report(admin, status=ReportStatus.COMPLETED, generation_time=dt.timedelta(seconds=1))
    with django_assert_max_num_queries(12) as counted:
        client.get(f"{GENERATED}dashboard/charts/")
    for _ in range(30):
        make_report(admin, status=ReportStatus.FAILED)
    with django_assert_max_num_queries(len(counted)):
        client.get(f"{GENERATED}dashboard/charts/")


def test_dashboard_series_counts_local_days(make_report, doctor):
    from reports import selectors

    late = make_report(doctor)
    GeneratedReport.objects.filter(pk=late.pk).update(created_at=local(2025, 3, 31, 23, 30))
    early = make_report(doctor)
    GeneratedReport.objects.filter(pk=early.pk).update(created_at=local(2025, 4, 1, 0, 5))
    old = make_report(doctor)
    GeneratedReport.objects.filter(pk=old.pk).update(created_at=local(2025, 3, 1, 12))
    daily = selectors.dashboard_series(doctor, days=30, today=dt.date(2025, 4, 1))["daily"]
    assert len(daily) == 30
    assert daily[0] == (dt.date(2025, 3, 3), 0)
    assert daily[-2:] == [(dt.date(2025, 3, 31), 1), (dt.date(2025, 4, 1), 1)]
    assert sum(count for _, count in daily) == 2


# --- OpenAPI --------------------------------------------------------------------


def test_the_schema_describes_the_page_actions(db):
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    statuses = paths["/api/reports/generated/status/"]["get"]
    assert statuses["operationId"] == "reports_generated_statuses"  # not colliding with one report's status
    assert [parameter["name"] for parameter in statuses["parameters"]] == ["ids"]
    assert {"200", "400", "401", "403"} <= set(statuses["responses"])
    assert {"200", "404", "409", "410"} <= set(paths["/api/reports/generated/{id}/preview/"]["get"]["responses"])
    assert {"202", "404", "409"} <= set(paths["/api/reports/generated/{id}/retry/"]["post"]["responses"])
    export = paths["/api/reports/generated/{id}/export/"]["post"]
    assert {"202", "400", "404"} <= set(export["responses"])
    assert "requestBody" in export
    assert "200" in paths["/api/reports/generated/dashboard/charts/"]["get"]["responses"]
    assert "200" in paths["/api/reports/templates/cards/"]["get"]["responses"]


def test_services_export_report_copies_the_parameters(make_report, doctor, make_user):
    nurse = make_user("NURSE")
    original = make_report(doctor, filters={"sex": "M"}, title="Men's visits")
    copy = requesting.export_report(original, user=nurse, export_format="PDF")
    assert copy.pk != original.pk and copy.generated_by == nurse
    assert (copy.filters, copy.title, copy.report_type) == ({"sex": "M"}, "Men's visits", original.report_type)


def test_export_keeps_the_small_count_suppression(make_report, doctor):
    original = make_report(doctor, status=ReportStatus.COMPLETED, suppress_small_counts=True)
    response = client_for(doctor).post(f"{GENERATED}{original.pk}/export/", {"export_format": "CSV"}, format="json")
    assert response.status_code == 202
    assert GeneratedReport.objects.get(pk=response.json()["id"]).suppress_small_counts is True
