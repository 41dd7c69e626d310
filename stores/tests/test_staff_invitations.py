"""Onboarding (issue #13): a user created by the staff feed gets an invitation to set a first
password, after commit and once; the password-reset form serves such users too."""

import re
from urllib.parse import urlparse

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from core.tests.feedtools import sync, write_feed
from stores.tests.factories import make_user
from stores.tests.test_staff_feed import HEADER, staff_row

User = get_user_model()
NEW_PASSWORD = "Lantern-harbour-2026"


@pytest.fixture
def roster(tmp_path, store):
    def make(*rows):
        return write_feed(tmp_path / "staff.csv", HEADER, list(rows))

    return make


@pytest.fixture
def run_sync(django_capture_on_commit_callbacks):
    def run(path, *args) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            return sync("sync_staff", path, *args)

    return run


def link_in(message) -> str:
    """The path of the set-password link in an e-mail."""
    urls = re.findall(r"https?://\S+", message.body)
    (url,) = [u for u in urls if "/accounts/reset/" in u]
    return urlparse(url).path


def set_password_through(client: Client, path: str) -> None:
    form = client.get(path, follow=True)
    assert form.status_code == 200 and form.context["validlink"], "the link must open the set-password form"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert done.redirect_chain[-1][0] == reverse("password_reset_complete")


def test_feed_row_to_invitation_to_password_to_login(roster, run_sync, mailoutbox, settings):
    settings.PORTAL_URL = "https://portal.goodcar.example"
    run_sync(roster(staff_row("wang.li", email="wang.li@example.cn")))
    user = User.objects.get(username="wang.li")
    assert not user.has_usable_password()  # CONTRACT 3.2: still none until the user sets one
    (message,) = mailoutbox
    assert message.to == ["wang.li@example.cn"]
    assert "wang.li" in message.body and "https://portal.goodcar.example/accounts/reset/" in message.body

    client = Client()
    set_password_through(client, link_in(message))
    login = client.post(reverse("login"), {"username": "wang.li", "password": NEW_PASSWORD})
    assert login.status_code == 302 and client.session[SESSION_KEY] == str(user.pk)
    # The link is spent: a second use is refused.
    assert not Client().get(link_in(message), follow=True).context["validlink"]


def test_a_rerun_and_an_update_send_nothing_again(roster, run_sync, mailoutbox):
    path = roster(staff_row("wang.li"))
    run_sync(path)
    assert run_sync(path) == "staff: created=0 updated=0 unchanged=1 closed=0 rejected=0"
    run_sync(roster(staff_row("wang.li", full_name="王莉")))
    assert len(mailoutbox) == 1


def test_a_dry_run_sends_nothing(roster, run_sync, mailoutbox):
    run_sync(roster(staff_row("wang.li")), "--dry-run")
    assert mailoutbox == [] and not User.objects.filter(username="wang.li").exists()


def test_only_new_active_users_with_an_address_are_invited(roster, run_sync, mailoutbox, store):
    make_user("staff", store=store, username="known")
    rows = [staff_row("known"), staff_row("no.mail", email=""), staff_row("gone", active="0"), staff_row("new")]
    run_sync(roster(*rows))
    assert [m.to for m in mailoutbox] == [["new@example.cn"]]


def test_no_invitation_when_the_run_does_not_commit(roster, run_sync, mailoutbox, store):
    make_user("staff", store=store, username="a")
    with pytest.raises(CommandError):  # the mass-close guard refuses the run: nothing is applied
        run_sync(roster(staff_row("new")), "--full")
    assert mailoutbox == [] and not User.objects.filter(username="new").exists()


def test_the_reset_form_serves_a_feed_user_without_a_password(roster, run_sync, mailoutbox, client):
    run_sync(roster(staff_row("wang.li", email="wang.li@example.cn")))
    mailoutbox.clear()  # the invitation expired, say: the user asks again
    response = client.post(reverse("password_reset"), {"email": "wang.li@example.cn"})
    assert response.status_code == 302
    (message,) = mailoutbox
    assert message.to == ["wang.li@example.cn"]
    set_password_through(Client(), link_in(message))
    assert User.objects.get(username="wang.li").check_password(NEW_PASSWORD)


def test_the_reset_form_still_ignores_inactive_users(client, mailoutbox, store):
    user = make_user("staff", store=store, username="gone")
    user.is_active = False
    user.set_unusable_password()
    user.save()
    client.post(reverse("password_reset"), {"email": user.email})
    assert mailoutbox == []
