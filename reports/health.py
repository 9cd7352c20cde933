"""``/healthz``: is this instance able to serve and generate reports?

Anyone gets the answer: 200 or 503 with ``{"status": "ok"|"unavailable"}``. The checks and the
queue figures are for ADMIN (a logged-in session) and for ``Authorization: Bearer <HEALTHZ_TOKEN>``.
"""

import hmac
import os
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Min, Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from reports.local_storage import private_folder
from reports.models import GeneratedReport, ReportStatus
from uscpis.roles import is_admin


def database_reachable():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def storage_writable():
    """May this instance write the local report folders (local storage, workers' local copies)?

    Asked of the file system without writing anything (a folder missing on a fresh install is
    created once): each folder must be a folder this process may write and enter, on a file
    system mounted read-write. A cloud storage is not probed here: an upload per load-balancer
    probe would cost money, and during a cloud outage the download fallback still serves from
    local copies and rebuilds.
    """
    try:
        for folder in map(Path, {settings.REPORT_MEDIA_DIR, settings.REPORT_LOCAL_COPY_DIR}):
            if not folder.exists():
                private_folder(folder)
            if not (folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)):
                return False
        return True
    except OSError:
        return False


def may_see_details(request):
    """The monitoring token, or an ADMIN's session (never an error: a probe only gets less)."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    token = settings.HEALTHZ_TOKEN
    if token and scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), token.encode()):
        return True
    try:
        return is_admin(request.user)
    except DatabaseError:
        return False


def seconds_since(moment):
    return None if moment is None else round((timezone.now() - moment).total_seconds(), 1)


def queue_figures():
    queue = GeneratedReport.objects.aggregate(
        depth=Count("id", filter=Q(status=ReportStatus.PENDING)),
        oldest=Min("created_at", filter=Q(status=ReportStatus.PENDING)),
        generating=Count("id", filter=Q(status=ReportStatus.GENERATING)),
        stalest=Min("heartbeat_at", filter=Q(status=ReportStatus.GENERATING)),
    )
    return {
        "depth": queue["depth"],
        "oldest_waiting_seconds": seconds_since(queue["oldest"]),
        "generating": queue["generating"],
        # A heartbeat much older than REPORT_LEASE_SECONDS means a worker died mid-run.
        "stalest_heartbeat_seconds": seconds_since(queue["stalest"]),
    }


@require_safe
def healthz(request):
    """200 when the database is reachable and the storage writable, else 503. No patient data."""
    checks = {"database": database_reachable(), "storage": storage_writable()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"}
    if may_see_details(request):
        body["checks"] = checks
        if checks["database"]:
            body["queue"] = queue_figures()
    return JsonResponse(body, status=200 if healthy else 503)
