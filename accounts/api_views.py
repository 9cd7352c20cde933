"""The API's logins and tokens: a new token per login, logout ends it, owners list and revoke theirs."""

from django.contrib.auth import authenticate, logout
from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import lockout, serializers, tokens
from reports.api import schema
from uscpis.client_address import lockout_address
from uscpis.roles import user_roles

LOCKED_OUT = schema.detail(
    "Too many failed logins for this username or from this address; retry after the seconds in Retry-After."
)
TOKEN_ID_PATTERN = f"[0-9a-f]{{{tokens.ID_LENGTH}}}"


class LockedOut(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self, seconds):
        self.wait = seconds  # DRF's exception handler sends it as Retry-After
        super().__init__(lockout.message(seconds))


class LoginView(APIView):
    """``POST {username, password}`` → a new token ``{token, expiry, user}``.

    No session is started: the token, which ends after ``API_TOKEN_TTL`` and can be revoked, is the
    only credential it hands out. The login is still signalled (last login, django-axes' log).
    """

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=serializers.LoginSerializer,
        responses={
            200: serializers.LoginResultSerializer,
            400: schema.ValidationErrors,
            413: schema.TOO_LARGE,
            429: LOCKED_OUT,
        },
        auth=[],
    )
    def post(self, request):
        credentials = serializers.LoginSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(request, **credentials.validated_data)
        if user is None:
            if getattr(request, "axes_locked_out", False):
                raise LockedOut(lockout.seconds_left(credentials.validated_data["username"], lockout_address(request)))
            raise ValidationError(
                {"non_field_errors": ["Unable to log in with the given username and password."]},
                code="invalid_credentials",
            )
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        token, key = tokens.issue(user)
        result = {
            "token": key,
            "expiry": token.expiry,
            "user": {"id": user.pk, "username": user.get_username(), "roles": sorted(user_roles(user))},
        }
        return Response(serializers.LoginResultSerializer(result).data)


class LogoutView(APIView):
    """``POST``: end the token this request used (the caller's other tokens stay) and the session."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="Logged out."), 401: schema.NOT_AUTHENTICATED},
    )
    def post(self, request):
        if request.auth is not None:
            request.auth.delete()
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListView(APIView):
    """The caller's own API tokens: list them (never the tokens themselves) or revoke them all."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: serializers.ApiTokenSerializer(many=True), 401: schema.NOT_AUTHENTICATED})
    def get(self, request):
        listed = [
            {
                "id": tokens.token_id(token),
                "starts_with": tokens.starts_with(token),
                "created": token.created,
                "expiry": token.expiry,
                "current": token.pk == getattr(request.auth, "pk", None),
            }
            for token in tokens.live_tokens(request.user)
        ]
        return Response(serializers.ApiTokenSerializer(listed, many=True).data)

    @extend_schema(
        operation_id="auth_tokens_revoke_all",
        responses={204: OpenApiResponse(description="Every token of the caller ended."), 401: schema.NOT_AUTHENTICATED},
    )
    def delete(self, request):
        tokens.revoke_all(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenView(APIView):
    """One of the caller's own API tokens."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_tokens_revoke",
        responses={
            204: OpenApiResponse(description="The token ended."),
            401: schema.NOT_AUTHENTICATED,
            404: schema.NOT_FOUND,
        },
    )
    def delete(self, request, token_id):
        if not tokens.revoke(request.user, token_id):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)
