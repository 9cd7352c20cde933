"""``/healthz``: is this instance able to serve and generate reports?"""

import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min, Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reports.models import GeneratedReport, ReportStatus


def database_reachable():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def storage_writable():
    """Can this instance write the local report folders (local storage, workers' local copies)?

    A cloud storage is not probed here: an upload per load-balancer probe would cost money, and
    during a cloud outage the download fallback still serves from local copies and rebuilds.
    """
    try:
        for folder in {settings.REPORT_MEDIA_DIR, settings.REPORT_LOCAL_COPY_DIR}:
            Path(folder).mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, prefix="healthz-"):
                pass
        return True
    except OSError:
        return False


def seconds_since(moment):
    return None if moment is None else round((timezone.now() - moment).total_seconds(), 1)


@never_cache
@require_safe
def healthz(request):
    """200 when the database is reachable and the storage writable, else 503. No patient data."""
    checks = {"database": database_reachable(), "storage": storage_writable()}
    body = {"status": "ok" if all(checks.values()) else "unavailable", "checks": checks}
    if checks["database"]:
        queue = GeneratedReport.objects.aggregate(
            depth=Count("id", filter=Q(status=ReportStatus.PENDING)),
            oldest=Min("created_at", filter=Q(status=ReportStatus.PENDING)),
            generating=Count("id", filter=Q(status=ReportStatus.GENERATING)),
            stalest=Min("heartbeat_at", filter=Q(status=ReportStatus.GENERATING)),
        )
        body["queue"] = {
            "depth": queue["depth"],
            "oldest_waiting_seconds": seconds_since(queue["oldest"]),
            "generating": queue["generating"],
            # A heartbeat much older than REPORT_LEASE_SECONDS means a worker died mid-run.
            "stalest_heartbeat_seconds": seconds_since(queue["stalest"]),
        }
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
