"""The /reports page: a Django template whose script drives the reports API."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from uscpis.roles import is_admin, may_use_reports


@login_required
def reports_page(request):
    if not may_use_reports(request.user):
        raise PermissionDenied("Your role does not give access to reports.")
    return render(request, "reports/index.html", {"is_admin": is_admin(request.user)})
