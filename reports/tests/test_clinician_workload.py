"""Clinician workload: figures known by construction, its filters, its audience and every format."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from conftest import local
from reports import catalog
from reports.catalog.report_type import ReportParams
from reports.models import GeneratedReport, ReportStatus, ReportTemplate
from reports.periods import Period
from reports.services import generating

JANUARY = Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
EMPTY = Period(dt.date(2030, 1, 1), dt.date(2030, 1, 31))
workload = catalog.get("CLINICIAN_WORKLOAD")


def build(period=JANUARY, **filters):
    return workload.build(ReportParams(period=period, filters=filters))


@pytest.fixture
def january(make_user, make_patient, make_medical_visit, make_dental_visit):
    """Dr Reyes: 3 medical visits of 2 patients (one follow-up); Dr Cruz, dentist: 2 dental visits of 2 patients
    (one of them also Reyes's); 1 medical visit with no clinician; 1 visit in February, outside."""
    reyes = make_user("DOCTOR", username="reyes")
    reyes.first_name, reyes.last_name = "Ana", "Reyes"
    reyes.save()
    cruz = make_user("DENTIST", username="cruz")
    ann, ben, cy = make_patient(), make_patient(), make_patient()
    monday_nine = local(2025, 1, 6, 9)
    make_medical_visit(ann, monday_nine, attended_by=reyes, follow_up_required=True)
    make_medical_visit(ann, local(2025, 1, 7, 9), attended_by=reyes)
    make_medical_visit(ben, monday_nine, attended_by=reyes)
    make_dental_visit(ben, local(2025, 1, 8, 14), attended_by=cruz)
    make_dental_visit(cy, local(2025, 1, 12, 23, 30), attended_by=cruz)
    make_medical_visit(cy, local(2025, 1, 8, 14))
    make_medical_visit(cy, local(2025, 2, 3, 9), attended_by=reyes)
    return reyes, cruz


def generated(export_format, **fields):
    """A January clinician workload report, run through the worker's path."""
    report = GeneratedReport.objects.create(
        template=ReportTemplate.objects.get(report_type="CLINICIAN_WORKLOAD"),
        report_type="CLINICIAN_WORKLOAD",
        title="Workload",
        generated_by=User.objects.get(username="reyes"),
        date_range_start=JANUARY.start,
        date_range_end=JANUARY.end,
        export_format=export_format,
        **fields,
    )
    generating.run_report(report.pk)
    return report


def hours(document):
    return {row[0]: row[1:] for row in document.section("by_hour").rows}


def test_the_summary_counts_visits_clinicians_patients_and_follow_ups(january):
    document = build()
    assert document.summary == {
        "total_visits": 6,
        "attended_visits": 5,
        "unattended_share": 0.1667,
        "clinicians": 2,
        "visits_per_clinician": 2.5,
        "patients_seen": 3,
        "follow_ups_requested": 1,
    }
    assert document.record_count == 6


def test_each_clinician_has_a_row_the_most_visits_first(january):
    rows = build().section("by_clinician").rows
    assert rows == [["Ana Reyes", "Doctor", 3, 0, 3, 2, 1], ["cruz", "Dentist", 0, 2, 2, 2, 0]]


def test_visits_fall_in_their_local_hour_and_weekday(january):
    table = hours(build())
    assert list(table) == [f"{hour:02d}" for hour in range(24)]
    assert table["09"] == [2, 1, 0, 0, 0, 0, 0]  # Monday 6th twice, Tuesday 7th
    assert table["14"] == [0, 0, 2, 0, 0, 0, 0]  # Wednesday 8th, one of them unattended
    assert table["23"] == [0, 0, 0, 0, 0, 0, 1]  # Sunday 12th, 23:30 local
    assert sum(map(sum, table.values())) == 6
    assert build().charts[1].kind == "heatmap"


def test_the_filters_narrow_every_figure(january):
    dental = build(visit_type="dental")
    assert (dental.summary["total_visits"], dental.summary["patients_seen"]) == (2, 2)
    assert [row[0] for row in dental.section("by_clinician").rows] == ["cruz"]
    doctors = build(clinician_role="DOCTOR")
    assert (doctors.summary["total_visits"], doctors.summary["attended_visits"]) == (3, 3)
    assert doctors.summary["unattended_share"] is None
    assert any("no unattended share" in note for note in doctors.notes)
    assert build(clinician_role="NURSE").summary["total_visits"] == 0


def test_an_empty_period_is_a_valid_document(db):
    document = build(EMPTY)
    assert document.summary["total_visits"] == 0
    assert document.summary["unattended_share"] is None
    assert document.section("by_clinician").rows == []
    assert document.notes == ["No data in this period."]


def test_the_query_count_does_not_depend_on_the_data(january, make_user, make_patient, make_medical_visit):
    with CaptureQueriesContext(connection) as few:
        build()
    for number in range(12):
        make_medical_visit(make_patient(), local(2025, 1, 1 + number, number), attended_by=make_user("NURSE"))
    with CaptureQueriesContext(connection) as many:
        build()
    assert len(many) == len(few)


def test_only_admins_are_offered_it(db, make_user, doctor):
    template = ReportTemplate.objects.get(report_type="CLINICIAN_WORKLOAD")
    assert template.allowed_roles == ["ADMIN"]
    body = {"date_range_start": "2025-01-01", "date_range_end": "2025-01-31", "export_format": "JSON"}
    as_doctor, as_admin = APIClient(), APIClient()
    as_doctor.force_authenticate(doctor)
    as_admin.force_authenticate(make_user("ADMIN"))
    assert as_doctor.post(f"/api/reports/templates/{template.pk}/generate/", body, format="json").status_code == 403
    assert as_admin.post(f"/api/reports/templates/{template.pk}/generate/", body, format="json").status_code == 202


@pytest.mark.parametrize("export_format", ["PDF", "EXCEL", "CSV", "JSON"])
def test_it_completes_in_every_format(january, export_format):
    report = generated(export_format, suppress_small_counts=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.COMPLETED, report.error_message
    assert report.document["summary"]["total_visits"] == "<11"


def test_the_preview_shows_its_heatmap_and_the_dashboard_lists_it(january, make_user):
    admin = APIClient()
    admin.force_authenticate(make_user("ADMIN"))
    report = generated("PDF")
    preview = admin.get(f"/api/reports/generated/{report.pk}/preview/").json()
    charts = {chart["key"]: chart for chart in preview["charts"]}
    assert set(charts) == {"by_clinician", "by_hour"}
    assert charts["by_hour"]["svg"].startswith("<svg") and "Monday" in charts["by_hour"]["svg"]
    assert preview["sections"][1]["columns"][:2] == ["Hour", "Monday"]
    dashboard = admin.get("/api/reports/generated/dashboard/").json()
    assert "Clinician workload" in [row["name"] for row in dashboard["popular_templates"]]
