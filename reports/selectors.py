"""Selectors: what a user may see of templates and reports, and the dashboard."""

from django.db.models import Avg, Count, Q, Sum

from reports.models import GeneratedReport, ReportStatus, ReportTemplate
from uscpis.roles import is_admin, user_roles

RECENT_REPORTS = 5
POPULAR_TEMPLATES = 5


def active_templates():
    return ReportTemplate.objects.filter(is_active=True)


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
    """The reports a user may see: their own, or everyone's for ADMIN."""
    reports = GeneratedReport.objects.select_related("template", "generated_by").defer("document")
    return reports if is_admin(user) else reports.filter(generated_by=user)


def dashboard(user):
    """Counts, formats, popular templates and recent reports of what ``user`` may see."""
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
    finished = figures["completed"] + figures["failed"]
    average = figures.pop("average_generation")
    return {
        "totals": {key: figures[key] for key in ("reports", "completed", "failed", "pending", "generating", "expired")},
        "by_format": dict(reports.order_by().values_list("export_format").annotate(count=Count("id"))),
        "popular_templates": list(
            reports.order_by()
            .values("template_id", "template__name")
            .annotate(count=Count("id"))
            .order_by("-count", "template__name")[:POPULAR_TEMPLATES]
        ),
        "recent_reports": list(reports[:RECENT_REPORTS]),
        "average_generation_seconds": None if average is None else round(average.total_seconds(), 3),
        "total_downloads": figures["total_downloads"] or 0,
        "storage_bytes": figures["storage_bytes"] or 0,
        "failure_rate": round(figures["failed"] / finished, 4) if finished else None,
    }
