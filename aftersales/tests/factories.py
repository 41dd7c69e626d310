"""Factories for after-sales tests: vehicles with valid VINs, owners, tickets through the service."""

from aftersales.models import Kind, Priority, Ticket
from sales.tests.factories import CarModelFactory, CustomerFactory, VehicleFactory
from sales.vin import check_digit

__all__ = ["CarModelFactory", "CustomerFactory", "VehicleFactory", "make_ticket", "make_vin"]


def make_vin(serial: int, wmi: str = "LGC") -> str:
    """A VIN with a correct check digit: WMI, a fixed descriptor, year R, plant and serial digits."""
    body = f"{wmi}A1B2C0R{serial:07d}"
    return body[:8] + check_digit(body) + body[9:]


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
