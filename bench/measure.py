"""Run one queued report through the task's own path in this fresh process and print what it cost.

``python -m bench.measure REPORT_ID`` runs ``generating.run_report`` (claim, data, render,
store, complete) as a worker would, and prints one JSON line: wall seconds, SQL queries,
the process's resident memory before the run and its peak, in MB. The peak is the
kernel's high-water mark of this process's memory (``VmHWM``): unlike ``ru_maxrss``, it
does not inherit the parent's size from before ``exec``.

Like a worker that has been running, the process first generates another, small report
in the same format (one day of a different report type): imports, connections and the
renderer are warm, the measured report's data is not cached.
"""

import json
import os
import sys
import time


def memory_mb(field):
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process, in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def warm_up(report):
    """Generate a one-day report of another type in ``report``'s format, then delete it."""
    from reports.models import GeneratedReport, ReportTemplate
    from reports.services import generating, requesting

    other = "VISIT_TRENDS" if report.report_type != "VISIT_TRENDS" else "PATIENT_SUMMARY"
    warm = GeneratedReport.objects.create(
        template=ReportTemplate.objects.get(report_type=other),
        report_type=other,
        title="Warm-up",
        generated_by=report.generated_by,
        date_range_start=report.date_range_end,
        date_range_end=report.date_range_end,
        export_format=report.export_format,
    )
    generating.run_report(warm.pk)
    requesting.delete_report(GeneratedReport.objects.get(pk=warm.pk))


def main(report_id):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports import tasks  # noqa: F401 (imported before the baseline, as in a worker)
    from reports.models import GeneratedReport
    from reports.services import generating

    connection.ensure_connection()
    warm_up(GeneratedReport.objects.get(pk=report_id))
    baseline = memory_mb("VmRSS")
    began = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        generating.run_report(report_id)
    seconds = time.monotonic() - began
    report = GeneratedReport.objects.get(pk=report_id)
    peak = memory_mb("VmHWM")
    print(
        json.dumps(
            {
                "status": report.status,
                "seconds": seconds,
                "queries": len(queries),
                "baseline_mb": round(baseline, 1),
                "peak_mb": round(peak, 1),
                "file_size": report.file_size,
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
