"""A failed report says what failed in words its user can act on; ADMIN also sees the error and its log record."""

import datetime as dt
import logging
import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from reports import catalog
from reports.models import GeneratedReport, ReportStatus, reports_storage
from reports.services import generating, maintenance, requesting

GENERATED = "/api/reports/generated/"
REFERENCE = re.compile(r"[0-9a-f]{8}")
PATIENT = "diagnosis of Juan Dela Cruz broke the query"


@pytest.fixture
def storage_dir(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {**settings.STORAGES["reports"], "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.fixture
def unreadable_data(monkeypatch):
    """Visit trends' figures cannot be computed: the error names a patient."""

    def explode(params):
        raise RuntimeError(PATIENT)

    monkeypatch.setattr(catalog.get("VISIT_TRENDS"), "compute", explode)


def failed(make_report, user, caplog, **fields):
    """A report of ``user`` run to its failure, and the log records of the run."""
    report = make_report(user, **fields)
    with caplog.at_level(logging.INFO, logger="reports"):
        generating.run_report(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    return report


def logged_with(caplog, reference):
    """The log records that carry ``reference``."""
    return [record for record in caplog.records if f"[ref {reference}]" in record.getMessage()]


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- what the report records ---------------------------------------------------------------------


def test_figures_that_cannot_be_read_say_so_and_name_no_error(
    make_report, doctor, storage_dir, unreadable_data, caplog
):
    report = failed(make_report, doctor, caplog)
    assert report.error_message == (
        "The report's figures could not be read from the clinic's records. Please try again later."
        f" If it fails again, ask an administrator to look at report #{report.pk}."
    )
    assert "RuntimeError" not in report.error_message and "log" not in report.error_message
    assert (report.error_class, REFERENCE.fullmatch(report.error_reference) is not None) == ("RuntimeError", True)
    (record,) = logged_with(caplog, report.error_reference)
    assert record.levelno == logging.ERROR and record.exc_info[0] is RuntimeError  # the trace, under the reference
    assert "Juan" not in record.getMessage() and "Juan" not in report.error_message


def test_a_file_that_cannot_be_made_says_to_try_another_format(make_report, doctor, storage_dir, monkeypatch, caplog):
    def draw_nothing(document, export_format):
        raise AssertionError("Polyline must have 2 or more points")

    monkeypatch.setattr(generating, "render", draw_nothing)
    report = failed(make_report, doctor, caplog, export_format="PDF")
    assert report.error_message.startswith(
        "The figures were read, but the PDF file could not be made from them. Try another format."
    )
    assert "Polyline" not in report.error_message and "Assertion" not in report.error_message
    assert report.error_class == "AssertionError"
    assert len(logged_with(caplog, report.error_reference)) == 1


def test_a_storage_that_is_down_says_try_again_later(make_report, doctor, storage_dir, monkeypatch, settings, caplog):
    def refuse(*args, **kwargs):
        raise OSError("disk full")

    settings.REPORT_STORE_BACKOFF_SECONDS = 0
    monkeypatch.setattr(reports_storage().__class__, "save", refuse)
    report = failed(make_report, doctor, caplog)
    assert report.error_message == generating.STORAGE_ERROR
    assert report.error_class == "reports.tiers.StorageUnavailable"
    assert len(logged_with(caplog, report.error_reference)) == 1


def test_a_run_interrupted_too_often_says_it_took_too_long_or_the_worker_stopped(make_report, doctor, settings, caplog):
    stale = timezone.now() - dt.timedelta(seconds=settings.REPORT_LEASE_SECONDS + 1)
    report = make_report(doctor, status=ReportStatus.GENERATING, attempts=3, heartbeat_at=stale)
    with caplog.at_level(logging.WARNING, logger="reports"):
        assert maintenance.recover_stale_reports() == (0, 1)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "took too long" in report.error_message and "shorter period" in report.error_message
    assert report.error_class == ""
    (record,) = logged_with(caplog, report.error_reference)
    assert "1 failed after too many attempts" in record.getMessage()


def test_a_retried_report_forgets_its_failure(make_report, doctor, storage_dir, unreadable_data, caplog):
    report = failed(make_report, doctor, caplog)
    assert requesting.retry_report(report)
    report.refresh_from_db()
    assert (report.error_message, report.error_class, report.error_reference) == ("", "", "")


# --- who sees what -------------------------------------------------------------------------------


def test_only_admin_sees_the_error_class_and_log_reference(
    make_report, doctor, admin, storage_dir, unreadable_data, caplog
):
    report = failed(make_report, doctor, caplog)
    details = {"error_class": "RuntimeError", "log_reference": report.error_reference}
    urls = {
        "detail": f"{GENERATED}{report.pk}/",
        "list": GENERATED,
        "status": f"{GENERATED}{report.pk}/status/",
        "statuses": f"{GENERATED}status/?ids={report.pk}",
        "dashboard": f"{GENERATED}dashboard/",
    }
    for name, url in urls.items():
        mine = client_for(doctor).get(url)
        assert mine.status_code == (403 if name == "dashboard" else 200), name  # the system's figures: ADMIN only
        assert "RuntimeError" not in mine.content.decode() and report.error_reference not in mine.content.decode(), name
        everyone = client_for(admin).get(url)
        assert "RuntimeError" in everyone.content.decode(), name
    doctor_view = client_for(doctor).get(urls["detail"]).json()
    admin_view = client_for(admin).get(urls["detail"]).json()
    assert doctor_view["error_message"] == admin_view["error_message"] == report.error_message
    assert (doctor_view["error_details"], admin_view["error_details"]) == (None, details)
    (status,) = client_for(admin).get(urls["statuses"]).json()["results"]
    assert status["error_details"] == details


def test_a_report_that_did_not_fail_has_no_error_details(completed_report, admin):
    body = client_for(admin).get(f"{GENERATED}{completed_report.pk}/").json()
    assert (body["status"], body["error_details"]) == ("COMPLETED", None)
    assert GeneratedReport.objects.get(pk=completed_report.pk).error_reference == ""
