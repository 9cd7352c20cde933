"""One lockout for every way in (API, login page, admin login), per username and per client address."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import Client
from rest_framework.test import APIClient

LIMIT = settings.AXES_FAILURE_LIMIT
COOL_OFF = int(settings.AXES_COOLOFF_TIME.total_seconds())


def api_login(username, password, address="198.51.100.1", **headers):
    return APIClient().post(
        "/api/auth/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def page_login(username, password, address="198.51.100.1", path="/accounts/login/"):
    return Client().post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def staff(make_user):
    user = make_user("ADMIN", superuser=True)
    user.is_staff = True
    user.save()
    return user


def test_after_ten_failures_the_right_password_is_refused_until_the_cool_off_has_passed(doctor):
    assert (LIMIT, COOL_OFF) == (10, 15 * 60)  # as documented
    statuses = [api_login("doctor", f"wrong-{n}").status_code for n in range(LIMIT)]
    assert statuses == [400] * (LIMIT - 1) + [429]
    refused = api_login("doctor", "pw-doctor")
    assert refused.status_code == 429
    assert COOL_OFF - 5 <= int(refused["Retry-After"]) <= COOL_OFF
    assert refused.json()["detail"].startswith("Too many failed logins for this username or from this address.")
    assert "pw-doctor" not in refused.content.decode()

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME)
    assert api_login("doctor", "pw-doctor").status_code == 200


def test_the_api_the_login_page_and_the_admin_login_share_one_count_per_username(doctor, staff):
    for n in range(4):
        api_login("doctor", f"wrong-{n}", address="198.51.100.1")
    for n in range(3):
        assert page_login("doctor", f"wrong-{n}", address="198.51.100.2").status_code == 200
    for n in range(LIMIT - 7):
        page_login("doctor", f"wrong-{n}", address="198.51.100.3", path="/admin/login/")

    assert api_login("doctor", "pw-doctor", address="198.51.100.4").status_code == 429
    for path in ("/accounts/login/", "/admin/login/"):
        page = page_login("doctor", "pw-doctor", address="198.51.100.4", path=path)
        assert page.status_code == 429
        assert "Too many failed logins" in page.content.decode()
        assert "Try again in 15 minutes" in page.content.decode()
        assert int(page["Retry-After"]) > 0
        assert "_auth_user_id" not in page.wsgi_request.session
    # Another user is not locked out by the doctor's failures.
    assert page_login(staff.username, f"pw-{staff.username}", address="198.51.100.4").status_code == 302


def test_one_address_is_locked_out_after_failures_for_many_usernames(doctor):
    for n in range(LIMIT):
        api_login(f"guess{n}", "x", address="198.51.100.9")
    assert api_login("doctor", "pw-doctor", address="198.51.100.9").status_code == 429
    assert page_login("doctor", "pw-doctor", address="198.51.100.9").status_code == 429
    assert api_login("doctor", "pw-doctor", address="198.51.100.10").status_code == 200


def test_one_ipv6_host_cannot_escape_the_address_lockout_by_changing_addresses_in_its_64(doctor):
    for n in range(LIMIT):
        api_login(f"guess{n}", "x", address=f"2001:db8:0:7::{n + 1:x}")
    assert api_login("doctor", "pw-doctor", address="2001:db8:0:7:ffff::1").status_code == 429
    assert api_login("doctor", "pw-doctor", address="2001:db8:0:8::1").status_code == 200


def test_a_forged_x_forwarded_for_does_not_escape_the_address_lockout(doctor):
    statuses = [
        api_login(f"guess{n}", "x", address="198.51.100.9", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(40)
    ]
    assert statuses == [400] * (LIMIT - 1) + [429] * (40 - LIMIT + 1)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.9"}


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_count(doctor, settings):
    settings.TRUSTED_PROXIES = frozenset({"10.0.0.0/24"})
    for n in range(LIMIT):
        api_login(f"guess{n}", "x", address="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert api_login("doctor", "pw-doctor", address="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 429
    assert api_login("doctor", "pw-doctor", address="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 200


def test_an_admin_unlocks_a_user_from_the_admin(doctor, staff):
    for n in range(LIMIT):
        api_login("doctor", f"wrong-{n}", address=f"198.51.100.{n + 1}")
    assert api_login("doctor", "pw-doctor", address="198.51.100.50").status_code == 429

    browser = Client()
    browser.force_login(staff)
    assert browser.get("/admin/axes/accessattempt/").status_code == 200
    response = browser.post(
        "/admin/auth/user/", {"action": "unlock_login", "_selected_action": [doctor.pk]}, follow=True
    )
    assert "1 user(s) unlocked" in response.content.decode()
    assert api_login("doctor", "pw-doctor", address="198.51.100.50").status_code == 200
