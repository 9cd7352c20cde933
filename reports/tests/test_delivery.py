"""Storing, serving and deleting report files across the four tiers, against the Cloudinary stand-in."""

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import os
import stat
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from conftest import local
from reports import tiers
from reports.models import GeneratedReport, PendingFileDeletion, ReportStatus
from reports.services import downloading, generating, maintenance
from tests.cloudinary_standin import MODES, CloudinaryStandIn


@pytest.fixture
def cloud(settings):
    """The stand-in, configured as the reports storage the way settings.py configures Cloudinary."""
    with CloudinaryStandIn(slow_seconds=1.0) as standin:
        settings.STORAGES = {
            **settings.STORAGES,
            "reports": {
                "BACKEND": "reports.storage.CloudinaryStorage",
                "OPTIONS": {"url": standin.url, "connect_timeout": 0.5, "read_timeout": 0.3},
            },
        }
        settings.REPORT_STORE_BACKOFF_SECONDS = 0
        yield standin


@pytest.fixture
def clinic_data(make_patient, make_medical_visit, make_dental_visit):
    for day, hour in [(3, 9), (3, 23), (15, 14)]:
        patient = make_patient()
        make_medical_visit(patient, local(2025, 1, day, hour), outcome="RESOLVED")
        make_dental_visit(patient, local(2025, 2, day, hour))


@pytest.fixture
def generated(make_report, doctor, clinic_data):
    def generate(export_format="JSON"):
        report = make_report(doctor, export_format=export_format)
        generating.run_report(report.pk)
        report.refresh_from_db()
        assert report.status == ReportStatus.COMPLETED, report.error_message
        return report

    return generate


def download(report):
    """(tier, bytes) of one download through the service."""
    served = downloading.open_report_file(GeneratedReport.objects.get(pk=report.pk))
    with served.file as handle:
        return served.tier, handle.read()


def copy_of(name, settings):
    return Path(settings.REPORT_LOCAL_COPY_DIR) / name


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- storing ---------------------------------------------------------------------------------


def test_a_report_is_stored_privately_with_a_local_copy_and_served_by_the_storage(cloud, generated, settings):
    report = generated()
    stored = cloud.files[("raw", "authenticated", f"reports/{report.file.name}")]
    assert hashlib.sha256(stored).hexdigest() == report.checksum and len(stored) == report.file_size
    assert copy_of(report.file.name, settings).read_bytes() == stored
    assert download(report) == ("storage", stored)


@pytest.mark.parametrize("mode", [mode for mode in MODES if mode != "hold"])
def test_an_upload_failing_once_is_retried_under_the_same_name(cloud, make_report, doctor, mode):
    cloud.fail("upload", mode, times=1)
    report = make_report(doctor)
    generating.run_report(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.COMPLETED
    assert len(cloud.calls("upload")) == 2
    assert cloud.names() == [f"reports/{report.file.name}"]  # a half-done first upload left nothing else


def test_storage_unavailable_is_retried_a_bounded_number_of_times_then_failed(
    cloud, make_report, doctor, settings, caplog
):
    settings.REPORT_STORE_ATTEMPTS = 3
    cloud.fail("upload", "error")
    report = make_report(doctor)
    with caplog.at_level(logging.WARNING):
        generating.run_report(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "storage was unavailable" in report.error_message
    assert len(cloud.calls("upload")) == 3
    assert "attempt 3 of 3" in caplog.text
    assert cloud.names() == [] and not any(Path(settings.REPORT_LOCAL_COPY_DIR).iterdir())


def test_an_unwritable_local_storage_fails_the_report_the_same_way(make_report, doctor, settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the storage folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {**settings.STORAGES["reports"], "OPTIONS": {"location": blocked}},
    }
    settings.REPORT_STORE_ATTEMPTS, settings.REPORT_STORE_BACKOFF_SECONDS = 2, 0
    report = make_report(doctor)
    generating.run_report(report.pk)
    report.refresh_from_db()
    assert (report.status, report.error_message) == (ReportStatus.FAILED, generating.STORAGE_ERROR)


def file_mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_local_report_files_are_0600_in_folders_0700_whatever_the_umask(
    generated, settings, tmp_path, umask, django_capture_on_commit_callbacks
):
    media, copies = tmp_path / "media" / "reports", tmp_path / "report-copies"
    media.mkdir(parents=True)
    media.chmod(0o755)  # made before, open to everyone
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {**settings.STORAGES["reports"], "OPTIONS": {"location": media}},
    }
    settings.REPORT_MEDIA_DIR, settings.REPORT_LOCAL_COPY_DIR = media, copies
    settings.REPORT_LOCAL_COPY_MIN_FREE_MB = 0
    previous = os.umask(umask)
    try:
        report = generated()
        (copies / f".{report.file.name}.partial").write_bytes(b"left over")  # a copy interrupted before
        (copies / f".{report.file.name}.partial").chmod(0o644)
        tiers.keep_local_copy(report.file.name, (copies / report.file.name).read_bytes())
        served = download(report)
    finally:
        os.umask(previous)
    assert served[0] == "storage"
    assert (file_mode(media / report.file.name), file_mode(copies / report.file.name)) == (0o600, 0o600)
    assert (file_mode(media), file_mode(copies)) == (0o700, 0o700)


def test_no_local_copy_is_kept_when_the_disk_is_short(cloud, generated, settings):
    settings.REPORT_LOCAL_COPY_MIN_FREE_MB = 10**9
    report = generated()
    assert not copy_of(report.file.name, settings).exists()
    assert download(report)[0] == "storage"


# --- serving: the fallback tiers ---------------------------------------------------------------


@pytest.mark.parametrize("mode", [mode for mode in MODES if mode != "hold"])
def test_each_storage_failure_falls_back_to_the_local_copy(cloud, generated, mode):
    report = generated()
    original = cloud.files[("raw", "authenticated", f"reports/{report.file.name}")]
    cloud.fail("download", mode)
    assert download(report) == ("local_copy", original)


def test_a_file_written_before_the_switch_to_cloudinary_is_served_from_the_media_directory(generated, settings, cloud):
    local_files = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    cloudinary = settings.STORAGES["reports"]
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {**local_files, "OPTIONS": {"location": settings.REPORT_MEDIA_DIR}},
    }
    report = generated()
    original = (Path(settings.REPORT_MEDIA_DIR) / report.file.name).read_bytes()
    copy_of(report.file.name, settings).unlink()
    settings.STORAGES = {**settings.STORAGES, "reports": cloudinary}
    assert download(report) == ("media", original)


def test_a_cut_or_altered_copy_is_never_served(cloud, generated, settings):
    report = generated()
    original = cloud.files[("raw", "authenticated", f"reports/{report.file.name}")]
    cloud.fail("download", "corrupt")
    copy = copy_of(report.file.name, settings)
    copy.write_bytes(original[: len(original) // 2])
    (Path(settings.REPORT_MEDIA_DIR) / report.file.name).write_bytes(original[:-1] + b"!")
    tier, content = download(report)
    assert tier == "rebuild"
    assert json.loads(content) == json.loads(original)


def figures(export_format, content):
    """What a reader finds in a file, independent of the order of summary rows."""
    if export_format == "JSON":
        return json.loads(content)
    if export_format == "CSV":
        return sorted(map(tuple, csv.reader(io.StringIO(content.decode("utf-8-sig")))))
    if export_format == "EXCEL":
        book = openpyxl.load_workbook(io.BytesIO(content))
        return {sheet.title: sorted(map(str, sheet.iter_rows(values_only=True))) for sheet in book}
    return sorted(line for page in PdfReader(io.BytesIO(content)).pages for line in page.extract_text().splitlines())


@pytest.mark.parametrize("export_format", ["JSON", "CSV", "EXCEL", "PDF"])
def test_a_rebuild_carries_the_original_figures_and_is_stored_again(cloud, generated, settings, export_format):
    report = generated(export_format)
    lost_name = report.file.name
    original = cloud.files[("raw", "authenticated", f"reports/{lost_name}")]
    tiers.delete_everywhere(lost_name)

    tier, rebuilt = download(report)
    assert tier == "rebuild"
    assert figures(export_format, rebuilt) == figures(export_format, original)

    report.refresh_from_db()
    assert report.file.name != lost_name and report.file_size == len(rebuilt)
    assert report.checksum == hashlib.sha256(rebuilt).hexdigest()
    assert cloud.names() == [f"reports/{report.file.name}"]
    assert download(report) == ("storage", rebuilt)  # the next download is served by tier 1


def test_a_report_without_its_document_is_rebuilt_from_its_parameters_and_says_so(cloud, generated):
    report = generated()
    original = json.loads(cloud.files[("raw", "authenticated", f"reports/{report.file.name}")])
    GeneratedReport.objects.filter(pk=report.pk).update(document=None)
    tiers.delete_everywhere(report.file.name)

    tier, content = download(report)
    rebuilt = json.loads(content)
    assert tier == "rebuild"
    assert rebuilt["summary"] == original["summary"] and rebuilt["sections"] == original["sections"]
    assert any("rebuilt" in note and "parameters" in note for note in rebuilt["notes"])
    report.refresh_from_db()
    assert report.document["notes"] == rebuilt["notes"]  # kept, so the next rebuild gives the same file


def test_a_rebuild_is_not_stored_again_while_the_storage_times_out(cloud, generated, settings):
    report = generated()
    copy_of(report.file.name, settings).unlink()
    cloud.fail("download", "slow")
    uploads = len(cloud.calls("upload"))
    assert download(report)[0] == "rebuild"
    assert len(cloud.calls("upload")) == uploads
    assert GeneratedReport.objects.get(pk=report.pk).file.name == report.file.name


def test_each_tier_that_serves_is_logged(cloud, generated, doctor, settings, caplog):
    report = generated()
    url = f"/api/reports/generated/{report.pk}/download/"
    client = api_for(doctor)
    served = []
    with caplog.at_level(logging.INFO, logger="reports.api.views"):
        served.append(client.get(url))
        cloud.fail("download", "error")
        served.append(client.get(url))
        (Path(settings.REPORT_MEDIA_DIR) / report.file.name).write_bytes(
            copy_of(report.file.name, settings).read_bytes()
        )
        copy_of(report.file.name, settings).unlink()
        served.append(client.get(url))
        (Path(settings.REPORT_MEDIA_DIR) / report.file.name).unlink()
        served.append(client.get(url))
    assert [response.status_code for response in served] == [200] * 4
    assert len({json.dumps(json.loads(b"".join(r.streaming_content)), sort_keys=True) for r in served}) == 1
    for tier in ("storage", "local_copy", "media", "rebuild"):
        assert f"Report {report.pk} downloaded (tier {tier})" in caplog.text


def test_when_no_tier_can_serve_the_download_is_503_with_retry_after(cloud, generated, doctor, settings, caplog):
    settings.REPORT_DOWNLOAD_RETRY_AFTER = 45
    report = generated()
    tiers.delete_everywhere(report.file.name)
    GeneratedReport.objects.filter(pk=report.pk).update(document={"unreadable": True})
    with caplog.at_level(logging.WARNING):
        response = api_for(doctor).get(f"/api/reports/generated/{report.pk}/download/")
    assert response.status_code == 503
    assert response["Retry-After"] == "45"
    assert "try again" in response.json()["detail"]
    assert GeneratedReport.objects.get(pk=report.pk).download_count == 0
    for tier in ("storage", "local_copy", "media", "rebuild"):
        assert f"tier {tier}" in caplog.text
    assert cloud.api_secret not in caplog.text and "signature=" not in caplog.text


# --- deleting and expiring ----------------------------------------------------------------------


def every_tier(report, cloud, settings):
    """Which tiers hold the report's file."""
    name = report.file.name
    return {
        "storage": ("raw", "authenticated", f"reports/{name}") in cloud.files,
        "local_copy": copy_of(name, settings).exists(),
        "media": (Path(settings.REPORT_MEDIA_DIR) / name).exists(),
    }


def with_a_media_copy(report, settings):
    (Path(settings.REPORT_MEDIA_DIR) / report.file.name).write_bytes(copy_of(report.file.name, settings).read_bytes())
    return report


def test_cleanup_deletes_expired_files_in_every_tier_and_twice_changes_nothing(cloud, generated, settings):
    old = with_a_media_copy(generated(), settings)
    current = generated()
    assert every_tier(old, cloud, settings) == {"storage": True, "local_copy": True, "media": True}
    GeneratedReport.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    call_command("reports_cleanup", verbosity=0)
    assert every_tier(old, cloud, settings) == {"storage": False, "local_copy": False, "media": False}
    old.refresh_from_db()
    assert old.status == ReportStatus.EXPIRED and not old.file
    assert every_tier(current, cloud, settings)["storage"] and every_tier(current, cloud, settings)["local_copy"]

    calls = len(cloud.log)
    assert maintenance.cleanup_expired_reports() == 0
    assert len(cloud.log) == calls
    assert GeneratedReport.objects.get(pk=old.pk).status == ReportStatus.EXPIRED


def test_a_failed_delete_does_not_stop_the_others_is_reported_and_retried(cloud, generated, settings, caplog):
    reports = [generated(), generated()]
    GeneratedReport.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    cloud.fail("destroy", "error", times=1)
    with caplog.at_level(logging.WARNING):
        assert maintenance.cleanup_expired_reports() == 2
    kept = [report for report in reports if GeneratedReport.objects.get(pk=report.pk).file]
    assert len(kept) == 1  # the one whose delete failed keeps its name, to be tried again
    failed, done = kept[0], next(report for report in reports if report not in kept)
    assert every_tier(failed, cloud, settings) == {"storage": True, "local_copy": False, "media": False}
    assert every_tier(done, cloud, settings) == {"storage": False, "local_copy": False, "media": False}
    assert f"could not delete the files of 1 report(s) (#{failed.pk})" in caplog.text

    assert maintenance.cleanup_expired_reports() == 0
    assert every_tier(failed, cloud, settings)["storage"] is False
    assert not GeneratedReport.objects.get(pk=failed.pk).file
    calls = len(cloud.log)
    maintenance.cleanup_expired_reports()
    assert len(cloud.log) == calls


def test_deleting_a_report_deletes_its_file_in_every_tier(
    cloud, generated, doctor, settings, django_capture_on_commit_callbacks
):
    report = with_a_media_copy(generated(), settings)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(doctor).delete(f"/api/reports/generated/{report.pk}/")
    assert response.status_code == 204
    assert every_tier(report, cloud, settings) == {"storage": False, "local_copy": False, "media": False}


def test_a_deleted_report_whose_destroy_failed_is_finished_by_the_next_cleanup_and_only_once(
    cloud, generated, doctor, settings, caplog, django_capture_on_commit_callbacks
):
    report = generated()
    cloud.fail("destroy", "error")
    with django_capture_on_commit_callbacks(execute=True):
        assert api_for(doctor).delete(f"/api/reports/generated/{report.pk}/").status_code == 204
    assert not GeneratedReport.objects.filter(pk=report.pk).exists()
    assert every_tier(report, cloud, settings) == {"storage": True, "local_copy": False, "media": False}
    pending = PendingFileDeletion.objects.get()
    assert (pending.name, pending.attempts, pending.failed_tiers) == (report.file.name, 1, "storage")

    with caplog.at_level(logging.WARNING):
        call_command("reports_cleanup", verbosity=0)  # the storage still refuses: kept for the next one
    assert PendingFileDeletion.objects.get().attempts == 2
    assert "could not delete 1 file(s) of deleted or replaced reports" in caplog.text

    cloud.heal()
    destroys = len(cloud.calls("destroy"))
    call_command("reports_cleanup", verbosity=0)
    assert len(cloud.calls("destroy")) == destroys + 1
    assert cloud.names() == [] and not PendingFileDeletion.objects.exists()
    calls = len(cloud.log)
    call_command("reports_cleanup", verbosity=0)
    assert len(cloud.log) == calls


class Rollback(Exception):
    pass


def test_a_file_is_recorded_for_deletion_in_the_transaction_that_deletes_its_report(
    cloud, generated, settings, django_capture_on_commit_callbacks
):
    report = generated()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Rollback), transaction.atomic():
        GeneratedReport.objects.filter(pk=report.pk).delete()
        assert PendingFileDeletion.objects.filter(name=report.file.name).exists()
        raise Rollback
    assert GeneratedReport.objects.filter(pk=report.pk).exists() and not PendingFileDeletion.objects.exists()
    assert every_tier(report, cloud, settings) == {"storage": True, "local_copy": True, "media": False}
    assert cloud.calls("destroy") == []


def test_a_user_deleted_with_reports_leaves_their_files_recorded_until_deleted(
    cloud, generated, doctor, settings, django_capture_on_commit_callbacks
):
    report = generated()
    cloud.fail("destroy", "unauthorized")
    with django_capture_on_commit_callbacks(execute=True):
        doctor.delete()
    assert list(PendingFileDeletion.objects.values_list("name", flat=True)) == [report.file.name]
    cloud.heal()
    maintenance.cleanup_expired_reports()
    assert cloud.names() == [] and not PendingFileDeletion.objects.exists()


def test_the_file_a_killed_run_stored_is_deleted_when_the_report_runs_again(
    cloud, make_report, doctor, settings, django_capture_on_commit_callbacks
):
    # The state a worker killed between storing the file and completing leaves behind.
    report = make_report(doctor, status=ReportStatus.GENERATING, attempts=1, progress_percentage=90)
    leftover = f"{report.pk}-deadbeefdeadbeef.json"
    tiers.store(leftover, b"{}")
    GeneratedReport.objects.filter(pk=report.pk).update(
        file=leftover, heartbeat_at=timezone.now() - dt.timedelta(seconds=settings.REPORT_LEASE_SECONDS + 1)
    )
    assert maintenance.recover_stale_reports() == (1, 0)
    with django_capture_on_commit_callbacks(execute=True):
        generating.run_report(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.COMPLETED and report.attempts == 2
    assert cloud.names() == [f"reports/{report.file.name}"]
    assert sorted(path.name for path in Path(settings.REPORT_LOCAL_COPY_DIR).iterdir()) == [report.file.name]


def test_cleanup_deletes_the_file_left_on_a_failed_report(cloud, make_report, doctor, settings):
    report = make_report(doctor, status=ReportStatus.FAILED, attempts=3)
    tiers.store(f"{report.pk}-deadbeefdeadbeef.json", b"{}")
    GeneratedReport.objects.filter(pk=report.pk).update(file=f"{report.pk}-deadbeefdeadbeef.json")
    maintenance.cleanup_expired_reports()
    assert cloud.names() == [] and not any(Path(settings.REPORT_LOCAL_COPY_DIR).iterdir())
    assert not GeneratedReport.objects.get(pk=report.pk).file
