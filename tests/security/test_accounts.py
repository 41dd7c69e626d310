"""Accounts: login throttling (django-axes), password rules, session expiry, inactive users."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from stores.tests.factories import DEFAULT_PASSWORD

LOGIN = "/accounts/login/"


def attempt(client, username, password, ip="10.9.8.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_username_and_address_and_show_the_lockout_page(staff_user):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, "staff", "wrong-password")
        assert response.status_code == 200  # the login form again, with its error
    locked = attempt(client, "staff", "wrong-password")
    assert locked.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    # Locked: even the right password is refused, and no session is opened.
    again = attempt(client, "staff", DEFAULT_PASSWORD)
    assert again.status_code == 429
    assert SESSION_KEY not in client.session


def test_the_lockout_is_for_that_username_and_address_only(staff_user, manager_user):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "staff", "wrong-password")
    assert attempt(Client(), "staff", DEFAULT_PASSWORD, ip="10.9.8.99").status_code == 302  # another address
    assert attempt(Client(), "manager", DEFAULT_PASSWORD).status_code == 302  # another user, same address


def test_a_success_before_the_limit_resets_the_count(staff_user):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "staff", "wrong-password")
    assert attempt(client, "staff", DEFAULT_PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "staff", "wrong-password").status_code == 200


def test_lockout_cools_off_after_fifteen_minutes():
    assert settings.AXES_COOLOFF_TIME == 0.25  # hours
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


@pytest.mark.parametrize("password", ["12345678", "password", "qwertyuiop", "staff@example.cn", "short"])
def test_weak_passwords_are_refused(staff_user, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=staff_user)


def test_password_validators_are_djangos_four():
    names = {v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert names >= {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }


def test_password_change_refuses_a_weak_password_and_keeps_the_old(staff_client, staff_user):
    response = staff_client.post(
        reverse("password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    staff_user.refresh_from_db()
    assert staff_user.check_password(DEFAULT_PASSWORD)


def test_session_ends_with_the_browser_and_after_a_working_day(staff_user):
    client = Client()
    assert attempt(client, "staff", DEFAULT_PASSWORD).status_code == 302
    assert client.session.get_expire_at_browser_close()
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie


def test_an_expired_session_is_sent_back_to_login(staff_client):
    assert staff_client.get("/").status_code == 200
    session = staff_client.session
    session.set_expiry(timezone.now() - dt.timedelta(seconds=1))
    session.save()
    response = staff_client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client, staff_user, mailoutbox):
    known = client.post(reverse("password_reset"), {"email": staff_user.email})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.cn"})
    inactive_user = staff_user.__class__.objects.create(username="gone", email="gone@example.cn", is_active=False)
    inactive = client.post(reverse("password_reset"), {"email": inactive_user.email})
    assert known.status_code == unknown.status_code == inactive.status_code == 302
    assert known["Location"] == unknown["Location"] == inactive["Location"]
    done = client.get(known["Location"])
    assert done.status_code == 200
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [staff_user.email]


def test_a_user_deactivated_by_the_staff_feed_is_logged_out_on_the_next_request(tmp_path, store):
    header = "username,full_name,email,role,store_code,active\n"
    roster = tmp_path / "staff.csv"
    roster.write_text(header + "wang.li,王丽,wang.li@example.cn,staff,GZ-0001,1\n", encoding="utf-8")
    call_command("sync_staff", str(roster), stdout=open("/dev/null", "w"))  # noqa: SIM115
    user = staff_user_model().objects.get(username="wang.li")
    assert not user.has_usable_password()  # new users set a password through the reset flow
    user.set_password(DEFAULT_PASSWORD)
    user.save()
    client = Client()
    assert attempt(client, "wang.li", DEFAULT_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200

    roster.write_text(header + "wang.li,王丽,wang.li@example.cn,staff,GZ-0001,0\n", encoding="utf-8")
    call_command("sync_staff", str(roster), stdout=open("/dev/null", "w"))  # noqa: SIM115

    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert SESSION_KEY not in client.session
    assert attempt(Client(), "wang.li", DEFAULT_PASSWORD).status_code == 200  # cannot log in again
    assert staff_user_model().objects.filter(username="wang.li").exists()  # nothing lost


def staff_user_model():
    from django.contrib.auth import get_user_model

    return get_user_model()
