"""The mails of scheduled reports: what they say, their headers, and their unsubscribe links.

A mail carries no health data. A recipient's mail names the report and its period and links to
the report on /reports, behind a login; the file is attached only when its schedule asks, small
counts are hidden in it and it is under ``REPORT_EMAIL_MAX_BYTES``. The owner's notice says that
a run failed or that recipients were skipped, and why, in words that name no patient.
"""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.urls import reverse

from reports import schedules
from reports.models import DeliveryKind, DeliveryStatus, RunOutcome, RunTrigger
from reports.services import downloading

UNSUBSCRIBE_SALT = "reports.schedule.unsubscribe"


def unsubscribe_token(schedule_id, user_id):
    """A signed token naming one recipient of one schedule, the same in every mail (no timestamp: mails are
    kept, and the link keeps working)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([schedule_id, user_id])


def unsubscribe_target(token):
    """``(schedule_id, user_id)`` of a token, or None when it is not one this site signed."""
    try:
        schedule_id, user_id = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return (schedule_id, user_id) if isinstance(schedule_id, int) and isinstance(user_id, int) else None


def unsubscribe_url(schedule_id, user_id):
    return settings.SITE_URL + reverse("schedule-unsubscribe", args=[unsubscribe_token(schedule_id, user_id)])


def report_url(report_id):
    return f"{settings.SITE_URL}{reverse('reports')}?report={report_id}"


def message(delivery):
    """The mail of ``delivery`` (its run, schedule, preset, template and report loaded)."""
    build = _report_mail if delivery.kind == DeliveryKind.REPORT else _notice_mail
    mail = build(delivery)
    mail.to = [delivery.recipient.email]
    mail.extra_headers = {**mail.extra_headers, "Message-ID": delivery.message_id, "Auto-Submitted": "auto-generated"}
    return mail


def _name(run):
    return run.schedule.preset.template.name


def _period(report, dash="\N{EN DASH}"):
    start, end = report.date_range_start, report.date_range_end
    dates = f"{start:%Y-%m-%d}" if start == end else f"{start:%Y-%m-%d} {dash} {end:%Y-%m-%d}"
    return f"{report.period_label}, {dates}" if report.period_label else dates


def _report_mail(delivery):
    run = delivery.run
    report = delivery.report
    schedule = run.schedule
    test = "[Test] " if run.trigger == RunTrigger.TEST else ""
    unsubscribe = unsubscribe_url(schedule.pk, delivery.recipient_id)
    attachment, why = _attachment(schedule, report)
    lines = [
        f"The report \N{LEFT DOUBLE QUOTATION MARK}{_name(run)}\N{RIGHT DOUBLE QUOTATION MARK} "
        f"for {_period(report)} is ready.",
        "",
        "Open it on the clinic's report page (you will be asked to log in):",
        report_url(report.pk),
        "",
        why,
        "",
        f"You receive it because {_person(schedule.owner)} scheduled it: {schedules.describe(schedule)}.",
        f"To stop receiving it: {unsubscribe}",
    ]
    mail = EmailMessage(
        subject=f"{test}{_name(run)}: {_period(report, dash='to')}",  # ASCII: a subject some clients show raw
        body="\n".join(lines) + "\n",
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    if attachment is not None:
        mail.attach(*attachment)
    return mail


def _attachment(schedule, report):
    """``((filename, content, type) or None, the sentence that says why)``."""
    if not schedule.attach_file:
        return None, "The file is not attached to mails: it stays behind the login."
    if not report.suppress_small_counts:
        return None, "The file is not attached: small counts are not hidden in it, so it stays behind the login."
    limit = settings.REPORT_EMAIL_MAX_BYTES
    if report.file_size is None or report.file_size > limit:
        return None, f"The file is not attached: it is larger than {limit / 1024 / 1024:.0f} MB."
    try:
        served = downloading.report_file(report)
    except (downloading.ReportExpired, downloading.ReportNotReady, downloading.ReportUnavailable):
        return None, "The file could not be attached; open it on the report page."
    with served.file as file:
        content = file.read()
    return (served.filename, content, served.content_type), "The file is attached; small counts are hidden in it."


def _notice_mail(delivery):
    run = delivery.run
    schedule = run.schedule
    page = f"{settings.SITE_URL}{reverse('reports')}"
    when = f"{run.occurrence_at.astimezone(schedule.zone):%Y-%m-%d %H:%M} ({schedule.time_zone})"
    if run.outcome == RunOutcome.SENT:
        skipped = run.deliveries.filter(kind=DeliveryKind.REPORT, status=DeliveryStatus.SKIPPED).select_related(
            "recipient"
        )
        lines = [
            f"Your scheduled report \N{LEFT DOUBLE QUOTATION MARK}{_name(run)}\N{RIGHT DOUBLE QUOTATION MARK} "
            f"of {when} was not sent to everyone:",
            *(f"- {_person(each.recipient)}: {each.detail}" for each in skipped),
            "",
            f"The schedule and its recipients are on {page}",
        ]
        subject = f"Scheduled report: recipients skipped ({_name(run)})"
    else:
        lines = [
            f"Your scheduled report \N{LEFT DOUBLE QUOTATION MARK}{_name(run)}\N{RIGHT DOUBLE QUOTATION MARK} "
            f"of {when} could not be made, so no recipient was sent anything.",
            "",
            run.message,
        ]
        if schedule.paused_reason:
            lines += ["", schedule.paused_reason]
        lines += ["", f"See it on {page}"]
        subject = f"Scheduled report failed: {_name(run)}"
    return EmailMessage(subject=subject, body="\n".join(lines) + "\n")


def _person(user):
    return user.get_full_name() or user.get_username()
