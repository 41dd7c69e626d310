"""Login throttling behind the HTTPS proxy (issue #13): the lock is per username and client address,
the client address being the one the trusted proxy saw, not the proxy's own."""

import pytest
from django.conf import settings
from django.test import Client

from core.accounts.client_ip import client_ip
from stores.tests.factories import DEFAULT_PASSWORD

LOGIN = "/accounts/login/"
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _one_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def via_proxy(username: str, password: str, forwarded_for: str):
    """A login POST as the proxy passes it on: REMOTE_ADDR is the proxy, the client is in X-Forwarded-For."""
    return Client().post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for
    )


def lock(username: str, forwarded_for: str) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        via_proxy(username, "wrong-password", forwarded_for)
    assert via_proxy(username, DEFAULT_PASSWORD, forwarded_for).status_code == 429


def test_a_lock_for_user_a_from_x_spares_user_b_and_user_a_from_y(staff_user, manager_user):
    lock("staff", "203.0.113.10")
    assert via_proxy("manager", DEFAULT_PASSWORD, "203.0.113.10").status_code == 302  # user B, address X
    assert via_proxy("staff", DEFAULT_PASSWORD, "198.51.100.20").status_code == 302  # user A, address Y


def test_a_forged_forwarded_for_entry_does_not_escape_the_lock(staff_user):
    lock("staff", "203.0.113.10")
    # The client adds its own X-Forwarded-For; the proxy appends the address it really saw.
    assert via_proxy("staff", DEFAULT_PASSWORD, "198.51.100.99, 203.0.113.10").status_code == 429


def test_client_ip_takes_the_entry_the_trusted_proxies_appended(rf, settings):
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.10, 10.0.0.1")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == PROXY
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.10"
    settings.TRUSTED_PROXY_COUNT = 4  # fewer entries than proxies: the request did not come through them
    assert client_ip(request) == PROXY
