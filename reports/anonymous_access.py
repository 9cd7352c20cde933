"""Anonymous attempts to generate, download or delete: counted, not recorded one by one.

Every such attempt is refused (401, or 429 once throttled), names no user and reaches no report,
so instead of an audit event per request it adds one to a counter row per hour, client network
(an IPv4 address, or an IPv6 /64: one host can hold a whole /64), action and outcome. The rows an
hour are bounded too: past ``ROWS_PER_HOUR`` rows with a network, further networks are counted
together on rows without one. So a flood from any number of addresses adds at most
``ROWS_PER_HOUR`` plus one row per action and outcome an hour.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from reports.audit import outcome_for
from reports.models import AnonymousAccessCount
from uscpis.client_address import client_ip, client_network

ROWS_PER_HOUR = 200


def count_attempt(request, *, action, status_code):
    """Count one anonymous attempt on its hour's row for its network, action and outcome."""
    now = timezone.now()
    key = {
        "hour": now.replace(minute=0, second=0, microsecond=0),
        "action": action,
        "outcome": outcome_for(status_code),
    }
    network = client_network(client_ip(request))
    if _add(key, network, now):
        return
    if (
        network
        and AnonymousAccessCount.objects.filter(hour=key["hour"]).exclude(client_network="").count() >= ROWS_PER_HOUR
    ):
        network = ""
        if _add(key, network, now):
            return
    try:
        with transaction.atomic():
            AnonymousAccessCount.objects.create(**key, client_network=network, attempts=1, first_at=now, last_at=now)
    except IntegrityError:  # another request made the row meanwhile
        _add(key, network, now)


def _add(key, network, now):
    return AnonymousAccessCount.objects.filter(**key, client_network=network).update(
        attempts=F("attempts") + 1, last_at=now
    )
