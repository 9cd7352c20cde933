"""Every API error names its stable codes in the Error-Codes header, in the body's structure."""

import datetime as dt
import json

import pytest
from django.db import DatabaseError
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from reports.api.errors import MAX_HEADER_LENGTH
from reports.api.serializers import MAX_STATUS_IDS
from reports.models import ReportStatus

GENERATE = "/api/reports/templates/{}/generate/"
GENERATED = "/api/reports/generated/"
VALID = {"date_range_start": "2025-01-01", "date_range_end": "2025-01-31", "export_format": "JSON"}


def codes(response):
    return json.loads(response["Error-Codes"])


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"date_range_start": "2025-02-01"}, {"date_range_end": ["range_order"]}),
        ({"date_range_start": "2015-01-01", "date_range_end": "2025-01-31"}, {"date_range_end": ["range_too_long"]}),
        ({"date_range_end": "2099-01-01"}, {"date_range_end": ["out_of_range"]}),
        ({"date_range_start": "2025-02-30"}, {"date_range_start": ["impossible"]}),
        ({"date_range_start": "01/02/2025"}, {"date_range_start": ["invalid"]}),
        ({"date_range_start": None}, {"date_range_start": ["required"]}),
        ({"export_format": "DOCX"}, {"export_format": ["invalid_choice"]}),
        ({"filters": {"colour": "red"}}, {"filters": {"colour": ["unknown_filter"]}}),
        ({"filters": {"sex": "X"}}, {"filters": {"sex": ["invalid_filter"]}}),
        ({"filters": ["sex"]}, {"filters": ["not_a_dict"]}),
        ({"title": "Report\u202egnp.exe"}, {"title": ["control_characters"]}),
        ({"title": "<b>Report</b>"}, {"title": ["markup"]}),
        ({"title": 7}, {"title": ["not_text"]}),
        ({"suppress_small_counts": "yes"}, {"suppress_small_counts": ["invalid"]}),
    ],
)
def test_each_bad_field_has_a_code_where_its_message_is(api, template, change, expected):
    payload = {key: value for key, value in {**VALID, **change}.items() if value is not None}
    response = api.post(GENERATE.format(template.pk), payload, format="json")
    assert response.status_code == 400
    assert codes(response) == expected
    assert set(response.json()) == set(expected)


def test_a_future_date_has_its_code(api, template):
    next_year = timezone.localdate() + dt.timedelta(days=400)
    response = api.post(GENERATE.format(template.pk), {**VALID, "date_range_end": next_year.isoformat()})
    assert codes(response) == {"date_range_end": ["out_of_range"]}


def test_a_format_the_template_does_not_support_is_unsupported_format(api, template, completed_report):
    template.supported_formats = ["PDF", "CSV"]
    template.save()
    generate = api.post(GENERATE.format(template.pk), {**VALID, "export_format": "JSON"})
    export = api.post(f"{GENERATED}{completed_report.pk}/export/", {"export_format": "JSON"})
    assert codes(generate) == {"export_format": ["unsupported_format"]}
    assert codes(export) == {"export_format": ["unsupported_format"]}


def test_the_codes_stay_short_when_a_client_sends_thousands_of_unknown_filters(api, template):
    filters = {f"unknown-{number}": "x" for number in range(2000)}
    response = api.post(GENERATE.format(template.pk), {**VALID, "filters": filters})
    assert len(response.json()["filters"]) == 2000
    assert len(response["Error-Codes"]) <= MAX_HEADER_LENGTH
    assert codes(response) == {"filters": ["unknown_filter"]}


@pytest.mark.parametrize(
    ("status", "view", "expected"),
    [
        (ReportStatus.PENDING, "download/", (409, "not_ready")),
        (ReportStatus.GENERATING, "preview/", (409, "not_ready")),
        (ReportStatus.EXPIRED, "download/", (410, "expired")),
        (ReportStatus.EXPIRED, "preview/", (410, "expired")),
    ],
)
def test_a_report_without_a_file_says_why_by_code(make_report, doctor, status, view, expected):
    report = make_report(doctor, status=status)
    response = client_for(doctor).get(f"{GENERATED}{report.pk}/{view}")
    assert (response.status_code, codes(response)) == (expected[0], {"detail": expected[1]})


def test_only_a_failed_report_can_be_retried(completed_report, doctor):
    response = client_for(doctor).post(f"{GENERATED}{completed_report.pk}/retry/")
    assert (response.status_code, codes(response)) == (409, {"detail": "not_retryable"})


def test_throttled_generation_is_throttled(api, template, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "report_generation": "1/hour"},
    }
    api.post(GENERATE.format(template.pk), VALID)
    response = api.post(GENERATE.format(template.pk), VALID)
    assert (response.status_code, codes(response)) == (429, {"detail": "throttled"})


def test_access_errors_have_their_codes(doctor, make_user, make_report, template):
    others = make_report(make_user("NURSE"))
    cases = [
        (APIClient().get(GENERATED), 401, "not_authenticated"),
        (APIClient().get(GENERATED, HTTP_AUTHORIZATION="Token 0123"), 401, "authentication_failed"),
        (client_for(make_user("STUDENT")).get(GENERATED), 403, "permission_denied"),
        (client_for(doctor).get(f"{GENERATED}{others.pk}/"), 404, "not_found"),
        (client_for(doctor).get(f"{GENERATED}?page=99"), 404, "invalid_page"),
        (client_for(doctor).put(f"{GENERATED}{others.pk}/status/"), 405, "method_not_allowed"),
    ]
    for response, status_code, code in cases:
        assert (response.status_code, codes(response)) == (status_code, {"detail": code})


def test_request_body_errors_have_their_codes(api, template, settings):
    settings.API_MAX_BODY_BYTES = 100
    url = GENERATE.format(template.pk)
    not_json = api.generic("POST", url, "{", content_type="application/json")
    too_large = api.post(url, {**VALID, "title": "x" * 200})
    not_json_type = api.generic("POST", url, "a=1", content_type="application/x-www-form-urlencoded")
    assert (not_json.status_code, codes(not_json)) == (400, {"detail": "parse_error"})
    assert (too_large.status_code, codes(too_large)) == (413, {"detail": "too_large"})
    assert (not_json_type.status_code, codes(not_json_type)) == (415, {"detail": "unsupported_media_type"})


def test_bad_status_ids_have_their_codes(api):
    assert codes(api.get(f"{GENERATED}status/?ids=1,x")) == {"ids": ["invalid"]}
    many = ",".join(str(number) for number in range(1, MAX_STATUS_IDS + 2))
    assert codes(api.get(f"{GENERATED}status/?ids={many}")) == {"ids": ["too_many"]}


def test_a_wrong_password_is_invalid_credentials(doctor):
    response = APIClient().post("/api/auth/login/", {"username": "doctor", "password": "wrong"}, format="json")
    assert (response.status_code, codes(response)) == (400, {"non_field_errors": ["invalid_credentials"]})


def test_a_refused_unrecorded_access_is_not_recorded(completed_report, doctor, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr("reports.api.auditing.record_access", broken)
    response = client_for(doctor).get(f"{GENERATED}{completed_report.pk}/download/")
    assert (response.status_code, codes(response), response["Retry-After"]) == (503, {"detail": "not_recorded"}, "30")


def test_the_schema_documents_the_header_on_every_error_response(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    errors = [
        response
        for operations in schema["paths"].values()
        for operation in operations.values()
        for status_code, response in operation["responses"].items()
        if status_code[0] in "45"
    ]
    assert len(errors) > 20
    assert all("Error-Codes" in response["headers"] for response in errors)
    assert "not_ready" in schema["components"]["headers"]["ErrorCodes"]["description"]
