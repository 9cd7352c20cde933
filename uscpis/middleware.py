"""Forwarded headers count only from a trusted proxy."""

from uscpis.client_address import from_trusted_proxy


class TrustedProxyMiddleware:
    """Drops X-Forwarded-Proto from requests that did not come from one of TRUSTED_PROXIES.

    First in MIDDLEWARE: Django reads SECURE_PROXY_SSL_HEADER from whoever sends it, so without
    this a plain-HTTP request saying ``X-Forwarded-Proto: https`` would pass for HTTPS.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not from_trusted_proxy(request):
            request.META.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)
