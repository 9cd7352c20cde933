"""The status endpoint under concurrent load, beside a constant-JSON view on the same server.

Starts gunicorn as the Procfile does (``uscpis/gunicorn.conf.py``: its workers and
timeout), bound to 127.0.0.1 with ``bench.settings`` (the project plus the constant
view), and drives it with ``wrk`` for a fixed time per URL.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import api

ROOT = Path(__file__).resolve().parent.parent
DURATION_SECONDS = 15
CONNECTIONS = 32
THREADS = 2
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "gunicorn", "uscpis.wsgi", "--config", "uscpis/gunicorn.conf.py"]
    server = subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/constant/", timeout=2)
            return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def wrk(url, token=None):
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{DURATION_SECONDS}s", "--latency"]
    if token:
        command += ["-H", f"Authorization: Token {token}"]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", output).groups()
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    non_2xx = int(errors.group(1)) if errors else 0
    return {"requests_per_second": rate, "p99_ms": float(value) * UNITS[unit], "non_2xx": non_2xx}


def run(log=print):
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    tokens, report_id = api.prepare()
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        results = {}
        for name, url, token in (
            ("constant JSON view", f"{base}/bench/constant/", None),
            ("constant JSON, token authenticated", f"{base}/bench/constant-authenticated/", tokens["doctor"]),
            ("status endpoint", f"{base}/api/reports/generated/{report_id}/status/", tokens["doctor"]),
        ):
            results[name] = wrk(url, token)
            log(
                f"  {name:<36} {results[name]['requests_per_second']:8.0f} req/s  "
                f"p99 {results[name]['p99_ms']:6.1f} ms  non-2xx {results[name]['non_2xx']}"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    ceiling = results["constant JSON view"]["requests_per_second"]
    return {
        "duration_seconds": DURATION_SECONDS,
        "connections": CONNECTIONS,
        "threads": THREADS,
        "web_concurrency": int(os.environ.get("WEB_CONCURRENCY", "3")),
        "results": results,
        "share_of_ceiling": results["status endpoint"]["requests_per_second"] / ceiling,
    }
