"""Keeping reports in order: recovering interrupted runs, dispatching schedules, ending reports' retention.

Recovery runs once when a worker starts, then every half lease while it lives
(``recovering``), and on demand (``manage.py reports_recover``); the same watcher dispatches due
schedules every ``REPORT_DISPATCH_SECONDS`` (``scheduling.dispatch``, also ``manage.py
reports_dispatch``); retention runs from ``manage.py reports_cleanup`` and the admin's expire action.
"""

import datetime as dt
import logging
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from reports import failures, file_deletions
from reports.models import GeneratedReport, ReportStatus
from reports.services import scheduling
from reports.tasks import enqueue_report, generate_report

logger = logging.getLogger(__name__)

INTERRUPTED = (
    "The report was interrupted {attempts} times before it finished: it took too long, or the worker stopped. "
    "Try a shorter period, or try again later."
)


def _task_alive(task_id, stale_before):
    """Is this report's task still waiting, or running with a recent start?"""
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
    (or a run finishing meanwhile) cannot re-queue a report twice. The reports FAILED share one
    log reference, that of the warning saying so. Returns (requeued, failed).
    """
    now = now or timezone.now()
    stale_before = now - dt.timedelta(seconds=settings.REPORT_LEASE_SECONDS)
    stale = GeneratedReport.objects.filter(status=ReportStatus.GENERATING, heartbeat_at__lt=stale_before)
    waiting = GeneratedReport.objects.filter(status=ReportStatus.PENDING, created_at__lt=stale_before)
    reference = failures.new_reference()
    with transaction.atomic():
        failed = stale.filter(attempts__gte=settings.REPORT_MAX_ATTEMPTS).update(
            status=ReportStatus.FAILED,
            **failures.recorded(INTERRUPTED.format(attempts=settings.REPORT_MAX_ATTEMPTS), reference=reference),
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
        logger.warning(
            "Recovered reports: %d re-queued, %d failed after too many attempts [ref %s]",
            len(requeue),
            failed,
            reference,
        )
    return len(requeue), failed


@contextmanager
def recovering(stdout):
    """Recover reports interrupted by a dead worker now, and keep doing so while the block runs; dispatch due
    schedules now and every ``REPORT_DISPATCH_SECONDS``."""
    requeued, failed = recover_stale_reports()
    _safely(scheduling.dispatch, "Dispatching scheduled reports")
    connection.close()  # the worker opens its own when it needs one
    if requeued or failed:
        stdout.write(f"Recovered {requeued} interrupted report(s); {failed} failed after too many attempts.")
    stop = threading.Event()
    watcher = threading.Thread(target=_maintain_periodically, args=(stop,), name="report-recovery", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join(timeout=30)  # let a recovery under way finish


def _maintain_periodically(stop):
    """While this worker lives: dispatch due schedules every ``REPORT_DISPATCH_SECONDS`` and re-queue stale runs
    every half lease (another worker may have died meanwhile)."""
    recovery_every = max(settings.REPORT_LEASE_SECONDS / 2, 1)
    recovered_at = time.monotonic()
    while not stop.wait(min(settings.REPORT_DISPATCH_SECONDS, recovery_every)):
        _safely(scheduling.dispatch, "Dispatching scheduled reports")
        if time.monotonic() - recovered_at >= recovery_every:
            _safely(recover_stale_reports, "Periodic report recovery")
            recovered_at = time.monotonic()


def _safely(step, name):
    """Run a periodic step; a failure is logged and the next tick tries again."""
    try:
        step()
    except Exception:
        logger.exception("%s failed; trying again later", name)
    finally:
        connection.close()


def cleanup_expired_reports(now=None):
    """Mark reports past ``expires_at`` EXPIRED and delete their files in every tier. Returns the count.

    The files left on EXPIRED and FAILED reports (a FAILED one's was stored by a run that failed
    or died) are recorded for deletion (``file_deletions``) beside those of deleted or replaced
    reports, and every recorded deletion is tried. A report keeps its file's name until every
    tier confirmed; what a storage refused is logged and tried again by the next cleanup.
    Running it twice in a row changes nothing more.
    """
    now = now or timezone.now()
    expired = GeneratedReport.objects.filter(status=ReportStatus.COMPLETED, expires_at__lte=now).update(
        status=ReportStatus.EXPIRED, heartbeat_at=None
    )
    leftovers = GeneratedReport.objects.filter(status__in=[ReportStatus.EXPIRED, ReportStatus.FAILED]).exclude(file="")
    owners = dict(leftovers.values_list("file", "pk"))
    file_deletions.record(owners)
    pending = file_deletions.retry_pending()
    leftovers.filter(pk__in=[pk for name, pk in owners.items() if name not in pending]).update(file="")
    undeleted = sorted(owners[name] for name in pending if name in owners)
    if undeleted:
        logger.warning(
            "Cleanup could not delete the files of %d report(s) (#%s); the next cleanup tries again",
            len(undeleted),
            ", #".join(map(str, undeleted)),
        )
    if others := len(pending) - len(undeleted):
        logger.warning(
            "Cleanup could not delete %d file(s) of deleted or replaced reports; the next cleanup tries again", others
        )
    logger.info("Expired %d reports", expired)
    return expired


def expire_reports(reports):
    """Expire the given completed reports now (admin action). Returns the count."""
    reports.filter(status=ReportStatus.COMPLETED).update(expires_at=timezone.now())
    return cleanup_expired_reports()
