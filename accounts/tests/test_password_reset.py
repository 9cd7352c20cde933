"""Password reset is routed only when mail is configured (tests/test_accounts_end_to_end.py: with mail)."""

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse


def test_without_mail_the_reset_pages_are_not_routed(client, db):
    assert not settings.EMAIL_HOST and not settings.PASSWORD_RESET_ENABLED
    for path in ("/accounts/password_reset/", "/accounts/password_reset/done/", "/accounts/reset/done/"):
        assert client.get(path).status_code == 404
    for name in ("password_reset", "password_reset_done", "password_reset_complete"):
        with pytest.raises(NoReverseMatch):
            reverse(name)
    assert "Forgot your password" not in client.get("/accounts/login/").content.decode()
