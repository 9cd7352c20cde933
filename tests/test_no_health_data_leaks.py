"""Patient names, numbers and diagnoses never reach the logs, URLs, error messages or storage names."""

import time

import pytest

from tests.system import running_system

pytestmark = pytest.mark.e2e

MARKERS = ("Qzxfirstname", "Qzxlastname", "QZX-777001", "Qzxdiagnosis", "Qzxcomment")

CLINIC_DATA = """
import datetime as dt
from zoneinfo import ZoneInfo
from django.contrib.auth.models import Group, User
from patients.models import Patient
from visits.models import MedicalVisit
from feedback.models import Feedback
zone = ZoneInfo("Asia/Manila")
user = User.objects.create_user("doctor", password="leak-test-password")
user.groups.add(Group.objects.get_or_create(name="DOCTOR")[0])
patient = Patient.objects.create(
    patient_number="QZX-777001", first_name="Qzxfirstname", last_name="Qzxlastname", sex="F",
    date_of_birth=dt.date(2001, 5, 5), patient_type="STUDENT", department="Nursing",
    registered_at=dt.datetime(2025, 1, 2, 9, tzinfo=zone),
)
visit = MedicalVisit.objects.create(
    patient=patient, visit_date=dt.datetime(2025, 1, 3, 10, tzinfo=zone), concern="Qzxdiagnosis concern",
    diagnosis="Qzxdiagnosis", outcome="RESOLVED",
)
Feedback.objects.create(
    patient=patient, medical_visit=visit, rating=5, comments="Qzxcomment",
    submitted_at=dt.datetime(2025, 1, 4, 9, tzinfo=zone),
)
"""


def test_reports_over_marked_patients_leak_nothing(tmp_path):
    with running_system(tmp_path) as system:
        system.manage("shell", "--verbosity=0", "-c", CLINIC_DATA)
        _, login = system.json("POST", "/api/auth/login/", {"username": "doctor", "password": "leak-test-password"})
        token = login["token"]
        _, templates = system.json("GET", "/api/reports/templates/?page_size=100", token=token)
        system.start_worker()
        requested = []
        for template, export_format in zip(templates["results"], ["PDF", "EXCEL", "CSV", "JSON"] * 2, strict=False):
            status, report = system.json(
                "POST",
                f"/api/reports/templates/{template['id']}/generate/",
                {"date_range_start": "2025-01-01", "date_range_end": "2025-01-31", "export_format": export_format},
                token=token,
            )
            assert status == 202
            requested.append(report["id"])
        # A careless request carrying clinic data in a filter: rejected, and not echoed into the logs.
        status, _ = system.json(
            "POST",
            f"/api/reports/templates/{templates['results'][0]['id']}/generate/",
            {"date_range_start": "2025-01-01", "date_range_end": "2025-01-31", "export_format": "PDF",
             "filters": {"Qzxlastname": "QZX-777001"}},
            token=token,
        )  # fmt: skip
        assert status == 400
        deadline = time.monotonic() + 120
        pending = set(requested)
        while pending and time.monotonic() < deadline:
            for report_id in list(pending):
                _, body = system.json("GET", f"/api/reports/generated/{report_id}/status/", token=token)
                if body["status"] in ("COMPLETED", "FAILED"):
                    assert body["status"] == "COMPLETED", body["error_message"]
                    pending.discard(report_id)
            time.sleep(0.3)
        assert not pending
        downloaded = b""
        for report_id in requested:
            status, headers, content = system.request(
                "GET", f"/api/reports/generated/{report_id}/download/", token=token
            )
            assert status == 200
            assert not any(marker.lower() in headers["Content-Disposition"].lower() for marker in MARKERS)
            downloaded += content
        _, listing = system.json("GET", "/api/reports/generated/?page_size=100", token=token)
        system.stop()
        logs = system.output()
        stored = [path.name for path in (tmp_path / "media").rglob("*") if path.is_file()]

    assert "qzxdiagnosis" in downloaded.decode("latin-1").lower()  # the markers did reach the reports
    assert len(stored) >= len(requested)
    assert "GET /api/reports/generated/" in logs  # the access log was captured
    for marker in MARKERS:
        assert marker.lower() not in logs.lower(), marker
        assert not any(marker.lower() in name.lower() for name in stored), marker
        assert marker.lower() not in str(listing).lower(), marker
