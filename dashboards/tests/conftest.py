"""A small network with figures to count: two stores in two provinces, tickets in every SLA state."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.models import Ticket
from aftersales.tests.factories import CarModelFactory, CustomerFactory, VehicleFactory, make_ticket
from dashboards.services import local_day_bounds
from sales.models import Order, TestDrive, Vehicle
from stores.models import SlotLoad
from stores.tests.factories import StoreFactory


def set_ticket(ticket: Ticket, **fields) -> Ticket:
    """Move a ticket's timestamps (auto_now_add cannot be set through the service)."""
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    ticket.refresh_from_db()
    return ticket


def breached_ticket(store, now, summary="已超时", **extra):
    ticket = make_ticket(store=store, summary=summary, **extra)
    return set_ticket(
        ticket,
        status=Ticket.Status.IN_PROGRESS,
        created_at=now - dt.timedelta(hours=80),
        responded_at=now - dt.timedelta(hours=79),
        response_due_at=now - dt.timedelta(hours=72),
        due_at=now - dt.timedelta(hours=8),
        risk_at=now - dt.timedelta(hours=22),
    )


def at_risk_ticket(store, now, summary="快到期", **extra):
    ticket = make_ticket(store=store, summary=summary, **extra)
    return set_ticket(
        ticket,
        status=Ticket.Status.ASSIGNED,
        created_at=now - dt.timedelta(hours=65),
        responded_at=now - dt.timedelta(hours=64),
        due_at=now + dt.timedelta(hours=7),
        risk_at=now - dt.timedelta(hours=7),
    )


@pytest.fixture
def yesterday(now):
    return timezone.localdate(now) - dt.timedelta(days=1)


@pytest.fixture
def network(store, other_store, now, yesterday):
    """Figures at GZ-0001 (广东省) and SH-0001 (上海市), some dated yesterday, some live."""
    start, _end = local_day_bounds(yesterday)
    noon = start + dt.timedelta(hours=12)
    model = CarModelFactory()
    customer = CustomerFactory()

    gz = {
        "on_track": make_ticket(store=store, summary="正常"),
        "breached": breached_ticket(store, now),
        "at_risk": at_risk_ticket(store, now),
    }
    # Opened and resolved yesterday: counts in both flows, not in the backlog.
    gz["resolved"] = set_ticket(
        make_ticket(store=store, summary="已解决"),
        status=Ticket.Status.RESOLVED,
        created_at=noon - dt.timedelta(hours=2),
        resolved_at=noon,
    )
    set_ticket(gz["on_track"], created_at=noon)
    sh_breached = breached_ticket(other_store, now)
    unassigned = make_ticket(
        store=None, vehicle=VehicleFactory(store=store), province="广东省", summary="无门店接单", kind="maintenance"
    )
    unassigned_elsewhere = make_ticket(
        store=None,
        vehicle=VehicleFactory(store=other_store),
        province="上海市",
        summary="上海无门店",
        kind="maintenance",
    )

    TestDrive.objects.create(customer=customer, model=model, store=store, slot_start=noon, status="completed")
    TestDrive.objects.create(
        customer=customer, model=model, store=store, slot_start=noon + dt.timedelta(hours=1), status="cancelled"
    )
    VehicleFactory(store=store, status=Vehicle.Status.DELIVERED, delivered_on=yesterday)
    VehicleFactory(store=other_store, status=Vehicle.Status.DELIVERED, delivered_on=yesterday - dt.timedelta(days=3))
    SlotLoad.objects.create(store=store, starts_at=noon, resource="bay", capacity=4, booked=3)
    SlotLoad.objects.create(store=store, starts_at=noon, resource="demo_car", capacity=2, booked=1)

    return {
        "gz": gz,
        "sh_breached": sh_breached,
        "unassigned": unassigned,
        "unassigned_elsewhere": unassigned_elsewhere,
        "model": model,
        "customer": customer,
    }


@pytest.fixture
def today_at_store(store, now):
    """Today's bookings at GZ-0001: a test drive, a delivery, a booked bay."""
    start, _ = local_day_bounds(timezone.localdate(now))
    model = CarModelFactory(code="GC-TODAY")
    customer = CustomerFactory(name="今日客户")
    TestDrive.objects.create(customer=customer, model=model, store=store, slot_start=start + dt.timedelta(hours=10))
    Order.objects.create(
        number="SO-2026-000001", customer=customer, model=model, store=store, status="allocated",
        price_cny=229000, delivery_date=timezone.localdate(now),
    )  # fmt: skip
    SlotLoad.objects.create(store=store, starts_at=start + dt.timedelta(hours=9), resource="bay", capacity=4, booked=2)
    return {"model": model, "customer": customer}


def extra_store(n: int, province: str = "广东省"):
    return StoreFactory(code=f"GZ-X{n:03d}", province=province)
