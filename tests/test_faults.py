"""Faults with real processes: a killed worker, a lost database connection, a storage outage, a crowd.

Each test starts the real web server and ``db_worker`` processes over a scratch database
(SQLite or PostgreSQL, as the suite runs), with report files on the Cloudinary stand-in
where the fault concerns the storage. Runs are made observable and interruptible by the
outside world only: the stand-in holding an upload, a table lock held by the test.
"""

import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.cloudinary_standin import CloudinaryStandIn
from tests.system import running_system, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")

CREATE_USERS = """
import json
from django.contrib.auth.models import Group, User
from knox.models import AuthToken
group = Group.objects.get_or_create(name="DOCTOR")[0]
tokens = []
for number in range({count}):
    user = User.objects.create_user(f"doctor{{number}}")
    user.groups.add(group)
    tokens.append(AuthToken.objects.create(user=user)[1])
print(json.dumps(tokens))
"""
ENQUEUE_AGAIN = """
from reports.models import GeneratedReport
from reports.tasks import generate_report
for pk in GeneratedReport.objects.values_list("pk", flat=True):
    generate_report.enqueue(pk)
"""


def report_row(system, report_id):
    status, attempts, name = system.query(
        "SELECT status, attempts, file FROM reports_generatedreport WHERE id = %s", report_id
    )[0]
    return {"status": status, "attempts": attempts, "file": name}


def users(system, count=1):
    return json.loads(system.manage("shell", "--verbosity=0", "-c", CREATE_USERS.format(count=count)).stdout)


def request_report(system, token, report_type="VISIT_TRENDS", export_format="PDF"):
    _, templates = system.json("GET", "/api/reports/templates/", token=token)
    template = next(t for t in templates["results"] if t["report_type"] == report_type)
    status, report = system.json(
        "POST",
        f"/api/reports/templates/{template['id']}/generate/",
        {"date_range_start": "2025-01-01", "date_range_end": "2025-06-30", "export_format": export_format},
        token=token,
    )
    assert status == 202, report
    return report["id"]


def files_in(folder):
    return sorted(path.name for path in Path(folder).glob("*") if path.is_file())


def test_a_worker_killed_while_storing_leaves_one_file_and_the_report_completes_once(tmp_path):
    lease = 2
    with (
        CloudinaryStandIn() as cloud,
        running_system(tmp_path, CLOUDINARY_URL=cloud.url, REPORT_LEASE_SECONDS=str(lease)) as system,
    ):
        [token] = users(system)
        report_id = request_report(system, token)
        cloud.fail("upload", "hold", times=1)
        worker = system.start_worker()
        assert cloud.held.wait(60), "the worker never uploaded"
        [killed_runs_file] = cloud.names()  # stored by Cloudinary; the worker never heard back
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        cloud.release()
        assert report_row(system, report_id)["status"] == "GENERATING"

        time.sleep(lease + 0.5)  # the dead run's lease runs out
        system.start_worker()  # recovers it first
        final = wait_until(lambda: (row := report_row(system, report_id))["status"] == "COMPLETED" and row)
        assert final["attempts"] == 2
        assert cloud.names() == [f"reports/{final['file']}"] != [killed_runs_file]
        assert files_in(tmp_path / "media" / "report-copies") == [final["file"]]
        assert files_in(tmp_path / "media" / "reports") == []

        status, _, content = system.request("GET", f"/api/reports/generated/{report_id}/download/", token=token)
        assert (status, content[:5]) == (200, b"%PDF-")
        assert "downloaded (tier storage)" in system.output()


def test_storage_unavailable_while_storing_is_retried_then_fails_with_a_clear_message(tmp_path):
    with (
        CloudinaryStandIn() as cloud,
        running_system(
            tmp_path, CLOUDINARY_URL=cloud.url, REPORT_STORE_ATTEMPTS="3", REPORT_STORE_BACKOFF_SECONDS="0.2"
        ) as system,
    ):
        [token] = users(system)
        report_id = request_report(system, token)
        cloud.fail("upload", "error")
        system.start_worker()
        final = wait_until(lambda: (row := report_row(system, report_id))["status"] == "FAILED" and row)
        _, status = system.json("GET", f"/api/reports/generated/{report_id}/status/", token=token)
        assert "storage was unavailable" in status["error_message"]
        assert [public_id for _, public_id, _ in cloud.calls("upload")].count(f"reports/{final['file']}") == 3
        assert final["attempts"] == 1  # the run failed cleanly; it was not left for recovery
        assert cloud.names() == [] and files_in(tmp_path / "media" / "report-copies") == []


@pytest.mark.skipif(not ON_POSTGRES, reason="a database server connection to lose (PostgreSQL)")
def test_a_run_that_loses_its_database_connection_fails_cleanly_and_is_retried(tmp_path):
    import psycopg

    with running_system(tmp_path, REPORT_RETRY_DELAY_SECONDS="0") as system:
        [token] = users(system)
        report_id = request_report(system, token, export_format="JSON")
        with psycopg.connect(system.env["DATABASE_URL"]) as blocker:
            # The run blocks on its first read of visits, mid-report, until this transaction ends.
            blocker.execute("LOCK TABLE visits_medicalvisit IN ACCESS EXCLUSIVE MODE")
            worker = system.start_worker()
            waiting = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            [(backend,)] = wait_until(lambda: system.query(waiting), what="the worker to block")
            assert report_row(system, report_id)["status"] == "GENERATING"
            system.query("SELECT pg_terminate_backend(%s)", backend)
            wait_until(lambda: report_row(system, report_id)["attempts"] == 2, what="the report to run again")
            blocker.rollback()
        final = wait_until(lambda: (row := report_row(system, report_id))["status"] == "COMPLETED" and row)
        assert final["attempts"] == 2
        assert worker.poll() is None  # the worker itself carried on
        tasks = system.query("SELECT status FROM django_tasks_database_dbtaskresult ORDER BY enqueued_at")
        assert tasks == [("SUCCESSFUL",), ("SUCCESSFUL",)]  # the broken run ended cleanly, then its retry ran
        assert "lost its database connection" in system.output() and "queued again" in system.output()
        assert files_in(tmp_path / "media" / "reports") == [final["file"]]


def test_two_hundred_reports_by_twenty_users_all_complete_once(tmp_path):
    with running_system(tmp_path) as system:
        tokens = users(system, count=20)
        _, templates = system.json("GET", "/api/reports/templates/", token=tokens[0])
        choices = [(t["report_type"], f) for t in templates["results"] for f in ("JSON", "CSV", "PDF", "EXCEL")]

        def ten_reports(user):
            return [request_report(system, tokens[user], *choices[(user * 10 + n) % len(choices)]) for n in range(10)]

        with ThreadPoolExecutor(max_workers=20) as pool:
            requested = [pk for ids in pool.map(ten_reports, range(20)) for pk in ids]
        assert len(set(requested)) == 200
        system.manage("shell", "--verbosity=0", "-c", ENQUEUE_AGAIN)  # every report delivered twice
        system.start_worker()
        system.start_worker()

        done = "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('SUCCESSFUL', 'FAILED')"
        wait_until(lambda: system.query(done)[0][0] == 400, timeout=240, what="the queue to drain")
        rows = system.query("SELECT status, attempts, file FROM reports_generatedreport")
        assert len(rows) == 200
        assert {(status, attempts) for status, attempts, _ in rows} == {("COMPLETED", 1)}
        names = sorted(name for _, _, name in rows)
        assert len(set(names)) == 200
        assert files_in(tmp_path / "media" / "reports") == names
        assert files_in(tmp_path / "media" / "report-copies") == names
        assert system.query("SELECT status, COUNT(*) FROM django_tasks_database_dbtaskresult GROUP BY status") == [
            ("SUCCESSFUL", 400)
        ]
        assert system.output().count("is not pending; nothing to run") == 200  # each duplicate found it taken
