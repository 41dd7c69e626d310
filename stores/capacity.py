"""Hourly capacity: bays for maintenance and repair, demo cars for test drives.

Booking is one conditional UPDATE (`booked = booked + 1 WHERE booked < capacity`) on the slot's
row, backed by a check constraint, so that several workers booking at the same moment can never
overbook a slot on PostgreSQL or SQLite. Nothing here checks and then writes in Python.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from .models import SlotLoad, Store

Resource = SlotLoad.Resource

# Which resource a kind of work consumes.
RESOURCE_FOR_CAPABILITY = {"maintenance": Resource.BAY, "repair": Resource.BAY, "test_drive": Resource.DEMO_CAR}


def hour_start(moment: dt.datetime) -> dt.datetime:
    """The start of the local hour slot that contains `moment` (aware, in the current time zone)."""
    return timezone.localtime(moment).replace(minute=0, second=0, microsecond=0)


def refusal_reason(store: Store, starts_at: dt.datetime, capability: str) -> str | None:
    """Why `store` cannot take this kind of work in the hour starting at `starts_at`, or None.

    Capacity is not looked at here: `book` decides that atomically.
    """
    if store.status != Store.Status.ACTIVE:
        return "not_active"
    if not store.has_capability(capability):
        return "no_capability"
    if not store.is_open_for_hour(timezone.localtime(starts_at)):
        return "closed_at_that_hour"
    if store.capacity_for(RESOURCE_FOR_CAPABILITY[capability]) == 0:
        return "no_capacity"
    return None


def book(*, store: Store, starts_at: dt.datetime, resource: str) -> bool:
    """Take one unit of `resource` in the slot; False when the slot is full."""
    capacity = store.capacity_for(resource)
    if capacity == 0:
        return False
    with transaction.atomic():
        _ensure_row(store, starts_at, resource, capacity)
        rows = SlotLoad.objects.filter(
            store=store, starts_at=starts_at, resource=resource, booked__lt=F("capacity")
        ).update(booked=F("booked") + 1)
    return rows == 1


def release(*, store_id: int, starts_at: dt.datetime, resource: str) -> None:
    """Give a unit back (a cancelled booking, work moved elsewhere)."""
    SlotLoad.objects.filter(store_id=store_id, starts_at=starts_at, resource=resource, booked__gt=0).update(
        booked=F("booked") - 1
    )


def _ensure_row(store: Store, starts_at: dt.datetime, resource: str, capacity: int) -> None:
    try:
        with transaction.atomic():
            _, created = SlotLoad.objects.get_or_create(
                store=store, starts_at=starts_at, resource=resource, defaults={"capacity": capacity}
            )
    except IntegrityError:  # another worker created it at the same moment
        created = True
    if not created:
        # The store's bays or demo cars may have changed since the row was made; never below booked.
        SlotLoad.objects.filter(store=store, starts_at=starts_at, resource=resource).exclude(capacity=capacity).update(
            capacity=Greatest(Value(capacity), F("booked"))
        )


def booked_in_slots(store_ids, starts: list[dt.datetime], resource: str) -> dict[tuple[int, dt.datetime], int]:
    """Booked units per (store id, slot start) for the given stores and slots, in one query."""
    rows = SlotLoad.objects.filter(store_id__in=store_ids, starts_at__in=starts, resource=resource).values_list(
        "store_id", "starts_at", "booked"
    )
    return {(store_id, start): booked for store_id, start, booked in rows}
