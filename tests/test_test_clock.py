"""One clock for the tests (issue #14): the `now` fixture pins the day and hour, and the one
VehicleFactory's default car is never due for maintenance, whatever the day the tests run."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.services.maintenance import maintenance_due
from aftersales.tests import factories as aftersales_factories
from conftest import NOW
from sales.models import Vehicle
from sales.tests import factories as sales_factories
from sales.tests.factories import CarModelFactory, VehicleFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def test_there_is_one_vehicle_factory():
    assert aftersales_factories.VehicleFactory is sales_factories.VehicleFactory


def test_the_now_fixture_pins_the_local_day_and_hour(now):
    local = timezone.localtime()
    assert now == NOW
    assert (local.date(), local.hour) == (dt.date(2026, 6, 16), 10)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 12, 31, 23, 59, 30, tzinfo=SHANGHAI),
        dt.datetime(2027, 1, 20, 10, 0, tzinfo=SHANGHAI),
        dt.datetime(2028, 2, 29, 0, 0, 30, tzinfo=SHANGHAI),
    ],
)
def test_the_default_vehicle_is_delivered_and_not_due_whenever_the_tests_run(time_machine, moment):
    time_machine.move_to(moment, tick=False)
    shortest_plan = CarModelFactory(code="GC-SHORT", service_months=3, service_km=15_000)
    vehicle = VehicleFactory(model=shortest_plan)
    assert vehicle.status == Vehicle.Status.DELIVERED and vehicle.owner is not None
    assert vehicle.delivered_on < timezone.localdate()
    assert maintenance_due(vehicle, today=timezone.localdate()) is None


@pytest.mark.django_db
def test_a_vehicle_not_delivered_has_no_owner_date_or_mileage():
    vehicle = VehicleFactory(status=Vehicle.Status.IN_STOCK)
    assert (vehicle.owner, vehicle.delivered_on, vehicle.mileage_km) == (None, None, 0)
