"""The reports API with 10,000 generated reports in the table: latency and queries per endpoint.

Requests go through Django's full stack in this process (token authentication,
middleware, DRF, JSON rendering), without a network hop; the load part measures
the same endpoints behind gunicorn.
"""

import datetime as dt
import statistics
import time

from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken

from reports.models import GeneratedReport, ReportTemplate

REPORTS = 10_000
REQUESTS = 200
STATUSES = ("COMPLETED", "COMPLETED", "COMPLETED", "FAILED", "PENDING", "GENERATING", "EXPIRED")
FORMATS = ("PDF", "EXCEL", "CSV", "JSON")


def user_with_token(username, role, superuser=False):
    user, _ = User.objects.get_or_create(username=username, defaults={"is_superuser": superuser})
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user, AuthToken.objects.create(user=user)[1]


def prepare(total=REPORTS):
    """Users with tokens, and ``total`` generated reports spread over 20 owners (the doctor owns 1 in 20)."""
    admin_token = user_with_token("bench-admin", "ADMIN", superuser=True)[1]
    doctor, doctor_token = user_with_token("bench-doctor", "DOCTOR")
    owners = [doctor, *(user_with_token(f"bench-staff{n}", "NURSE")[0] for n in range(19))]
    missing = total - GeneratedReport.objects.count()
    templates = list(ReportTemplate.objects.all())
    now = timezone.now()
    reports = []
    for number in range(max(missing, 0)):
        status = STATUSES[number % len(STATUSES)]
        done = status in ("COMPLETED", "EXPIRED")
        template = templates[number % len(templates)]
        reports.append(
            GeneratedReport(
                template=template,
                report_type=template.report_type,
                title=f"{template.name} {number}",
                generated_by=owners[number % len(owners)],
                date_range_start=dt.date(2025, 1, 1),
                date_range_end=dt.date(2025, 12, 31),
                export_format=FORMATS[number // len(STATUSES) % len(FORMATS)],
                status=status,
                progress_percentage=100 if done else 40,
                file_size=20_000 + number if done else None,
                record_count=number if done else None,
                generation_time=dt.timedelta(seconds=0.5 + number % 9) if done else None,
                completed_at=now if done else None,
                expires_at=now + dt.timedelta(days=30) if done else None,
                download_count=number % 4,
            )
        )
    GeneratedReport.objects.bulk_create(reports, batch_size=2000)
    report = GeneratedReport.objects.filter(generated_by=doctor).latest("id")
    return {"admin": admin_token, "doctor": doctor_token}, report.pk


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(client, path, token, requests, before=None):
    times = []
    for _ in range(requests):
        if before:
            before()
        began = time.perf_counter()
        response = client.get(path, HTTP_AUTHORIZATION=f"Token {token}")
        times.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
    if before:
        before()
    with CaptureQueriesContext(connection) as queries:
        client.get(path, HTTP_AUTHORIZATION=f"Token {token}")
    return {
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": percentile(times, 0.95) * 1000,
        "queries": len(queries),
    }


# The dashboard each role opens: the report system's figures (ADMIN only), the clinic's figures.
DASHBOARDS = {"admin": "/api/reports/generated/dashboard/", "doctor": "/api/reports/dashboard/clinic/"}


def run(requests=REQUESTS, log=print):
    tokens, report_id = prepare()
    client = Client()  # through the whole stack, as gunicorn would call it
    endpoints = {
        "list": "/api/reports/generated/",
        "list (100 a page)": "/api/reports/generated/?page_size=100",
        "detail": f"/api/reports/generated/{report_id}/",
        "status": f"/api/reports/generated/{report_id}/status/",
    }
    rows = []
    for role, token in tokens.items():
        dashboard = DASHBOARDS[role]
        for name, path in {**endpoints, "dashboard (cold)": dashboard, "dashboard (cached)": dashboard}.items():
            before = cache.clear if name == "dashboard (cold)" else None
            figures = measure(client, path, token, requests, before)
            rows.append({"endpoint": name, "role": role, **figures})
            log(
                f"  {name:<20} {role:<7} p50 {figures['p50_ms']:6.1f} ms  p95 {figures['p95_ms']:6.1f} ms  "
                f"queries {figures['queries']}"
            )
    return {"reports": GeneratedReport.objects.count(), "requests": requests, "rows": rows}
