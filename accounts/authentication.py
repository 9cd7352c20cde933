"""The API's token authentication: django-rest-knox's, refusing malformed tokens with a 401."""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from rest_framework import exceptions

TOKEN_FORM = re.compile(rb"[0-9a-f]{1,128}")


class TokenAuthentication(auth.TokenAuthentication):
    """knox's, but a token that is not lower-case hexadecimal is refused before knox decodes it
    (knox decodes the header as UTF-8 and fails with a 500 on other bytes)."""

    def authenticate_credentials(self, token):
        if not TOKEN_FORM.fullmatch(token):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(token)


class TokenScheme(KnoxTokenScheme):
    """The schema's security scheme for this class, as drf-spectacular gives knox's."""

    target_class = TokenAuthentication
