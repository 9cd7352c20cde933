"""Production settings: `check --deploy` is clean, DEBUG is off unless asked for, secrets are required."""

import os
import secrets
import subprocess
import sys

from tests.system import ROOT

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "reports.clinic.example.edu",
    "CSRF_TRUSTED_ORIGINS": "https://reports.clinic.example.edu",
    "DATABASE_URL": "sqlite:///:memory:",
    "EMAIL_HOST": "smtp.clinic.example.edu",
    "SITE_URL": "https://reports.clinic.example.edu",
}
CLEARED = ("DEBUG", "SECURE_SSL_REDIRECT", "SECURE_COOKIES", "SECURE_HSTS_SECONDS")


def manage(*args, **env):
    base = {key: value for key, value in os.environ.items() if key not in CLEARED}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True
    )


def test_check_deploy_passes_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_scheduled_mail_cannot_be_sent_or_its_links_are_not_https():
    result = manage("check", "--deploy", **{**PRODUCTION, "EMAIL_HOST": "", "SITE_URL": "http://10.0.0.5:8000"})
    assert "reports.W001" in result.stderr + result.stdout and "reports.W002" in result.stderr + result.stdout
    backend = manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.conf import settings; print(settings.EMAIL_BACKEND)",
        **{**PRODUCTION, "EMAIL_HOST": ""},
    )
    assert backend.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"  # never to files in production


def test_debug_is_off_by_default_and_a_secret_key_is_then_required():
    printed = manage(
        "shell", "--verbosity=0", "-c", "from django.conf import settings; print(settings.DEBUG)", **PRODUCTION
    )
    assert printed.stdout.strip() == "False"
    missing = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert missing.returncode != 0
    assert "SECRET_KEY must be set" in missing.stderr


def test_pages_carry_the_security_headers(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
