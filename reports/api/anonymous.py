"""Anonymous requests to the reports API are throttled before anything else is done for them."""

from rest_framework.exceptions import AuthenticationFailed

from reports.api.throttles import AnonymousThrottle


class AnonymousThrottleMixin:
    """Anonymous requests count against ``THROTTLE_ANONYMOUS`` per client network; past it, 429, not 401.

    Anonymous: without valid credentials (none, or a wrong or expired token). DRF checks
    throttles only after permissions, which refuse anonymous callers first, so the count is
    taken right after authentication.
    """

    def perform_authentication(self, request):
        try:
            super().perform_authentication(request)
        except AuthenticationFailed:
            self._throttle_anonymous(request)
            raise
        if not request.user.is_authenticated:
            self._throttle_anonymous(request)

    def _throttle_anonymous(self, request):
        throttle = AnonymousThrottle()
        if not throttle.allow_request(request, self):
            self.throttled(request, throttle.wait())
