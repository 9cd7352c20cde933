"""Schedules: saving them, and the dispatch step that runs their occurrences and mails the reports, each once.

Dispatch (``dispatch``) is a short step that any number of processes may run at once (every
worker each minute, ``manage.py reports_dispatch`` from cron). In turn it

1. runs the due occurrences: schedules are claimed with ``select_for_update(skip_locked=True)``
   (SQLite, which has no row locks, serialises the writing transactions instead) and an
   occurrence is a ``ScheduleRun`` unique on (schedule, occurrence), so a second dispatcher that
   reaches the same occurrence records nothing and requests nothing. After a downtime only the
   latest missed occurrence runs, marked late. The relative period is resolved at the
   occurrence, not when dispatch runs;
2. requests again the reports of runs whose report failed (``REPORT_SCHEDULE_ATTEMPTS`` in all);
3. settles runs whose report is done: a completed report becomes one delivery per recipient
   (a recipient whose role no longer allows the template is skipped and the owner told), an
   empty one sends nothing when the schedule says so, and a report that failed for good is
   told to the owner alone; ``REPORT_SCHEDULE_MAX_FAILURES`` failed occurrences in a row pause
   the schedule;
4. sends the due mails, each claimed by a conditional update before it is sent.

Every change, run and delivery is recorded in the schedule's audit trail (``ScheduleEvent``).
"""

import datetime as dt
import logging
import smtplib
import time
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from reports import failures, mail, schedules
from reports.models import (
    DeliveryKind,
    DeliveryStatus,
    ReportSchedule,
    ReportStatus,
    RunOutcome,
    RunTrigger,
    ScheduleAction,
    ScheduleDelivery,
    ScheduleEvent,
    ScheduleRun,
)
from reports.selectors import may_use_template
from reports.services.presets import PresetNotRunnable, run_preset

logger = logging.getLogger(__name__)

DISPATCH_BATCH = 100  # schedules, runs or mails one step takes; the next dispatch takes the rest
RETRY_CAP = dt.timedelta(minutes=15)
SEND_RETRY_CAP = dt.timedelta(hours=1)
DONE = (ReportStatus.COMPLETED, ReportStatus.FAILED, ReportStatus.EXPIRED)
REPORT_GONE = "Its report was deleted before it was sent."
NO_ROLE = "no longer holds a role that may use this report"
INACTIVE = "their account is deactivated"
NO_ADDRESS = "their account has no email address"
REPORT_DELETED = "its report was deleted before it was sent"
UNSUBSCRIBED = "they are no longer a recipient (unsubscribed, or removed by the owner)"


def record(schedule_id, action, *, user=None, username="", run=None, outcome=""):
    """Write one event of the schedule's audit trail."""
    ScheduleEvent.objects.create(
        schedule_id=schedule_id,
        action=action,
        username=user.get_username() if user is not None else username,
        run_id=run.pk if run is not None else None,
        outcome=outcome[:200],
    )


def save_schedule(schedule, *, by, recipients=None, now=None):
    """Save ``schedule`` (and its recipients, if given) with its next occurrence after ``now``; audited."""
    now = now or timezone.now()
    created = schedule.pk is None
    if schedule.starts_on is None:
        schedule.starts_on = timezone.localdate(now, schedule.zone)
    schedule.next_run_at = schedules.next_occurrence(schedule, now) if schedule.is_active else None
    with transaction.atomic():
        schedule.save()
        if recipients is not None:
            schedule.recipients.set(recipients)
        record(schedule.pk, ScheduleAction.CREATED if created else ScheduleAction.CHANGED, user=by)
    logger.info("Report schedule %s saved", schedule.pk)
    return schedule


def pause(schedule, *, by):
    with transaction.atomic():
        ReportSchedule.objects.filter(pk=schedule.pk).update(is_active=False, next_run_at=None)
        record(schedule.pk, ScheduleAction.PAUSED, user=by)
    schedule.refresh_from_db()
    return schedule


def resume(schedule, *, by, now=None):
    """Resume a paused schedule from its next occurrence (none missed while paused runs); failures forgotten."""
    now = now or timezone.now()
    schedule.is_active = True
    schedule.consecutive_failures = 0
    schedule.paused_reason = ""
    schedule.next_run_at = schedules.next_occurrence(schedule, now)
    with transaction.atomic():
        schedule.save(update_fields=["is_active", "consecutive_failures", "paused_reason", "next_run_at", "updated_at"])
        record(schedule.pk, ScheduleAction.RESUMED, user=by)
    return schedule


def delete_schedule(schedule, *, by):
    """Delete ``schedule``; the trail records who (``reports.signals``), as it records any deletion."""
    schedule.deleted_by = by
    schedule.delete()
    logger.info("Report schedule deleted")


def send_now(schedule, *, by, test=False, now=None):
    """Run ``schedule`` now, outside its times: to its recipients, or (``test``) to ``by`` alone."""
    now = now or timezone.now()
    trigger = RunTrigger.TEST if test else RunTrigger.SEND_NOW
    with transaction.atomic():
        run = ScheduleRun.objects.create(
            schedule=schedule, occurrence_at=now, trigger=trigger, requested_by=by, outcome=RunOutcome.REQUESTED
        )
        record(schedule.pk, ScheduleAction.RUN, user=by, run=run, outcome=run.get_trigger_display())
        _request(run)
    return run


def unsubscribe(schedule_id, user_id):
    """Remove one recipient from one schedule (the signed link of a mail); False when there was nothing to do."""
    schedule = ReportSchedule.objects.filter(pk=schedule_id).first()
    if schedule is None or not schedule.recipients.filter(pk=user_id).exists():
        return False
    with transaction.atomic():
        schedule.recipients.remove(user_id)
        user = schedule.recipients.model.objects.filter(pk=user_id).first()
        record(schedule_id, ScheduleAction.UNSUBSCRIBED, user=user)
    logger.info("A recipient unsubscribed from report schedule %s", schedule_id)
    return True


def dispatch(now=None):
    """The whole periodic step (see the module); the occurrences, retries, settled runs and mails it handled.

    Each step reads the clock as it starts: ``now`` (the present, or a moment a test sets)
    advanced by the time the earlier steps took.
    """
    clock = _clock(now)
    steps = {"occurrences": dispatch_due, "retries": retry_failed, "settled": settle_runs, "mails": send_due_mail}
    done = {name: _guarded(step, clock()) for name, step in steps.items()}
    if any(done.values()):
        logger.info("Schedules: %s", ", ".join(f"{count} {name}" for name, count in done.items()))
    return done


def _guarded(step, now):
    """Run one step of dispatch; if it fails (the database gone, say), the others still run. 0 then."""
    try:
        return step(now)
    except Exception:
        logger.exception("Schedule dispatch: %s failed; the next dispatch tries again", step.__name__)
        return 0


def _isolated(name, pk, work, otherwise=None):
    """``work()`` in a savepoint of its own; if it raises, it is logged by ``name`` and ``pk``, undone, and
    ``otherwise(log reference)`` moves the item on, so one bad item cannot stop the others at every dispatch."""
    try:
        with transaction.atomic():
            return work()
    except Exception:
        reference = failures.new_reference()
        logger.exception("Schedule dispatch: %s %s failed [ref %s]", name, pk, reference)
        if otherwise is not None:
            otherwise(reference)
        return 0


def _clock(now):
    """A clock that starts at ``now`` (or the present) and runs at the speed of time."""
    start, began = now or timezone.now(), time.monotonic()
    return lambda: start + dt.timedelta(seconds=time.monotonic() - began)


def deliver_report(report_id):
    """Settle and mail the run that asked for this report, now that it is done (the worker, after generating).

    Dispatch would do it within ``REPORT_DISPATCH_SECONDS``; a failure here is logged and left to it.
    """
    run = ScheduleRun.objects.filter(report=report_id, settled_at__isnull=True).values_list("pk", flat=True).first()
    if run is None:
        return
    try:
        settle_runs()
        send_due_mail(run_id=run)
    except Exception:
        logger.exception("Mailing the scheduled report %s failed; the next dispatch tries again", report_id)


def dispatch_due(now=None):
    """Run every due schedule's latest occurrence once; the number of occurrences this call ran."""
    now = now or timezone.now()
    ran = 0
    with transaction.atomic():
        due = (
            ReportSchedule.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(is_active=True, next_run_at__lte=now, owner__is_active=True)
            .select_related("preset__template", "owner")
            .order_by("next_run_at", "pk")[:DISPATCH_BATCH]
        )
        for schedule in due:
            ran += _isolated("schedule", schedule.pk, partial(_run_occurrence, schedule, now))
            active = ReportSchedule.objects.filter(pk=schedule.pk, is_active=True)  # not if it just paused itself
            active.update(next_run_at=schedules.next_occurrence(schedule, now), updated_at=timezone.now())
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
    _request(run)
    return 1


def _request(run):
    """Request the run's report (one more attempt); a preset that cannot run fails the run at once."""
    run.attempts += 1
    try:
        run.report = run_preset(run.schedule.preset, user=run.schedule.owner, at=run.occurrence_at)
    except PresetNotRunnable as error:
        run.outcome = RunOutcome.NOT_RUNNABLE
        logger.warning("Schedule %s: its preset cannot run", run.schedule_id)
        _fail(run, "Its saved preset cannot run: " + " ".join(error.problems), timezone.now())
        return
    run.save(update_fields=["report", "attempts"])
    record(
        run.schedule_id,
        ScheduleAction.RUN,
        run=run,
        outcome=f"Report #{run.report_id} requested (attempt {run.attempts})",
    )


def retry_failed(now=None):
    """Request again the reports of runs whose earlier attempt failed and whose wait is over."""
    now = now or timezone.now()
    retried = 0
    with transaction.atomic():
        due = (
            ScheduleRun.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(settled_at__isnull=True, retry_at__lte=now)
            .select_related("schedule__preset__template", "schedule__owner")
            .order_by("retry_at", "pk")[:DISPATCH_BATCH]
        )
        for run in due:
            retried += _isolated("run", run.pk, partial(_retry, run), partial(_give_up, run, now))
    return retried


def _retry(run):
    run.retry_at = None
    run.save(update_fields=["retry_at"])
    _request(run)
    return 1


def _give_up(run, now, reference):
    """Settle a run that dispatch itself failed on: nothing is sent; the page and the log say so."""
    ScheduleRun.objects.filter(pk=run.pk).update(
        outcome=RunOutcome.FAILED,
        message=f"It could not be sent: an error occurred while it was made (log reference {reference}).",
        settled_at=now,
        retry_at=None,
    )


def settle_runs(now=None):
    """Settle the runs whose report is done: deliveries for a completed one, a retry or the owner told otherwise."""
    now = now or timezone.now()
    waiting = Q(report__status__in=DONE) | Q(report__isnull=True)
    settled = 0
    with transaction.atomic():
        runs = (
            ScheduleRun.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(waiting, settled_at__isnull=True, retry_at__isnull=True, outcome=RunOutcome.REQUESTED)
            .select_related("schedule__preset__template", "schedule__owner", "report", "requested_by")
            .order_by("pk")[:DISPATCH_BATCH]
        )
        for run in runs:
            settled += _isolated("run", run.pk, partial(_settle, run, now), partial(_give_up, run, now))
    return settled


def _settle(run, now):
    report = run.report
    if report is not None and report.status == ReportStatus.COMPLETED:
        schedule = run.schedule
        if schedule.skip_empty and report.record_count == 0 and run.trigger != RunTrigger.TEST:  # a test shows it
            run.outcome = RunOutcome.EMPTY
            run.message = "The report counted no record in its period, so nothing was sent."
        else:
            run.outcome = RunOutcome.SENT
            _make_deliveries(run, now)
        if run.trigger == RunTrigger.SCHEDULED and schedule.consecutive_failures:
            ReportSchedule.objects.filter(pk=schedule.pk).update(consecutive_failures=0)
        _close(run, now, run.get_outcome_display())
        return 1
    if run.attempts < settings.REPORT_SCHEDULE_ATTEMPTS:
        run.retry_at = now + min(dt.timedelta(minutes=2 ** (run.attempts - 1)), RETRY_CAP)
        run.save(update_fields=["retry_at"])
        record(run.schedule_id, ScheduleAction.RUN, run=run, outcome="Report failed; it is requested again later")
        return 0
    run.outcome = RunOutcome.FAILED
    reason = report.error_message if report is not None and report.error_message else REPORT_GONE
    _fail(run, f"The report failed {run.attempts} times. {reason}", now)
    return 1


def _fail(run, message, now):
    """A run that sends nothing: tell its owner (or a test's requester) once; pause after too many in a row."""
    run.message = message[:500]
    schedule = run.schedule
    if run.trigger == RunTrigger.SCHEDULED:
        schedule.consecutive_failures = F("consecutive_failures") + 1
        schedule.save(update_fields=["consecutive_failures", "updated_at"])
        schedule.refresh_from_db(fields=["consecutive_failures"])
        if schedule.consecutive_failures >= settings.REPORT_SCHEDULE_MAX_FAILURES:
            schedule.is_active = False
            schedule.next_run_at = None
            schedule.paused_reason = (
                f"The schedule paused itself after {schedule.consecutive_failures} failed runs in a row;"
                " resume it once the cause is mended."
            )
            schedule.save(update_fields=["is_active", "next_run_at", "paused_reason", "updated_at"])
            record(schedule.pk, ScheduleAction.PAUSED, outcome=schedule.paused_reason)
            logger.warning("Schedule %s paused itself after %d failed runs", schedule.pk, schedule.consecutive_failures)
    _notify(run, run.requested_by or schedule.owner, now)
    _close(run, now, run.get_outcome_display())


def _close(run, now, outcome):
    run.settled_at = now
    run.retry_at = None
    run.save(update_fields=["outcome", "message", "attempts", "settled_at", "retry_at"])
    record(run.schedule_id, ScheduleAction.RUN, run=run, outcome=outcome)


def _make_deliveries(run, now):
    """One delivery per recipient (a test run: its requester), skipped when they may not have the report."""
    template = run.schedule.preset.template
    people = [run.requested_by] if run.trigger == RunTrigger.TEST else list(run.schedule.recipients.all())
    people = [person for person in people if person is not None]  # a test's requester may have been deleted
    deliveries = []
    for person in people:
        reason = why_not_sent(person, template)
        status = DeliveryStatus.SKIPPED if reason else DeliveryStatus.PENDING
        deliveries.append(
            ScheduleDelivery(
                run=run, recipient=person, report=run.report, status=status, detail=reason, next_attempt_at=now
            )
        )
    ScheduleDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        if delivery.status == DeliveryStatus.SKIPPED:
            record(run.schedule_id, ScheduleAction.DELIVERY, user=delivery.recipient, run=run, outcome=delivery.detail)
    if any(delivery.status == DeliveryStatus.SKIPPED for delivery in deliveries):
        _notify(run, run.schedule.owner, now)


def why_not_sent(person, template):
    """Why ``person`` may not be sent a report of ``template``, in words; empty when they may."""
    if person is None or not person.is_active:
        return INACTIVE
    if not may_use_template(person, template):
        return NO_ROLE
    if not person.email:
        return NO_ADDRESS
    return ""


def _why_not_now(delivery):
    """Why a recipient's mail, made earlier and waiting (a retry), may not go out now; empty when it may."""
    run = delivery.run
    if delivery.report is None:
        return REPORT_DELETED
    if run.trigger != RunTrigger.TEST and not run.schedule.recipients.filter(pk=delivery.recipient_id).exists():
        return UNSUBSCRIBED
    return why_not_sent(delivery.recipient, run.schedule.preset.template)


def _notify(run, person, now):
    """The one notice of a run to ``person``, unless they have no address (the page shows the run anyway)."""
    if person is not None and person.is_active and person.email:
        ScheduleDelivery.objects.get_or_create(
            run=run, recipient=person, kind=DeliveryKind.NOTICE, defaults={"next_attempt_at": now}
        )


def send_due_mail(now=None, run_id=None):
    """Send the mails that are due: pending ones, and those whose sender's claim lapsed. The number sent.

    Each mail is claimed at the moment it is sent, not when the step began: a slow mail server
    must not leave later claims already lapsed, for another dispatcher to send them again.
    """
    clock = _clock(now)
    due = ScheduleDelivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING], next_attempt_at__lte=clock()
    ).order_by("next_attempt_at", "pk")
    if run_id is not None:
        due = due.filter(run=run_id)
    return sum(_deliver(pk, clock) for pk in list(due.values_list("pk", flat=True)[:DISPATCH_BATCH]))


def _deliver(pk, clock):
    """Claim one mail, send it, record the outcome; 1 when sent.

    The claim is a conditional update (a lease) that also counts the attempt; what follows is
    written only while the row still holds this claim's attempt, so a sender whose claim lapsed
    and was taken over cannot undo the other's outcome.
    """
    now = clock()
    claimable = ScheduleDelivery.objects.filter(
        pk=pk, status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING], next_attempt_at__lte=now
    )
    if not claimable.update(
        status=DeliveryStatus.SENDING,
        attempts=F("attempts") + 1,
        next_attempt_at=now + dt.timedelta(seconds=settings.REPORT_DELIVERY_CLAIM_SECONDS),
    ):
        return 0
    delivery = ScheduleDelivery.objects.select_related(
        "recipient", "report", "run__schedule__preset__template", "run__schedule__owner"
    ).get(pk=pk)
    mine = ScheduleDelivery.objects.filter(pk=pk, status=DeliveryStatus.SENDING, attempts=delivery.attempts)
    run = delivery.run
    if delivery.kind == DeliveryKind.REPORT and (reason := _why_not_now(delivery)):
        mine.update(status=DeliveryStatus.SKIPPED, detail=reason)
        record(run.schedule_id, ScheduleAction.DELIVERY, user=delivery.recipient, run=run, outcome=reason)
        _notify(run, run.schedule.owner, now)
        return 0
    try:
        mail.message(delivery).send()
    except Exception as error:  # whatever failed, the mail is tried again, then given up
        _not_taken(delivery, mine, error, clock())
        return 0
    mine.update(status=DeliveryStatus.SENT, sent_at=timezone.now(), detail="")
    record(run.schedule_id, ScheduleAction.DELIVERY, user=delivery.recipient, run=run, outcome="Sent")
    return 1


def _not_taken(delivery, mine, error, now):
    """The mail server refused or could not be reached (or the mail could not be made): try again later, or
    give up after the last attempt."""
    if isinstance(error, smtplib.SMTPResponseException):
        reason = f"the mail server answered {error.smtp_code}"
    elif isinstance(error, smtplib.SMTPException) and not isinstance(error, smtplib.SMTPServerDisconnected):
        reason = "the mail server refused it"  # its recipient, say; an SMTPException is an OSError too
    elif isinstance(error, OSError):
        reason = "the mail server could not be reached"
    else:
        reason = f"the mail could not be made (log reference {failures.new_reference()})"
        logger.exception("Schedule delivery %s: %s", delivery.pk, reason)
    if delivery.attempts >= settings.REPORT_DELIVERY_ATTEMPTS:
        changes = {"status": DeliveryStatus.FAILED, "detail": f"Not sent after {delivery.attempts} attempts: {reason}."}
    else:
        wait = min(dt.timedelta(minutes=2 ** (delivery.attempts - 1)), SEND_RETRY_CAP)
        changes = {
            "status": DeliveryStatus.PENDING,
            "next_attempt_at": now + wait,
            "detail": f"Attempt {delivery.attempts} failed: {reason}; trying again.",
        }
    mine.update(**changes)
    run = delivery.run
    record(run.schedule_id, ScheduleAction.DELIVERY, user=delivery.recipient, run=run, outcome=changes["detail"])
    logger.warning("Schedule delivery %s: %s (attempt %d)", delivery.pk, reason, delivery.attempts)
