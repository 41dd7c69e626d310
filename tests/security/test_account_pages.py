"""The account pages are the portal's own (issue #18): login, password reset (form, done, confirm,
complete) and password change use the portal's base template, in the user's language, and never
the admin's 'Django administration' pages."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

LANGUAGES = ["zh-hans", "en"]


def reset_link(user) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse(
        "password_reset_confirm", kwargs={"uidb64": uidb64, "token": default_token_generator.make_token(user)}
    )


def pages(staff_user) -> dict[str, tuple[bool, str]]:
    """name → (logged in?, path)"""
    return {
        "login": (False, reverse("login")),
        "reset form": (False, reverse("password_reset")),
        "reset done": (False, reverse("password_reset_done")),
        "reset confirm": (False, reset_link(staff_user)),
        "reset confirm, bad link": (False, reverse("password_reset_confirm", args=["MQ", "bad-token"])),
        "reset complete": (False, reverse("password_reset_complete")),
        "change form": (True, reverse("password_change")),
        "change done": (True, reverse("password_change_done")),
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_account_pages_use_the_portal_base_template_in_the_users_language(staff_user, language):
    brand = f'<html lang="{language}">'
    for name, (logged_in, path) in pages(staff_user).items():
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.cookies["django_language"] = language
        if logged_in:
            client.force_login(staff_user)
        response = client.get(path, follow=True)
        assert response.status_code == 200, name
        used = [t.name for t in response.templates]
        assert "base.html" in used and "registration/account_base.html" in used, (name, used)
        assert not [t for t in used if t.startswith("admin/")], (name, used)
        body = response.content.decode()
        assert brand in body, name
        assert "Django" not in body, name


def test_pages_speak_chinese_by_default(staff_user):
    body = Client().get(reverse("password_reset")).content.decode()
    assert "电子邮件" in body  # Django's own catalogue: the e-mail field's label
    body = Client().get(reset_link(staff_user), follow=True).content.decode()
    assert "新密码" in body  # the new-password field


def test_the_navigation_links_to_the_password_change(staff_client):
    assert reverse("password_change") in staff_client.get(reverse("dashboard")).content.decode()


def test_the_reset_mail_is_the_portals(staff_user, mailoutbox, client, english):
    client.post(reverse("password_reset"), {"email": staff_user.email})
    (message,) = mailoutbox
    assert message.subject == "Your Goodcar portal password"
    assert "Your username: staff" in message.body and "/accounts/reset/" in message.body


# Queries per page (following the confirm link's redirect): session and user, nothing per record.
QUERY_BUDGET = {"reset confirm": 7, "reset confirm, bad link": 1, "change form": 3, "change done": 3}


def test_account_pages_stay_within_their_query_budget(staff_user, django_assert_max_num_queries):
    for name, (logged_in, path) in pages(staff_user).items():
        client = Client()
        if logged_in:
            client.force_login(staff_user)
        with django_assert_max_num_queries(QUERY_BUDGET.get(name, 0)):
            assert client.get(path, follow=True).status_code == 200, name
    with django_assert_max_num_queries(1):  # the user by address; the limits live in the cache
        Client().post(reverse("password_reset"), {"email": staff_user.email})
