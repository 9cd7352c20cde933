"""Rate limits: report generation per user, anonymous requests per client network.

Failed logins are limited by the login lockout (accounts.lockout).

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (set from the environment
in settings) and are read at request time. A throttled request gets 429 with Retry-After.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from uscpis.client_address import client_ip, client_network


class ConfiguredRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        """The client's address as the audit trail and the lockout see it (X-Forwarded-For from trusted proxies)."""
        return client_ip(request)


class ReportGenerationThrottle(ConfiguredRateThrottle):
    """Report requests per user (they cost a worker's time)."""

    scope = "report_generation"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonymousThrottle(ConfiguredRateThrottle):
    """Requests without valid credentials, per client network (an IPv4 address or an IPv6 /64)."""

    scope = "anonymous"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_network(self.get_ident(request))}
