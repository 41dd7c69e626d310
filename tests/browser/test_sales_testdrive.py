"""Browser test: a store clerk books a test drive, confirms it with the htmx button, sees the day."""

import os

import pytest

from sales.models import TestDrive
from sales.tests.factories import CarModelFactory, local_slot
from stores.models import Role
from stores.tests.factories import DEFAULT_PASSWORD, StoreFactory, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_books_confirms_and_sees_the_day(live_server, page, screenshot_dir):
    store = StoreFactory(code="GZ-0001", demo_cars=1)
    make_user(Role.STAFF, store=store, username="lina")
    CarModelFactory(code="GC-M7")
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{live_server.url}/accounts/login/?next=/sales/test-drives/new/")
    page.fill("input[name=username]", "lina")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/sales/test-drives/new/")

    slot = local_slot(hour=10).strftime("%Y-%m-%d %H:%M")
    page.fill("input[name=customer_name]", "王先生")
    page.fill("input[name=customer_phone]", "13812345678")
    page.select_option("select[name=model]", "GC-M7")
    page.fill("input[name=slot]", slot)
    page.click("[data-testid=booking-form] button[type=submit]")
    page.wait_for_url("**/sales/test-drives/*/")
    assert "13812345678" in page.content()

    # The htmx button swaps the status card in place.
    page.click("#testdrive-status button:has-text('Confirm'), #testdrive-status button:has-text('确认')")
    page.wait_for_selector("#testdrive-status [data-status=confirmed]")
    assert TestDrive.objects.get().status == "confirmed"

    # A second customer for the same slot is refused with the reason and alternatives; input kept.
    page.goto(f"{live_server.url}/sales/test-drives/new/")
    page.fill("input[name=customer_name]", "李女士")
    page.fill("input[name=customer_phone]", "13912345678")
    page.fill("input[name=slot]", slot)
    page.click("[data-testid=booking-form] button[type=submit]")
    page.wait_for_selector("[data-testid=alternatives]")
    assert page.input_value("input[name=customer_name]") == "李女士"
    page.screenshot(path=str(screenshot_dir / "sales-booking-refused.png"), full_page=True)

    page.goto(f"{live_server.url}/sales/test-drives/day/?date={local_slot().date().isoformat()}")
    assert page.locator("[data-testid=day-slots] .list-group-item").count() == 12
    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet at the desk
    page.screenshot(path=str(screenshot_dir / "sales-day-view.png"), full_page=True)
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p]


def test_manager_allocates_and_delivers_an_order_then_sees_the_vehicle_life(live_server, page, screenshot_dir):
    from sales.tests.factories import CustomerFactory, OrderFactory, VehicleFactory

    store = StoreFactory(code="GZ-0001")
    make_user(Role.MANAGER, store=store, username="wangfang")
    model = CarModelFactory(code="GC-M7")
    order = OrderFactory(store=store, model=model, status="paid", customer=CustomerFactory(phone="13812345678"))
    vehicle = VehicleFactory(store=store, model=model, status="in_stock")

    page.goto(f"{live_server.url}/accounts/login/?next={order.get_absolute_url()}")
    page.fill("input[name=username]", "wangfang")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{order.get_absolute_url()}")
    page.fill("#allocate-vin", vehicle.vin)
    page.click("[data-testid=allocate-form] button[type=submit]")
    page.wait_for_selector(f"a[href='{vehicle.get_absolute_url()}']")
    page.once("dialog", lambda dialog: dialog.accept())  # "Hand the car to the customer now?"
    page.click("form:has(input[name=action][value=deliver]) button")
    page.wait_for_load_state()
    page.screenshot(path=str(screenshot_dir / "sales-order-delivered.png"), full_page=True)
    vehicle.refresh_from_db()
    assert vehicle.status == "delivered" and vehicle.owner_id == order.customer_id

    page.goto(f"{live_server.url}{vehicle.get_absolute_url()}")
    assert order.number in page.content()
    assert "13812345678" in page.content()
    page.screenshot(path=str(screenshot_dir / "sales-vehicle-life.png"), full_page=True)
