"""Schedules: saving them with their next occurrence, and dispatching the due ones, each occurrence once.

Dispatch is a short step that any number of processes may run at once (every worker each minute,
``manage.py reports_dispatch`` from cron): due schedules are claimed with
``select_for_update(skip_locked=True)`` (SQLite, which has no row locks, serialises the writing
transactions instead), and an occurrence is a ``ScheduleRun`` unique on (schedule, occurrence), so
a second dispatcher that reaches the same occurrence records nothing and requests nothing. After a
downtime only the latest missed occurrence runs, marked late. The report's relative period is
resolved at the occurrence, not at the moment dispatch runs.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from reports import schedules
from reports.models import ReportSchedule, RunOutcome, ScheduleRun
from reports.services.presets import PresetNotRunnable, run_preset

logger = logging.getLogger(__name__)

DISPATCH_BATCH = 100  # due schedules claimed by one transaction; the next dispatch takes the rest


def save_schedule(schedule, now=None):
    """Save ``schedule`` with its next occurrence after ``now`` (None while paused)."""
    now = now or timezone.now()
    if schedule.starts_on is None:
        schedule.starts_on = timezone.localdate(now, schedule.zone)
    schedule.next_run_at = schedules.next_occurrence(schedule, now) if schedule.is_active else None
    schedule.save()
    return schedule


def dispatch_due(now=None):
    """Run every due schedule's latest occurrence once; the number of occurrences this call ran."""
    now = now or timezone.now()
    ran = 0
    with transaction.atomic():
        due = (
            ReportSchedule.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(is_active=True, next_run_at__lte=now)
            .select_related("preset__template", "owner")
            .order_by("next_run_at", "pk")[:DISPATCH_BATCH]
        )
        for schedule in due:
            ran += _run_occurrence(schedule, now)
            schedule.next_run_at = schedules.next_occurrence(schedule, now)
            schedule.save(update_fields=["next_run_at", "updated_at"])
    if ran:
        logger.info("Dispatched %d scheduled report(s)", ran)
    return ran


def _run_occurrence(schedule, now):
    """Record and run the schedule's latest occurrence up to ``now``; 0 when another dispatcher already did."""
    occurrence = schedules.latest_occurrence(schedule, now)
    if occurrence is None:
        return 0
    late = occurrence > schedule.next_run_at  # an earlier occurrence was due and is skipped
    try:
        with transaction.atomic():
            run = ScheduleRun.objects.create(
                schedule=schedule, occurrence_at=occurrence, late=late, outcome=RunOutcome.REQUESTED
            )
    except IntegrityError:
        return 0
    try:
        run.report = run_preset(schedule.preset, user=schedule.owner, at=occurrence)
    except PresetNotRunnable as error:
        run.outcome = RunOutcome.NOT_RUNNABLE
        run.message = " ".join(error.problems)[:500]
        logger.warning("Schedule %s: its preset cannot run", schedule.pk)
    run.save(update_fields=["report", "outcome", "message"])
    return 1
