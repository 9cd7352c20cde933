"""The /reports page, the login page and /healthz."""

import re

import pytest
from django.test import Client
from django.utils import timezone


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
    assert 'id="generate-form"' in html and 'id="report-list"' in html
    assert "/static/reports/app." in html
    assert "csrfmiddlewaretoken" in html


def test_reports_page_has_no_inline_script_or_style_and_tells_the_script_the_clinic_day(doctor, admin, settings):
    client = Client()
    client.force_login(doctor)
    html = client.get("/reports").content.decode()
    assert re.findall(r"<script\b[^>]*>", html) == [re.search(r'<script src="[^"]+app\.[^"]*js" defer>', html)[0]]
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"<[^>]+\son[a-z]+=", html)  # no inline event handlers
    assert f'data-today="{timezone.localdate():%Y-%m-%d}"' in html
    assert f'data-time-zone="{settings.TIME_ZONE}"' in html
    assert 'data-admin="false"' in html and "My reports" in html and "Doctor" in html
    client.force_login(admin)
    html = client.get("/reports").content.decode()
    assert 'data-admin="true"' in html and "System-wide" in html


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
    blocked.write_text("a file where the report folder should be")
    settings.REPORT_MEDIA_DIR = blocked
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "storage": False}


@pytest.mark.parametrize("method", ["post", "delete"])
def test_healthz_only_answers_get_and_head(db, method):
    assert getattr(Client(), method)("/healthz").status_code == 405
    assert Client().head("/healthz").status_code == 200


def test_healthz_shows_a_stale_run(make_report, doctor):
    import datetime as dt

    from django.utils import timezone

    make_report(doctor, status="GENERATING", heartbeat_at=timezone.now() - dt.timedelta(minutes=10))
    queue = Client().get("/healthz").json()["queue"]
    assert queue["generating"] == 1
    assert queue["stalest_heartbeat_seconds"] >= 600
