"""Logging in against a live gunicorn: one lockout for the API and the login page, tokens that end."""

import datetime as dt
import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.system import running_system

pytestmark = pytest.mark.e2e

TEMPLATES = "/api/reports/templates/"


class Browser:
    """Pages as a browser sees them: cookies kept, redirects followed, forms posted with their CSRF token."""

    def __init__(self, system):
        self.base = system.base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def open(self, path, form=None):
        """(status, path it ended on, page text)."""
        data = None if form is None else urllib.parse.urlencode(form).encode()
        url = path if path.startswith("http") else self.base + path
        try:
            with self.opener.open(url, data=data, timeout=30) as response:
                return response.status, urllib.parse.urlsplit(response.url).path, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, urllib.parse.urlsplit(error.url).path, error.read().decode()

    def submit(self, path, **fields):
        """Open the page at ``path`` and post its form with ``fields``."""
        _, landed, page = self.open(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.open(landed, {"csrfmiddlewaretoken": token, **fields})


def api_login(system, username, password):
    return system.request("POST", "/api/auth/login/", {"username": username, "password": password})


def test_the_api_and_the_login_page_share_one_lockout(tmp_path):
    with running_system(tmp_path) as system:
        system.create_user("doctor", "right-password-of-doctor", "DOCTOR")
        for n in range(5):
            assert api_login(system, "doctor", f"wrong-{n}")[0] == 400
        browser = Browser(system)
        for n in range(4):
            status, landed, _ = browser.submit("/accounts/login/", username="doctor", password=f"wrong-{n}")
            assert (status, landed) == (200, "/accounts/login/")
        status, _, page = browser.submit("/accounts/login/", username="doctor", password="wrong-9")
        assert status == 429
        assert "Too many failed logins for this username or from this address" in page

        status, headers, body = api_login(system, "doctor", "right-password-of-doctor")
        assert status == 429
        assert 0 < int(headers["Retry-After"]) <= 15 * 60
        assert b"Too many failed logins" in body
        status, _, page = browser.submit("/accounts/login/", username="doctor", password="right-password-of-doctor")
        assert status == 429


def test_a_token_ends_at_its_expiry_and_logout_ends_the_token_used(tmp_path):
    with running_system(tmp_path, API_TOKEN_TTL="10") as system:
        system.create_user("doctor", "right-password-of-doctor", "DOCTOR")
        credentials = {"username": "doctor", "password": "right-password-of-doctor"}
        (_, first), (_, second) = (system.json("POST", "/api/auth/login/", credentials) for _ in range(2))
        assert system.request("POST", "/api/auth/logout/", token=first["token"])[0] == 204
        assert system.request("GET", TEMPLATES, token=first["token"])[0] == 401
        assert system.request("GET", TEMPLATES, token=second["token"])[0] == 200

        expiry = dt.datetime.fromisoformat(second["expiry"])
        assert expiry - dt.datetime.now(dt.UTC) <= dt.timedelta(seconds=10)
        time.sleep(max(0.0, (expiry - dt.datetime.now(dt.UTC)).total_seconds()) + 1)
        assert system.request("GET", TEMPLATES, token=second["token"])[0] == 401
