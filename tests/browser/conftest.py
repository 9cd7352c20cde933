"""A real system (web server, worker, demo data) and Debian's Chromium driven by Playwright.

One system serves the whole browser session: starting it (migrate, seed, collect
static files) is most of the cost. Each test logs in through the login page in a
context of its own, and fails if the page logged a script error or a refused
Content Security Policy.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.support import PASSWORD, shoot
from tests.mail_server import MailServer
from tests.system import ROOT, running_system

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
USERS = {"doctor": ["DOCTOR"], "colleague": ["DOCTOR"], "nurse": ["NURSE"], "admin": ["ADMIN"], "staff": ["STAFF"]}
DESKTOP = {"width": 1366, "height": 900}
# Reports take a second or two; the page polls with back-off up to 8 s.
expect.set_options(timeout=30_000)


class Workers:
    """The system's ordinary worker, which a test may stop, or replace with one of a different environment."""

    def __init__(self, system):
        self.system = system
        self.process = None

    def start(self, **extra_env):
        self.stop()
        self.process = self.system.start_worker(**extra_env)

    def stop(self):
        if self.process is not None:
            self.system.stop_process(self.process)
            self.process = None

    def ensure(self):
        """The ordinary worker is running."""
        if self.process is None or self.process.poll() is not None:
            self.start()


@pytest.fixture(scope="session")
def system(tmp_path_factory):
    # The web server serves the collected static files (whitenoise, DEBUG off): collect the current ones.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "collectstatic-only", "DEBUG": "0"},
        check=True,
    )
    with (
        MailServer() as mail,
        running_system(
            tmp_path_factory.mktemp("browser-system"),
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(mail.port),
            EMAIL_USE_TLS="0",
            REPORT_DISPATCH_SECONDS="1",
        ) as system,
    ):
        system.mail = mail
        system.manage("seed_demo", "--patients", "150", "--seed", "42")
        for username, roles in USERS.items():
            system.create_user(username, PASSWORD, *roles)
        yield system


@pytest.fixture(scope="session")
def workers(system):
    workers = Workers(system)
    workers.start()
    yield workers
    workers.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install chromium (.ci/run installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def log_in(system, browser):
    """``log_in(username, viewport=...)`` → a page on /reports, logged in through the login page."""
    opened = []

    def open_page(username, viewport=None, screenshot=None):
        context = browser.new_context(viewport=viewport or DESKTOP, accept_downloads=True, locale="en-US")
        page = context.new_page()
        problems = []
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(f"console: {message.text}")
                if message.type == "error" and "Failed to load resource" not in message.text
                else None
            ),
        )
        opened.append((context, problems))
        page.goto(system.base + "/reports")
        expect(page).to_have_url(system.base + "/accounts/login/?next=/reports")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        if screenshot:
            shoot(page, screenshot, clip={"x": 0, "y": 0, "width": page.viewport_size["width"], "height": 600})
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(system.base + "/reports")
        expect(page.locator(".template-card").first).to_be_visible()
        return page

    yield open_page
    for context, problems in opened:
        context.close()
        assert not problems, problems
