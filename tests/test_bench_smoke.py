"""The benchmark's code runs: one report type at the toy size XS, on a scratch PostgreSQL database.

Not a benchmark: it times nothing against any bar, it only checks that the generator,
the bare-SQL bound, the fresh-process measurement and the Markdown report work, and
that the bound and the report agree on their figures.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.system import ROOT, scratch_database

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="the benchmark runs on PostgreSQL"
    ),
]


def test_the_benchmark_runs_at_a_toy_size(tmp_path):
    results, output = tmp_path / "results.json", tmp_path / "benchmarks.md"
    with scratch_database(tmp_path) as database_url:
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench-smoke", "DEBUG": "0"}
        command = [sys.executable, "-m", "bench.run", "--sizes", "XS", "--parts", "reports"]
        command += ["--report-types", "VISIT_TRENDS", "--repeat", "1", "--results", results, "--output", output]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = json.loads(results.read_text())["sizes"]["XS"]["reports"]
    assert [(row["report_type"], row["range"]) for row in rows] == [("VISIT_TRENDS", "year"), ("VISIT_TRENDS", "whole")]
    for row in rows:
        assert row["disagree"] == {}
        assert row["record_count"] > 0
        assert row["bare_seconds"] > 0 and row["data_seconds"] > 0
        assert {name: measured["status"] for name, measured in row["formats"].items()} == {
            "PDF": "COMPLETED",
            "EXCEL": "COMPLETED",
            "CSV": "COMPLETED",
            "JSON": "COMPLETED",
        }
        assert all(measured["peak_mb"] >= measured["baseline_mb"] > 0 for measured in row["formats"].values())
        compared = row["compared"]
        assert compared["plain_queries"] < compared["compared_queries"] <= 2 * compared["plain_queries"]
        assert compared["ratio"] == compared["compared_seconds"] / compared["plain_seconds"]
    assert "| VISIT_TRENDS | whole |" in output.read_text()
    assert "## Compared with the previous period" in output.read_text()
