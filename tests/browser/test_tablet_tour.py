"""Every main page, as each role, in Chinese, at both tablet orientations: styled, nothing wider than the screen."""

import os

import pytest

from aftersales.models import Kind
from aftersales.tests.factories import VehicleFactory, make_ticket
from sales.models import Vehicle
from sales.tests.factories import CustomerFactory, OrderFactory, TestDriveFactory, local_slot
from stores.models import Role
from stores.tests.factories import StoreFactory, make_user

from .test_journeys import Watch, assert_styled, log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANDSCAPE, PORTRAIT = {"width": 1180, "height": 820}, {"width": 820, "height": 1180}
PAGES = {
    Role.STAFF: ["/", "/sales/test-drives/", "/sales/test-drives/day/", "/sales/orders/", "/aftersales/tickets/",
                 "/aftersales/tickets/new/", "TICKET", "JOBCARD", "VEHICLE", "/stores/GZ-0001/"],
    Role.MANAGER: ["/", "/aftersales/tickets/", "/sales/orders/deliveries/"],
    Role.REGIONAL: ["/", "/aftersales/unassigned/", "/stores/", "/stores/nearest/"],
    Role.HQ: ["/", "/aftersales/recalls/", "/aftersales/tickets/"],
}  # fmt: skip


@pytest.mark.parametrize("role", list(PAGES))
def test_main_pages_fit_a_tablet(live_server, page, screenshot_dir, role, now):
    store = StoreFactory(code="GZ-0001", name="广州天河服务中心")
    user = make_user(role, store=store, provinces=["广东省"], username=f"u-{role}")
    user.first_name, user.last_name = "晓明", "王"
    user.save()
    vehicle = VehicleFactory(store=store, status=Vehicle.Status.DELIVERED, owner=CustomerFactory())
    ticket = make_ticket(store=store, vehicle=vehicle, kind=Kind.REPAIR, summary="右前轮异响，客户要求当天取车")
    ticket.assignee = user if role in (Role.STAFF, Role.MANAGER) else None
    ticket.save()
    make_ticket(store=None, vehicle=VehicleFactory(store=store), kind=Kind.MAINTENANCE, province="广东省")
    TestDriveFactory(store=store, slot_start=local_slot(days=0, hour=15))
    OrderFactory(store=store)
    watch = Watch(page, live_server.url)
    log_in(page, live_server, f"u-{role}")
    named = {"TICKET": ticket.get_absolute_url(), "JOBCARD": f"{ticket.get_absolute_url()}job-card/",
             "VEHICLE": vehicle.get_absolute_url()}  # fmt: skip

    too_wide = []
    for path in PAGES[role]:
        url = named.get(path, path)
        for size, name in ((LANDSCAPE, "landscape"), (PORTRAIT, "portrait")):
            page.set_viewport_size(size)
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, url
            page.wait_for_load_state("networkidle")
            assert_styled(page) if path != "JOBCARD" else None
            if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"):
                too_wide.append(f"{url} {name}")
            slug = url.strip("/").replace("/", "_") or "dashboard"
            page.screenshot(path=str(screenshot_dir / f"tour-{role}-{slug}-{name}.png"), full_page=True)
    assert too_wide == []
    watch.check()
