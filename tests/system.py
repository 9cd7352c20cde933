"""Start the real system (migrated database, web server, worker) in processes of its own.

End-to-end tests use this instead of pytest-django's database: the web server and
the worker must share a database that outlives any one process, as in production.
"""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import closing, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What the systems started here send to see the details of /healthz.
HEALTHZ_TOKEN = "system-test-healthz-token-0123456789abcdef"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def scratch_database(tmp_path):
    """A DATABASE_URL of a new, empty database of the kind the suite runs on."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'system.sqlite3'}"
        return
    import psycopg

    name = f"uscpis_e2e_{uuid.uuid4().hex[:8]}"
    admin_url = configured.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield configured.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


CREATE_USER = """
import json
from django.contrib.auth.models import Group, User
username, password, roles = json.loads({args!r})
user, _ = User.objects.get_or_create(username=username)
user.email = username + "@clinic.example"
user.set_password(password)
user.save()
user.groups.set([Group.objects.get_or_create(name=role)[0] for role in roles])
"""


class System:
    """A running web server and worker over one database and media folder."""

    def __init__(self, database_url, media_root, log_dir, **extra_env):
        self.log_dir = log_dir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(media_root),
            "SECRET_KEY": "system-test-only",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_COOKIES": "0",
            "SECURE_SSL_REDIRECT": "0",
            "HEALTHZ_TOKEN": HEALTHZ_TOKEN,
            **extra_env,
        }
        self.processes = []
        self.logs = []

    def manage(self, *args, check=True):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=check, capture_output=True, text=True
        )

    def start_web(self):
        self._start(
            [
                *(sys.executable, "-m", "gunicorn", "uscpis.wsgi", "--config", "uscpis/gunicorn.conf.py"),
                *("--bind", f"127.0.0.1:{self.port}", "--workers", "2"),
            ]
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2)  # noqa: S310 (loopback)
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError("the web server did not start")

    def start_worker(self, **extra_env):
        """A db_worker; ``extra_env`` overrides this one worker's environment (e.g. a broken storage)."""
        return self._start(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
            **extra_env,
        )

    def _start(self, command, **extra_env):
        log = open(self.log_dir / f"process-{len(self.processes)}.log", "wb")
        self.logs.append(log)
        env = {**self.env, **extra_env}
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def stop_process(self, process):
        """Stop one process this system started (it stays listed; stopping it again is harmless)."""
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def create_user(self, username, password, *roles):
        """A login holding ``roles`` (auth groups), mailed at <username>@clinic.example; an existing user of that name
        gets the password, roles and address."""
        self.manage("shell", "--verbosity=0", "-c", CREATE_USER.format(args=json.dumps([username, password, roles])))

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in self.logs:
            log.close()

    def output(self):
        """Everything the processes printed (their server logs)."""
        return "".join(path.read_text(errors="replace") for path in sorted(self.log_dir.glob("process-*.log")))

    def request(self, method, path, body=None, token=None, headers=None):
        """(status, headers, bytes) of one HTTP request; ``headers`` are sent besides the JSON ones."""
        headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            headers["Authorization"] = f"Token {token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def health(self):
        """(status, body) of /healthz with its checks and queue (this system's monitoring token)."""
        headers = {"Authorization": f"Bearer {self.env['HEALTHZ_TOKEN']}"}
        request = urllib.request.Request(self.base + "/healthz", headers=headers)  # noqa: S310 (loopback)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def query(self, sql, *params):
        """Rows of one query on the system's database, read from outside its processes."""
        url = self.env["DATABASE_URL"]
        if url.startswith("sqlite"):
            with closing(sqlite3.connect(url.removeprefix("sqlite:///"), timeout=20)) as connection:
                return connection.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            return connection.execute(sql, params).fetchall()

    def json(self, method, path, body=None, token=None):
        status, _, content = self.request(method, path, body, token)
        return status, json.loads(content) if content else None


def wait_until(condition, timeout=60, what="the condition"):
    """The first true value of ``condition()``, polled every 0.1 s; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def running_system(tmp_path, **extra_env):
    """A migrated system with a web server; the caller starts workers as needed."""
    with scratch_database(tmp_path) as database_url:
        system = System(database_url, tmp_path / "media", tmp_path, **extra_env)
        system.manage("migrate", "--noinput")
        try:
            system.start_web()
            yield system
        finally:
            system.stop()
