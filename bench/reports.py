"""Each report type against its bare-SQL lower bound, in the same run, at one dataset size.

Per report type and range: the bound's time and the data step's time (the catalog
module's ``build``; both warm, the fastest of ``repeat`` runs, the cache bypassed),
their query counts, then each format end to end through ``generating.run_report`` in a
fresh process (cold cache; the faster of two), with its queries and peak memory; and
the data step cold and warm through the report cache.
"""

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import catalog
from reports.catalog.report_type import ReportParams
from reports.models import CompareTo, ExportFormat, GeneratedReport, ReportTemplate
from reports.periods import Period
from reports.services import generating

from . import bare_sql
from .generate import FIRST_DAY, LAST_DAY

RANGES = {"year": Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)), "whole": Period(FIRST_DAY, LAST_DAY)}
FORMATS = tuple(ExportFormat.values)
E2E_RUNS = 2  # fresh processes per format: the faster run's time, the larger peak memory


def timed(function, repeat):
    """(fastest seconds, median seconds, last result) of ``repeat`` calls after one warm-up call.

    The fastest run is the one least disturbed by whatever else the machine was doing.
    """
    function()
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - began)
    return min(times), statistics.median(times), result


def bench_user():
    user, _ = User.objects.get_or_create(username="bench-runner", defaults={"is_superuser": True})
    return user


def queue_report(user, report_type, period, export_format):
    template = ReportTemplate.objects.get(report_type=report_type)
    return GeneratedReport.objects.create(
        template=template,
        report_type=report_type,
        title=f"Benchmark {report_type.lower()}",
        generated_by=user,
        date_range_start=period.start,
        date_range_end=period.end,
        export_format=export_format,
    )


def end_to_end(report_id):
    """What ``bench.measure`` printed for one report run in a fresh process."""
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "CACHE_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    done = subprocess.run(
        [sys.executable, "-m", "bench.measure", str(report_id)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_report(report_type, range_name, repeat, user, log):
    period = RANGES[range_name]
    module = catalog.get(report_type)
    bound = bare_sql.BOUNDS[report_type]
    with connection.cursor() as cursor:
        bare_seconds, bare_median, bare_figures = timed(lambda: bound(cursor.cursor, period), repeat)
    with CaptureQueriesContext(connection) as bare_queries, connection.cursor() as cursor:
        bound(cursor, period)
    data_seconds, data_median, document = timed(lambda: module.build(ReportParams(period=period)), repeat)
    with CaptureQueriesContext(connection) as data_queries:
        module.build(ReportParams(period=period))
    row = {
        "report_type": report_type,
        "range": range_name,
        "bare_seconds": bare_seconds,
        "bare_median_seconds": bare_median,
        "bare_queries": len(bare_queries),
        "data_seconds": data_seconds,
        "data_median_seconds": data_median,
        "data_queries": len(data_queries),
        "ratio": data_seconds / bare_seconds,
        "disagree": {key: list(map(str, pair)) for key, pair in bare_sql.agree(bare_figures, document.summary).items()},
        "record_count": document.record_count,
        "formats": {},
    }
    for export_format in FORMATS:
        runs = [end_to_end(queue_report(user, report_type, period, export_format).pk) for _ in range(E2E_RUNS)]
        measured = min(runs, key=lambda run: run["seconds"])
        measured["peak_mb"] = max(run["peak_mb"] for run in runs)
        measured["ratio"] = measured["seconds"] / bare_seconds
        row["formats"][export_format] = measured
    row["cache"] = cold_warm(report_type, period, user)
    row["compared"] = compared(report_type, period, user, repeat)
    log(
        f"  {report_type:<24} {range_name:<5} bare {bare_seconds * 1000:7.1f} ms  data {data_seconds * 1000:7.1f} ms"
        f"  x{row['ratio']:.2f}  queries {len(data_queries):>2}/{len(bare_queries):>2}  "
        + "  ".join(f"{name} {m['seconds'] * 1000:.0f}ms/{m['peak_mb']:.0f}MB" for name, m in row["formats"].items())
        + (f"  DISAGREE {row['disagree']}" if row["disagree"] else "")
    )
    return row


def unsaved_report(report_type, period, user, **fields):
    """A report's parameters, not saved: what ``generating.build_document`` reads."""
    return GeneratedReport(
        report_type=report_type,
        title="Benchmark",
        generated_by=user,
        date_range_start=period.start,
        date_range_end=period.end,
        filters={},
        **fields,
    )


def compared(report_type, period, user, repeat):
    """The data step (``generating.build_document``, the cache bypassed) compared with the previous period, against
    the plain one: the fastest of ``repeat`` warm runs each, one after the other, and their query counts."""
    figures = {}
    for name, compare_to in (("plain", CompareTo.NONE), ("compared", CompareTo.PREVIOUS_PERIOD)):
        report = unsaved_report(report_type, period, user, compare_to=compare_to)
        figures[f"{name}_seconds"] = timed(
            lambda report=report: generating.build_document(report, cached=False), repeat
        )[0]
        with CaptureQueriesContext(connection) as queries:
            generating.build_document(report, cached=False)
        figures[f"{name}_queries"] = len(queries)
    figures["ratio"] = figures["compared_seconds"] / figures["plain_seconds"]
    return figures


def cold_warm(report_type, period, user):
    """Seconds of ``generating.build_document`` with an empty cache, then again (served from the cache)."""
    report = unsaved_report(report_type, period, user)
    cache.clear()
    began = time.perf_counter()
    generating.build_document(report)
    cold = time.perf_counter() - began
    began = time.perf_counter()
    generating.build_document(report)
    return {"cold_seconds": cold, "warm_seconds": time.perf_counter() - began}


def run(report_types, repeat=3, log=print):
    user = bench_user()
    rows = []
    for report_type in report_types:
        for range_name in RANGES:
            rows.append(measure_report(report_type, range_name, repeat, user, log))
    GeneratedReport.objects.filter(generated_by=user).delete()
    return rows
