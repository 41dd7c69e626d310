"""Explainable dispatch decisions: why a store was chosen and why others were passed over.

Shared vocabulary of test-drive dispatch (sales) and scheduled work (aftersales): both write a
`dispatch_note` JSON of this shape, and one template partial shows it on the record's page:

    {"reason": "own_store" | "nearest_with_capacity" | "fallback_unassigned",
     "store": "GZ-0001", "store_name": "...", "distance_km": 3.2, "slot": "2026-11-25T09:00:00+08:00",
     "decided_at": "...", "passed_over": [{"store": "GZ-0002", "distance_km": 1.1, "why": "full"}, ...]}
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .capacity import RESOURCE_FOR_CAPABILITY
from .models import Store

OWN_STORE = "own_store"
NEAREST = "nearest_with_capacity"
FALLBACK = "fallback_unassigned"
MANUAL = "assigned_by_hand"

REASONS = {
    OWN_STORE: _("The vehicle's own store had room"),
    NEAREST: _("Nearest store with capacity"),
    FALLBACK: _("No store could take it: left unassigned for the regional manager"),
    MANUAL: _("Assigned by hand"),
}

FULL = "full"
CLOSED_AT_HOUR = "closed_at_that_hour"
SUSPENDED = "suspended"
CLOSED = "closed"
NO_CAPABILITY = "no_capability"
NO_CAPACITY = "no_capacity"
ALREADY_BOOKED = "already_booked"

WHY = {
    FULL: _("full"),
    CLOSED_AT_HOUR: _("closed at that hour"),
    SUSPENDED: _("suspended"),
    CLOSED: _("closed"),
    NO_CAPABILITY: _("does not do this work"),
    NO_CAPACITY: _("has no bays or demo cars"),
    ALREADY_BOOKED: _("the customer already has this booking there"),
}

# A note lists at most this many passed-over stores: enough to explain, small enough to store.
MAX_PASSED_OVER = 10


def standing_refusal(store: Store, capability: str) -> str | None:
    """Why the store can take no such work at any hour (status, capability, no capacity), or None."""
    if store.status == Store.Status.SUSPENDED:
        return SUSPENDED
    if store.status != Store.Status.ACTIVE:
        return CLOSED
    if not store.has_capability(capability):
        return NO_CAPABILITY
    if store.capacity_for(RESOURCE_FOR_CAPABILITY[capability]) == 0:
        return NO_CAPACITY
    return None


def hour_refusal(store: Store, starts_at: dt.datetime, capability: str) -> str | None:
    """Why the store cannot take the work in this hour slot (capacity aside), or None."""
    return standing_refusal(store, capability) or (
        None if store.is_open_for_hour(timezone.localtime(starts_at)) else CLOSED_AT_HOUR
    )


def passed(store: Store, why: str, distance_km: float | None) -> dict:
    return {"store": store.code, "distance_km": _km(distance_km), "why": why}


def decision(
    *,
    reason: str,
    store: Store | None = None,
    distance_km: float | None = None,
    slot: dt.datetime | None = None,
    passed_over: list[dict] = (),
    decided_at: dt.datetime | None = None,
    **extra,
) -> dict:
    note = {
        "reason": reason,
        "store": store.code if store else None,
        "store_name": store.name if store else None,
        "distance_km": _km(distance_km),
        "slot": timezone.localtime(slot).isoformat() if slot else None,
        "decided_at": timezone.localtime(decided_at or timezone.now()).isoformat(timespec="seconds"),
        "passed_over": list(passed_over)[:MAX_PASSED_OVER],
    }
    note.update(extra)
    return note


def _km(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
