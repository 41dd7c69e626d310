"""By hand: the regional manager (or HQ) places work no store took."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.models import Kind, Ticket, TicketEvent
from core.notifications import notify_many
from sales.models import VehicleReach
from stores import capacity, dispatching
from stores.models import Store
from stores.policy import require

from .messages import booking_confirmation
from .network import CAPABILITY, RESOURCE


def capability_for(kind: str) -> str:
    return CAPABILITY if kind == Kind.MAINTENANCE else "repair"


@transaction.atomic
def ticket_assign_store(*, ticket: Ticket, store: Store, slot: dt.datetime, actor) -> Ticket:
    """Book unassigned work at `store` in the hour from `slot`, through capacity, explained.

    The caller has scoped the ticket and the store to the actor (stores.access). Raises
    ValidationError naming why the store cannot take it (inactive, no capability, closed at that
    hour, full) or why the ticket cannot be placed (already placed, finished).
    """
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not locked.is_open:
        raise ValidationError(_("This work is finished and cannot be booked."))
    if locked.store_id is not None:
        raise ValidationError(_("This work has already been booked at a store."))
    require(actor, "ticket.place_unassigned", locked)
    slot = timezone.localtime(slot)
    if slot.minute or slot.second or slot.microsecond:
        raise ValidationError({"slot": _("A slot starts on the hour.")})
    if slot <= timezone.now():
        raise ValidationError({"slot": _("That hour has already begun.")})
    why = dispatching.hour_refusal(store, slot, capability_for(locked.kind))
    if why is not None:
        raise ValidationError(
            {"store": _("%(code)s cannot take it: %(why)s.") % {"code": store.code, "why": why.label}}
        )
    if not capacity.book(store=store, starts_at=slot, resource=RESOURCE):
        raise ValidationError({"slot": _("%(code)s has no free bay in that hour.") % {"code": store.code}})
    note = dispatching.decision(
        reason=dispatching.Reason.MANUAL,
        store=store,
        slot=slot,
        by=actor.get_username() if actor is not None else None,
        earlier=locked.dispatch_note or None,
    )
    locked.store, locked.province, locked.booked_slot, locked.dispatch_note = store, store.province, slot, note
    locked.save(update_fields=["store", "province", "booked_slot", "dispatch_note", "updated_at"])
    TicketEvent.objects.create(
        ticket=locked,
        kind=TicketEvent.Kind.DISPATCH,
        actor=actor,
        message=str(dispatching.Reason.MANUAL.label),
        data={"reason": dispatching.Reason.MANUAL, "store": store.code, "slot": note["slot"]},
    )
    VehicleReach.objects.get_or_create(vehicle_id=locked.vehicle_id, store=store)
    owner_phone = locked.customer.phone if locked.customer_id else None
    if owner_phone:
        notify_many([booking_confirmation(ticket=locked, phone=owner_phone, place=store)])
    return locked
