"""Factories for after-sales tests: vehicles with valid VINs, owners, tickets through the service."""

import datetime as dt

import factory

from aftersales.models import Kind, Priority, Ticket
from sales.models import Vehicle
from sales.tests import factories as sales_factories
from sales.tests.factories import CarModelFactory, CustomerFactory
from sales.vin import check_digit

__all__ = ["CarModelFactory", "CustomerFactory", "VehicleFactory", "make_ticket", "make_vin"]


def make_vin(serial: int, wmi: str = "LGC") -> str:
    """A VIN with a correct check digit: WMI, a fixed descriptor, year R, plant and serial digits."""
    body = f"{wmi}A1B2C0R{serial:07d}"
    return body[:8] + check_digit(body) + body[9:]


class VehicleFactory(sales_factories.VehicleFactory):
    """A delivered car with its owner: what after-sales work is about."""

    class Meta:
        django_get_or_create = ("vin",)

    vin = factory.Sequence(make_vin)
    color = "白"
    status = Vehicle.Status.DELIVERED
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
