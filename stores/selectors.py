"""Reads of the network for pages and jobs: scoped lists, one store's day, nearest search."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from . import geo
from .access import stores_visible_to
from .filters import StoreFilter
from .models import Capability, Membership, SlotLoad, Store


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
    """Bays and demo cars booked and free for each hour slot the store is open on `day` (local)."""
    day = day or timezone.localdate()
    starts = store.open_slots_on(day)
    if not starts:
        return []
    rows = SlotLoad.objects.filter(store=store, starts_at__gte=starts[0], starts_at__lte=starts[-1]).values_list(
        "starts_at", "resource", "capacity", "booked"
    )
    loads = {(starts_at, resource): (capacity, booked) for starts_at, resource, capacity, booked in rows}
    result = []
    for start in starts:
        bays, bays_booked = loads.get((start, SlotLoad.Resource.BAY), (store.bays, 0))
        cars, cars_booked = loads.get((start, SlotLoad.Resource.DEMO_CAR), (store.demo_cars, 0))
        result.append(HourLoad(start, bays, bays_booked, cars, cars_booked))
    return result


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
