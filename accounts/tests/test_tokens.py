"""API tokens: hashed, a new one per login, ending after API_TOKEN_TTL, revocable by their owner and ADMIN."""

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import tokens

TEMPLATES = "/api/reports/templates/"


def login(username="doctor"):
    response = APIClient().post("/api/auth/login/", {"username": username, "password": f"pw-{username}"})
    assert response.status_code == 200, response.content
    return response.json()


def using(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def staff(make_user):
    user = make_user("ADMIN", superuser=True)
    user.is_staff = True
    user.save()
    browser = Client()
    browser.force_login(user)
    return browser


def test_each_login_returns_a_new_token_ending_api_token_ttl_later(doctor, settings):
    first, second = login(), login()
    assert first["token"] != second["token"]
    assert first["user"] == {"id": doctor.pk, "username": "doctor", "roles": ["DOCTOR"]}
    left = dt.datetime.fromisoformat(first["expiry"]) - timezone.now()
    assert abs(left - dt.timedelta(seconds=settings.API_TOKEN_TTL)) < dt.timedelta(seconds=30)
    assert settings.API_TOKEN_TTL == 10 * 60 * 60
    assert using(first["token"]).get(TEMPLATES).status_code == 200
    assert using(second["token"]).get(TEMPLATES).status_code == 200


def test_an_api_login_hands_out_the_token_only_and_no_session(doctor):
    client = APIClient()
    response = client.post("/api/auth/login/", {"username": "doctor", "password": "pw-doctor"})
    assert response.status_code == 200
    assert client.get(TEMPLATES).status_code == 401  # no logged-in session: only the token opens the API
    doctor.refresh_from_db()
    assert doctor.last_login is not None  # the login is still recorded


def test_tokens_are_stored_as_digests_and_the_old_plain_text_table_is_gone(doctor):
    token = login()["token"]
    stored = AuthToken.objects.get()
    assert stored.digest == hashlib.sha512(token.encode()).hexdigest()
    assert token not in {stored.digest, stored.token_key}
    assert "authtoken_token" not in connection.introspection.table_names()


def test_a_token_ends_at_its_expiry_however_much_it_is_used(doctor):
    client = using(login()["token"])
    expiry = AuthToken.objects.get().expiry
    assert client.get(TEMPLATES).status_code == 200
    assert AuthToken.objects.get().expiry == expiry  # not sliding
    AuthToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(TEMPLATES).status_code == 401


def test_logout_ends_the_token_used_and_no_other(doctor):
    first, second = login()["token"], login()["token"]
    assert using(first).post("/api/auth/logout/").status_code == 204
    assert using(first).get(TEMPLATES).status_code == 401
    assert using(second).get(TEMPLATES).status_code == 200


def test_owners_list_their_tokens_without_the_tokens_and_revoke_one_or_all(doctor, make_user):
    first, second = login()["token"], login()["token"]
    nurse = make_user("NURSE", username="nurse")
    nurses = login("nurse")["token"]
    client = using(second)

    listed = client.get("/api/auth/tokens/").json()
    assert {item["starts_with"] for item in listed} == {first[:8], second[:8]}
    assert all(first not in str(item) and second not in str(item) for item in listed)
    assert sorted(item["current"] for item in listed) == [False, True]
    first_id = next(item["id"] for item in listed if not item["current"])

    nurse_token_id = tokens.token_id(AuthToken.objects.get(user=nurse))
    assert client.delete(f"/api/auth/tokens/{nurse_token_id}/").status_code == 404
    assert client.delete(f"/api/auth/tokens/{first_id}/").status_code == 204
    assert using(first).get(TEMPLATES).status_code == 401
    assert using(second).get(TEMPLATES).status_code == 200
    assert client.delete("/api/auth/tokens/").status_code == 204
    assert using(second).get(TEMPLATES).status_code == 401
    assert using(nurses).get(TEMPLATES).status_code == 200


def test_a_new_password_ends_every_token_and_other_changes_do_not(doctor):
    first, second = login()["token"], login()["token"]
    doctor.first_name = "Ana"
    doctor.save()
    login()  # saves last_login
    assert using(first).get(TEMPLATES).status_code == 200
    doctor.set_password("a-new-password-for-doctor")
    doctor.save()
    assert using(first).get(TEMPLATES).status_code == 401
    assert using(second).get(TEMPLATES).status_code == 401


def test_changing_the_password_on_the_page_ends_every_token(doctor):
    token = login()["token"]
    browser = Client()
    browser.force_login(doctor)
    new = "a-new-password-for-doctor"
    response = browser.post(
        "/accounts/password_change/", {"old_password": "pw-doctor", "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert using(token).get(TEMPLATES).status_code == 401


def test_deactivation_ends_every_token(doctor):
    login()
    doctor.is_active = False
    doctor.save()
    assert not AuthToken.objects.exists()


def test_admin_lists_and_revokes_any_users_tokens_without_reading_them(doctor, staff):
    first, second = login()["token"], login()["token"]
    listing = staff.get("/admin/knox/authtoken/").content.decode()
    assert "doctor" in listing and first[:8] in listing
    assert first not in listing and second not in listing
    assert staff.get("/admin/knox/authtoken/add/").status_code == 403
    assert staff.get("/admin/authtoken/tokenproxy/").status_code == 404  # DRF's plain-text tokens are gone

    record = AuthToken.objects.get(token_key=first[:15])
    staff.post("/admin/knox/authtoken/", {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"})
    assert using(first).get(TEMPLATES).status_code == 401
    assert using(second).get(TEMPLATES).status_code == 200
    staff.post("/admin/auth/user/", {"action": "end_api_tokens", "_selected_action": [doctor.pk]})
    assert using(second).get(TEMPLATES).status_code == 401
