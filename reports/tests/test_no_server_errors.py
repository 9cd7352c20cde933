"""No input gets a 5xx: property tests (Hypothesis) over every endpoint's parameters.

A refused request creates no report, and every generate, download and delete request that
reaches its view leaves exactly one audit row. ``tests/test_api_fuzz.py`` sends the same
strategies to a live gunicorn.
"""

import re

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from reports.api.serializers import GenerateReportSerializer, PresetSerializer
from reports.models import GeneratedReport, ReportAccessEvent, ReportPreset, ReportStatus, ReportTemplate
from reports.tests import strategies as hostile

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
GENERATE_FIELDS = set(GenerateReportSerializer().fields)
ROUTED_ID = re.compile(r"[0-9]{1,18}")
# (method, path after the report id, audited): every action on one report.
REPORT_ACTIONS = [
    ("GET", "", False),
    ("GET", "status/", False),
    ("GET", "preview/", False),
    ("GET", "download/", True),
    ("POST", "retry/", True),
    ("POST", "export/", True),
    ("DELETE", "", True),
]


def client_for(user):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def send(client, method, path, body=None):
    """One request, throttles reset first (they would only turn later examples into 429s)."""
    cache.clear()
    data = None if body is None else hostile.json_body(body)
    response = client.generic(method, path, data or "", content_type="application/json")
    assert response.status_code < 500, (method, path, body, response.status_code)
    return response


def counts():
    return GeneratedReport.objects.count(), ReportAccessEvent.objects.count()


@pytest.fixture
def reports(completed_report, make_report, doctor, make_user):
    """The doctor's reports in every state, and a report of someone else."""
    return [
        completed_report.pk,
        make_report(doctor, status=ReportStatus.FAILED, error_message="Storage was unavailable.").pk,
        make_report(doctor, status=ReportStatus.PENDING).pk,
        make_report(doctor, status=ReportStatus.EXPIRED).pk,
        make_report(make_user("NURSE")).pk,
    ]


def test_status_of_several_reports(doctor, reports):
    client = client_for(doctor)

    @FUZZ
    @given(ids=hostile.IDS)
    def check(ids):
        response = send(client, "GET", "/api/reports/generated/status/" + hostile.query(ids=ids))
        if response.status_code == 400:
            assert set(response.json()) == {"ids"}

    check()


def test_generate(doctor, db):
    client = client_for(doctor)
    templates = list(ReportTemplate.objects.values_list("pk", flat=True))

    @FUZZ
    @given(template=st.sampled_from(templates), body=hostile.GENERATE_BODIES)
    def check(template, body):
        reports_before, events_before = counts()
        response = send(client, "POST", f"/api/reports/templates/{template}/generate/", body)
        reports_after, events_after = counts()
        assert events_after == events_before + 1
        if response.status_code != 202:
            assert reports_after == reports_before
        if response.status_code == 400:
            assert set(response.json()) <= GENERATE_FIELDS | {"detail", "non_field_errors"}, response.json()

    check()


def test_saving_and_changing_presets(doctor, db):
    """Any body saved as a new preset or over an existing one: a 201/200 or a 400 naming fields, nothing else."""
    client = client_for(doctor)
    templates = list(ReportTemplate.objects.values_list("pk", flat=True))
    kept = ReportPreset.objects.create(
        owner=doctor, name="Kept", template_id=templates[0], relative_period="previous_month", export_format="PDF"
    )
    fields = set(PresetSerializer().fields)

    @FUZZ
    @given(method=st.sampled_from(["POST", "PUT", "PATCH"]), body=hostile.preset_bodies(templates))
    def check(method, body):
        before = list(ReportPreset.objects.values().order_by("id"))
        path = "/api/reports/presets/" + ("" if method == "POST" else f"{kept.pk}/")
        response = send(client, method, path, body)
        if response.status_code == 400:
            assert set(response.json()) <= fields | {"detail", "non_field_errors"}, response.json()
            assert list(ReportPreset.objects.values().order_by("id")) == before
        else:
            assert response.status_code in (200, 201), response.content
            ReportPreset.objects.exclude(pk=kept.pk).delete()
            ReportPreset.objects.filter(pk=kept.pk).update(name="Kept")

    check()


def test_every_action_on_a_report(doctor, reports):
    client = client_for(doctor)

    @FUZZ
    @given(
        action=st.sampled_from(REPORT_ACTIONS),
        report=st.one_of(st.sampled_from(reports), hostile.ID_TEXT),
        body=st.one_of(st.none(), st.fixed_dictionaries({"export_format": hostile.EXPORT_FORMATS}), hostile.ANY_JSON),
    )
    def check(action, report, body):
        method, suffix, audited = action
        reports_before, events_before = counts()
        path = f"/api/reports/generated/{hostile.path_segment(report)}/{suffix}"
        response = send(client, method, path, body if method == "POST" else None)
        reports_after, events_after = counts()
        reached_view = bool(ROUTED_ID.fullmatch(str(report)))
        assert events_after == events_before + (1 if audited and reached_view else 0)
        if response.status_code >= 400:
            assert reports_after == reports_before

    check()


def test_lists_pages_and_filters(doctor, reports):
    client = client_for(doctor)
    paths = ["/api/reports/generated/", "/api/reports/templates/", "/api/reports/templates/cards/"]

    @FUZZ
    @given(
        path=st.sampled_from(paths),
        page=hostile.PAGES,
        page_size=hostile.PAGES,
        status=st.none() | hostile.URL_TEXT | st.sampled_from(ReportStatus.values),
        report_type=st.none() | hostile.URL_TEXT,
        export_format=st.none() | hostile.URL_TEXT,
    )
    def check(path, **params):
        send(client, "GET", path + hostile.query(**params))

    check()


def test_audit_trail_filters(admin, reports):
    client = client_for(admin)

    @FUZZ
    @given(
        path=st.sampled_from(["/api/reports/audit-events/", "/api/reports/audit-events/download/"]),
        action=st.none() | hostile.URL_TEXT | st.just("GENERATE"),
        outcome=st.none() | hostile.URL_TEXT,
        username=st.none() | hostile.URL_TEXT,
        report_id=st.none() | hostile.ID_TEXT,
        occurred_after=st.none() | hostile.DATE_TEXT,
        occurred_before=st.none() | hostile.DATE_TEXT,
        page=hostile.PAGES,
    )
    def check(path, **params):
        response = send(client, "GET", path + hostile.query(**params))
        if response.streaming:
            b"".join(response.streaming_content)

    check()


def test_login(db):
    client = APIClient(raise_request_exception=False)

    @FUZZ
    @given(
        body=st.one_of(
            st.fixed_dictionaries({"username": hostile.ANY_JSON, "password": hostile.ANY_JSON}), hostile.ANY_JSON
        )
    )
    def check(body):
        send(client, "POST", "/api/auth/login/", body)

    check()


def test_request_headers(db, reports):
    """Credentials and forwarding headers of any bytes: refused or ignored, never a 5xx."""
    client = APIClient(raise_request_exception=False)

    @FUZZ
    @given(
        path=st.sampled_from(
            ["/api/reports/templates/", "/api/auth/tokens/", f"/api/reports/generated/{reports[0]}/download/"]
        ),
        authorization=hostile.AUTHORIZATIONS,
        forwarded_for=hostile.HEADER_TEXT,
        forwarded_proto=hostile.HEADER_TEXT,
    )
    def check(path, authorization, forwarded_for, forwarded_proto):
        cache.clear()
        headers = {"authorization": authorization, "x-forwarded-for": forwarded_for}
        response = client.get(path, headers={**headers, "x-forwarded-proto": forwarded_proto})
        assert response.status_code < 500, (path, headers, response.status_code)

    check()


def test_a_generate_request_that_fails_with_an_error_is_audited(doctor, template, monkeypatch):
    def broken(**params):
        raise RuntimeError("the queue is broken")

    monkeypatch.setattr("reports.services.requesting.request_report", broken)
    body = {"date_range_start": "2025-01-01", "date_range_end": "2025-01-31", "export_format": "PDF"}
    response = client_for(doctor).post(f"/api/reports/templates/{template.pk}/generate/", body, format="json")
    assert response.status_code == 500
    event = ReportAccessEvent.objects.get()
    assert (event.action, event.outcome, event.status_code, event.template_id) == (
        "GENERATE",
        "UNAVAILABLE",
        500,
        template.pk,
    )
