"""Gunicorn's access log, without the token in the path of a mailed password-reset link."""

import re

from gunicorn.glogging import Logger

RESET_TOKEN = re.compile(r"(/accounts/reset/[^/\s]+/)[^/?\s]+")


class AccessLogger(Logger):
    """Logs ``/accounts/reset/<user>/…/`` instead of the link's one-time token."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r"):
            atoms[key] = RESET_TOKEN.sub(r"\1…", atoms[key] or "")
        return atoms
