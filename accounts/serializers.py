"""What the login and token endpoints read and answer."""

from rest_framework import serializers


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class LoggedInUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


class LoginResultSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`; shown only here, only once.")
    expiry = serializers.DateTimeField(help_text="When the token ends (API_TOKEN_TTL after this login; not extended).")
    user = LoggedInUserSerializer()


class ApiTokenSerializer(serializers.Serializer):
    """One of the caller's tokens, without the token itself."""

    id = serializers.CharField(help_text="Names the token in `DELETE /api/auth/tokens/{token_id}/`.")
    starts_with = serializers.CharField(help_text="The token's first characters, to recognise it.")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField()
    current = serializers.BooleanField(help_text="Whether this request was authenticated with it.")
