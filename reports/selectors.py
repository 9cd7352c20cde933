"""Selectors: what a user may see of templates and reports, and the dashboards."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, F, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from reports import catalog
from reports.cache import cached_dashboard
from reports.clinic_figures import clinic_figures
from reports.models import (
    DeliveryKind,
    DeliveryStatus,
    GeneratedReport,
    ReportPreset,
    ReportSchedule,
    ReportStatus,
    ReportTemplate,
    RunTrigger,
    ScheduleDelivery,
    ScheduleRun,
    Sharing,
)
from reports.periods import Period, local_zone
from uscpis.roles import CLINICAL_ROLES, Role, is_admin, user_roles

RECENT_REPORTS = 5
POPULAR_TEMPLATES = 5


def active_templates():
    return ReportTemplate.objects.filter(is_active=True, report_type__in=list(catalog.REPORT_TYPES))


def may_use_template(user, template):
    return is_admin(user) or bool(set(template.allowed_roles) & user_roles(user))


def templates_for(user):
    """Active templates the user's roles may use."""
    templates = active_templates()
    if is_admin(user):
        return templates
    roles = user_roles(user)
    # JSON containment is not portable across SQLite and PostgreSQL; the
    # template table holds a handful of rows, so filter the ids in Python.
    allowed = [pk for pk, allowed_roles in templates.values_list("pk", "allowed_roles") if set(allowed_roles) & roles]
    return templates.filter(pk__in=allowed)


def reports_for(user):
    """The reports a user may see: their own, those a schedule mailed them while their roles allow the
    template, or everyone's for ADMIN. Only ``reports_owned_by`` may be deleted or retried.

    The mailed ones are looked up first (one query, a few rows: completed reports within their
    retention) so the reports table is read by its indexes, owner or id, however large it grows.
    """
    reports = GeneratedReport.objects.select_related("template", "generated_by").defer("document")
    if is_admin(user):
        return reports
    return reports.filter(Q(generated_by=user) | Q(pk__in=mailed_reports(user)))


def mailed_reports(user):
    """The ids of completed reports a schedule mailed to ``user`` whose template their roles still allow."""
    roles = user_roles(user)
    mailed = ScheduleDelivery.objects.filter(
        recipient=user, kind=DeliveryKind.REPORT, status=DeliveryStatus.SENT, report__status=ReportStatus.COMPLETED
    ).values_list("report_id", "report__template__allowed_roles", "report__template__is_active")
    return sorted({pk for pk, allowed, active in mailed if active and roles & set(allowed)})


def reports_owned_by(user):
    """The reports a user may delete or retry: their own, or everyone's for ADMIN."""
    reports = GeneratedReport.objects.select_related("template", "generated_by").defer("document")
    return reports if is_admin(user) else reports.filter(generated_by=user)


RECENT_RUNS = 20


def schedules_for(user):
    """The user's own schedules, each with its preset, recipients and last run's outcome (a fixed number of
    queries). A test mailed to its requester is not the schedule's run: its runs (``schedule_runs``) show it."""
    last = (
        ScheduleRun.objects.filter(schedule=OuterRef("pk"))
        .exclude(trigger=RunTrigger.TEST)
        .order_by("-created_at", "-id")
    )
    return (
        ReportSchedule.objects.filter(owner=user)
        .select_related("preset__template", "owner")
        .prefetch_related(Prefetch("recipients", queryset=get_user_model().objects.order_by("username")))
        .annotate(
            last_run_at=Subquery(last.values("occurrence_at")[:1]),
            last_outcome=Subquery(last.values("outcome")[:1]),
            last_message=Subquery(last.values("message")[:1]),
            last_settled_at=Subquery(last.values("settled_at")[:1]),
        )
        .order_by("preset__name", "id")
    )


def schedule_runs(schedule):
    """The schedule's latest runs, newest first, with their mails and recipients."""
    deliveries = ScheduleDelivery.objects.select_related("recipient").order_by("kind", "id")
    return schedule.runs.prefetch_related(Prefetch("deliveries", queryset=deliveries)).order_by("-created_at", "-id")[
        :RECENT_RUNS
    ]


def possible_recipients():
    """Active accounts that use reports (clinical staff and ADMIN), by name: whom a schedule may mail."""
    roles = [*CLINICAL_ROLES, Role.ADMIN]
    return (
        get_user_model()
        .objects.filter(Q(groups__name__in=roles) | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def schedule_of_recipient(schedule_id, user_id):
    """The schedule (with its template and owner) if ``user_id`` is among its recipients, else None."""
    return (
        ReportSchedule.objects.filter(pk=schedule_id, recipients=user_id)
        .select_related("preset__template", "owner")
        .first()
    )


def presets_for(user):
    """The presets a user sees: their own, and those shared with them whose template their roles may use.

    Shared presets are those shared with the whole clinic or with a role the user holds. The
    user's own presets are all listed, even one whose template their roles no longer allow
    (it cannot run; its owner can change or delete it).
    """
    shared = Q(sharing=Sharing.CLINIC) | Q(sharing=Sharing.ROLE, shared_role__in=list(user_roles(user)))
    usable = list(templates_for(user).values_list("pk", flat=True))
    return (
        ReportPreset.objects.filter(Q(owner=user) | (shared & Q(template__in=usable)))
        .select_related("template", "owner")
        .order_by("name", "id")
    )


def clinic_dashboard(user, period):
    """The clinic's figures over ``period`` from the report types the user's roles may use (``clinic_figures``)."""
    allowed = set(templates_for(user).values_list("report_type", flat=True))
    return clinic_figures(allowed, period)


def dashboard(user):
    """The report system's figures (ADMIN's System tab): counts, formats, popular templates, recent reports.

    Of what ``user`` may see, cached briefly.
    """
    return cached_dashboard(user, _dashboard)


def _dashboard(user):
    reports = reports_for(user)
    completed = Q(status=ReportStatus.COMPLETED)
    figures = reports.aggregate(
        reports=Count("id"),
        completed=Count("id", filter=completed),
        failed=Count("id", filter=Q(status=ReportStatus.FAILED)),
        pending=Count("id", filter=Q(status=ReportStatus.PENDING)),
        generating=Count("id", filter=Q(status=ReportStatus.GENERATING)),
        expired=Count("id", filter=Q(status=ReportStatus.EXPIRED)),
        average_generation=Avg("generation_time", filter=completed),
        total_downloads=Sum("download_count"),
        storage_bytes=Sum("file_size", filter=completed),
    )
    # Of the reports whose run ended: completed ones stay "finished" after they expire.
    finished = figures["completed"] + figures["expired"] + figures["failed"]
    average = figures.pop("average_generation")
    return {
        "totals": {key: figures[key] for key in ("reports", "completed", "failed", "pending", "generating", "expired")},
        "by_format": dict(reports.order_by().values_list("export_format").annotate(count=Count("id"))),
        "popular_templates": list(
            reports.order_by()
            .values("template_id", name=F("template__name"))
            .annotate(count=Count("id"))
            .order_by("-count", "name")[:POPULAR_TEMPLATES]
        ),
        "recent_reports": list(reports[:RECENT_REPORTS]),
        "average_generation_seconds": None if average is None else round(average.total_seconds(), 3),
        "total_downloads": figures["total_downloads"] or 0,
        "storage_bytes": figures["storage_bytes"] or 0,
        "failure_rate": round(figures["failed"] / finished, 4) if finished else None,
    }


DASHBOARD_DAYS = 30
TIMED_TEMPLATES = 8


def reports_with_documents_for(user):
    """``reports_for`` with each report's stored document (for previews)."""
    return reports_for(user).defer(None)


# The columns the page's polling reads (``ReportStatusSerializer``).
STATUS_FIELDS = (
    "id",
    "status",
    "progress_percentage",
    "error_message",
    "error_class",
    "error_reference",
    "created_at",
    "completed_at",
)


def report_statuses(user, ids=None):
    """The status fields of the reports the user may see, of ``ids`` if given (one query, no joins)."""
    reports = reports_for(user).select_related(None).only(*STATUS_FIELDS)
    return reports if ids is None else reports.filter(pk__in=ids)


def dashboard_series(user, days=DASHBOARD_DAYS, today=None):
    """What the dashboard's charts plot, of what ``user`` may see (three queries).

    ``by_status``: (status, label, count) for every status; ``daily``: (local day,
    reports requested) for each of the last ``days`` days, today last, empty days as
    zero; ``generation_by_template``: (template name, average seconds) of completed
    reports, slowest first.
    """
    reports = reports_for(user).order_by()
    zone = local_zone()
    today = today or timezone.localdate(timezone=zone)
    period = Period(today - dt.timedelta(days=days - 1), today)
    statuses = dict(reports.values_list("status").annotate(count=Count("id")))
    per_day = dict(
        reports.filter(**period.lookup("created_at"))
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values_list("day")
        .annotate(count=Count("id"))
    )
    timings = (
        reports.filter(status=ReportStatus.COMPLETED, generation_time__isnull=False)
        .values_list("template__name")
        .annotate(average=Avg("generation_time"))
        .order_by("-average", "template__name")[:TIMED_TEMPLATES]
    )
    return {
        "by_status": [(status, label, statuses.get(status, 0)) for status, label in ReportStatus.choices],
        "daily": [(day, per_day.get(day, 0)) for day in (period.start + dt.timedelta(days=n) for n in range(days))],
        "generation_by_template": [(name, round(average.total_seconds(), 3)) for name, average in timings],
    }
