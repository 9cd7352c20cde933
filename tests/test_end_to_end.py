"""The whole path with real processes: API → database queue → db_worker → storage → download."""

import io
import time

import pytest
from pypdf import PdfReader

from tests.system import running_system

pytestmark = pytest.mark.e2e

CREATE_DOCTOR = """
from django.contrib.auth.models import Group, User
user = User.objects.create_user("doctor", password="e2e-doctor-password")
user.groups.add(Group.objects.get_or_create(name="DOCTOR")[0])
"""


def doctor_token(system):
    """Create the doctor in the system's database and log in through the API; their token."""
    system.manage("shell", "--verbosity=0", "-c", CREATE_DOCTOR)
    status, login = system.json("POST", "/api/auth/login/", {"username": "doctor", "password": "e2e-doctor-password"})
    assert status == 200
    return login["token"]


def wait_for(system, report_id, token, statuses, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, body = system.json("GET", f"/api/reports/generated/{report_id}/status/", token=token)
        if body["status"] in statuses:
            return body
        time.sleep(0.2)
    raise AssertionError(f"report {report_id} stayed {body['status']}")


def test_a_report_is_generated_by_a_real_worker_and_downloaded(tmp_path):
    with running_system(tmp_path) as system:
        token = doctor_token(system)
        _, templates = system.json("GET", "/api/reports/templates/", token=token)
        template = next(t for t in templates["results"] if t["report_type"] == "PATIENT_SUMMARY")

        status, report = system.json(
            "POST",
            f"/api/reports/templates/{template['id']}/generate/",
            {"date_range_start": "2025-01-01", "date_range_end": "2025-12-31", "export_format": "PDF"},
            token=token,
        )
        assert status == 202
        assert report["status"] == "PENDING"  # the web request did not do the work

        system.start_worker()
        final = wait_for(system, report["id"], token, {"COMPLETED", "FAILED"})
        assert final["status"] == "COMPLETED", final["error_message"]

        status, headers, content = system.request(
            "GET", f"/api/reports/generated/{report['id']}/download/", token=token
        )
        assert status == 200
        assert headers["Content-Type"] == "application/pdf"
        assert int(headers["Content-Length"]) == len(content)
        text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
        assert "Patient summary" in text
        _, detail = system.json("GET", f"/api/reports/generated/{report['id']}/", token=token)
        assert detail["download_count"] == 1

        status, health = system.health()
        assert status == 200
        assert health["checks"] == {"database": True, "storage": True}
        assert health["queue"]["depth"] == 0


STALE_REPORT = """
import datetime as dt
from django.contrib.auth.models import User
from django.utils import timezone
from reports.models import GeneratedReport, ReportTemplate
template = ReportTemplate.objects.get(report_type="VISIT_TRENDS")
report = GeneratedReport.objects.create(
    template=template, report_type=template.report_type, title="Interrupted", generated_by=User.objects.get(),
    date_range_start=dt.date(2025, 1, 1), date_range_end=dt.date(2025, 1, 31), export_format="CSV",
    status="GENERATING", attempts=1, progress_percentage=40, task_id="lost-with-its-worker",
    heartbeat_at=timezone.now() - dt.timedelta(hours=1),
)
print(report.pk)
"""


def test_a_worker_starting_recovers_a_report_left_generating_by_a_dead_worker(tmp_path):
    with running_system(tmp_path) as system:
        token = doctor_token(system)
        report_id = int(system.manage("shell", "--verbosity=0", "-c", STALE_REPORT).stdout.strip())
        system.start_worker()
        final = wait_for(system, report_id, token, {"COMPLETED", "FAILED"})
        assert final["status"] == "COMPLETED", final["error_message"]
        _, detail = system.json("GET", f"/api/reports/generated/{report_id}/", token=token)
        assert detail["file_size"] > 0


def test_a_running_worker_recovers_a_run_that_goes_stale_meanwhile(tmp_path):
    with running_system(tmp_path, REPORT_LEASE_SECONDS="2") as system:
        token = doctor_token(system)
        system.start_worker()
        time.sleep(1.5)  # the worker's start-up recovery has run and found nothing
        report_id = int(system.manage("shell", "--verbosity=0", "-c", STALE_REPORT).stdout.strip())
        final = wait_for(system, report_id, token, {"COMPLETED", "FAILED"}, timeout=30)
        assert final["status"] == "COMPLETED", final["error_message"]
