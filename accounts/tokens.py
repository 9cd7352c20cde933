"""API tokens (django-rest-knox): stored as SHA-512 digests; each is shown once, at login.

A token is named by the start of its digest (``token_id``), never by the token itself, and its
owner recognises it by its first characters (``starts_with``), which reveal nothing usable.
"""

from django.utils import timezone
from knox.models import AuthToken

ID_LENGTH = 16
SHOWN_CHARACTERS = 8


def issue(user):
    """A new token for ``user``: (its record, the token itself)."""
    return AuthToken.objects.create(user=user)


def live_tokens(user):
    """The user's tokens that have not expired, newest first."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


def token_id(token):
    return token.digest[:ID_LENGTH]


def starts_with(token):
    return token.token_key[:SHOWN_CHARACTERS]


def revoke(user, identifier):
    """End one of the user's tokens; whether there was one."""
    deleted, _ = AuthToken.objects.filter(user=user, digest__startswith=identifier).delete()
    return deleted > 0


def revoke_all(user):
    """End every token of the user; how many there were."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted
