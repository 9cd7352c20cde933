"""Background tasks, run by a worker through the Django Tasks API, and how they are queued."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from reports.models import GeneratedReport
from reports.services import scheduling
from reports.services.generating import run_report


@task()
def generate_report(report_id: int) -> None:
    """Generate one requested report; safe to run more than once. A run handed back is queued again.

    A report a schedule asked for is mailed as soon as it is done, not at the next dispatch.
    """
    retry_in = run_report(report_id)
    if retry_in is not None:
        enqueue_report(report_id, delay=retry_in)
    else:
        scheduling.deliver_report(report_id)


def enqueue_report(report_id, delay=0):
    """Queue the generation of a report, to run after ``delay`` seconds; note the task on the report."""
    task = generate_report.using(run_after=timezone.now() + dt.timedelta(seconds=delay)) if delay else generate_report
    result = task.enqueue(report_id)
    GeneratedReport.objects.filter(pk=report_id).update(task_id=str(result.id))
