"""Orders and deliveries: reserved → paid → vehicle allocated → delivered (or cancelled).

The allowed moves are Order.MACHINE (who may make them: stores.policy); this module is the only
place that changes an order's status, and it keeps the allocated vehicle in step.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.numbering import next_numbers
from stores.models import Capability, Store
from stores.policy import require_move

from ..models import CarModel, Customer, Order, Vehicle
from ..vin import normalise_vin
from .customers import customer_get_or_create_by_phone

Status = Order.Status
# Vehicles that can be allocated to an order for a store: there now, or on their way to it.
ALLOCATABLE = (Vehicle.Status.IN_STOCK, Vehicle.Status.IN_TRANSIT)
NUMBER_COUNTER = "order"  # the core.numbering counter of order numbers


def _next_number() -> str:
    """`SO-2026-0000123`: counts up per year, local time; the counter row is locked meanwhile."""
    year = timezone.localdate().year
    (number,) = next_numbers(counter=NUMBER_COUNTER, year=year)
    return f"SO-{year}-{number:07d}"


@transaction.atomic
def order_create(
    *,
    customer: Customer,
    model: CarModel,
    store: Store,
    price_cny: int | None = None,
    delivery_date: dt.date | None = None,
) -> Order:
    """A new order, reserved, to be delivered at `store` (which must be active and deliver cars)."""
    if store.status != Store.Status.ACTIVE:
        raise ValidationError({"store": _("%(store)s is not active and takes no new orders.") % {"store": store}})
    if not store.has_capability(Capability.DELIVERY):
        raise ValidationError({"store": _("%(store)s does not deliver cars.") % {"store": store}})
    order = Order(
        number=_next_number(),
        customer=customer,
        model=model,
        store=store,
        price_cny=price_cny if price_cny is not None else model.price_cny,
        delivery_date=delivery_date,
    )
    order.full_clean()
    order.save()
    return order


@transaction.atomic
def order_create_for_phone(
    *,
    customer_phone: str,
    customer_name: str,
    model: CarModel,
    store: Store,
    delivery_date: dt.date | None = None,
) -> Order:
    """The order form's write: the customer with that mobile (created when new) and the order,
    in one transaction, so that a refused order leaves no customer created or renamed for it."""
    customer, _created = customer_get_or_create_by_phone(phone=customer_phone, name=customer_name)
    return order_create(customer=customer, model=model, store=store, delivery_date=delivery_date)


def order_transition(*, order: Order, action: str, vin: str = "", actor=None) -> Order:
    """Make the move of Order.MACHINE named `action` (a button name such as "deallocate", or the
    target status); ValidationError says why a move is not allowed, PermissionDenied who may.

    Allocation needs `vin`: a vehicle of the ordered model, in stock at the delivery store or in
    transit to it, not held by another live order. Delivery hands the car to the customer at the
    store and starts its maintenance clock.
    """
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        to_status = require_move(actor, Order.MACHINE, locked, action).target
        {
            Status.PAID: _to_paid,
            Status.ALLOCATED: _to_allocated,
            Status.DELIVERED: _to_delivered,
            Status.CANCELLED: _to_cancelled,
        }[to_status](locked, vin)
        locked.status = to_status
        try:
            with transaction.atomic():
                locked.save(update_fields=["status", "vehicle", "delivered_at", "updated_at"])
        except IntegrityError as exc:  # order_one_live_order_per_vehicle: allocated meanwhile
            raise ValidationError({"vin": _("That vehicle is already allocated to another order.")}) from exc
    order.refresh_from_db()
    return order


def _to_paid(order: Order, vin: str) -> None:
    # From allocated back to paid: the vehicle goes back to the pool.
    _free_vehicle(order)
    order.vehicle = None


def _to_allocated(order: Order, vin: str) -> None:
    if not vin:
        raise ValidationError({"vin": _("Give the VIN of the vehicle to allocate.")})
    try:
        vin = normalise_vin(vin)
    except ValidationError as exc:
        raise ValidationError({"vin": exc.messages}) from exc
    vehicle = Vehicle.objects.select_for_update().filter(vin=vin).first()
    if vehicle is None:
        raise ValidationError({"vin": _("No vehicle has VIN %(vin)s.") % {"vin": vin}})
    if vehicle.model_id != order.model_id:
        raise ValidationError(
            {"vin": _("%(vin)s is a %(model)s, not the ordered model.") % {"vin": vin, "model": vehicle.model}}
        )
    if vehicle.status not in ALLOCATABLE or vehicle.store_id != order.store_id:
        raise ValidationError(
            {
                "vin": _("%(vin)s is not in stock at the delivery store nor in transit to it.") % {"vin": vin},
            }
        )
    if Order.objects.filter(vehicle=vehicle).exclude(status=Status.CANCELLED).exclude(pk=order.pk).exists():
        raise ValidationError({"vin": _("That vehicle is already allocated to another order.")})
    if vehicle.status == Vehicle.Status.IN_STOCK:
        vehicle.status = Vehicle.Status.RESERVED
        vehicle.save(update_fields=["status", "updated_at"])
    order.vehicle = vehicle


def _to_delivered(order: Order, vin: str) -> None:
    vehicle = Vehicle.objects.select_for_update().get(pk=order.vehicle_id)
    if vehicle.status == Vehicle.Status.IN_TRANSIT:
        raise ValidationError(_("%(vin)s is still in transit: deliver it once it has arrived.") % {"vin": vehicle.vin})
    today = timezone.localdate()
    vehicle.status = Vehicle.Status.DELIVERED
    vehicle.owner_id = order.customer_id
    vehicle.store_id = order.store_id
    vehicle.delivered_on = today
    # The maintenance clock starts at delivery: no service is counted before it.
    vehicle.last_service_on = None
    vehicle.last_service_km = None
    vehicle.last_service_store = None
    vehicle.save(
        update_fields=[
            "status",
            "owner",
            "store",
            "delivered_on",
            "last_service_on",
            "last_service_km",
            "last_service_store",
            "updated_at",
        ]
    )
    order.delivered_at = timezone.now()


def _to_cancelled(order: Order, vin: str) -> None:
    _free_vehicle(order)


def _free_vehicle(order: Order) -> None:
    if order.vehicle_id:
        Vehicle.objects.filter(pk=order.vehicle_id, status=Vehicle.Status.RESERVED).update(
            status=Vehicle.Status.IN_STOCK, updated_at=timezone.now()
        )
