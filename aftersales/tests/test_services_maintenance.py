"""Maintenance due rules: months or kilometres, whichever first, from delivery or last service."""

import datetime as dt

import pytest

from aftersales.services import maintenance
from aftersales.tests.factories import CarModelFactory, VehicleFactory
from sales.models import Vehicle


@pytest.fixture
def plan_12_months_20000_km(db):
    return CarModelFactory(code="GC-PLAN", service_months=12, service_km=20_000)


def make(model, store, **fields):
    defaults = {"delivered_on": dt.date(2025, 6, 10), "mileage_km": 5_000}
    return VehicleFactory(model=model, store=store, **{**defaults, **fields})


def test_due_by_months_when_the_interval_ends_before_the_mileage(plan_12_months_20000_km, store):
    vehicle = make(plan_12_months_20000_km, store)

    assert maintenance.maintenance_due(vehicle, today=dt.date(2026, 6, 9)) is None
    due = maintenance.maintenance_due(vehicle, today=dt.date(2026, 6, 10))

    assert due.by == ("months",)
    assert due.due_on == dt.date(2026, 6, 10)
    assert due.point == "2025-06-10@0km"
    assert "2026-06-10" in due.why()


def test_due_by_km_first_counts_mileage_at_delivery_as_zero(plan_12_months_20000_km, store, english):
    vehicle = make(plan_12_months_20000_km, store, mileage_km=19_999)
    assert maintenance.maintenance_due(vehicle, today=dt.date(2025, 9, 1)) is None

    vehicle.mileage_km = 20_000
    due = maintenance.maintenance_due(vehicle, today=dt.date(2025, 9, 1))

    assert due.by == ("km",)
    assert due.due_km == 20_000
    assert "20000 km" in due.why()


def test_both_intervals_reached_make_one_due_point(plan_12_months_20000_km, store):
    vehicle = make(plan_12_months_20000_km, store, mileage_km=70_000)  # three intervals missed

    due = maintenance.maintenance_due(vehicle, today=dt.date(2028, 1, 1))

    assert due.by == ("months", "km")
    assert due.point == "2025-06-10@0km"


def test_completed_maintenance_resets_the_clock(plan_12_months_20000_km, store):
    vehicle = make(
        plan_12_months_20000_km,
        store,
        mileage_km=30_000,
        last_service_on=dt.date(2026, 5, 1),
        last_service_km=25_000,
        last_service_store=store,
    )

    assert maintenance.maintenance_due(vehicle, today=dt.date(2026, 7, 1)) is None
    assert maintenance.next_due(vehicle) == (dt.date(2027, 5, 1), 45_000)
    vehicle.mileage_km = 45_000
    due = maintenance.maintenance_due(vehicle, today=dt.date(2026, 7, 1))
    assert due.point == "2026-05-01@25000km"
    assert due.by == ("km",)


def test_vehicles_not_delivered_are_never_due(plan_12_months_20000_km, store):
    vehicle = make(plan_12_months_20000_km, store, status=Vehicle.Status.IN_STOCK, owner=None, delivered_on=None)

    assert maintenance.maintenance_due(vehicle, today=dt.date(2030, 1, 1)) is None


def test_month_end_is_clamped():
    assert maintenance.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert maintenance.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert maintenance.add_months(dt.date(2026, 3, 15), -3) == dt.date(2025, 12, 15)


def test_database_prefilter_keeps_exactly_the_due_vehicles(plan_12_months_20000_km, store):
    today = dt.date(2026, 3, 1)
    short = CarModelFactory(code="GC-SHORT", service_months=6, service_km=10_000)
    vehicles = [
        make(plan_12_months_20000_km, store, delivered_on=dt.date(2025, 1, 31)),  # months reached
        make(plan_12_months_20000_km, store, delivered_on=dt.date(2025, 3, 2)),  # not yet
        make(plan_12_months_20000_km, store, delivered_on=dt.date(2025, 12, 1), mileage_km=21_000),  # km
        make(short, store, delivered_on=dt.date(2025, 8, 31)),  # 6 months clamp to 28 Feb: due
        make(short, store, delivered_on=dt.date(2025, 9, 2)),  # not yet
        make(
            short,
            store,
            delivered_on=dt.date(2024, 1, 1),
            mileage_km=30_000,
            last_service_on=dt.date(2026, 1, 1),
            last_service_km=25_000,
        ),  # reset: not due
    ]
    expected = {v.pk for v in vehicles if maintenance.maintenance_due(v, today=today)}

    assert set(maintenance.due_vehicle_ids(today=today)) == expected
    assert len(expected) == 3
