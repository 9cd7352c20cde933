"""The audit trail: who tried to generate, download or delete which report, and what happened."""

import functools
import ipaddress

from django.conf import settings
from django.utils import timezone

from reports.models import AccessOutcome, ReportAccessEvent
from reports.renderers.csv import SafeWriter

EXPORT_COLUMNS = [
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


def _address(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


@functools.cache
def _networks(entries):
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _is_trusted(address):
    """Whether ``address`` is one of TRUSTED_PROXIES (addresses or networks)."""
    if address is None:
        return False
    address = ipaddress.ip_address(address)
    return any(address in network for network in _networks(settings.TRUSTED_PROXIES))


def from_trusted_proxy(request):
    """Whether the request came straight from a trusted proxy, whose forwarded headers are believed."""
    return _is_trusted(_address(request.META.get("REMOTE_ADDR", "")))


def client_ip(request):
    """The client's address: the one function the audit trail, the login lockout and the throttles use.

    X-Forwarded-For is believed only when sent by a trusted proxy: walking the forwarded chain
    from the right, trusted proxies are skipped and the first other address is the client's.
    """
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if not _is_trusted(remote):
        return remote
    chain = [_address(part) for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed(chain):
        if address is None:
            return remote
        if not _is_trusted(address):
            return address
    return remote


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
    yield writer.writerow(EXPORT_COLUMNS)
    for row in events.values_list(*EXPORT_COLUMNS).iterator(chunk_size=2000):
        yield writer.writerow(row)


def csv_filename():
    return f"report-access-events_{timezone.localdate():%Y-%m-%d}.csv"
