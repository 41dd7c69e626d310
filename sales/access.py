"""Who may see which sales records: built on stores.access, the one place deciding visibility.

A vehicle is in reach of the store that holds it and of every store that holds work for it
(VehicleReach rows, written by after-sales); orders and test drives are scoped by their store.
A test-drive request without a store (waiting for the dispatcher) is seen by HQ and by the
regional manager who entered it.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from stores.access import role_of, scope_by_store, scope_of
from stores.models import Role
from stores.policy import can

from .models import Order, TestDrive, Vehicle, VehicleReach


def vehicles_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Vehicles whose store the user may see, or for which a store they may see holds work."""
    queryset = Vehicle.objects.all() if queryset is None else queryset
    held = scope_of(user).store_q("store")
    if held is None:
        return queryset.none()
    if not held:  # HQ: everything
        return queryset
    # EXISTS keeps one row per vehicle and lets the planner use vehiclereach_unique (store, vehicle).
    reach = scope_by_store(VehicleReach.objects.filter(vehicle_id=OuterRef("pk")), user)
    return queryset.filter(held | Q(Exists(reach)))


def vehicle_for_new_work(user, *, vin: str, owner_phone: str = "") -> Vehicle | None:
    """The vehicle `user` may open work for (a ticket), or None (CONTRACT 5, the owner's-number rule).

    A vehicle in the user's reach needs nothing more; one outside it needs `owner_phone`, the
    owner's mobile number as recorded (normalised, `13912345678`). None alike for an unknown VIN
    and for a car elsewhere without that number or with a wrong one, so that the caller's single
    refusal tells nothing about cars elsewhere. Opening the work brings the car in reach (VehicleReach).
    """
    if role_of(user) is None:
        return None
    vehicles = Vehicle.objects.select_related("owner")
    vehicle = vehicles_visible_to(user, vehicles).filter(vin=vin).first()
    if vehicle is None and owner_phone:
        vehicle = vehicles.filter(vin=vin, owner__phone=owner_phone).first()
    return vehicle


def orders_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    return scope_by_store(Order.objects.all() if queryset is None else queryset, user)


def test_drives_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = TestDrive.objects.all() if queryset is None else queryset
    scope = scope_of(user)
    held = scope.store_q("store")
    if held is None:
        return queryset.none()
    if not held:  # HQ
        return queryset
    if scope.provinces:
        # A regional user's own store-less requests stay in sight until the dispatcher assigns them.
        return queryset.filter(held | Q(store__isnull=True, created_by=user))
    return queryset.filter(held)


def may_enter_position_requests(user) -> bool:
    """HQ and regional users may give the customer's position instead of a store (stores.policy)."""
    return can(user, "testdrive.book_by_position")


def sees_full_phone_in_lists(user) -> bool:
    """Staff below manager see customers' mobile numbers masked in lists (CONTRACT 5)."""
    role = role_of(user)
    return role is not None and role != Role.STAFF
