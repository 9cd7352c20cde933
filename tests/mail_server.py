"""A real SMTP server in the test process (aiosmtpd), which can refuse or hold what it is sent.

Schedules' mail goes through Django's SMTP backend to it, as it would to the clinic's server.
"""

import asyncio
import email
import email.policy
import threading
from dataclasses import dataclass

from aiosmtpd.controller import Controller

from tests.system import free_port


@dataclass
class Received:
    """One message as the server took it: the envelope's recipients and the parsed message."""

    recipients: list
    message: email.message.EmailMessage
    raw: bytes

    @property
    def text(self):
        """Every text part decoded, headers included: what a reader of the mail could see."""
        parts = [str(self.message.get(name, "")) for name in self.message.keys()]
        for part in self.message.walk():
            if part.get_content_maintype() == "text":
                parts.append(part.get_content())
        return "\n".join(parts)

    @property
    def attachments(self):
        return [part for part in self.message.iter_attachments()]


class MailServer:
    """``with MailServer() as server``: listening on ``server.port`` until the block ends."""

    def __init__(self):
        self.port = free_port()
        self.received = []
        self._refusals = []
        self.refused_recipients = set()  # addresses answered "550" at RCPT TO
        self._lock = threading.Lock()
        self.holding = False
        self.held = threading.Event()  # a message arrived while holding
        self._release = threading.Event()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc):
        self._release.set()
        self._controller.stop()

    def refuse(self, answer, times=1):
        """Answer the next ``times`` messages with ``answer`` ("451 4.3.0 Try again later") instead of taking them."""
        with self._lock:
            self._refusals += [answer] * times

    def hold(self):
        """Keep the next message (recorded as received) unanswered until ``release``: a sender killed meanwhile
        never hears that it was taken."""
        self.holding = True

    def release(self):
        self._release.set()

    def to(self, address):
        return [each for each in self.received if address in each.recipients]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused_recipients:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            refusal = self._refusals.pop(0) if self._refusals else None
        if refusal:
            return refusal
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self.received.append(Received(list(envelope.rcpt_tos), message, raw))
        if self.holding:
            self.holding = False
            self.held.set()
            while not self._release.is_set():
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


def smtp_settings(settings, server):
    """Point Django's mail at ``server`` (the ``settings`` fixture)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
