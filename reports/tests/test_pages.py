"""The /reports page, the login page and /healthz."""

import datetime as dt
import html
import json
import os
import re
import stat
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from reports.models import ExportFormat, ReportStatus


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


def test_reports_page_takes_the_format_and_status_labels_from_the_server(doctor, monkeypatch):
    monkeypatch.setattr(ExportFormat.EXCEL, "_label_", "Excel workbook")
    monkeypatch.setattr(ReportStatus.EXPIRED, "_label_", "Expired, file deleted")
    client = Client()
    client.force_login(doctor)
    page = client.get("/reports").content.decode()
    labels = json.loads(html.unescape(re.search(r'data-labels="([^"]*)"', page)[1]))
    assert labels == {"formats": dict(ExportFormat.choices), "statuses": dict(ReportStatus.choices)}
    assert labels["formats"]["EXCEL"] == "Excel workbook"
    select = re.search(r'<select id="list-status">(.*?)</select>', page, re.DOTALL)[1]
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', select)
    assert options == [("", "All statuses"), *ReportStatus.choices]
    assert ("EXPIRED", "Expired, file deleted") in options


def test_the_page_script_has_no_copy_of_the_labels():
    script = Path(finders.find("reports/app.js")).read_text()
    copies = {*ExportFormat.labels, *ReportStatus.labels} - {*ExportFormat.values, *ReportStatus.values}
    assert copies and not [label for label in copies if f'"{label}"' in script]


def test_reports_page_is_forbidden_to_patients_with_a_login(make_user):
    client = Client()
    client.force_login(make_user("STUDENT"))
    assert client.get("/reports").status_code == 403


def test_reports_page_shows_a_name_set_in_the_admin_without_bidirectional_controls(doctor):
    doctor.first_name, doctor.last_name = "Dr \u202eanA", "Cruz\u2066"
    doctor.save()
    client = Client()
    client.force_login(doctor)
    html = client.get("/reports").content.decode()
    assert "Dr anA Cruz" in html
    assert "\u202e" not in html and "\u2066" not in html


HEALTHZ_TOKEN = "healthz-test-token-" + "0123456789abcdef" * 2


@pytest.fixture
def monitor(settings):
    """A client sending the monitoring token of /healthz."""
    settings.HEALTHZ_TOKEN = HEALTHZ_TOKEN
    return Client(headers={"Authorization": f"Bearer {HEALTHZ_TOKEN}"})


def test_healthz_reports_checks_and_queue_to_the_monitoring_token(make_report, doctor, monitor):
    make_report(doctor)
    response = monitor.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": True, "storage": True}
    assert body["queue"]["depth"] == 1
    assert body["queue"]["oldest_waiting_seconds"] >= 0
    assert "Cache-Control" in response and "no-cache" in response["Cache-Control"]


def test_healthz_tells_anonymous_callers_only_the_status(make_report, doctor, settings, tmp_path):
    make_report(doctor)
    response = Client().get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the report folder should be")
    settings.REPORT_MEDIA_DIR = blocked
    response = Client().get("/healthz")
    assert (response.status_code, response.json()) == (503, {"status": "unavailable"})


def test_healthz_details_need_an_admin_or_the_token(make_report, doctor, admin, settings):
    make_report(doctor)
    settings.HEALTHZ_TOKEN = HEALTHZ_TOKEN

    def body(client, token=None):
        headers = {"Authorization": token} if token else {}
        return client.get("/healthz", headers=headers).json()

    assert set(body(Client(), f"Bearer {HEALTHZ_TOKEN}")) == {"status", "checks", "queue"}
    assert body(Client(), f"bearer  {HEALTHZ_TOKEN}")["queue"]["depth"] == 1
    for wrong in (f"Bearer {HEALTHZ_TOKEN[:-1]}", f"Token {HEALTHZ_TOKEN}", "Bearer ", HEALTHZ_TOKEN):
        assert body(Client(), wrong) == {"status": "ok"}, wrong
    clinician, administrator = Client(), Client()
    clinician.force_login(doctor)
    administrator.force_login(admin)
    assert body(clinician) == {"status": "ok"}
    assert body(administrator)["queue"]["depth"] == 1
    settings.HEALTHZ_TOKEN = ""
    assert body(Client(), "Bearer ") == {"status": "ok"}


def test_healthz_probing_writes_no_file(db, monitor, settings):
    folders = [Path(settings.REPORT_MEDIA_DIR), Path(settings.REPORT_LOCAL_COPY_DIR)]
    for folder in folders:
        os.utime(folder, ns=(10**18, 10**18))
    for client in (monitor, Client(), Client()):
        assert client.get("/healthz").status_code == 200
    assert [folder.stat().st_mtime_ns for folder in folders] == [10**18, 10**18]
    assert [list(folder.iterdir()) for folder in folders] == [[], []]


def test_healthz_is_503_when_the_storage_is_not_writable(db, settings, tmp_path, monitor):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the report folder should be")
    settings.REPORT_MEDIA_DIR = blocked
    response = monitor.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "storage": False}


def test_healthz_creates_a_missing_report_folder_once_private(db, settings, tmp_path):
    settings.REPORT_LOCAL_COPY_DIR = tmp_path / "fresh" / "report-copies"
    assert Client().get("/healthz").status_code == 200
    assert stat.S_IMODE(settings.REPORT_LOCAL_COPY_DIR.stat().st_mode) == 0o700


@pytest.mark.parametrize("method", ["post", "delete"])
def test_healthz_only_answers_get_and_head(db, method):
    assert getattr(Client(), method)("/healthz").status_code == 405
    assert Client().head("/healthz").status_code == 200


def test_healthz_shows_a_stale_run(make_report, doctor, monitor):
    make_report(doctor, status="GENERATING", heartbeat_at=timezone.now() - dt.timedelta(minutes=10))
    queue = monitor.get("/healthz").json()["queue"]
    assert queue["generating"] == 1
    assert queue["stalest_heartbeat_seconds"] >= 600
