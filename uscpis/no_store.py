"""No response of this application is kept by a browser or a proxy cache.

Nearly every response carries health data (report files, previews, figures) or a credential
(a token, a CSRF token, a session), so rather than list them, every response made here is sent
``Cache-Control: no-store`` (with Django's other never-cache headers). Static files, served by
WhiteNoise before this middleware runs, keep their own long-lived caching.
"""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
