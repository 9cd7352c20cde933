"""``/healthz``: is this instance able to serve and generate reports?"""

import secrets

from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Count, Min
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from reports.models import GeneratedReport, ReportStatus, reports_storage


def database_reachable():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def storage_writable():
    try:
        storage = reports_storage()
        name = storage.save(f"healthz-{secrets.token_hex(8)}.txt", ContentFile(b"ok"))
        storage.delete(name)
        return True
    except Exception:
        return False


@never_cache
@require_GET
def healthz(request):
    """200 when the database is reachable and the storage writable, else 503. No patient data."""
    checks = {"database": database_reachable(), "storage": storage_writable()}
    body = {"status": "ok" if all(checks.values()) else "unavailable", "checks": checks}
    if checks["database"]:
        waiting = GeneratedReport.objects.filter(status=ReportStatus.PENDING).aggregate(
            oldest=Min("created_at"), depth=Count("id")
        )
        body["queue"] = {
            "depth": waiting["depth"],
            "oldest_waiting_seconds": round((timezone.now() - waiting["oldest"]).total_seconds(), 1)
            if waiting["oldest"]
            else None,
        }
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
