"""The /reports page: a Django template whose script drives the reports API."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from reports import mail, schedules, selectors
from reports.api.serializers import SHARED_ROLES
from reports.models import ExportFormat, ReportStatus
from reports.periods import local_zone
from reports.services import scheduling
from uscpis.roles import Role, is_admin, may_use_reports, user_roles


@login_required
def reports_page(request):
    if not may_use_reports(request.user):
        raise PermissionDenied("Your role does not give access to reports.")
    roles = user_roles(request.user)
    return render(
        request,
        "reports/index.html",
        {
            "is_admin": is_admin(request.user),
            "role_names": ", ".join(str(Role(role).label) for role in sorted(roles)),
            "today": timezone.localdate(timezone=local_zone()).isoformat(),
            "time_zone": settings.TIME_ZONE,
            "small_cell_threshold": settings.SMALL_CELL_THRESHOLD,
            "shared_roles": [(role, label) for role, label in SHARED_ROLES if role in roles],
            "statuses": ReportStatus.choices,
            "weekdays": list(enumerate(day[:3] for day in schedules.DAY_NAMES)),
            "month_days": range(1, 32),
            "email_max_mb": round(settings.REPORT_EMAIL_MAX_BYTES / 1024 / 1024),
            "labels": json.dumps(
                {"formats": dict(ExportFormat.choices), "statuses": dict(ReportStatus.choices)}, ensure_ascii=False
            ),
        },
    )


@csrf_exempt  # the signed token is the credential; a mail client's one-click POST (RFC 8058) carries no CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """A mail's unsubscribe link: GET asks, POST (the page's button, or the mail client's one click) removes.

    Needs no login: the token, signed by this site, names the schedule and the recipient.
    """
    target = mail.unsubscribe_target(token)
    schedule = selectors.schedule_of_recipient(*target) if target else None
    context = {"done": False, "report_name": "", "owner_name": ""}
    if schedule is not None:
        context["report_name"] = schedule.preset.template.name
        context["owner_name"] = schedule.owner.get_full_name() or schedule.owner.get_username()
        if request.method == "POST":
            context["done"] = scheduling.unsubscribe(*target)
    return render(request, "reports/unsubscribe.html", context, status=200 if schedule or target else 404)
