"""Reads of the network for pages and jobs: scoped lists, one store's day, nearest search."""

import datetime as dt
from dataclasses import dataclass
from functools import cache

from django.db.models import QuerySet
from django.utils import timezone

from . import geo
from .access import stores_visible_to
from .filters import StoreFilter
from .models import Capability, Membership, SlotLoad, Store, offered_capacity, whole_hours


def store_list(*, user, filters: dict | None = None) -> QuerySet[Store]:
    """The stores `user` may see, narrowed by the list's search and filters, in code order."""
    queryset = stores_visible_to(user).order_by("code")
    return StoreFilter(filters or {}, queryset=queryset).qs


def store_staff(*, store: Store) -> QuerySet[Membership]:
    """The store's people (staff and managers), managers first."""
    return (
        Membership.objects.filter(store=store, user__is_active=True)
        .select_related("user")
        .order_by("role", "user__username")  # "manager" sorts before "staff"
    )


@dataclass(frozen=True)
class HourLoad:
    """One hour slot of a store: the bays and demo cars it offers (Store.capacity_for) and booked."""

    starts_at: dt.datetime
    bays: int
    bays_booked: int
    demo_cars: int
    demo_cars_booked: int

    @property
    def bays_free(self) -> int:
        return max(self.bays - self.bays_booked, 0)

    @property
    def demo_cars_free(self) -> int:
        return max(self.demo_cars - self.demo_cars_booked, 0)


def store_capacity_on(*, store: Store, day: dt.date | None = None) -> list[HourLoad]:
    """Bays and demo cars offered, booked and free for each hour slot the store is open on `day`.

    The one reading of a store's day, for its page and its dashboard (one query). What is offered
    is the store's capacity now, as booking takes it: none for a store that is not active or does
    not do the work (the slot row's own copy may be older).
    """
    day = day or timezone.localdate()
    starts = store.open_slots_on(day)
    if not starts:
        return []
    rows = SlotLoad.objects.filter(store=store, starts_at__gte=starts[0], starts_at__lte=starts[-1])
    booked = {(start, resource): n for start, resource, n in rows.values_list("starts_at", "resource", "booked")}
    bays, cars = store.capacity_for(SlotLoad.Resource.BAY), store.capacity_for(SlotLoad.Resource.DEMO_CAR)
    return [
        HourLoad(
            starts_at=start,
            bays=bays,
            bays_booked=booked.get((start, SlotLoad.Resource.BAY), 0),
            demo_cars=cars,
            demo_cars_booked=booked.get((start, SlotLoad.Resource.DEMO_CAR), 0),
        )
        for start in starts
    ]


DAY_CAPACITY_FIELDS = ("status", "capabilities", "bays", "demo_cars", "opens_minute", "closes_minute")


def day_capacity_by_store() -> dict[int, dict[str, int]]:
    """Unit-hours of each resource every store offers over a day, in one query (the nightly figures).

    The sum over the day's hour slots of what store_capacity_on shows: the same two rules
    (offered_capacity, whole_hours) read from the stores' values.
    """
    hours = cache(lambda opens, closes: len(whole_hours(opens, closes)))
    capacity = {}
    for pk, status, capabilities, bays, demo_cars, opens, closes in (
        Store.objects.order_by().values_list("pk", *DAY_CAPACITY_FIELDS).iterator(chunk_size=5000)
    ):
        n = hours(opens, closes)
        capacity[pk] = {
            resource: n
            * offered_capacity(resource, status=status, capabilities=capabilities, bays=bays, demo_cars=demo_cars)
            for resource in SlotLoad.Resource.values
        }
    return capacity


def nearest_stores(
    *, lat: float, lng: float, capability: str | None = None, limit: int = 10
) -> list[tuple[Store, float]]:
    """The `limit` nearest active stores of the whole network (public directory data), nearest first.

    Exact great-circle distances (see `geo`); ties broken by id, so the order is stable.
    """
    if capability and capability not in Capability.values:
        raise ValueError(f"unknown capability {capability!r}")
    candidates = Store.objects.active()
    if capability:
        candidates = candidates.with_capability(capability)
    ranked = geo.nearest(candidates, lat, lng, limit=limit)
    stores = Store.objects.in_bulk([pk for pk, _ in ranked])
    return [(stores[pk], distance) for pk, distance in ranked]
