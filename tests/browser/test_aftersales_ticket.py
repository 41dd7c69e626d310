"""Browser test: staff open a ticket, move it and comment on it through htmx, then find it in the queue."""

import os

import pytest
from playwright.sync_api import expect

from aftersales.models import Ticket
from aftersales.tests.factories import VehicleFactory
from stores.models import Role
from stores.tests.factories import DEFAULT_PASSWORD, StoreFactory, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_open_move_and_comment_on_a_ticket(live_server, page, screenshot_dir):
    store = StoreFactory(code="GZ-0001")
    vehicle = VehicleFactory(store=store)
    make_user(Role.STAFF, store=store, username="lina")
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
    page.set_viewport_size({"width": 1024, "height": 768})

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "lina")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/aftersales/tickets/new/")
    page.fill("input[name=vin]", vehicle.vin)
    page.select_option("select[name=kind]", "repair")
    page.select_option("select[name=priority]", "P2")
    page.fill("input[name=summary]", "右前轮异响")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/aftersales/tickets/AS-*/")
    ticket = Ticket.objects.get()
    assert page.url.endswith(ticket.get_absolute_url())

    # htmx-boosted status button: the page updates in place.
    page.locator("[data-testid=transitions] button").first.click()
    expect(page.locator("[data-testid=timeline]")).to_contain_text("→", timeout=10_000)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS

    page.fill("textarea[name=message]", "已订购配件")
    page.locator("form[action$='/comment/'] button[type=submit]").click()
    expect(page.locator("[data-testid=timeline]")).to_contain_text("已订购配件", timeout=10_000)
    page.screenshot(path=str(screenshot_dir / "aftersales-ticket.png"), full_page=True)

    # The queue filters through htmx and still lists the ticket.
    page.goto(f"{live_server.url}/aftersales/tickets/")
    page.select_option("select[name=kind]", "repair")
    page.wait_for_url("**kind=repair**")
    assert ticket.number in page.locator("#ticket-table").inner_text()
    page.screenshot(path=str(screenshot_dir / "aftersales-queue.png"), full_page=True)
    assert missing == []
    assert [e for e in errors if "favicon" not in e and "404" not in e] == []  # no CSP refusal
