"""Rate limits on report generation: 429 with Retry-After. (Failed logins: accounts/tests/test_lockout.py.)"""

import pytest
from rest_framework.test import APIClient

from reports.api.throttles import ReportGenerationThrottle
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


def test_throttles_take_the_client_address_from_trusted_proxies_only(rf, settings):
    settings.TRUSTED_PROXIES = frozenset({"10.0.0.2"})
    throttle = ReportGenerationThrottle()
    forged = rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert throttle.get_ident(forged) == "198.51.100.7"
    proxied = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert throttle.get_ident(proxied) == "203.0.113.1"


def test_anonymous_requests_are_throttled_per_client_network(api, template, completed_report, rates):
    rates(anonymous="3/minute")
    generate = f"/api/reports/templates/{template.pk}/generate/"
    download = f"/api/reports/generated/{completed_report.pk}/download/"
    anonymous = APIClient()
    statuses = [anonymous.post(generate, VALID, REMOTE_ADDR="198.51.100.7").status_code for _ in range(3)]
    throttled = anonymous.get(download, REMOTE_ADDR="198.51.100.7")
    assert [*statuses, throttled.status_code] == [401, 401, 401, 429]
    assert int(throttled["Retry-After"]) > 0
    bad_token = anonymous.get(download, REMOTE_ADDR="198.51.100.7", HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert bad_token.status_code == 429  # a wrong token is no way around it
    assert anonymous.get(download, REMOTE_ADDR="198.51.100.8").status_code == 401  # another address
    # Clinic staff behind the same address are not held back by it.
    assert api.post(generate, VALID, REMOTE_ADDR="198.51.100.7").status_code == 202
    # An IPv6 host holds a whole /64: its addresses share one allowance.
    v6 = [anonymous.get(download, REMOTE_ADDR=f"2001:db8:1:2::{n}").status_code for n in range(1, 5)]
    assert v6 == [401, 401, 401, 429]
    assert anonymous.get(download, REMOTE_ADDR="2001:db8:1:3::1").status_code == 401
    assert GeneratedReport.objects.count() == 2  # the completed report and the doctor's new one
