"""Test-drive requests without a store go to the nearest store that can take them, explained."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.models import Notification
from sales.models import Customer, TestDrive
from sales.services import dispatch
from sales.tests.factories import CarModelFactory
from stores.models import SlotLoad, Store
from stores.tests.factories import StoreFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 24, 20, 0, tzinfo=SHANGHAI)
SLOT = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
# The customer stands in Tianhe, Guangzhou.
LAT, LNG = 23.13, 113.33


def km_east(km: float) -> float:
    return LNG + km / 102.3  # about 102 km per degree of longitude at 23° N


@pytest.fixture
def model(db):
    return CarModelFactory(code="GC-S7", service_months=12, service_km=20_000)


def make_request(model, n: int = 1, slot: dt.datetime = SLOT) -> TestDrive:
    customer = Customer.objects.create(name=f"客户{n}", phone=f"1390000{n:04d}")
    return TestDrive.objects.create(customer=customer, model=model, slot_start=slot, customer_lat=LAT, customer_lng=LNG)


def store_at(code: str, km: float, **extra) -> Store:
    return StoreFactory(code=code, lat=LAT, lng=km_east(km), demo_cars=1, **extra)


def test_request_goes_to_nearest_store_able_to_take_it_with_the_reasons(model):
    store_at("GZ-NOCAP", 0.5, capabilities="maintenance|repair")
    store_at("GZ-SUSP", 1, status=Store.Status.SUSPENDED)
    store_at("GZ-SHUT", 1.5, status=Store.Status.CLOSED)
    store_at("GZ-LATE", 2, opens_minute=12 * 60)  # opens at noon: closed at 10:00..12:00
    wanted = store_at("GZ-NEAR", 3)
    store_at("GZ-FAR", 8)
    request = make_request(model)

    counts = dispatch.dispatch_waiting(now=NOW)

    request.refresh_from_db()
    assert counts == {"waiting": 1, "assigned": 1, "unassigned": 0}
    assert request.store == wanted
    assert request.status == TestDrive.Status.ASSIGNED
    assert request.slot_start == SLOT
    note = request.dispatch_note
    assert note["reason"] == "nearest_with_capacity"
    assert note["store"] == "GZ-NEAR"
    assert 2.9 < note["distance_km"] < 3.1
    why = {row["store"]: row["why"] for row in note["passed_over"]}
    assert why == {
        "GZ-NOCAP": "no_capability",
        "GZ-SUSP": "suspended",
        "GZ-SHUT": "closed",
        "GZ-LATE": "closed_at_that_hour",
    }
    assert SlotLoad.objects.get(store=wanted).booked == 1


def test_full_slot_moves_to_the_nearest_slot_within_two_hours(model):
    store = store_at("GZ-ONE", 1)
    first, second = make_request(model, 1), make_request(model, 2)

    dispatch.dispatch_waiting(now=NOW)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.store == second.store == store
    assert first.slot_start == SLOT
    assert second.slot_start == SLOT + dt.timedelta(hours=1)


def test_request_with_no_store_in_reach_stays_waiting_and_explained(model):
    store_at("GZ-FARAWAY", 80)
    store_at("GZ-SUSP", 1, status=Store.Status.SUSPENDED)
    request = make_request(model)

    counts = dispatch.dispatch_waiting(now=NOW)

    request.refresh_from_db()
    assert counts == {"waiting": 1, "assigned": 0, "unassigned": 1}
    assert request.store is None
    assert request.status == TestDrive.Status.REQUESTED
    assert request.dispatch_note["reason"] == "fallback_unassigned"
    assert request.dispatch_note["passed_over"] == [{"store": "GZ-SUSP", "distance_km": 1.0, "why": "suspended"}]
    assert not SlotLoad.objects.filter(booked__gt=0).exists()


def test_closed_suspended_and_closed_at_that_hour_stores_get_nothing(model):
    store_at("GZ-SUSP", 1, status=Store.Status.SUSPENDED)
    store_at("GZ-SHUT", 1, status=Store.Status.CLOSED)
    store_at("GZ-NIGHT", 1, opens_minute=18 * 60, closes_minute=23 * 60)
    for n in range(5):
        make_request(model, n)

    counts = dispatch.dispatch_waiting(now=NOW)

    assert counts["assigned"] == 0
    assert not TestDrive.objects.filter(store__isnull=False).exists()
    assert not SlotLoad.objects.exists()


def test_a_slot_that_has_passed_is_not_offered(model):
    store_at("GZ-ONE", 1, opens_minute=0, closes_minute=1440)
    request = make_request(model, slot=NOW + dt.timedelta(hours=1))
    make_request(model, 2, slot=NOW + dt.timedelta(hours=1))

    dispatch.dispatch_waiting(now=NOW)

    request.refresh_from_db()
    slots = sorted(TestDrive.objects.values_list("slot_start", flat=True))
    assert all(slot > NOW for slot in slots)
    assert slots == [NOW + dt.timedelta(hours=1), NOW + dt.timedelta(hours=2)]


def test_dispatch_twice_books_once_and_confirms_once(model, django_capture_on_commit_callbacks):
    store_at("GZ-ONE", 1)
    request = make_request(model)

    with django_capture_on_commit_callbacks(execute=True):
        first = dispatch.dispatch_waiting(now=NOW)
        second = dispatch.dispatch_waiting(now=NOW)

    request.refresh_from_db()
    assert first["assigned"] == 1
    assert second == {"waiting": 0, "assigned": 0, "unassigned": 0}
    assert SlotLoad.objects.get().booked == 1
    confirmation = Notification.objects.get()
    assert confirmation.recipient == request.customer.phone
    assert confirmation.status == Notification.Status.SENT


def test_test_drive_page_explains_the_dispatch_decision(model, hq_client):
    store_at("GZ-SUSP", 1, status=Store.Status.SUSPENDED)
    store_at("GZ-NEAR", 3)
    request = make_request(model)
    dispatch.dispatch_waiting(now=NOW)

    body = hq_client.get(request.get_absolute_url()).content.decode()

    assert "dispatch-note" in body
    assert "GZ-NEAR" in body
    assert "GZ-SUSP" in body
