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
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from reports import catalog, delivery, file_deletions, renderers
from reports.cache import cached_document
from reports.catalog.base import ReportParams
from reports.document import ReportDocument
from reports.models import GeneratedReport, ReportStatus
from reports.periods import Period, local_zone
from reports.suppression import suppress

logger = logging.getLogger(__name__)

DATA_STEP_START, DATA_STEP_END, RENDERING, STORING = 5, 70, 75, 90
INTERNAL_ERROR = (
    "The report could not be generated because of an internal error. "
    "Administrators can find the details in the server log under report #{id}."
)
STORAGE_ERROR = "The report file could not be stored: the storage was unavailable. Please try again later."
DATABASE_ERROR = "The report could not be generated: the database connection was lost. Please try again later."
# Errors of a lost or broken database connection (also SQLite's "database is locked").
DATABASE_LOST = (InterfaceError, OperationalError)
REBUILT_NOTE = (
    "This file was rebuilt on {today} from the report's parameters, because the original file "
    "and its stored figures were lost. The figures are those of the clinic records as they are now: "
    "the records carry no entry time, so any record dated within the period but entered after the "
    "original generation on {original} is counted."
)


class RunSuperseded(Exception):
    """This run no longer owns the report (it was recovered, deleted or finished elsewhere)."""


class ReportNotReady(Exception):
    """The report has no file to serve yet."""


class ReportExpired(Exception):
    """The report's retention has ended."""


class ReportUnavailable(Exception):
    """No storage tier could serve the report's file; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after):
        super().__init__(retry_after)
        self.retry_after = retry_after


def default_title(template, start, end):
    return f"{template.name} {start:%Y-%m-%d} to {end:%Y-%m-%d}"


def request_report(
    *,
    user,
    template,
    date_range_start,
    date_range_end,
    export_format,
    filters=None,
    title="",
    suppress_small_counts=None,
):
    """Create a PENDING report and enqueue its generation once the transaction commits.

    ``suppress_small_counts`` left out (None) takes the template's default.
    """
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
            suppress_small_counts=(
                template.suppress_small_counts if suppress_small_counts is None else suppress_small_counts
            ),
        )
        # robust: if the queue refuses, the report stays PENDING without a task and recovery enqueues it.
        transaction.on_commit(lambda: enqueue_report(report.pk), robust=True)
    logger.info("Report %s requested (%s, %s)", report.pk, report.report_type, report.export_format)
    return report


def enqueue_report(report_id, delay=0):
    from reports.tasks import generate_report

    task = generate_report.using(run_after=timezone.now() + dt.timedelta(seconds=delay)) if delay else generate_report
    result = task.enqueue(report_id)
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
        leftover = report.file.name  # stored by an earlier run that died or failed before completing
        report.file = ""
        report.save(
            update_fields=[
                "status",
                "attempts",
                "started_at",
                "heartbeat_at",
                "progress_percentage",
                "error_message",
                "file",
            ]
        )
        if leftover:
            file_deletions.discard(leftover)
        return report


def _owned(report):
    return GeneratedReport.objects.filter(pk=report.pk, status=ReportStatus.GENERATING, attempts=report.attempts)


def _progress(report, percentage):
    if not _owned(report).update(progress_percentage=percentage, heartbeat_at=timezone.now()):
        raise RunSuperseded


def build_document(report, on_progress=None):
    """The report document for a report's parameters, computed from today's data (small counts hidden if asked)."""
    params = ReportParams(
        period=Period(report.date_range_start, report.date_range_end),
        filters=report.filters,
        title=report.title,
        **({"progress": on_progress} if on_progress else {}),
    )
    document = cached_document(report.report_type, params, catalog.get(report.report_type).build)
    if report.suppress_small_counts:
        return suppress(document, settings.SMALL_CELL_THRESHOLD)
    return document


def render(document, export_format):
    """(bytes, renderer module) of a document in a format."""
    renderer = renderers.get(export_format)
    return renderer.render(document), renderer


def run_report(report_id):
    """Generate a report: claim, compute, render, store, complete. Idempotent.

    The file's name goes on the report before the file is stored, so that a file stored by
    a run that then died is found and deleted by the next run (``_claim``) or by cleanup.
    A lost database connection ends the run cleanly and queues the report again.
    """
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
        stored_name = f"{report.pk}-{secrets.token_hex(8)}.{renderer.EXTENSION}"
        if not _owned(report).update(file=stored_name):
            raise RunSuperseded
        try:
            delivery.store(stored_name, content, before_retry=lambda: _progress(report, STORING))
        except delivery.StorageUnavailable:
            logger.error("Report %s: the storage was unavailable; the report is FAILED", report.pk)
            file_deletions.discard(stored_name)
            _fail(report, STORAGE_ERROR)
            return
        _complete(report, document, content, stored_name, time.monotonic() - began)
    except RunSuperseded:
        logger.info("Report %s run %s was superseded; discarding its work", report.pk, report.attempts)
        file_deletions.discard(stored_name)
    except DATABASE_LOST:
        logger.exception("Report %s: run %s lost its database connection", report.pk, report.attempts)
        _retry_after_lost_database(report, stored_name)
    except Exception:
        logger.exception("Report %s failed", report.pk)
        file_deletions.discard(stored_name)
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
        current.record_count = document.record_count if isinstance(document.record_count, int) else None
        current.document = document.as_dict()
        current.completed_at = now
        current.generation_time = dt.timedelta(seconds=seconds)
        current.expires_at = now + dt.timedelta(days=settings.REPORT_RETENTION_DAYS)
        current.heartbeat_at = now
        current.save()
        if previous_name and previous_name != stored_name:
            file_deletions.discard(previous_name)
    logger.info("Report %s completed in %.2fs (%d bytes)", report.pk, seconds, len(content))


def _fail(report, message):
    _owned(report).update(status=ReportStatus.FAILED, error_message=message, heartbeat_at=timezone.now())


def _retry_after_lost_database(report, stored_name):
    """Reconnect, undo what did not commit and queue the report again (FAILED once out of attempts).

    Nothing is half-written: completing is one transaction, so the report is either COMPLETED
    with this run's file (the commit went through before the connection broke) or still this
    run's to hand back. If the database is still unreachable the report stays GENERATING, and
    recovery queues it again once its lease has expired.
    """
    connection.close()
    try:
        with transaction.atomic():
            current = _owned(report).select_for_update().first()
            if current is None:
                done = GeneratedReport.objects.filter(pk=report.pk, status=ReportStatus.COMPLETED, file=stored_name)
                if not (stored_name and done.exists()):
                    file_deletions.discard(stored_name)
                return
            retry = current.attempts < settings.REPORT_MAX_ATTEMPTS
            _owned(report).update(
                status=ReportStatus.PENDING if retry else ReportStatus.FAILED,
                error_message="" if retry else DATABASE_ERROR,
                progress_percentage=0 if retry else current.progress_percentage,
                task_id="",
                heartbeat_at=None,
                file="",
            )
            file_deletions.discard(stored_name)
            if retry:
                delay = settings.REPORT_RETRY_DELAY_SECONDS
                transaction.on_commit(lambda: enqueue_report(report.pk, delay=delay))
        logger.warning("Report %s: %s", report.pk, "queued again" if retry else "FAILED, out of attempts")
    except DATABASE_LOST:
        logger.error("Report %s: the database is still unreachable; recovery will queue it again", report.pk)


@dataclass
class ReportFile:
    """An open report file ready to stream."""

    file: object
    size: int
    content_type: str
    filename: str
    tier: str = delivery.STORAGE  # which download tier served it (see reports.delivery)


def download_filename(report, extension):
    """``<title-slug>_<YYYY-MM-DD>.<ext>``: ASCII, no path segments, nothing to inject."""
    day = timezone.localtime(report.completed_at or report.created_at, local_zone()).date()
    slug = slugify(report.title)[:80].strip("-_") or "report"
    return f"{slug}_{day:%Y-%m-%d}.{extension}"


def open_report_file(report):
    """Open a completed report's file for download, from the first tier that has it whole; count it.

    Raises ReportExpired, ReportNotReady, or ReportUnavailable when no tier could serve it.
    """
    if report.is_expired:
        raise ReportExpired
    if report.status != ReportStatus.COMPLETED:
        raise ReportNotReady
    renderer = renderers.get(report.export_format)
    try:
        served = delivery.deliver(report, rebuild=_rebuild_file)
    except delivery.FileUnavailable:
        raise ReportUnavailable(settings.REPORT_DOWNLOAD_RETRY_AFTER) from None
    GeneratedReport.objects.filter(pk=report.pk).update(download_count=F("download_count") + 1)
    return ReportFile(
        file=served.file,
        size=served.size,
        content_type=renderer.CONTENT_TYPE,
        filename=download_filename(report, renderer.EXTENSION),
        tier=served.tier,
    )


def _rebuild_file(report, store_again=True):
    """Download tier 4: render the file again from the report's stored document (the same numbers).

    A report without a stored document is computed again from its parameters, and its file
    says so. The rebuilt file is stored again (unless the storage just failed to answer in
    time) so that the next download is served by tier 1.
    """
    if report.document:
        document = ReportDocument.from_dict(report.document)
    else:
        document = build_document(report)
        original = timezone.localtime(report.completed_at or report.created_at, local_zone())
        today = timezone.localdate(timezone=local_zone())
        document.notes.append(REBUILT_NOTE.format(today=f"{today:%Y-%m-%d}", original=f"{original:%Y-%m-%d %H:%M}"))
    content, renderer = render(document, report.export_format)
    if store_again:
        _store_rebuilt(report, document, content, renderer.EXTENSION)
    return delivery.Served(file=ContentFile(content), size=len(content), tier=delivery.REBUILD)


def _store_rebuilt(report, document, content, extension):
    name = f"{report.pk}-{secrets.token_hex(8)}.{extension}"
    try:
        delivery.store(name, content, attempts=1)
    except delivery.StorageUnavailable:
        logger.warning("Report %s: the rebuilt file could not be stored again; it is served anyway", report.pk)
        return
    changes = {"file": name, "file_size": len(content), "checksum": hashlib.sha256(content).hexdigest()}
    if not report.document:
        changes["document"] = document.as_dict()
    lost = report.file.name
    if GeneratedReport.objects.filter(pk=report.pk, status=ReportStatus.COMPLETED, file=lost).update(**changes):
        file_deletions.discard(lost)
    else:
        file_deletions.discard(name)  # the report changed meanwhile (deleted, expired or rebuilt by another download)


def delete_report(report):
    """Delete a report; its file goes once that commits (``reports.signals.discard_report_file``)."""
    report.delete()
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


def _task_alive(task_id, stale_before):
    """Is this report's task still waiting, or running with a recent start?"""
    from reports.tasks import generate_report

    if not task_id:
        return False
    try:
        result = generate_report.get_result(task_id)
    except TaskResultDoesNotExist:
        return False
    except NotImplementedError:  # a backend that cannot look results up: trust it
        return True
    if result.status == TaskResultStatus.READY:
        return True
    return result.status == TaskResultStatus.RUNNING and bool(result.started_at and result.started_at >= stale_before)


def recover_stale_reports(now=None):
    """Re-queue reports whose run stopped heartbeating; FAIL those out of attempts.

    Also re-queues PENDING reports older than the lease whose task is gone (the
    process died between the commit and the enqueue, or the task failed before it
    claimed the report). Rows are locked and re-checked, so two recoveries at once
    (or a run finishing meanwhile) cannot re-queue a report twice. Returns (requeued, failed).
    """
    now = now or timezone.now()
    stale_before = now - dt.timedelta(seconds=settings.REPORT_LEASE_SECONDS)
    stale = GeneratedReport.objects.filter(status=ReportStatus.GENERATING, heartbeat_at__lt=stale_before)
    waiting = GeneratedReport.objects.filter(status=ReportStatus.PENDING, created_at__lt=stale_before)
    with transaction.atomic():
        failed = stale.filter(attempts__gte=settings.REPORT_MAX_ATTEMPTS).update(
            status=ReportStatus.FAILED,
            error_message=f"Generation was interrupted {settings.REPORT_MAX_ATTEMPTS} times "
            "(the worker stopped); it will not be retried automatically.",
        )
        requeue = list(stale.select_for_update(skip_locked=True).values_list("pk", flat=True))
        requeue += [
            pk
            for pk, task_id in waiting.select_for_update(skip_locked=True).values_list("pk", "task_id")
            if not _task_alive(task_id, stale_before)
        ]
        GeneratedReport.objects.filter(pk__in=requeue).update(
            status=ReportStatus.PENDING, progress_percentage=0, task_id="", heartbeat_at=None
        )
        for report_id in requeue:
            transaction.on_commit(lambda report_id=report_id: enqueue_report(report_id), robust=True)
    if requeue or failed:
        logger.warning("Recovered reports: %d re-queued, %d failed after too many attempts", len(requeue), failed)
    return len(requeue), failed


def cleanup_expired_reports(now=None):
    """Mark reports past ``expires_at`` EXPIRED and delete their files in every tier. Returns the count.

    Also deletes the files left on FAILED reports (stored by a run that failed or died). A file
    whose deletion fails keeps its name on the report and is tried again by the next cleanup;
    the others are deleted all the same, and the failures are logged. Then it tries again the
    files of deleted or replaced reports whose deletion failed (``file_deletions``). Running it
    twice in a row changes nothing more.
    """
    now = now or timezone.now()
    expired = GeneratedReport.objects.filter(status=ReportStatus.COMPLETED, expires_at__lte=now).update(
        status=ReportStatus.EXPIRED, heartbeat_at=None
    )
    leftovers = GeneratedReport.objects.filter(status__in=[ReportStatus.EXPIRED, ReportStatus.FAILED]).exclude(file="")
    undeleted = []
    for pk, name in leftovers.values_list("pk", "file"):
        if delivery.delete_everywhere(name):
            undeleted.append(pk)
        else:
            GeneratedReport.objects.filter(pk=pk, file=name).update(file="")
    if undeleted:
        logger.warning(
            "Cleanup could not delete the files of %d report(s) (#%s); the next cleanup tries again",
            len(undeleted),
            ", #".join(map(str, undeleted)),
        )
    file_deletions.retry_pending()
    logger.info("Expired %d reports", expired)
    return expired


def expire_reports(reports):
    """Expire the given completed reports now (admin action). Returns the count."""
    reports.filter(status=ReportStatus.COMPLETED).update(expires_at=timezone.now())
    return cleanup_expired_reports()


def report_document(report):
    """The stored document of a completed report, to preview it (ReportExpired / ReportNotReady otherwise)."""
    if report.is_expired:
        raise ReportExpired
    if report.status != ReportStatus.COMPLETED or not report.document:
        raise ReportNotReady
    return ReportDocument.from_dict(report.document)


def export_report(report, *, user, export_format):
    """Request ``report`` again for ``user`` in ``export_format``: same template, period, filters and title."""
    return request_report(
        user=user,
        template=report.template,
        date_range_start=report.date_range_start,
        date_range_end=report.date_range_end,
        export_format=export_format,
        filters=report.filters,
        title=report.title,
        suppress_small_counts=report.suppress_small_counts,
    )
