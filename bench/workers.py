"""Throughput with 1, 2 and 4 ``db_worker`` processes draining 100 queued reports.

The workers are started first and left idle; then 100 reports (every type and
format, each over a different one-year range, so no report is a cache hit) are
requested in one transaction, and the clock runs until the last one is finished.
"""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

from django.db import transaction

from reports import catalog
from reports.models import ExportFormat, GeneratedReport, ReportStatus, ReportTemplate
from reports.services import requesting

from .reports import bench_user

ROOT = Path(__file__).resolve().parent.parent
REPORTS = 100
WORKER_COUNTS = (1, 2, 4)
TIMEOUT_SECONDS = 1800


def start_workers(count):
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "CACHE_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "uscpis.settings", "TASKS_BACKEND": "db"})
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]
    return [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(count)
    ]


def request_reports(user):
    templates = {template.report_type: template for template in ReportTemplate.objects.all()}
    types, formats = list(catalog.REPORT_TYPES), list(ExportFormat.values)
    with transaction.atomic():
        for number in range(REPORTS):
            start = dt.date(2024, 1, 1) + dt.timedelta(days=number)
            requesting.request_report(
                user=user,
                template=templates[types[number % len(types)]],
                date_range_start=start,
                date_range_end=start + dt.timedelta(days=364),
                export_format=formats[number // len(types) % len(formats)],
            )


def drain(count, user, log):
    GeneratedReport.objects.filter(generated_by=user).delete()
    workers = start_workers(count)
    try:
        time.sleep(5)  # let them start and poll an empty queue
        began = time.monotonic()
        request_reports(user)
        finished = (ReportStatus.COMPLETED, ReportStatus.FAILED)
        while GeneratedReport.objects.filter(generated_by=user).exclude(status__in=finished).exists():
            if time.monotonic() - began > TIMEOUT_SECONDS:
                raise RuntimeError(f"{count} worker(s) did not drain the queue in {TIMEOUT_SECONDS}s")
            time.sleep(0.2)
        seconds = time.monotonic() - began
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    failed = GeneratedReport.objects.filter(generated_by=user, status=ReportStatus.FAILED).count()
    row = {"workers": count, "seconds": seconds, "reports_per_minute": REPORTS * 60 / seconds, "failed": failed}
    log(
        f"  {count} worker(s): {REPORTS} reports in {seconds:.1f}s ({row['reports_per_minute']:.0f}/min), "
        f" {failed} failed"
    )
    return row


def run(log=print):
    user = bench_user()
    rows = [drain(count, user, log) for count in WORKER_COUNTS]
    GeneratedReport.objects.filter(generated_by=user).delete()
    base = rows[0]["seconds"]
    for row in rows:
        row["speedup"] = base / row["seconds"]
    return {"reports": REPORTS, "rows": rows}
