"""Generating a report: PENDING → GENERATING → COMPLETED (or FAILED).

Each run claims the report by bumping ``attempts`` and keeps a heartbeat while it works; a
run whose heartbeat goes stale is queued again by ``maintenance.recover_stale_reports``, and
a run that finds it no longer owns the report (``RunSuperseded``) discards its work. A run
that fails records what failed for its user, and the error and its log reference for ADMIN
(``reports.failures``).
"""

import dataclasses
import datetime as dt
import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from reports import catalog, comparison, failures, file_deletions, relative_periods, renderers, tiers
from reports.catalog.report_type import ReportParams
from reports.models import CompareTo, GeneratedReport, ReportStatus
from reports.periods import Period

logger = logging.getLogger(__name__)

DATA_STEP_START, DATA_STEP_END, RENDERING, STORING = 5, 70, 75, 90
# A run writes its progress (and heartbeat) at most this often: each write is a commit, and a report of a few
# milliseconds needs none between its claim and its completion. Far below REPORT_LEASE_SECONDS.
PROGRESS_SECONDS = 0.5
# What failed, by the step that failed ({id}: the report's, {format}: its format's name).
ASK_AN_ADMINISTRATOR = " If it fails again, ask an administrator to look at report #{id}."
DATA_ERROR = "The report's figures could not be read from the clinic's records. Please try again later."
FILE_ERROR = "The figures were read, but the {format} file could not be made from them. Try another format."
SAVE_ERROR = "The {format} file was made, but the report could not be saved. Please try again later."
STORAGE_ERROR = "The report file could not be stored: the storage was unavailable. Please try again later."
DATABASE_ERROR = "The report could not be generated: the database connection was lost. Please try again later."
# Errors of a lost or broken database connection (also SQLite's "database is locked").
DATABASE_LOST = (InterfaceError, OperationalError)


class RunSuperseded(Exception):
    """This run no longer owns the report (it was recovered, deleted or finished elsewhere)."""


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
        for name, value in failures.CLEARED.items():
            setattr(report, name, value)
        leftover = report.file.name  # stored by an earlier run that died or failed before completing
        report.file = ""
        report.save(
            update_fields=[
                "status",
                "attempts",
                "started_at",
                "heartbeat_at",
                "progress_percentage",
                *failures.CLEARED,
                "file",
            ]
        )
        if leftover:
            file_deletions.discard(leftover)
        report.progress_written = time.monotonic()
        return report


def _owned(report):
    return GeneratedReport.objects.filter(pk=report.pk, status=ReportStatus.GENERATING, attempts=report.attempts)


def _progress(report, percentage):
    """Record the run's progress and heartbeat, at most every ``PROGRESS_SECONDS``; RunSuperseded once it is not
    this run's (the next write, storing the file's name, or completing finds that out in any case)."""
    now = time.monotonic()
    if now - report.progress_written < PROGRESS_SECONDS:
        return
    if not _owned(report).update(progress_percentage=percentage, heartbeat_at=timezone.now()):
        raise RunSuperseded
    report.progress_written = now


def build_document(report, on_progress=None, cached=True):
    """The report document for a report's parameters, computed from today's data (small counts hidden if asked),
    with the earlier period beside it when it is compared (``reports.comparison``): each period is half the work.

    ``cached``: figures computed earlier from the same data are used (``reports.cache``).
    """
    params = ReportParams(
        period=Period(
            report.date_range_start,
            report.date_range_end,
            label=relative_periods.label(report.relative_period) if report.relative_period else "",
        ),
        filters=report.filters,
        title=report.title,
        **({"progress": on_progress} if on_progress else {}),
    )
    report_type = catalog.get(report.report_type)
    if report.compare_to == CompareTo.NONE:
        return _suppressed(report, report_type, report_type.build(params, cached=cached))
    progress = params.progress
    current = dataclasses.replace(params, progress=lambda done: progress(done / 2))
    document = _suppressed(report, report_type, report_type.build(current, cached=cached))
    earlier = dataclasses.replace(
        params,
        period=comparison.earlier_period(params.period, report.compare_to, comparison.step_unit(document)),
        progress=lambda done: progress(0.5 + done / 2),
        measures={},
    )
    earlier_document = _suppressed(report, report_type, report_type.build(earlier, cached=cached))
    return comparison.compare(document, earlier_document, report.compare_to, report_type.flows())


def _suppressed(report, report_type, document):
    if report.suppress_small_counts:
        return report_type.suppress(document, settings.SMALL_CELL_THRESHOLD)
    return document


def render(document, export_format):
    """(bytes, renderer module) of a document in a format."""
    renderer = renderers.get(export_format)
    return renderer.render(document), renderer


def run_report(report_id):
    """Generate a report: claim, compute, render, store, complete. Idempotent.

    The file's name goes on the report before the file is stored, so that a file stored by
    a run that then died is found and deleted by the next run (``_claim``) or by cleanup.
    A lost database connection ends the run cleanly and hands the report back: then the
    seconds after which to run it again are returned (None otherwise).
    """
    report = _claim(report_id)
    if report is None:
        logger.info("Report %s is not pending; nothing to run", report_id)
        return None
    began = time.monotonic()
    stored_name = ""
    failure = DATA_ERROR  # what failed, should the step under way fail
    try:
        span = DATA_STEP_END - DATA_STEP_START
        document = build_document(report, lambda done: _progress(report, DATA_STEP_START + round(span * done)))
        failure = FILE_ERROR
        _progress(report, RENDERING)
        content, renderer = render(document, report.export_format)
        failure = SAVE_ERROR
        _progress(report, STORING)
        stored = tiers.StoredFile.new(report, content, renderer.EXTENSION)
        stored_name = stored.name
        if not _owned(report).update(file=stored_name):
            raise RunSuperseded
        try:
            tiers.store(stored_name, content, before_retry=lambda: _progress(report, STORING))
        except tiers.StorageUnavailable as error:
            reference = failures.new_reference()
            logger.error("Report %s: the storage was unavailable; the report is FAILED [ref %s]", report.pk, reference)
            file_deletions.discard(stored_name)
            _fail(report, failures.recorded(STORAGE_ERROR, error, reference))
            return None
        _complete(report, document, stored, time.monotonic() - began)
    except RunSuperseded:
        logger.info("Report %s run %s was superseded; discarding its work", report.pk, report.attempts)
        file_deletions.discard(stored_name)
    except DATABASE_LOST as error:
        reference = failures.new_reference()
        logger.exception(
            "Report %s: run %s lost its database connection [ref %s]", report.pk, report.attempts, reference
        )
        return _retry_after_lost_database(report, stored_name, failures.recorded(DATABASE_ERROR, error, reference))
    except Exception as error:
        reference = failures.new_reference()
        logger.exception("Report %s failed [ref %s]", report.pk, reference)
        file_deletions.discard(stored_name)
        message = (failure + ASK_AN_ADMINISTRATOR).format(id=report.pk, format=report.get_export_format_display())
        _fail(report, failures.recorded(message, error, reference))
    return None


def _complete(report, document, stored, seconds):
    now = timezone.now()
    with transaction.atomic():
        current = _owned(report).select_for_update().first()
        if current is None:
            raise RunSuperseded
        previous_name = current.file.name
        current.status = ReportStatus.COMPLETED
        current.progress_percentage = 100
        current.file.name = stored.name
        current.file_size = stored.size
        current.checksum = stored.checksum
        current.record_count = document.record_count if isinstance(document.record_count, int) else None
        current.document = document.as_dict()
        current.completed_at = now
        current.generation_time = dt.timedelta(seconds=seconds)
        current.expires_at = now + dt.timedelta(days=settings.REPORT_RETENTION_DAYS)
        current.heartbeat_at = now
        current.save()
        if previous_name and previous_name != stored.name:
            file_deletions.discard(previous_name)
    logger.info("Report %s completed in %.2fs (%d bytes)", report.pk, seconds, stored.size)


def _fail(report, failure):
    """FAIL this run's report, recording ``failure`` (``failures.recorded``)."""
    _owned(report).update(status=ReportStatus.FAILED, heartbeat_at=timezone.now(), **failure)


def _retry_after_lost_database(report, stored_name, failure):
    """Reconnect, undo what did not commit and hand the report back (FAILED with ``failure`` once out of attempts).

    Returns the seconds after which to run it again, or None. Nothing is half-written:
    completing is one transaction, so the report is either COMPLETED with this run's file
    (the commit went through before the connection broke) or still this run's to hand back.
    If the database is still unreachable the report stays GENERATING, and recovery queues it
    again once its lease has expired.
    """
    connection.close()
    try:
        with transaction.atomic():
            current = _owned(report).select_for_update().first()
            if current is None:
                done = GeneratedReport.objects.filter(pk=report.pk, status=ReportStatus.COMPLETED, file=stored_name)
                if not (stored_name and done.exists()):
                    file_deletions.discard(stored_name)
                return None
            retry = current.attempts < settings.REPORT_MAX_ATTEMPTS
            _owned(report).update(
                status=ReportStatus.PENDING if retry else ReportStatus.FAILED,
                **(failures.CLEARED if retry else failure),
                progress_percentage=0 if retry else current.progress_percentage,
                task_id="",
                heartbeat_at=None,
                file="",
            )
            file_deletions.discard(stored_name)
        logger.warning("Report %s: %s", report.pk, "queued again" if retry else "FAILED, out of attempts")
        return settings.REPORT_RETRY_DELAY_SECONDS if retry else None
    except DATABASE_LOST:
        logger.error("Report %s: the database is still unreachable; recovery will queue it again", report.pk)
        return None
