"""The audit trail: who tried to generate, download or delete which report, and what happened."""

from django.utils import timezone

from reports.models import AccessOutcome, ReportAccessEvent
from reports.renderers.csv import SafeWriter
from uscpis.client_address import client_ip

COLUMNS = [
    "occurred_at",
    "username",
    "action",
    "outcome",
    "status_code",
    "report_id",
    "template_id",
    "tier",
    "client_ip",
    "user_agent",
]

OUTCOMES_BY_STATUS = {
    200: AccessOutcome.SERVED,
    202: AccessOutcome.ACCEPTED,
    204: AccessOutcome.DELETED,
    400: AccessOutcome.REJECTED,
    401: AccessOutcome.NOT_AUTHENTICATED,
    403: AccessOutcome.DENIED,
    404: AccessOutcome.NOT_FOUND,
    409: AccessOutcome.NOT_READY,
    410: AccessOutcome.EXPIRED,
    429: AccessOutcome.THROTTLED,
}


def outcome_for(status_code):
    return OUTCOMES_BY_STATUS.get(status_code, AccessOutcome.UNAVAILABLE)


def record_access(request, *, action, status_code, report_id=None, template_id=None, tier=""):
    """Write one audit event; raises if it cannot be written (the caller must not serve then)."""
    user = request.user if request.user.is_authenticated else None
    return ReportAccessEvent.objects.create(
        user=user,
        username=user.get_username() if user else "",
        action=action,
        outcome=outcome_for(status_code),
        status_code=status_code,
        report_id=report_id,
        template_id=template_id,
        tier=tier,
        client_ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
    )


class _Echo:
    """A file-like object whose write returns the line, for streaming CSV."""

    def write(self, value):
        return value


def csv_lines(events):
    """The events as CSV lines (header first), streamed from the database in chunks.

    Written as report CSVs are (``SafeWriter``): text quoted, formulas and bidi controls neutralised.
    """
    writer = SafeWriter(_Echo())
    yield writer.writerow(COLUMNS)
    for row in events.values_list(*COLUMNS).iterator(chunk_size=2000):
        yield writer.writerow(row)


def csv_filename():
    return f"report-access-events_{timezone.localdate():%Y-%m-%d}.csv"
