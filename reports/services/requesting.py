"""Requesting reports: a new one, a failed one again, one in another format; deleting one."""

import logging

from django.db import transaction

from reports import failures
from reports.models import CompareTo, GeneratedReport, ReportStatus
from reports.tasks import enqueue_report

logger = logging.getLogger(__name__)


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
    relative_period="",
    compare_to=CompareTo.NONE,
):
    """Create a PENDING report and enqueue its generation once the transaction commits.

    ``suppress_small_counts`` left out (None) takes the template's default; ``relative_period``
    names the relative period the dates were resolved from, if any; ``compare_to`` the earlier
    period shown beside it (``reports.comparison``).
    """
    with transaction.atomic():
        report = GeneratedReport.objects.create(
            template=template,
            report_type=template.report_type,
            title=title or default_title(template, date_range_start, date_range_end),
            generated_by=user,
            date_range_start=date_range_start,
            date_range_end=date_range_end,
            relative_period=relative_period,
            compare_to=compare_to,
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


def retry_report(report):
    """Queue a FAILED report again with a fresh set of attempts."""
    with transaction.atomic():
        updated = GeneratedReport.objects.filter(pk=report.pk, status=ReportStatus.FAILED).update(
            status=ReportStatus.PENDING, attempts=0, progress_percentage=0, task_id="", **failures.CLEARED
        )
        if updated:
            transaction.on_commit(lambda: enqueue_report(report.pk))
    return bool(updated)


def export_report(report, *, user, export_format):
    """Request ``report`` again for ``user`` in ``export_format``: its template, period, filters, comparison, title."""
    return request_report(
        user=user,
        template=report.template,
        date_range_start=report.date_range_start,
        date_range_end=report.date_range_end,
        relative_period=report.relative_period,
        export_format=export_format,
        filters=report.filters,
        title=report.title,
        suppress_small_counts=report.suppress_small_counts,
        compare_to=report.compare_to,
    )


def delete_report(report):
    """Delete a report; its file goes once that commits (``reports.signals.discard_report_file``)."""
    report.delete()
    logger.info("Report deleted")
