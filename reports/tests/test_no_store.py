"""Responses carrying health data or a credential are never stored by a browser or a proxy."""

import pytest
from django.test import Client
from rest_framework.test import APIClient


def no_store(response):
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives


@pytest.mark.parametrize(
    "path",
    [
        "/api/reports/generated/{id}/download/",
        "/api/reports/generated/{id}/preview/",
        "/api/reports/generated/{id}/",
        "/api/reports/generated/{id}/status/",
        "/api/reports/generated/status/?ids={id}",
        "/api/reports/generated/",
        "/api/reports/dashboard/clinic/",
        "/api/reports/templates/",
    ],
)
def test_report_responses_carry_no_store(completed_report, doctor, path):
    api = APIClient()
    api.force_authenticate(doctor)
    response = api.get(path.format(id=completed_report.pk))
    assert response.status_code == 200
    assert no_store(response), response.get("Cache-Control")


@pytest.mark.parametrize("path", ["/api/reports/generated/dashboard/", "/api/reports/generated/dashboard/charts/"])
def test_the_system_dashboard_carries_no_store(admin, path):
    api = APIClient()
    api.force_authenticate(admin)
    response = api.get(path)
    assert response.status_code == 200
    assert no_store(response), response.get("Cache-Control")


def test_refusals_carry_no_store_too(completed_report):
    response = APIClient().get(f"/api/reports/generated/{completed_report.pk}/")
    assert response.status_code == 401 and no_store(response)


def test_the_token_login_carries_no_store(doctor):
    response = APIClient().post("/api/auth/login/", {"username": "doctor", "password": "pw-doctor"})
    assert response.status_code == 200 and "token" in response.json()
    assert no_store(response)


def test_the_login_page_and_the_reports_page_carry_no_store(doctor):
    client = Client()
    assert no_store(client.get("/accounts/login/"))
    logged_in = client.post("/accounts/login/", {"username": "doctor", "password": "pw-doctor", "next": "/reports"})
    assert logged_in.status_code == 302 and no_store(logged_in)
    page = client.get("/reports")
    assert page.status_code == 200 and no_store(page)
