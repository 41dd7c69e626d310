"""Test-drive requests entered with the customer's position instead of a store (CONTRACT 4, 5).

`dispatch_test_drives` gives each waiting request to the nearest store near the customer that
can take it (active, `test_drive` capability, open for that whole hour, a free demo car) in the
requested slot or the nearest slot within 2 hours. Safe on several workers at once: a request is
claimed under a row lock (skipped by the others), the demo car is taken with the atomic
conditional UPDATE of stores.capacity, and the request is written in the same transaction, so a
request is never both booked and left waiting, and no slot is ever overbooked.
"""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from sales import notices
from sales.models import TestDrive
from stores import capacity, dispatching, geo
from stores.models import Store
from stores.policy import require_move

logger = logging.getLogger(__name__)

CAPABILITY = "test_drive"
# How far from the customer a store may be; beyond it the request waits for a person.
MAX_KM = 50.0
# The requested slot first, then the nearest ones within 2 hours, later before earlier.
SLOT_OFFSETS_HOURS = (0, 1, -1, 2, -2)
# Stores tried per request, nearest first.
CANDIDATES = 10


def waiting_requests(*, now: dt.datetime):
    """Store-less requests that some slot within 2 hours of the requested one could still serve."""
    return TestDrive.objects.filter(
        status=TestDrive.Status.REQUESTED,
        store__isnull=True,
        customer_lat__isnull=False,
        customer_lng__isnull=False,
        slot_start__gt=now - dt.timedelta(hours=max(SLOT_OFFSETS_HOURS)),
    )


def dispatch_waiting(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One pass over the waiting requests; counts for the job's summary line."""
    now = now or timezone.now()
    ids = list(waiting_requests(now=now).order_by("slot_start", "id").values_list("pk", flat=True))
    counts = {"waiting": len(ids), "assigned": 0, "unassigned": 0}
    for pk in ids:
        outcome = testdrive_dispatch(pk=pk, now=now)
        if outcome in counts:
            counts[outcome] += 1
    return counts


def candidate_slots(requested: dt.datetime, now: dt.datetime) -> list[dt.datetime]:
    """The slots to try, in order, that have not started yet."""
    slots = [requested + dt.timedelta(hours=h) for h in SLOT_OFFSETS_HOURS]
    return [slot for slot in slots if slot > now]


@transaction.atomic
def testdrive_dispatch(*, pk: int, now: dt.datetime) -> str:
    """Dispatch one request: "assigned", "unassigned" or "taken" (another worker has it)."""
    request = (
        TestDrive.objects.select_for_update(skip_locked=True)
        .filter(pk=pk, status=TestDrive.Status.REQUESTED, store__isnull=True)
        .select_related("customer", "model")
        .first()
    )
    if request is None:
        return "taken"
    move = require_move(None, TestDrive.MACHINE, request, "dispatch")  # the system, along the table
    slots = candidate_slots(request.slot_start, now)
    lat, lng = request.customer_lat, request.customer_lng
    eligible = geo.nearest(
        Store.objects.active().with_capability(CAPABILITY).filter(demo_cars__gt=0),
        lat,
        lng,
        limit=CANDIDATES,
        max_km=MAX_KM,
    )
    stores = Store.objects.in_bulk([pk for pk, _km in eligible])
    passed_over = _ineligible_nearby(lat, lng, before_km=eligible[0][1] if eligible else MAX_KM)

    # The customer's time first: every store in the requested slot, then the next slots.
    refused: dict[int, str] = {}
    for slot in slots:
        for store_id, km in eligible:
            store = stores[store_id]
            why = dispatching.hour_refusal(store, slot, CAPABILITY)
            if why is None:
                so_far = passed_over + _passed(refused, stores, eligible)
                why = _try_assign(request, store, slot, km, so_far, now, status=move.target)
                if why is None:
                    return "assigned"
                if why == TAKEN:
                    return "taken"
            refused.setdefault(store_id, why)
    passed_over += _passed(refused, stores, eligible)

    note = dispatching.decision(
        reason=dispatching.Reason.FALLBACK,
        passed_over=passed_over,
        decided_at=now,
        searched_km=MAX_KM,
    )
    TestDrive.objects.filter(pk=request.pk).update(dispatch_note=note, updated_at=timezone.now())
    return "unassigned"


def _try_assign(
    request: TestDrive, store: Store, slot: dt.datetime, km: float, passed_over, now, *, status: str
) -> str | None:
    """Take a demo car and give the request to the store (moving it to `status`, the target of
    TestDrive.MACHINE's dispatch move); None on success, else why not."""
    try:
        with transaction.atomic():  # a savepoint: a refused write gives the demo car back
            if not capacity.book(store=store, starts_at=slot, resource=capacity.Resource.DEMO_CAR):
                return dispatching.Refusal.FULL
            reason = dispatching.Reason.NEAREST
            note = dispatching.decision(
                reason=reason, store=store, distance_km=km, slot=slot, passed_over=passed_over, decided_at=now
            )
            changed = TestDrive.objects.filter(
                pk=request.pk, status=TestDrive.Status.REQUESTED, store__isnull=True
            ).update(
                store=store,
                slot_start=slot,
                status=status,
                dispatch_note=note,
                updated_at=timezone.now(),
            )
            if changed != 1:  # taken meanwhile (SQLite has no row locks): undo our demo car
                raise _Taken
    except IntegrityError:  # the customer already stands booked there for this model and slot
        return dispatching.Refusal.ALREADY_BOOKED
    except _Taken:
        return TAKEN
    request.store, request.slot_start = store, slot
    notices.testdrive_booked(request)
    return None


TAKEN = "taken"


class _Taken(Exception):
    pass


def _passed(refused: dict[int, str], stores: dict, eligible: list[tuple[int, float]]) -> list[dict]:
    """The eligible stores refused so far, nearest first, each with its reason in the first slot tried."""
    return [dispatching.passed(stores[pk], refused[pk], km) for pk, km in eligible if pk in refused]


def _ineligible_nearby(lat: float, lng: float, *, before_km: float) -> list[dict]:
    """The stores nearer than the nearest eligible one that cannot do test drives at all, and why."""
    nearby = geo.nearest(Store.objects.all(), lat, lng, limit=dispatching.MAX_PASSED_OVER, max_km=before_km)
    stores = Store.objects.in_bulk([pk for pk, _km in nearby])
    rows = []
    for pk, km in nearby:
        why = dispatching.standing_refusal(stores[pk], CAPABILITY)
        if why is not None:
            rows.append(dispatching.passed(stores[pk], why, km))
    return rows
