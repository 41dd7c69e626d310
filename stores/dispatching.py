"""Explainable dispatch decisions: why a store was chosen and why others were passed over.

The one vocabulary of test-drive dispatch and booking (sales) and scheduled and hand-placed work
(aftersales): both write a `dispatch_note` JSON of this shape, built by `decision` and `passed`,
and one template partial shows it on the record's page:

    {"reason": "own_store" | "nearest_with_capacity" | "fallback_unassigned" | "assigned_by_hand",
     "store": "GZ-0001", "store_name": "...", "distance_km": 3.2, "slot": "2026-11-25T09:00:00+08:00",
     "decided_at": "...", "passed_over": [{"store": "GZ-0002", "distance_km": 1.1, "why": "full"}, ...]}

The codes are stored in notes: a code, once written, keeps its meaning.
"""

import datetime as dt
from typing import Protocol

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import RESOURCE_FOR_CAPABILITY, Store


class Reason(models.TextChoices):
    """Why the work went where it went."""

    OWN_STORE = "own_store", _("The vehicle's own store had room")
    NEAREST = "nearest_with_capacity", _("Nearest store with capacity")
    FALLBACK = "fallback_unassigned", _("No store could take it: left unassigned for the regional manager")
    MANUAL = "assigned_by_hand", _("Assigned by hand")


class Refusal(models.TextChoices):
    """Why a store could not take the work (the labels complete "GZ-0002 cannot take it: ...")."""

    FULL = "full", _("full")
    CLOSED_AT_HOUR = "closed_at_that_hour", _("closed at that hour")
    SUSPENDED = "suspended", _("suspended")
    CLOSED = "closed", _("closed")
    NO_CAPABILITY = "no_capability", _("does not do this work")
    NO_CAPACITY = "no_capacity", _("has no bays or demo cars")
    ALREADY_BOOKED = "already_booked", _("the customer already has this booking there")


# A note lists at most this many passed-over stores: enough to explain, small enough to store.
MAX_PASSED_OVER = 10


class Placed(Protocol):
    """What a note needs of a store: a Store, or the dispatcher's in-memory copy of one."""

    code: str
    name: str


def reason_label(code: str | None) -> str | None:
    """The readable reason of a stored note; an unknown code is shown as it is."""
    return _label(Reason, code)


def refusal_label(code: str | None) -> str | None:
    """The readable reason a store was passed over; an unknown code is shown as it is."""
    return _label(Refusal, code)


def _label(choices: type[models.TextChoices], code: str | None) -> str | None:
    try:
        return choices(code).label
    except ValueError:
        return code


def standing_refusal(store: Store, capability: str) -> Refusal | None:
    """Why the store can take no such work at any hour (status, capability, no capacity), or None."""
    if store.status == Store.Status.SUSPENDED:
        return Refusal.SUSPENDED
    if store.status != Store.Status.ACTIVE:
        return Refusal.CLOSED
    if not store.has_capability(capability):
        return Refusal.NO_CAPABILITY
    if store.capacity_for(RESOURCE_FOR_CAPABILITY[capability]) == 0:
        return Refusal.NO_CAPACITY
    return None


def hour_refusal(store: Store, starts_at: dt.datetime, capability: str) -> Refusal | None:
    """Why the store cannot take the work in this hour slot (capacity aside), or None.

    A standing reason first (it holds at every hour), then the opening hours. Whether a unit is
    free is not looked at here: stores.capacity decides that atomically when it books.
    """
    return standing_refusal(store, capability) or (
        None if store.is_open_for_hour(starts_at) else Refusal.CLOSED_AT_HOUR
    )


def passed(store: Placed, why: str, distance_km: float | None) -> dict:
    """One passed-over store of a note."""
    return {"store": store.code, "distance_km": _km(distance_km), "why": str(why)}


def decision(
    *,
    reason: str,
    store: Placed | None = None,
    distance_km: float | None = None,
    slot: dt.datetime | None = None,
    passed_over: list[dict] = (),
    decided_at: dt.datetime | None = None,
    **extra,
) -> dict:
    """The dispatch note: where the work went and why; `extra` adds what the caller searched."""
    note = {
        "reason": str(reason),
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
