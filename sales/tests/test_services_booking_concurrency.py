"""Several clerks booking the same slot at the same moment (PostgreSQL: real concurrent sessions)."""

import threading

import pytest
from django.db import connection, connections

from sales import services
from sales.models import TestDrive
from sales.tests.factories import CarModelFactory, local_slot
from stores.models import Role, SlotLoad
from stores.tests.factories import StoreFactory, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for concurrent sessions"),
]


def _race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            outcomes.append(call())
        except services.BookingRefused as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _book(user, store, model, slot, phone):
    return lambda: services.test_drive_book(
        user=user, customer_name="客户", customer_phone=phone, model=model, slot_start=slot, store=store
    )


def test_concurrent_bookings_never_exceed_the_demo_cars():
    store = StoreFactory(code="GZ-RACE", demo_cars=2)
    user = make_user(Role.STAFF, store=store)
    model = CarModelFactory(code="GC-RACE")
    slot = local_slot()
    outcomes = _race([_book(user, store, model, slot, f"1390000000{i}") for i in range(6)])
    assert sum(isinstance(o, services.BookingResult) for o in outcomes) == 2
    assert all(exc.codes == ["full"] for exc in outcomes if isinstance(exc, services.BookingRefused))
    assert TestDrive.objects.count() == 2
    assert SlotLoad.objects.get(store=store, starts_at=slot).booked == 2


def test_concurrent_double_submit_books_once():
    store = StoreFactory(code="GZ-TWICE", demo_cars=5)
    user = make_user(Role.STAFF, store=store)
    model = CarModelFactory(code="GC-TWICE")
    slot = local_slot()
    outcomes = _race([_book(user, store, model, slot, "13900000001") for _ in range(4)])
    assert len({o.test_drive.pk for o in outcomes}) == 1
    assert sum(o.created for o in outcomes) == 1
    assert TestDrive.objects.count() == 1
    assert SlotLoad.objects.get(store=store, starts_at=slot).booked == 1
