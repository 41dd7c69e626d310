"""Several clerks booking or confirming at the same moment (PostgreSQL: real concurrent sessions).

Every call's outcome is kept, whatever it raised, and asserted: a crashed thread fails the test.
"""

import itertools
import threading
import time

import pytest
from django.db import connection, connections

from sales import services
from sales.models import Customer, TestDrive, Vehicle
from sales.services import customers
from sales.tests.factories import CarModelFactory, TestDriveFactory, VehicleFactory, local_slot
from stores.models import Role, SlotLoad
from stores.tests.factories import StoreFactory, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for concurrent sessions"),
]


def race(calls) -> list:
    """Start the calls together, each in its own thread and connection; their results or exceptions."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except BaseException as exc:  # noqa: BLE001  (kept, and asserted by the test)
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
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
    outcomes = _race_outcomes(race([_book(user, store, model, slot, f"1390000000{i}") for i in range(6)]))
    assert sorted(outcomes) == ["booked", "booked", "full", "full", "full", "full"]
    assert TestDrive.objects.count() == 2
    assert SlotLoad.objects.get(store=store, starts_at=slot).booked == 2


def _race_outcomes(outcomes) -> list[str]:
    """Each call's outcome as a word; anything but a booking or a refusal for a full slot fails."""
    words = []
    for outcome in outcomes:
        if isinstance(outcome, services.BookingResult):
            words.append("booked" if outcome.created else "existing")
        elif isinstance(outcome, services.BookingRefused) and outcome.codes == ["full"]:
            words.append("full")
        else:
            pytest.fail(f"a booking call ended in {outcome!r}")
    return words


def test_concurrent_double_submit_for_a_new_number_books_once(monkeypatch):
    # Each request after the first finds no customer, then waits a little longer before inserting
    # it: the first one commits meanwhile, as it did under load.
    lookup, order = customers._by_phone, itertools.count()

    def slow_lookup(number):
        found = lookup(number)
        if found is None:
            time.sleep(0.3 * next(order))
        return found

    monkeypatch.setattr(customers, "_by_phone", slow_lookup)
    store = StoreFactory(code="GZ-TWICE", demo_cars=5)
    user = make_user(Role.STAFF, store=store)
    model = CarModelFactory(code="GC-TWICE")
    for round_ in range(3):
        slot, phone = local_slot(days=1 + round_), f"1390000010{round_}"
        order = itertools.count()
        outcomes = race([_book(user, store, model, slot, phone) for _ in range(4)])
        assert sorted(_race_outcomes(outcomes)) == ["booked", "existing", "existing", "existing"]
        assert len({o.test_drive.pk for o in outcomes}) == 1
        assert Customer.objects.filter(phone=phone).count() == 1
        assert TestDrive.objects.filter(slot_start=slot).count() == 1
        assert SlotLoad.objects.get(store=store, starts_at=slot).booked == 1


def test_drives_confirmed_at_the_same_moment_get_different_demo_cars():
    store = StoreFactory(code="GZ-CARS", demo_cars=2)
    model = CarModelFactory(code="GC-CARS")
    cars = {VehicleFactory(store=store, model=model, status=Vehicle.Status.DEMO).pk for _ in range(2)}
    for round_ in range(8):
        slot = local_slot(days=1 + round_)
        drives = [TestDriveFactory(store=store, model=model, slot_start=slot) for _ in range(2)]
        outcomes = race([lambda d=d: services.test_drive_transition(test_drive=d, action="confirm") for d in drives])
        assert all(isinstance(o, TestDrive) and o.status == "confirmed" for o in outcomes), outcomes
        assert {o.demo_vehicle_id for o in outcomes} == cars, f"round {round_}: both drives got the same car"
