"""Browser test: a staff member logs in through the login page and sees the dashboard."""

import os

import pytest

from stores.models import Role
from stores.tests.factories import DEFAULT_PASSWORD, StoreFactory, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_logs_in_and_sees_the_dashboard(live_server, page, screenshot_dir):
    make_user(Role.STAFF, store=StoreFactory(code="GZ-0001"), username="zhangwei")

    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", "zhangwei")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")

    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").first.inner_text() in ("仪表板", "Dashboard")
    # Styled from our own static files: Bootstrap's navbar has its background colour.
    background = page.evaluate("getComputedStyle(document.querySelector('nav.navbar')).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    page.screenshot(path=str(screenshot_dir / "login-dashboard.png"), full_page=True)


def test_forgotten_password_stays_in_the_portal(live_server, page, screenshot_dir):
    """Issue #18: the link on the login page opens the portal's own page, not 'Django administration'."""
    make_user(Role.STAFF, store=StoreFactory(code="GZ-0001"), username="zhangwei")

    page.goto(f"{live_server.url}/accounts/login/")
    page.click("a[href='/accounts/password_reset/']")
    page.wait_for_url(f"{live_server.url}/accounts/password_reset/")
    assert page.locator("nav.navbar .navbar-brand").inner_text() in ("好车门户", "Goodcar portal")
    assert "Django" not in page.content()
    page.fill("input[name=email]", "zhangwei@example.cn")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/password_reset/done/")
    assert page.locator("nav.navbar").count() == 1 and "Django" not in page.content()
    page.screenshot(path=str(screenshot_dir / "password-reset-done.png"), full_page=True)
