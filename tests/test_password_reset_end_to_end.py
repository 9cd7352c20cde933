"""Password reset against a live gunicorn, its mail sent to a real SMTP server (aiosmtpd, in this process)."""

import email
import email.policy
import json
import re
import time

import pytest
from aiosmtpd.controller import Controller

from tests.system import free_port, running_system
from tests.test_accounts_end_to_end import TEMPLATES, Browser, api_login

pytestmark = pytest.mark.e2e

CREATE_USER_WITH_EMAIL = """
from django.contrib.auth.models import Group, User
user = User.objects.create_user("rn-ana", email="ana@clinic.example.edu", password="old-password-of-ana")
user.groups.add(Group.objects.get_or_create(name="NURSE")[0])
"""


class Mailbox:
    """An aiosmtpd handler keeping every message it is sent."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def wait(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(self.messages) == count
        return self.messages[-1]


@pytest.fixture
def mailbox():
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def test_password_reset_by_mail_sets_a_new_password_and_ends_every_token(tmp_path, mailbox):
    handler, port = mailbox
    mail = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port), "EMAIL_USE_TLS": "0"}
    with running_system(tmp_path, **mail) as system:
        system.manage("shell", "--verbosity=0", "-c", CREATE_USER_WITH_EMAIL)
        status, _, body = api_login(system, "rn-ana", "old-password-of-ana")
        assert status == 200
        token = json.loads(body)["token"]
        browser = Browser(system)
        assert "Forgot your password?" in browser.open("/accounts/login/")[2]

        assert browser.submit("/accounts/password_reset/", email="nobody@clinic.example.edu")[1] == (
            "/accounts/password_reset/done/"
        )
        assert browser.submit("/accounts/password_reset/", email="ana@clinic.example.edu")[1] == (
            "/accounts/password_reset/done/"
        )
        message = handler.wait(1)
        assert message["To"] == "ana@clinic.example.edu"
        link = message.get_content().strip()
        assert re.fullmatch(re.escape(system.base) + r"/accounts/reset/[\w-]+/[\w-]+/", link), link
        assert "rn-ana" not in message.as_string()

        status, landed, _ = browser.submit(
            link, new_password1="new-password-of-ana", new_password2="new-password-of-ana"
        )
        assert (status, landed) == (200, "/accounts/reset/done/")
        assert api_login(system, "rn-ana", "old-password-of-ana")[0] == 400
        assert api_login(system, "rn-ana", "new-password-of-ana")[0] == 200
        assert system.request("GET", TEMPLATES, token=token)[0] == 401
        assert browser.open(link)[2].count("This link has expired or was already used") == 1
        reset_token = link.rstrip("/").rsplit("/", 1)[1]
        assert reset_token not in system.output()
        assert "Traceback" not in system.output()
