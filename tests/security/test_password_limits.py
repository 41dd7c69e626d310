"""Password change and reset limits (issue #13): a hijacked session cannot brute-force the current
password; reset mails are limited per account and per client address, with the same answer."""

import pytest
from django.test import Client
from django.urls import reverse

from stores.models import Role
from stores.tests.factories import DEFAULT_PASSWORD, make_user

NEW = "Lantern-harbour-2026"


def change(client, old_password: str):
    return client.post(
        reverse("password_change"), {"old_password": old_password, "new_password1": NEW, "new_password2": NEW}
    )


def test_wrong_current_passwords_are_throttled_per_user_with_a_clear_message(
    staff_client, staff_user, settings, english
):
    for _ in range(settings.PASSWORD_CHANGE_FAILURE_LIMIT):
        assert "old_password" in change(staff_client, "not-it").context["form"].errors
    refused = change(staff_client, DEFAULT_PASSWORD)  # even the right one, now
    assert refused.status_code == 200
    assert refused.context["form"].errors["old_password"] == [
        "Too many wrong current passwords. Try again in 15 minutes."
    ]
    staff_user.refresh_from_db()
    assert staff_user.check_password(DEFAULT_PASSWORD)


def test_the_change_throttle_is_per_user(staff_client, manager_user, settings):
    for _ in range(settings.PASSWORD_CHANGE_FAILURE_LIMIT):
        change(staff_client, "not-it")
    manager = Client()
    manager.force_login(manager_user)
    assert change(manager, DEFAULT_PASSWORD).status_code == 302
    manager_user.refresh_from_db()
    assert manager_user.check_password(NEW)


def test_a_right_current_password_before_the_limit_resets_the_count(staff_client, staff_user, settings):
    for _ in range(settings.PASSWORD_CHANGE_FAILURE_LIMIT - 1):
        change(staff_client, "not-it")
    staff_client.post(
        reverse("password_change"), {"old_password": DEFAULT_PASSWORD, "new_password1": "1", "new_password2": "1"}
    )
    for _ in range(settings.PASSWORD_CHANGE_FAILURE_LIMIT - 1):
        change(staff_client, "not-it")
    assert change(staff_client, DEFAULT_PASSWORD).status_code == 302


def reset(email: str, ip: str = "203.0.113.5"):
    return Client().post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_reset_mails_are_limited_per_account_per_hour_with_the_same_answer(staff_user, mailoutbox, settings):
    answers = {reset(staff_user.email, ip=f"203.0.113.{n}")["Location"] for n in range(10)}
    unknown = reset("nobody@example.cn")["Location"]
    assert answers == {unknown} == {reverse("password_reset_done")}
    assert len(mailoutbox) == settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT == 3
    other = make_user(Role.HQ, username="other")
    reset(other.email)
    assert mailoutbox[-1].to == [other.email]  # another account is not held up


def test_reset_mails_are_limited_per_client_address_per_hour(db, mailoutbox, settings):
    users = [make_user(Role.HQ, username=f"u{n}") for n in range(settings.PASSWORD_RESET_LIMIT_PER_ADDRESS + 2)]
    for user in users:
        assert reset(user.email, ip="198.51.100.7").status_code == 302
    assert len(mailoutbox) == settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    reset(users[-1].email, ip="198.51.100.8")
    assert mailoutbox[-1].to == [users[-1].email]


def test_the_reset_limit_counts_the_client_behind_the_proxy(staff_user, mailoutbox, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 1
    other = make_user(Role.HQ, username="other")
    for user, client_address in [(staff_user, "203.0.113.1"), (other, "203.0.113.2")]:
        Client().post(
            reverse("password_reset"),
            {"email": user.email},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=client_address,
        )
    assert [m.to for m in mailoutbox] == [[staff_user.email], [other.email]]


@pytest.mark.parametrize("name", ["PASSWORD_RESET_LIMIT_PER_ACCOUNT", "PASSWORD_RESET_LIMIT_PER_ADDRESS"])
def test_reset_limits_have_sensible_defaults(name):
    from django.conf import settings

    assert 1 <= getattr(settings, name) <= 50


def test_the_admins_password_change_is_the_throttled_one(hq_client, hq_user):
    """The admin's own password-change form would be an unthrottled way to guess: it sends to the portal's."""
    response = hq_client.get(reverse("admin:password_change"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    hq_client.post(
        reverse("admin:password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    hq_user.refresh_from_db()
    assert hq_user.check_password(DEFAULT_PASSWORD)  # the admin's form no longer takes passwords
