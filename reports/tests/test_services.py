"""Running, recovering and expiring reports."""

import datetime as dt
import json
import logging

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from reports import catalog, tasks
from reports.models import GeneratedReport, ReportStatus, reports_storage
from reports.services import downloading, generating, maintenance, requesting


@pytest.fixture
def storage_dir(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {**settings.STORAGES["reports"], "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def stored_files(folder):
    return sorted(path.name for path in folder.iterdir())


def test_run_completes_with_file_document_and_figures(make_report, doctor, storage_dir, settings):
    report = make_report(doctor, export_format="JSON")
    generating.run_report(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.COMPLETED
    assert report.progress_percentage == 100
    assert report.attempts == 1
    assert report.completed_at and report.expires_at
    assert report.expires_at - report.completed_at == dt.timedelta(days=settings.REPORT_RETENTION_DAYS)
    assert report.generation_time >= dt.timedelta(0)
    content = (storage_dir / report.file.name).read_bytes()
    assert report.file_size == len(content)
    assert len(report.checksum) == 64
    assert json.loads(content) == report.document
    assert report.document["generated_at"].endswith("+08:00")  # the clinic's local time, as printed on the cover
    assert report.file.name.startswith(f"{report.pk}-")
    assert "visit" not in report.file.name.lower()


def test_generation_time_counts_the_run_not_the_wait(make_report, doctor, storage_dir):
    report = make_report(doctor)
    GeneratedReport.objects.filter(pk=report.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    generating.run_report(report.pk)
    report.refresh_from_db()
    assert report.generation_time < dt.timedelta(minutes=5)
    assert report.completed_at - report.created_at > dt.timedelta(hours=2)


def test_running_twice_gives_one_file_and_one_result(make_report, doctor, storage_dir):
    report = make_report(doctor)
    generating.run_report(report.pk)
    generating.run_report(report.pk)
    report.refresh_from_db()
    assert report.attempts == 1
    assert stored_files(storage_dir) == [report.file.name]


def test_progress_is_reported_at_real_steps(make_report, doctor, storage_dir, monkeypatch):
    seen = []
    original = generating._progress

    def spy(report, percentage):
        seen.append(percentage)
        original(report, percentage)

    monkeypatch.setattr(generating, "_progress", spy)
    generating.run_report(make_report(doctor).pk)
    assert seen == sorted(seen)
    assert seen[-2:] == [generating.RENDERING, generating.STORING]
    assert len(seen) > 3  # at least one data-step section before rendering


def test_a_failing_data_step_fails_the_report_safely(make_report, doctor, storage_dir, monkeypatch, caplog):
    def explode(params):
        raise RuntimeError("diagnosis of Juan Dela Cruz broke the query")

    monkeypatch.setattr(catalog.get("VISIT_TRENDS"), "compute", explode)
    report = make_report(doctor)
    with caplog.at_level(logging.ERROR):
        generating.run_report(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "figures could not be read" in report.error_message
    assert "Juan" not in report.error_message and "Traceback" not in report.error_message
    assert "RuntimeError" in caplog.text  # the full trace goes to the server log
    assert stored_files(storage_dir) == []


def test_storage_failure_fails_with_a_storage_message(make_report, doctor, storage_dir, monkeypatch, settings):
    def refuse(*args, **kwargs):
        raise OSError("disk full")

    settings.REPORT_STORE_BACKOFF_SECONDS = 0
    monkeypatch.setattr(reports_storage().__class__, "save", refuse)
    report = make_report(doctor)
    generating.run_report(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "storage was unavailable" in report.error_message


def test_a_superseded_run_discards_its_file(make_report, doctor, storage_dir, monkeypatch):
    report = make_report(doctor)
    original = generating.render

    def render_then_lose_the_lease(document, export_format):
        # Meanwhile recovery decided this run was dead and handed the report on.
        GeneratedReport.objects.filter(pk=report.pk).update(status=ReportStatus.PENDING)
        return original(document, export_format)

    monkeypatch.setattr(generating, "render", render_then_lose_the_lease)
    generating.run_report(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.PENDING
    assert stored_files(storage_dir) == []


def test_stale_run_is_requeued_and_completes(
    make_report, doctor, storage_dir, settings, django_capture_on_commit_callbacks
):
    stale = timezone.now() - dt.timedelta(seconds=settings.REPORT_LEASE_SECONDS + 1)
    report = make_report(doctor, status=ReportStatus.GENERATING, attempts=1, heartbeat_at=stale, progress_percentage=40)
    fresh = make_report(doctor, status=ReportStatus.GENERATING, attempts=1, heartbeat_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert maintenance.recover_stale_reports() == (1, 0)
    report.refresh_from_db()
    assert (report.status, report.progress_percentage) == (ReportStatus.PENDING, 0)
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["args"] == [report.pk]
    queued.task.call(*queued.args_kwargs["args"])
    report.refresh_from_db()
    assert report.status == ReportStatus.COMPLETED
    assert report.attempts == 2
    fresh.refresh_from_db()
    assert fresh.status == ReportStatus.GENERATING


def test_recovery_fails_a_report_out_of_attempts(make_report, doctor, settings):
    stale = timezone.now() - dt.timedelta(seconds=settings.REPORT_LEASE_SECONDS + 1)
    report = make_report(doctor, status=ReportStatus.GENERATING, attempts=3, heartbeat_at=stale)
    assert maintenance.recover_stale_reports() == (0, 1)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "interrupted 3 times" in report.error_message
    assert DBTaskResult.objects.count() == 0


def test_recovery_enqueues_a_report_whose_enqueue_was_lost(
    make_report, doctor, settings, django_capture_on_commit_callbacks
):
    report = make_report(doctor)
    GeneratedReport.objects.filter(pk=report.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert maintenance.recover_stale_reports() == (1, 0)
    assert GeneratedReport.objects.get(pk=report.pk).task_id == str(DBTaskResult.objects.get().id)


def test_reports_recover_command_reports_counts(make_report, doctor, settings, capsys):
    stale = timezone.now() - dt.timedelta(seconds=settings.REPORT_LEASE_SECONDS + 1)
    make_report(doctor, status=ReportStatus.GENERATING, attempts=3, heartbeat_at=stale)
    call_command("reports_recover")
    assert "0 report(s) re-queued, 1 failed" in capsys.readouterr().out


def test_rqworker_refuses_the_database_queue_and_recovers_nothing(make_report, doctor, settings):
    stale = timezone.now() - dt.timedelta(seconds=settings.REPORT_LEASE_SECONDS + 1)
    report = make_report(doctor, status=ReportStatus.GENERATING, attempts=1, heartbeat_at=stale)
    with pytest.raises(CommandError, match=r"^The reports queue is not RQ .*: run db_worker instead\.$"):
        call_command("rqworker", "--burst")
    assert GeneratedReport.objects.get(pk=report.pk).status == ReportStatus.GENERATING


def test_cleanup_expires_old_reports_and_deletes_their_files(
    make_report, doctor, storage_dir, django_capture_on_commit_callbacks
):
    old = make_report(doctor)
    generating.run_report(old.pk)
    current = make_report(doctor)
    generating.run_report(current.pk)
    GeneratedReport.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reports_cleanup", verbosity=0)
    old.refresh_from_db()
    current.refresh_from_db()
    assert old.status == ReportStatus.EXPIRED and not old.file
    assert current.status == ReportStatus.COMPLETED
    assert stored_files(storage_dir) == [current.file.name]


def test_retry_queues_a_failed_report_again(make_report, doctor, django_capture_on_commit_callbacks):
    report = make_report(doctor, status=ReportStatus.FAILED, attempts=3, error_message="boom")
    with django_capture_on_commit_callbacks(execute=True):
        assert requesting.retry_report(report)
    report.refresh_from_db()
    assert (report.status, report.attempts, report.error_message) == (ReportStatus.PENDING, 0, "")
    assert DBTaskResult.objects.count() == 1
    assert not requesting.retry_report(report)  # only FAILED reports are retried


def test_download_filename_is_ascii_and_has_no_path(make_report, doctor):
    report = make_report(doctor, title='../../etc/passwd"\r\nX-Evil: 1 Ñiño', completed_at=timezone.now())
    name = downloading.download_filename(report, "pdf")
    assert name.isascii()
    assert "/" not in name and '"' not in name and "\n" not in name and "\r" not in name
    assert name.startswith("etcpasswd-x-evil-1-nino_")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("supported_formats", []),
        ("supported_formats", ["PDF", "DOCX"]),
        ("allowed_roles", ["DOCTOR", "JANITOR"]),
        ("allowed_roles", "DOCTOR"),
        ("default_filters", {"visit_type": "surgical"}),
        ("default_filters", {"colour": "red"}),
    ],
)
def test_templates_reject_unknown_formats_roles_and_filters(template, field, value):
    from django.core.exceptions import ValidationError

    setattr(template, field, value)
    with pytest.raises(ValidationError) as raised:
        template.full_clean()
    assert field in raised.value.message_dict


def test_a_valid_template_passes_its_checks(template):
    template.default_filters = {"visit_type": "dental"}
    template.full_clean()


def test_pending_reports_whose_task_failed_are_requeued(
    make_report, doctor, settings, django_capture_on_commit_callbacks
):
    old = timezone.now() - dt.timedelta(seconds=settings.REPORT_LEASE_SECONDS + 60)
    with django_capture_on_commit_callbacks(execute=True):
        lost = make_report(doctor)
        waiting = make_report(doctor)
        tasks.enqueue_report(lost.pk)
        tasks.enqueue_report(waiting.pk)
    lost.refresh_from_db()
    waiting.refresh_from_db()
    DBTaskResult.objects.filter(id=lost.task_id).update(status="FAILED")
    GeneratedReport.objects.filter(pk__in=[lost.pk, waiting.pk]).update(created_at=old)
    with django_capture_on_commit_callbacks(execute=True):
        assert maintenance.recover_stale_reports() == (1, 0)
    lost.refresh_from_db()
    assert lost.task_id and DBTaskResult.objects.get(id=lost.task_id).status == "READY"
    assert GeneratedReport.objects.get(pk=waiting.pk).task_id == waiting.task_id  # still queued: left alone


def test_the_stored_document_keeps_its_key_order(make_report, doctor):
    report = make_report(doctor, document={"summary": {"zeta": 1, "alpha": 2, "mid": 3}, "b": 1, "a": 2})
    stored = GeneratedReport.objects.get(pk=report.pk).document
    assert list(stored) == ["summary", "b", "a"]
    assert list(stored["summary"]) == ["zeta", "alpha", "mid"]  # jsonb would sort these


def test_deleting_a_user_or_a_report_in_the_admin_removes_the_file(
    make_report, doctor, make_user, storage_dir, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import User
    from django.test import Client

    owned = make_report(doctor)
    generating.run_report(owned.pk)
    owned.refresh_from_db()
    listed = make_report(doctor)
    generating.run_report(listed.pk)
    listed.refresh_from_db()
    assert (storage_dir / owned.file.name).exists() and (storage_dir / listed.file.name).exists()
    chief = make_user("ADMIN", superuser=True)
    User.objects.filter(pk=chief.pk).update(is_staff=True)
    browser = Client()
    browser.force_login(chief)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(f"/admin/reports/generatedreport/{listed.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not (storage_dir / listed.file.name).exists()
    with django_capture_on_commit_callbacks(execute=True):
        doctor.delete()
    assert not GeneratedReport.objects.exists()
    assert not (storage_dir / owned.file.name).exists()
