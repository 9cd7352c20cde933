"""The /reports page: a Django template whose script drives the reports API."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from reports.api.serializers import SHARED_ROLES
from reports.models import ExportFormat, ReportStatus
from reports.periods import local_zone
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
            "labels": json.dumps(
                {"formats": dict(ExportFormat.choices), "statuses": dict(ReportStatus.choices)}, ensure_ascii=False
            ),
        },
    )
