"""The /reports page, the login page and /healthz."""

import pytest
from django.test import Client


def test_reports_page_sends_anonymous_users_to_the_login_page(db):
    response = Client().get("/reports")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/reports"


def test_login_page_logs_a_user_in_and_returns_to_reports(doctor):
    client = Client()
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": "doctor", "password": "pw-doctor", "next": "/reports"})
    assert response.status_code == 302 and response["Location"] == "/reports"
    page = client.get("/reports")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="generate-form"' in html and 'id="report-rows"' in html
    assert "/static/reports/app." in html
    assert "csrfmiddlewaretoken" in html


def test_reports_page_is_forbidden_to_patients_with_a_login(make_user):
    client = Client()
    client.force_login(make_user("STUDENT"))
    assert client.get("/reports").status_code == 403


def test_healthz_reports_checks_and_queue_without_authentication(make_report, doctor):
    make_report(doctor)
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"] == {"database": True, "storage": True}
    assert body["queue"]["depth"] == 1
    assert body["queue"]["oldest_waiting_seconds"] >= 0
    assert "Cache-Control" in response and "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_storage_is_not_writable(db, settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the storage folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {**settings.STORAGES["reports"], "OPTIONS": {"location": blocked}},
    }
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "storage": False}


@pytest.mark.parametrize("method", ["post", "delete"])
def test_healthz_only_answers_get(db, method):
    assert getattr(Client(), method)("/healthz").status_code == 405
