"""Rate limits: report generation per user, login attempts per address and per username.

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (set from the environment
in settings) and are read at request time. A throttled request gets 429 with Retry-After.
"""

import hashlib

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class ConfiguredRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class ReportGenerationThrottle(ConfiguredRateThrottle):
    """Report requests per user (they cost a worker's time)."""

    scope = "report_generation"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class LoginAddressThrottle(ConfiguredRateThrottle):
    """Login attempts per client address."""

    scope = "login_address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginUsernameThrottle(ConfiguredRateThrottle):
    """Login attempts per username, from any address (slows down guessing one account's password)."""

    scope = "login_username"

    def get_cache_key(self, request, view):
        username = request.data.get("username") if hasattr(request.data, "get") else None
        if not isinstance(username, str) or not username:
            return None
        ident = hashlib.sha256(username.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}
