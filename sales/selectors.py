"""Reads for sales pages: scoped querysets with explicit joins, and the day view by hour slot."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from stores import capacity
from stores.models import SlotLoad, Store
from stores.phones import normalise_mobile

from .access import orders_visible_to, test_drives_visible_to
from .models import Order, TestDrive, Vehicle
from .vin import normalise_vin

PERIODS = ("upcoming", "today", "week", "past", "all")


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=timezone.get_current_timezone())


def period_bounds(period: str, *, today: dt.date | None = None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """[start, end) of a list period in local days; None is open-ended."""
    today = today or timezone.localdate()
    if period == "today":
        return local_midnight(today), local_midnight(today + dt.timedelta(days=1))
    if period == "week":  # the calendar week, Monday to Sunday, that holds today
        monday = today - dt.timedelta(days=today.weekday())
        return local_midnight(monday), local_midnight(monday + dt.timedelta(days=7))
    if period == "past":
        return None, local_midnight(today)
    if period == "all":
        return None, None
    return local_midnight(today), None  # upcoming: today and later


# The columns list rows show: fewer columns to read and fewer objects to build on a 50-row page.
TEST_DRIVE_ROW = (
    "id", "slot_start", "status", "store_id", "customer_id", "customer_name", "model_id", "demo_vehicle_id",
    "customer__name", "customer__phone", "model__code", "store__code",
)  # fmt: skip
ORDER_ROW = (
    "id", "number", "status", "delivery_date", "created_at", "store_id", "customer_id", "model_id", "vehicle_id",
    "customer__name", "customer__phone", "model__code", "store__code", "vehicle__vin",
)  # fmt: skip


def test_drive_list(
    *, user, period: str = "upcoming", status: str = "", store: Store | None = None
) -> QuerySet[TestDrive]:
    qs = test_drives_visible_to(user).select_related("customer", "model", "store").only(*TEST_DRIVE_ROW)
    start, end = period_bounds(period)
    if start is not None:
        qs = qs.filter(slot_start__gte=start)
    if end is not None:
        qs = qs.filter(slot_start__lt=end)
    if status:
        qs = qs.filter(status=status)
    if store is not None:
        qs = qs.filter(store=store)
    return qs.order_by("-slot_start", "-pk") if period == "past" else qs.order_by("slot_start", "pk")


@dataclass
class HourSlot:
    starts_at: dt.datetime
    is_open: bool
    demo_cars: int
    booked: int
    drives: list[TestDrive] = field(default_factory=list)
    is_past: bool = False

    @property
    def free(self) -> int:
        return max(self.demo_cars - self.booked, 0) if self.is_open and not self.is_past else 0


def test_drive_day(*, user, store: Store, day: dt.date) -> list[HourSlot]:
    """One store's day by hour slot: its bookings and free demo cars (three queries, any size)."""
    start = local_midnight(day)
    hours = [start + dt.timedelta(hours=h) for h in range(24)]
    drives = list(
        test_drives_visible_to(user)
        .filter(store=store, slot_start__gte=start, slot_start__lt=start + dt.timedelta(days=1))
        .select_related("customer", "model", "demo_vehicle")
        .only(*[f for f in TEST_DRIVE_ROW if f != "store__code"], "demo_vehicle__vin")
        .order_by("slot_start", "pk")
    )
    booked = capacity.booked_in_slots([store.pk], hours, SlotLoad.Resource.DEMO_CAR)
    by_hour: dict[dt.datetime, list[TestDrive]] = {}
    for drive in drives:
        by_hour.setdefault(capacity.hour_start(drive.slot_start), []).append(drive)
    now = timezone.now()
    slots = []
    for moment in hours:
        is_open = store.is_open_for_hour(moment)
        if is_open or moment in by_hour:
            slots.append(
                HourSlot(
                    starts_at=moment,
                    is_open=is_open,
                    demo_cars=store.demo_cars,
                    booked=booked.get((store.pk, moment), 0),
                    drives=by_hour.get(moment, []),
                    is_past=moment <= now,
                )
            )
    return slots


def order_list(*, user, status: str = "", query: str = "") -> QuerySet[Order]:
    """Orders in reach, newest first; `query` matches an order number, a VIN or a mobile exactly."""
    qs = orders_visible_to(user).select_related("customer", "model", "store", "vehicle").only(*ORDER_ROW)
    if status:
        qs = qs.filter(status=status)
    query = (query or "").strip()
    if query:
        qs = qs.filter(**_order_query(query))
    return qs.order_by("-created_at", "-pk")


def _order_query(query: str) -> dict:
    compact = query.replace(" ", "").replace("-", "")
    if compact.isdigit() and len(compact) in (11, 13):
        try:
            return {"customer__phone": normalise_mobile(query)}
        except ValidationError:  # not a mobile: perhaps an order number
            pass
    if len(query) == 17:
        try:
            return {"vehicle__vin": normalise_vin(query)}
        except ValidationError:  # not a VIN: perhaps an order number
            pass
    return {"number": query.upper()}


def upcoming_deliveries(*, user) -> QuerySet[Order]:
    """Paid and allocated orders with a planned delivery date from today on, soonest first."""
    return (
        orders_visible_to(user)
        .filter(status__in=[Order.Status.PAID, Order.Status.ALLOCATED], delivery_date__gte=timezone.localdate())
        .select_related("customer", "model", "store", "vehicle")
        .only(*ORDER_ROW)
        .order_by("delivery_date", "pk")
    )


def vehicle_orders(*, user, vehicle: Vehicle) -> list[Order]:
    """The vehicle's orders the user may see: a store serving a car from elsewhere sees none of
    the selling store's orders (nor their customers)."""
    return list(
        orders_visible_to(user, vehicle.orders.all())
        .select_related("customer", "store", "model")
        .order_by("-created_at")
    )


def vehicle_demo_drives(vehicle: Vehicle, *, limit: int = 50) -> list[TestDrive]:
    return list(vehicle.demo_drives.select_related("store", "model").order_by("-slot_start")[:limit])


def allocation_candidates(order: Order, *, limit: int = 10) -> list[Vehicle]:
    """A few vehicles that could be allocated to this order (the ordered model, at or bound for its store)."""
    live = Order.objects.filter(vehicle_id=OuterRef("pk")).exclude(status=Order.Status.CANCELLED)
    return list(
        Vehicle.objects.filter(
            store_id=order.store_id,
            model_id=order.model_id,
            status__in=[Vehicle.Status.IN_STOCK, Vehicle.Status.IN_TRANSIT],
        )
        .exclude(Exists(live))
        .order_by("status", "vin")[:limit]
    )
