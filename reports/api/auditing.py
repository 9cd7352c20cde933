"""Write an audit event for every generate, download and delete attempt, whatever its outcome."""

import logging

from django.db import DatabaseError
from rest_framework import status
from rest_framework.response import Response

from reports.audit import record_access

logger = logging.getLogger(__name__)


class AuditedActionsMixin:
    """Records ``audited_actions`` (view action → AccessAction) once the response is known.

    The record is written before a file is streamed; if it cannot be written the
    client gets a 503 instead of the file.
    """

    audited_actions = {}

    def finalize_response(self, request, response, *args, **kwargs):
        action = self.audited_actions.get(getattr(self, "action", None))
        if action is not None:
            response = self._audit(request, response, action)
        return super().finalize_response(request, response, *args, **kwargs)

    def _audit(self, request, response, action):
        pk = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        created = getattr(response, "data", None) if response.status_code == status.HTTP_202_ACCEPTED else None
        try:
            record_access(
                request,
                action=action,
                status_code=response.status_code,
                report_id=created["id"] if created else (int(pk) if pk and self.audits_report else None),
                template_id=int(pk) if pk and not self.audits_report else None,
                tier=getattr(response, "served_tier", ""),
            )
        except DatabaseError:
            logger.exception("Could not write the audit record of a %s attempt; refusing it", action)
            response.close()
            return Response(
                {"detail": "The access could not be recorded, so it was refused. Please try again."},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": "30"},
            )
        return response
