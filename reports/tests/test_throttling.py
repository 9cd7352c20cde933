"""Rate limits on report generation and on login attempts: 429 with Retry-After."""

import pytest
from rest_framework.test import APIClient

from reports.models import GeneratedReport, ReportAccessEvent

VALID = {"date_range_start": "2025-01-01", "date_range_end": "2025-01-31", "export_format": "JSON"}


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
        }

    return set_rates


def test_report_generation_is_limited_per_user(api, template, make_user, rates):
    rates(report_generation="2/hour")
    url = f"/api/reports/templates/{template.pk}/generate/"
    assert [api.post(url, VALID).status_code for _ in range(3)] == [202, 202, 429]
    throttled = api.post(url, VALID)
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert GeneratedReport.objects.count() == 2
    assert ReportAccessEvent.objects.filter(outcome="THROTTLED").count() == 2
    other = APIClient()
    other.force_authenticate(make_user("DOCTOR"))
    assert other.post(url, VALID).status_code == 202


def test_login_attempts_are_limited_per_address(doctor, rates):
    rates(login_address="3/minute", login_username="100/minute")
    client = APIClient()
    statuses = [
        client.post(
            "/api/auth/login/", {"username": f"guess{i}", "password": "x"}, REMOTE_ADDR="198.51.100.9"
        ).status_code
        for i in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
    elsewhere = client.post(
        "/api/auth/login/", {"username": "doctor", "password": "pw-doctor"}, REMOTE_ADDR="198.51.100.10"
    )
    assert elsewhere.status_code == 200


def test_login_attempts_are_limited_per_username_from_any_address(doctor, rates):
    rates(login_address="100/minute", login_username="2/minute")
    client = APIClient()
    for address in ("198.51.100.1", "198.51.100.2"):
        client.post("/api/auth/login/", {"username": "Doctor", "password": "wrong"}, REMOTE_ADDR=address)
    response = client.post(
        "/api/auth/login/", {"username": "doctor", "password": "pw-doctor"}, REMOTE_ADDR="198.51.100.3"
    )
    assert response.status_code == 429
    assert "Retry-After" in response
    other = client.post("/api/auth/login/", {"username": "nurse", "password": "x"}, REMOTE_ADDR="198.51.100.3")
    assert other.status_code == 400
