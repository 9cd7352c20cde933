"""Write an audit event for every generate, download and delete attempt, whatever its outcome.

Anonymous attempts are counted instead (``reports.anonymous_access``), so they cannot flood the trail.
"""

import logging

from django.db import DatabaseError
from rest_framework import status

from reports.anonymous_access import count_attempt
from reports.api.errors import ServiceUnavailable
from reports.audit import record_access

logger = logging.getLogger(__name__)


class AuditedActionsMixin:
    """Records ``audited_actions`` (view action → AccessAction) once the response is known.

    The record is written before a file is streamed; if it cannot be written the
    client gets a 503 instead of the file. An error no handler answers is recorded
    as a 500 before it propagates, so every attempt leaves one record.
    """

    audited_actions = {}

    def finalize_response(self, request, response, *args, **kwargs):
        action = self.audited_actions.get(getattr(self, "action", None))
        if action is not None:
            created = response.data["id"] if response.status_code == status.HTTP_202_ACCEPTED else None
            if not self._record(request, action, response.status_code, created, getattr(response, "served_tier", "")):
                response.close()
                refused = ServiceUnavailable(
                    "The access could not be recorded, so it was refused. Please try again.",
                    code="not_recorded",
                    wait=30,
                )
                response = self.get_exception_handler()(refused, self.get_exception_handler_context())
        return super().finalize_response(request, response, *args, **kwargs)

    def handle_exception(self, exc):
        try:
            return super().handle_exception(exc)
        except Exception:
            action = self.audited_actions.get(getattr(self, "action", None))
            if action is not None:
                self._record(self.request, action, status.HTTP_500_INTERNAL_SERVER_ERROR)
            raise

    def audited_template_id(self, pk):
        """The template id an action on the object ``pk`` is recorded against (a template's own view: ``pk``)."""
        return pk

    def _record(self, request, action, status_code, created=None, tier=""):
        """Write one audit record; False (and logged) if it could not be written."""
        pk = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        try:
            if not request.user.is_authenticated:
                count_attempt(request, action=action, status_code=status_code)
                return True
            record_access(
                request,
                action=action,
                status_code=status_code,
                report_id=created or (int(pk) if pk and self.audits_report else None),
                template_id=self.audited_template_id(int(pk)) if pk and not self.audits_report else None,
                tier=tier,
            )
        except DatabaseError:
            logger.exception("Could not write the audit record of a %s attempt", action)
            return False
        return True
