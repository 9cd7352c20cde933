"""The RQ configuration: a report requested through the API is queued in Redis and made by a real rq worker."""

import subprocess
import sys
import time

import pytest
import redis

from tests.system import ROOT, running_system
from tests.test_end_to_end import STALE_REPORT, doctor_token

pytestmark = pytest.mark.e2e

# A Redis database of this test's own on the machine's Redis; emptied before and after.
REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def redis_db():
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()


def run_rq_worker(system):
    """A real rq worker process: it works the queue until it is empty, then exits."""
    worker = subprocess.run(
        [sys.executable, "manage.py", "rqworker", "--burst", "--job-class", "django_tasks_rq.Job"],
        cwd=ROOT,
        env=system.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr[-2000:]
    return worker


def test_a_report_is_generated_through_redis_by_an_rq_worker(tmp_path, redis_db):
    with running_system(tmp_path, TASKS_BACKEND="rq", REDIS_URL=REDIS_URL) as system:
        token = doctor_token(system)
        _, templates = system.json("GET", "/api/reports/templates/", token=token)
        template = next(t for t in templates["results"] if t["report_type"] == "VISIT_TRENDS")
        status, report = system.json(
            "POST",
            f"/api/reports/templates/{template['id']}/generate/",
            {"date_range_start": "2025-01-01", "date_range_end": "2025-03-31", "export_format": "CSV"},
            token=token,
        )
        assert status == 202
        assert report["status"] == "PENDING"
        deadline = time.monotonic() + 10
        while not redis_db.llen("rq:queue:default") and time.monotonic() < deadline:
            time.sleep(0.1)  # the enqueue happens once the request's transaction commits
        assert redis_db.llen("rq:queue:default") == 1

        run_rq_worker(system)

        _, final = system.json("GET", f"/api/reports/generated/{report['id']}/status/", token=token)
        assert final["status"] == "COMPLETED", final["error_message"]
        status, _, content = system.request("GET", f"/api/reports/generated/{report['id']}/download/", token=token)
        assert status == 200
        lines = content.decode("utf-8-sig").splitlines()
        assert lines[1] == '"Report",1,"Title","Value","Visit trends 2025-01-01 to 2025-03-31"'
        assert redis_db.llen("rq:queue:default") == 0
        assert redis_db.zcard("rq:finished:default") == 1  # RQ ran it, not the database queue
        _, health = system.health()
        assert health["queue"]["depth"] == 0


def test_an_rq_worker_recovers_a_report_interrupted_by_a_dead_worker_when_it_starts(tmp_path, redis_db):
    with running_system(tmp_path, TASKS_BACKEND="rq", REDIS_URL=REDIS_URL) as system:
        token = doctor_token(system)
        report_id = int(system.manage("shell", "--verbosity=0", "-c", STALE_REPORT).stdout.strip())
        assert redis_db.llen("rq:queue:default") == 0  # its worker died: nothing is queued for it

        worker = run_rq_worker(system)
        assert "Recovered 1 interrupted report(s)" in worker.stdout

        _, final = system.json("GET", f"/api/reports/generated/{report_id}/status/", token=token)
        assert final["status"] == "COMPLETED", final["error_message"]
        assert redis_db.zcard("rq:finished:default") == 1
