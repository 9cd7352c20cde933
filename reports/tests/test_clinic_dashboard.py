"""The dashboard's clinic figures (``GET /api/reports/dashboard/clinic/``) and the ADMIN-only System figures."""

import datetime as dt
import itertools
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from conftest import local
from reports import catalog
from reports.catalog.report_type import ReportParams
from reports.clinic_figures import MAX_STEPS, steps
from reports.models import ReportTemplate
from reports.periods import Period
from uscpis.roles import Role

CLINIC = "/api/reports/dashboard/clinic/"
QUARTER = {"period": "custom", "start": "2025-01-01", "end": "2025-03-31"}
EVERY_FIGURE = ["visits", "patients_seen", "treatment_success", "satisfaction"]
SYSTEM_WORDS = ("storage", "failure", "generation", "downloads", "by_format", "totals")


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def figures_of(body):
    return {figure["key"]: figure for figure in body["figures"]}


@pytest.fixture
def quarter(make_patient, make_medical_visit, make_dental_visit, make_feedback):
    """January to March 2025: 30 patients with a medical visit in January (18 resolved, 12 referred),
    4 dental visits in February (improved), and 24 feedback in March (12 rated 5, 12 rated 2)."""
    patients = [make_patient() for _ in range(30)]
    for number, patient in enumerate(patients):
        outcome = "RESOLVED" if number < 18 else "REFERRED"
        make_medical_visit(patient, local(2025, 1, 1 + number % 28), outcome=outcome)
    for patient in patients[:4]:
        make_dental_visit(patient, local(2025, 2, 10), outcome="IMPROVED")
    for number, patient in enumerate(patients[:24]):
        make_feedback(patient, local(2025, 3, 5 + number % 20), 5 if number < 12 else 2)
    return patients


def test_a_doctor_receives_the_clinic_figures_of_the_period_with_monthly_trends(quarter, doctor):
    response = client_for(doctor).get(CLINIC, QUARTER)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period"] == {"preset": "custom", "start": "2025-01-01", "end": "2025-03-31"}
    assert body["step"] == "month"
    assert body["small_cell_threshold"] == 10
    figures = figures_of(body)
    assert list(figures) == EVERY_FIGURE
    assert figures["visits"] | {"trend": None, "chart": None} == {
        "key": "visits",
        "label": "Visits",
        "hint": "medical and dental",
        "report_type": "VISIT_TRENDS",
        "kind": "count",
        "value": 34,
        "text": "34",
        "suppressed": False,
        "trend": None,
        "chart": None,
    }
    assert [(step["label"], step["text"]) for step in figures["visits"]["trend"]] == [
        ("Jan 2025", "30"),
        ("Feb 2025", "<11"),  # 4 dental visits: hidden
        ("Mar 2025", "0"),
    ]
    assert figures["patients_seen"]["value"] == 30
    assert figures["treatment_success"]["value"] == pytest.approx(22 / 34, abs=1e-4)
    assert [step["text"] for step in figures["treatment_success"]["trend"]] == ["60.0%", "not shown", "—"]
    assert figures["satisfaction"]["text"] == "50.0%"
    chart = figures["visits"]["chart"]
    assert chart["svg"].startswith("<svg") and chart["title"] == "Visits by month"
    assert chart["description"] == "Jan 2025: 30; Feb 2025: <11; Mar 2025: 0"


def test_the_figures_are_the_report_types_own_headline_figures(quarter, doctor):
    figures = figures_of(client_for(doctor).get(CLINIC, QUARTER).json())
    params = ReportParams(period=Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31)))
    visits = catalog.get("VISIT_TRENDS").headline(params)
    outcomes = catalog.get("TREATMENT_OUTCOMES").headline(params)
    feedback = catalog.get("FEEDBACK_ANALYSIS").headline(params)
    assert figures["visits"]["value"] == visits["total_visits"]
    assert figures["patients_seen"]["value"] == visits["unique_patients"]
    assert figures["treatment_success"]["value"] == outcomes["success_rate"]
    assert figures["satisfaction"]["value"] == feedback["satisfaction_rate"]


def test_each_role_receives_only_the_figures_of_the_reports_it_may_use(quarter, doctor, make_user, admin):
    ReportTemplate.objects.filter(report_type="TREATMENT_OUTCOMES").update(allowed_roles=[Role.DOCTOR])
    received = {
        name: list(figures_of(client_for(user).get(CLINIC, QUARTER).json()))
        for name, user in {
            "admin": admin,
            "doctor": doctor,
            "nurse": make_user(Role.NURSE),
            "staff": make_user(Role.STAFF),
        }.items()
    }
    assert received == {
        "admin": EVERY_FIGURE,
        "doctor": EVERY_FIGURE,
        "nurse": ["visits", "patients_seen", "satisfaction"],
        "staff": ["visits", "patients_seen", "satisfaction"],
    }
    ReportTemplate.objects.filter(report_type__in=["VISIT_TRENDS", "FEEDBACK_ANALYSIS"]).update(is_active=False)
    assert client_for(make_user(Role.STAFF)).get(CLINIC, QUARTER).json()["figures"] == []


def test_patients_with_a_login_and_anonymous_callers_are_refused(db, make_user):
    assert client_for(make_user(Role.STUDENT)).get(CLINIC).status_code == 403
    assert APIClient().get(CLINIC).status_code == 401


@pytest.mark.parametrize("role", [Role.DOCTOR, Role.NURSE, Role.DENTIST, Role.STAFF])
def test_only_admins_receive_the_report_system_figures(db, make_user, admin, role):
    user = make_user(role)
    for path in ("/api/reports/generated/dashboard/", "/api/reports/generated/dashboard/charts/"):
        assert client_for(user).get(path).status_code == 403
        assert client_for(admin).get(path).status_code == 200
    clinic = client_for(user).get(CLINIC).json()
    assert not [word for word in SYSTEM_WORDS if word in json.dumps(clinic)]


def test_small_figures_are_hidden_counts_by_their_marker_rates_as_not_shown(
    doctor, make_patient, make_medical_visit, make_feedback
):
    patients = [make_patient() for _ in range(12)]
    for patient in patients[:3]:
        make_medical_visit(patient, local(2025, 5, 6), outcome="RESOLVED")
    for patient in patients:
        make_feedback(patient, local(2025, 5, 7), 5)
    body = client_for(doctor).get(CLINIC, {"period": "custom", "start": "2025-05-01", "end": "2025-05-31"}).json()
    figures = figures_of(body)
    assert body["step"] == "week"
    hidden = {"value": None, "text": "<11", "suppressed": True}
    for key in ("visits", "patients_seen"):
        assert hidden.items() <= figures[key].items()
    assert figures["treatment_success"]["value"] is None
    assert figures["treatment_success"]["text"] == "not shown"
    assert figures["satisfaction"]["text"] == "100.0%"  # 12 ratings: shown
    week = figures["visits"]["trend"][1]
    assert (week["label"], week["start"], week["end"]) == ("May 5", "2025-05-05", "2025-05-11")
    assert hidden.items() <= week.items()
    assert figures["visits"]["chart"]["description"] == "May 1: 0; May 5: <11; May 12: 0; May 19: 0; May 26: 0"
    assert figures["visits"]["chart"]["svg"].count("rgb(89%,90%,92%)") == 1  # the hidden week's grey band


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"period": "next_decade"}, "period", "invalid_choice"),
        ({"period": "custom", "end": "2025-01-31"}, "start", "required"),
        ({"period": "custom", "start": "2025-02-30", "end": "2025-03-01"}, "start", "impossible"),
        ({"period": "custom", "start": "yesterday", "end": "2025-03-01"}, "start", "invalid"),
        ({"period": "custom", "start": "1999-12-31", "end": "2025-03-01"}, "start", "out_of_range"),
        ({"period": "custom", "start": "2025-03-01", "end": "2025-02-01"}, "end", "range_order"),
        ({"period": "custom", "start": "2005-01-01", "end": "2025-01-01"}, "end", "range_too_long"),
        ({"period": "this_year", "start": "2025-01-01"}, "start", "not_custom"),
    ],
)
def test_bad_period_input_is_a_400_naming_the_field_and_the_reason(doctor, query, field, code):
    response = client_for(doctor).get(CLINIC, query)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert json.loads(response["Error-Codes"]) == {field: [code]}


def test_a_period_that_ends_after_today_is_refused(doctor):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client_for(doctor).get(CLINIC, {"period": "custom", "start": "2025-01-01", "end": tomorrow})
    assert response.status_code == 400
    assert json.loads(response["Error-Codes"]) == {"end": ["in_future"]}


@pytest.mark.parametrize("preset", ["this_month", "last_30_days", "this_year"])
def test_presets_end_today(doctor, preset):
    today = timezone.localdate()
    first = {
        "this_month": today.replace(day=1),
        "last_30_days": today - dt.timedelta(days=29),
        "this_year": today.replace(month=1, day=1),
    }[preset]
    body = client_for(doctor).get(CLINIC, {"period": preset}).json()
    assert body["period"] == {"preset": preset, "start": first.isoformat(), "end": today.isoformat()}
    assert figures_of(body)["visits"]["trend"][0]["start"] == first.isoformat()


def test_the_default_period_is_this_month(doctor):
    assert client_for(doctor).get(CLINIC).json()["period"]["preset"] == "this_month"


@pytest.mark.parametrize(
    ("start", "end", "unit", "count"),
    [
        (dt.date(2025, 3, 3), dt.date(2025, 3, 9), "day", 7),
        (dt.date(2025, 3, 1), dt.date(2025, 3, 31), "week", 6),  # Sat 1 Mar to Mon 31 Mar
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31), "month", 12),
        (dt.date(2024, 6, 15), dt.date(2025, 6, 14), "quarter", 5),  # 13 months
        (dt.date(2016, 1, 1), dt.date(2025, 12, 31), "year", 10),
    ],
)
def test_steps_are_the_finest_calendar_unit_with_at_most_twelve(start, end, unit, count):
    found, parts = steps(Period(start, end))
    assert (found, len(parts)) == (unit, count)
    assert len(parts) <= MAX_STEPS
    assert parts[0].start == start and parts[-1].end == end
    assert all(after.start == before.end + dt.timedelta(days=1) for before, after in itertools.pairwise(parts))


def test_the_query_count_does_not_grow_with_the_data(
    doctor, make_patient, make_medical_visit, make_feedback, django_assert_max_num_queries
):
    def add(visits):
        for day in range(visits):
            patient = make_patient()
            make_medical_visit(patient, local(2025, 1 + day % 3, 1 + day % 28), outcome="RESOLVED")
            make_feedback(patient, local(2025, 1 + day % 3, 2 + day % 27), 4)

    client = client_for(doctor)
    add(3)
    with CaptureQueriesContext(connection) as few:
        client.get(CLINIC, QUARTER)
    add(60)
    cache.clear()
    with django_assert_max_num_queries(len(few)):
        assert figures_of(client.get(CLINIC, QUARTER).json())["visits"]["value"] == 63


def test_the_figures_are_cached_and_fresh_after_a_new_visit(quarter, doctor, make_medical_visit):
    client = client_for(doctor)
    with CaptureQueriesContext(connection) as cold:
        first = client.get(CLINIC, QUARTER).json()
    with CaptureQueriesContext(connection) as warm:
        again = client.get(CLINIC, QUARTER).json()
    assert again == first
    assert len(warm) <= 4 < len(cold)
    make_medical_visit(quarter[0], local(2025, 3, 20))
    assert figures_of(client.get(CLINIC, QUARTER).json())["visits"]["value"] == 35


def test_the_schema_documents_the_clinic_dashboard(db):
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    clinic = paths[CLINIC]["get"]
    assert [parameter["name"] for parameter in clinic["parameters"]] == ["end", "period", "start"]
    assert {"200", "400", "401", "403"} <= set(clinic["responses"])
    assert "403" in paths["/api/reports/generated/dashboard/"]["get"]["responses"]
