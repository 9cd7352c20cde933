"""Where a request comes from: the one place that reads REMOTE_ADDR and X-Forwarded-For.

The audit trail, the login lockout, the throttles and the HTTPS check all ask here, so a forged
forwarded header counts nowhere unless a trusted proxy (``TRUSTED_PROXIES``) sent it.
"""

import functools
import ipaddress

from django.conf import settings

IPV6_PREFIX = 64


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


def client_network(address):
    """The IPv4 address, or the IPv6 /64 holding the address; "" when unknown."""
    if not address:
        return ""
    parsed = ipaddress.ip_address(address)
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))


def lockout_address(request):
    """The address django-axes counts failed logins against: the client's IPv4 address, or the
    first address of its IPv6 /64 (one host can hold a whole /64 and would escape a per-address count)."""
    address = client_ip(request)
    if not address:
        return address
    return client_network(address).split("/")[0]
