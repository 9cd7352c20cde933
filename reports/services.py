"""Services: request, run, serve, delete, recover and expire reports.

A report moves PENDING → GENERATING → COMPLETED (or FAILED); EXPIRED once its
retention ends. Each run claims the report by bumping ``attempts`` and keeps a
heartbeat; a run whose heartbeat goes stale is re-queued by ``recover_stale_reports``.
"""

import datetime as dt
import hashlib
import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from reports import catalog, renderers
from reports.catalog.base import ReportParams
from reports.models import GeneratedReport, ReportStatus, reports_storage
from reports.periods import Period, local_zone

logger = logging.getLogger(__name__)

DATA_STEP_START, DATA_STEP_END, RENDERING, STORING = 5, 70, 75, 90
INTERNAL_ERROR = (
    "The report could not be generated because of an internal error. "
    "Administrators can find the details in the server log under report #{id}."
)
STORAGE_ERROR = "The report file could not be stored: the storage was unavailable. Please try again later."


class RunSuperseded(Exception):
    """This run no longer owns the report (it was recovered, deleted or finished elsewhere)."""


class ReportNotReady(Exception):
    """The report has no file to serve yet."""


class ReportExpired(Exception):
    """The report's retention has ended."""


def default_title(template, start, end):
    return f"{template.name} {start:%Y-%m-%d} to {end:%Y-%m-%d}"


def request_report(*, user, template, date_range_start, date_range_end, export_format, filters=None, title=""):
    """Create a PENDING report and enqueue its generation once the transaction commits."""
    with transaction.atomic():
        report = GeneratedReport.objects.create(
            template=template,
            report_type=template.report_type,
            title=title or default_title(template, date_range_start, date_range_end),
            generated_by=user,
            date_range_start=date_range_start,
            date_range_end=date_range_end,
            filters={**template.default_filters, **(filters or {})},
            export_format=export_format,
        )
        transaction.on_commit(lambda: enqueue_report(report.pk))
    logger.info("Report %s requested (%s, %s)", report.pk, report.report_type, report.export_format)
    return report


def enqueue_report(report_id):
    from reports.tasks import generate_report

    result = generate_report.enqueue(report_id)
    GeneratedReport.objects.filter(pk=report_id).update(task_id=str(result.id))


def _claim(report_id):
    """Move a PENDING report to GENERATING for this run; the run's attempt number, or None."""
    now = timezone.now()
    with transaction.atomic():
        report = GeneratedReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.status != ReportStatus.PENDING:
            return None
        report.status = ReportStatus.GENERATING
        report.attempts += 1
        report.started_at = now
        report.heartbeat_at = now
        report.progress_percentage = DATA_STEP_START
        report.error_message = ""
        report.save(
            update_fields=["status", "attempts", "started_at", "heartbeat_at", "progress_percentage", "error_message"]
        )
        return report


def _owned(report):
    return GeneratedReport.objects.filter(pk=report.pk, status=ReportStatus.GENERATING, attempts=report.attempts)


def _progress(report, percentage):
    if not _owned(report).update(progress_percentage=percentage, heartbeat_at=timezone.now()):
        raise RunSuperseded


def build_document(report, on_progress=None):
    """The report document for a report's parameters, computed from today's data."""
    params = ReportParams(
        period=Period(report.date_range_start, report.date_range_end),
        filters=report.filters,
        title=report.title,
        **({"progress": on_progress} if on_progress else {}),
    )
    return catalog.get(report.report_type).build(params)


def render(document, export_format):
    """(bytes, renderer module) of a document in a format."""
    renderer = renderers.get(export_format)
    return renderer.render(document), renderer


def run_report(report_id):
    """Generate a report: claim, compute, render, store, complete. Idempotent."""
    report = _claim(report_id)
    if report is None:
        logger.info("Report %s is not pending; nothing to run", report_id)
        return
    began = time.monotonic()
    stored_name = ""
    try:
        span = DATA_STEP_END - DATA_STEP_START
        document = build_document(report, lambda done: _progress(report, DATA_STEP_START + round(span * done)))
        _progress(report, RENDERING)
        content, renderer = render(document, report.export_format)
        _progress(report, STORING)
        try:
            stored_name = reports_storage().save(
                f"{report.pk}-{secrets.token_hex(8)}.{renderer.EXTENSION}", ContentFile(content)
            )
        except OSError:
            logger.exception("Report %s: storing the file failed", report.pk)
            _fail(report, STORAGE_ERROR)
            return
        _complete(report, document, content, stored_name, time.monotonic() - began)
    except RunSuperseded:
        logger.info("Report %s run %s was superseded; discarding its work", report.pk, report.attempts)
        _discard(stored_name)
    except Exception:
        logger.exception("Report %s failed", report.pk)
        _discard(stored_name)
        _fail(report, INTERNAL_ERROR.format(id=report.pk))


def _complete(report, document, content, stored_name, seconds):
    now = timezone.now()
    with transaction.atomic():
        current = _owned(report).select_for_update().first()
        if current is None:
            raise RunSuperseded
        previous_name = current.file.name
        current.status = ReportStatus.COMPLETED
        current.progress_percentage = 100
        current.file.name = stored_name
        current.file_size = len(content)
        current.checksum = hashlib.sha256(content).hexdigest()
        current.record_count = document.record_count
        current.document = document.as_dict()
        current.completed_at = now
        current.generation_time = dt.timedelta(seconds=seconds)
        current.expires_at = now + dt.timedelta(days=settings.REPORT_RETENTION_DAYS)
        current.heartbeat_at = now
        current.save()
        if previous_name and previous_name != stored_name:
            transaction.on_commit(lambda: _discard(previous_name))
    logger.info("Report %s completed in %.2fs (%d bytes)", report.pk, seconds, len(content))


def _fail(report, message):
    _owned(report).update(status=ReportStatus.FAILED, error_message=message, heartbeat_at=timezone.now())


def _discard(name):
    if not name:
        return
    try:
        reports_storage().delete(name)
    except OSError:
        logger.warning("Could not delete report file %s; it is now orphaned", name)


@dataclass
class ReportFile:
    """An open report file ready to stream."""

    file: object
    size: int
    content_type: str
    filename: str


def download_filename(report, extension):
    """``<title-slug>_<YYYY-MM-DD>.<ext>``: ASCII, no path segments, nothing to inject."""
    day = timezone.localtime(report.completed_at or report.created_at, local_zone()).date()
    slug = slugify(report.title)[:80].strip("-_") or "report"
    return f"{slug}_{day:%Y-%m-%d}.{extension}"


def open_report_file(report):
    """Open a completed report's file for download and count the download."""
    if report.status == ReportStatus.EXPIRED or (report.expires_at and report.expires_at <= timezone.now()):
        raise ReportExpired
    if report.status != ReportStatus.COMPLETED or not report.file:
        raise ReportNotReady
    renderer = renderers.get(report.export_format)
    handle = reports_storage().open(report.file.name, "rb")
    GeneratedReport.objects.filter(pk=report.pk).update(download_count=F("download_count") + 1)
    return ReportFile(
        file=handle,
        size=report.file_size,
        content_type=renderer.CONTENT_TYPE,
        filename=download_filename(report, renderer.EXTENSION),
    )


def delete_report(report):
    """Delete a report and, once that commits, its file."""
    name = report.file.name
    with transaction.atomic():
        report.delete()
        transaction.on_commit(lambda: _discard(name))
    logger.info("Report deleted")


def retry_report(report):
    """Queue a FAILED report again with a fresh set of attempts."""
    with transaction.atomic():
        updated = GeneratedReport.objects.filter(pk=report.pk, status=ReportStatus.FAILED).update(
            status=ReportStatus.PENDING, attempts=0, progress_percentage=0, error_message="", task_id=""
        )
        if updated:
            transaction.on_commit(lambda: enqueue_report(report.pk))
    return bool(updated)


def recover_stale_reports(now=None):
    """Re-queue reports whose run stopped heartbeating; FAIL those out of attempts.

    Also enqueues PENDING reports whose enqueue never happened (the process died
    between the commit and the enqueue). Returns (requeued, failed).
    """
    now = now or timezone.now()
    stale_before = now - dt.timedelta(seconds=settings.REPORT_LEASE_SECONDS)
    stale = GeneratedReport.objects.filter(status=ReportStatus.GENERATING, heartbeat_at__lt=stale_before)
    with transaction.atomic():
        failed = stale.filter(attempts__gte=settings.REPORT_MAX_ATTEMPTS).update(
            status=ReportStatus.FAILED,
            error_message=f"Generation was interrupted {settings.REPORT_MAX_ATTEMPTS} times "
            "(the worker stopped); it will not be retried automatically.",
        )
        requeue = list(stale.values_list("pk", flat=True))
        unqueued = GeneratedReport.objects.filter(
            status=ReportStatus.PENDING, task_id="", created_at__lt=stale_before
        ).values_list("pk", flat=True)
        requeue += list(unqueued)
        GeneratedReport.objects.filter(pk__in=requeue).update(
            status=ReportStatus.PENDING, progress_percentage=0, task_id="", heartbeat_at=None
        )
        for report_id in requeue:
            transaction.on_commit(lambda report_id=report_id: enqueue_report(report_id))
    if requeue or failed:
        logger.warning("Recovered reports: %d re-queued, %d failed after too many attempts", len(requeue), failed)
    return len(requeue), failed


def cleanup_expired_reports(now=None):
    """Mark reports past ``expires_at`` EXPIRED and delete their files. Returns the count."""
    now = now or timezone.now()
    expired = list(
        GeneratedReport.objects.filter(status=ReportStatus.COMPLETED, expires_at__lte=now).values_list("pk", "file")
    )
    if not expired:
        return 0
    with transaction.atomic():
        GeneratedReport.objects.filter(pk__in=[pk for pk, _ in expired]).update(
            status=ReportStatus.EXPIRED, file="", heartbeat_at=None
        )
        for _, name in expired:
            transaction.on_commit(lambda name=name: _discard(name))
    logger.info("Expired %d reports", len(expired))
    return len(expired)


def expire_reports(reports):
    """Expire the given completed reports now (admin action). Returns the count."""
    reports.filter(status=ReportStatus.COMPLETED).update(expires_at=timezone.now())
    return cleanup_expired_reports()
