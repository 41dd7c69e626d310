import datetime as dt

from aftersales.maintenance import add_months, maintenance_due
from aftersales.tests.factories import VehicleFactory


def test_due_by_date_since_delivery(store):
    vehicle = VehicleFactory(store=store, delivered_on=dt.date(2025, 1, 31), mileage_km=100)
    due = maintenance_due(vehicle, dt.date(2026, 1, 30))
    assert (due.is_due, due.due_on) == (False, dt.date(2026, 1, 31))
    due = maintenance_due(vehicle, dt.date(2026, 1, 31))
    assert due.is_due and due.by_date and not due.by_km
    assert due.due_point == "since:2025-01-31:0"


def test_due_by_mileage_first_and_counted_from_last_service(store):
    vehicle = VehicleFactory(
        store=store, delivered_on=dt.date(2026, 1, 1), mileage_km=45_000,
        last_service_on=dt.date(2026, 6, 1), last_service_km=25_000,
    )  # fmt: skip
    due = maintenance_due(vehicle, dt.date(2026, 7, 1))
    assert due.is_due and due.by_km and not due.by_date
    assert due.due_km == 45_000
    assert due.due_point == "since:2026-06-01:25000"


def test_month_arithmetic_clamps_to_month_end():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 15), 14) == dt.date(2028, 1, 15)
