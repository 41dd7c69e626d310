"""Factories for after-sales tests: vehicles with valid VINs, owners, tickets through the service."""

import datetime as dt

import factory

from aftersales.models import Kind, Priority, Ticket
from sales.models import CarModel, Customer, Vehicle
from sales.vin import check_digit
from stores.tests.factories import StoreFactory


def make_vin(serial: int, wmi: str = "LGC") -> str:
    """A VIN with a correct check digit: WMI, a fixed descriptor, year R, plant and serial digits."""
    body = f"{wmi}A1B2C0R{serial:07d}"
    return body[:8] + check_digit(body) + body[9:]


class CarModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CarModel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"GC-M{n:03d}")
    name = "好车 S7"
    trim = "长续航"
    price_cny = 229_000
    battery_kwh = 75
    range_km = 600
    swappable = True
    service_months = 12
    service_km = 20_000


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        django_get_or_create = ("phone",)

    name = factory.Sequence(lambda n: f"客户{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    city = "广州市"


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle
        django_get_or_create = ("vin",)

    vin = factory.Sequence(make_vin)
    model = factory.SubFactory(CarModelFactory)
    color = "白"
    status = Vehicle.Status.DELIVERED
    store = factory.SubFactory(StoreFactory)
    owner = factory.SubFactory(CustomerFactory)
    delivered_on = dt.date(2026, 1, 15)
    mileage_km = 12_000


def make_ticket(*, store, vehicle=None, kind=Kind.REPAIR, priority=Priority.P3, summary="异响", **extra) -> Ticket:
    from aftersales.services.tickets import ticket_create

    return ticket_create(
        vehicle=vehicle or VehicleFactory(store=store),
        kind=kind,
        priority=priority,
        summary=summary,
        store=store,
        **extra,
    )
