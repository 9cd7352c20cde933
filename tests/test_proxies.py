"""X-Forwarded-Proto and X-Forwarded-For count only from TRUSTED_PROXIES: settings, middleware, live gunicorn."""

import pytest

from tests.system import running_system
from tests.test_deploy_settings import PRODUCTION, manage

PRINT_HEADER = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"


def test_the_proxy_ssl_header_is_set_only_with_trusted_proxies():
    assert manage("shell", "--verbosity=0", "-c", PRINT_HEADER, **PRODUCTION).stdout.strip() == "None"
    behind = manage("shell", "--verbosity=0", "-c", PRINT_HEADER, **PRODUCTION, TRUSTED_PROXIES="10.0.0.0/8")
    assert behind.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"
    wrong = manage("check", **PRODUCTION, TRUSTED_PROXIES="10.0.0.1,proxy.example.edu")
    assert wrong.returncode != 0
    assert "'proxy.example.edu' is not an IP address or network" in wrong.stderr


def test_a_plain_http_request_claiming_https_is_believed_only_from_a_trusted_proxy(client, db, settings):
    settings.TRUSTED_PROXIES = frozenset({"10.0.0.1"})
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    forged = client.get("/accounts/login/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_PROTO="https")
    assert not forged.wsgi_request.is_secure()
    assert "Strict-Transport-Security" not in forged
    proxied = client.get("/accounts/login/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.wsgi_request.is_secure()
    assert "Strict-Transport-Security" in proxied


def test_without_trusted_proxies_no_request_passes_for_https(client, db):
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert not response.wsgi_request.is_secure()
    assert "Strict-Transport-Security" not in response


@pytest.mark.e2e
def test_gunicorn_believes_x_forwarded_proto_only_from_trusted_proxies(tmp_path):
    for trusted, secure in (("", False), ("127.0.0.1", True)):
        folder = tmp_path / (trusted or "none")
        folder.mkdir()
        with running_system(folder, TRUSTED_PROXIES=trusted) as system:
            status, headers, _ = system.request("GET", "/accounts/login/", headers={"X-Forwarded-Proto": "https"})
            assert status == 200
            assert ("Strict-Transport-Security" in headers) is secure, trusted
