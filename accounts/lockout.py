"""The login lockout (django-axes): how long it lasts, what a locked-out caller is told, unlocking.

Axes counts failed logins per username and per client address
(``uscpis.client_address.lockout_address``: an IPv6 /64 counts as one address) in the database,
for every login path: the login page, the admin's and the API's.
"""

import math

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max, Q
from django.shortcuts import render
from django.utils import timezone


def seconds_left(username, address):
    """Seconds until the failures counted against this username and this address have all expired."""
    now = timezone.now()
    counted = Q(pk__in=[])
    if username:
        counted |= Q(username=username)
    if address:
        counted |= Q(ip_address=address)
    newest = (
        AccessAttempt.objects.filter(counted, attempt_time__gt=now - settings.AXES_COOLOFF_TIME)
        .aggregate(newest=Max("attempt_time"))
        .get("newest")
    )
    ends = (newest or now) + settings.AXES_COOLOFF_TIME
    return max(1, math.ceil((ends - now).total_seconds()))


def message(seconds):
    minutes = math.ceil(seconds / 60)
    return (
        "Too many failed logins for this username or from this address. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}, or ask an administrator to unlock the account."
    )


def lockout_page(request, original_response=None, credentials=None):
    """The login page saying why and for how long (AXES_LOCKOUT_CALLABLE: the login and admin pages)."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    seconds = seconds_left(username, request.axes_ip_address)
    page = render(
        request,
        "registration/login.html",
        {"form": AuthenticationForm(request), "locked_out": message(seconds)},
        status=429,
    )
    page["Retry-After"] = str(seconds)
    return page


def unlock(username):
    """Forget the failed logins of ``username`` (from every address); how many records went."""
    return reset(username=username)
