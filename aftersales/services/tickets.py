"""Writes on tickets: open, move through the statuses, assign, prioritise, comment, pay.

Every change writes an append-only TicketEvent in the same transaction. Who may do what is
stores.policy (every service here calls `require`); which status moves exist is
Ticket.MACHINE. Callers have already scoped the ticket to the actor's reach (stores.access).
`actor=None` is the system (jobs).
"""

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales import responsibility
from aftersales.models import Kind, Priority, RecallCampaign, Ticket, TicketEvent
from aftersales.services import notices, sla
from core.numbering import next_numbers
from core.transitions import Transition
from sales.models import Vehicle, VehicleReach
from stores import capacity
from stores.access import membership_of
from stores.models import Store
from stores.policy import allowed_moves, require, require_move

NUMBER_PREFIX = "AS"
NUMBER_COUNTER = "ticket"  # the core.numbering counter of ticket numbers


def allowed_transitions(*, ticket: Ticket, actor) -> list[str]:
    """The statuses this actor may move the ticket to now, in the order of Ticket.Status.

    "Assigned" needs an assignee: it is offered only once someone is named (assigning does it).
    """
    targets = {move.target for move in allowed_moves(actor, Ticket.MACHINE, ticket)}
    return [s for s in Ticket.Status.values if s in targets]


def ticket_numbers(*, at: dt.datetime, n: int = 1) -> list[str]:
    """The next `n` ticket numbers of the local year of `at`, e.g. AS-2026-0001234, consecutive."""
    year = timezone.localtime(at).year
    return [f"{NUMBER_PREFIX}-{year}-{number:07d}" for number in next_numbers(counter=NUMBER_COUNTER, year=year, n=n)]


def next_number(*, at: dt.datetime) -> str:
    """The next ticket number of the local year. Call inside a transaction."""
    return ticket_numbers(at=at)[0]


def ticket_add_event(
    *, ticket: Ticket, kind: str, actor, message: str = "", data: dict[str, Any] | None = None
) -> TicketEvent:
    """Append one event to the ticket's history."""
    return TicketEvent.objects.create(ticket=ticket, kind=kind, actor=actor, message=message, data=data or {})


@transaction.atomic
def ticket_create(
    *,
    vehicle: Vehicle,
    kind: str,
    priority: str,
    summary: str,
    description: str = "",
    store: Store | None,
    created_by: AbstractBaseUser | None = None,
    source: str = Ticket.Source.MANUAL,
    province: str | None = None,
    component: str = "",
    due_point: str = "",
    campaign: RecallCampaign | None = None,
    booked_slot: dt.datetime | None = None,
    dispatch_note: dict | None = None,
) -> Ticket:
    """Open a ticket: numbered, SLA targets copied from the policy, the CREATED event written.

    `store=None` is only for scheduled work no store could take (the regional manager's queue);
    then `province` says whose queue it is.
    """
    _check_new_ticket(kind=kind, priority=priority, store=store, province=province)
    now = timezone.now()
    ticket = Ticket(
        number=next_number(at=now),
        kind=kind,
        priority=priority,
        source=source,
        vehicle=vehicle,
        customer_id=vehicle.owner_id,
        store=store,
        province=store.province if store is not None else province,
        created_by=created_by,
        summary=summary.strip(),
        description=description.strip(),
        component=component,
        payer=responsibility.derived_payer(kind=kind, component=component),
        due_point=due_point,
        booked_slot=booked_slot,
        dispatch_note=dispatch_note or {},
        campaign=campaign,
        **sla.sla_fields(kind=kind, priority=priority, opened_at=now),
    )
    ticket.full_clean(validate_unique=False, validate_constraints=False)
    ticket.save()
    if store is not None:
        VehicleReach.objects.get_or_create(vehicle=vehicle, store=store)
    data = {"kind": kind, "priority": priority, "store": store.code if store else None, "source": source}
    ticket_add_event(ticket=ticket, kind=TicketEvent.Kind.CREATED, actor=created_by, data=data)
    if source == Ticket.Source.MANUAL:
        notices.ticket_received(ticket)
    return ticket


def _check_new_ticket(*, kind: str, priority: str, store: Store | None, province: str | None) -> None:
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Unknown ticket kind: %(kind)s.") % {"kind": kind}})
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Unknown priority: %(priority)s.") % {"priority": priority}})
    if store is not None and store.status != Store.Status.ACTIVE:
        raise ValidationError(
            {"store": _("Store %(code)s is not active and takes no new tickets.") % {"code": store.code}}
        )
    if store is None and not province:
        raise ValidationError({"store": _("A ticket needs a store, or a province when no store could take it.")})


def _lock(ticket: Ticket) -> Ticket:
    """The ticket re-read under a row lock, so two concurrent changes cannot interleave."""
    fresh = Ticket.objects.select_for_update().get(pk=ticket.pk)
    for field in fresh._meta.concrete_fields:
        setattr(ticket, field.attname, getattr(fresh, field.attname))
    return ticket


@transaction.atomic
def ticket_transition(
    *, ticket: Ticket, to_status: str, actor, message: str = "", at: dt.datetime | None = None
) -> Ticket:
    """Move the ticket along one move of Ticket.MACHINE, if the policy lets the actor make it."""
    _lock(ticket)
    move = require_move(actor, Ticket.MACHINE, ticket, to_status)
    return _apply_move(ticket, move, actor=actor, message=message, now=at or timezone.now())


def _apply_move(ticket: Ticket, move: Transition, *, actor, message: str, now: dt.datetime) -> Ticket:
    """Write a checked move (the ticket locked): status, SLA clocks, capacity, the STATUS event."""
    from_status, to_status = move.source, move.target
    fields = ["status", "updated_at"]
    data: dict[str, Any] = {"from": from_status, "to": to_status}
    if from_status == Ticket.Status.NEW and ticket.responded_at is None:
        ticket.responded_at = now
        fields.append("responded_at")
    if from_status == Ticket.Status.WAITING_PARTS:
        changed, paused_for = sla.resume_fields(ticket, now)
        fields += changed
        data["paused_seconds"] = int(paused_for.total_seconds())
    if to_status == Ticket.Status.WAITING_PARTS:
        fields += sla.pause_fields(ticket, now)
    if to_status == Ticket.Status.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
        if ticket.kind == Kind.MAINTENANCE:
            _reset_maintenance_clock(ticket, now)
    if to_status in (Ticket.Status.CLOSED, Ticket.Status.CANCELLED):
        ticket.closed_at = now
        fields.append("closed_at")
    if from_status == Ticket.Status.RESOLVED:  # reopened (a closed ticket is finished: CONTRACT 5)
        ticket.resolved_at = None
        fields.append("resolved_at")
    if to_status == Ticket.Status.CANCELLED and ticket.booked_slot is not None and ticket.store_id is not None:
        capacity.release(store_id=ticket.store_id, starts_at=ticket.booked_slot, resource=capacity.Resource.BAY)
    ticket.status = to_status
    ticket.save(update_fields=sorted(set(fields)))
    ticket_add_event(ticket=ticket, kind=TicketEvent.Kind.STATUS, actor=actor, message=message, data=data)
    if to_status == Ticket.Status.RESOLVED:
        notices.ticket_resolved(ticket)
    return ticket


def _reset_maintenance_clock(ticket: Ticket, now: dt.datetime) -> None:
    """A completed maintenance restarts the vehicle's maintenance clock (date, mileage, store)."""
    vehicle = Vehicle.objects.select_for_update().get(pk=ticket.vehicle_id)
    vehicle.last_service_on = timezone.localdate(now)
    vehicle.last_service_km = vehicle.mileage_km
    vehicle.last_service_store_id = ticket.store_id
    vehicle.save(update_fields=["last_service_on", "last_service_km", "last_service_store", "updated_at"])


@transaction.atomic
def ticket_assign(*, ticket: Ticket, assignee: AbstractBaseUser | None, actor) -> Ticket:
    """Give the ticket to a member of its store (None unassigns); a new ticket then moves to
    assigned through Ticket.MACHINE. Staff may only take a ticket themselves (stores.policy)."""
    _lock(ticket)
    taking = actor is not None and assignee is not None and assignee.pk == actor.pk
    require(actor, "ticket.take" if taking else "ticket.assign_others", ticket)
    if assignee is not None:
        membership = membership_of(assignee)
        if membership is None or membership.store_id is None or membership.store_id != ticket.store_id:
            raise ValidationError(
                _("%(user)s does not work at the ticket's store.") % {"user": assignee.get_username()}
            )
    previous = ticket.assignee
    if (previous.pk if previous else None) == (assignee.pk if assignee else None):
        return ticket
    ticket.assignee = assignee
    ticket.save(update_fields=["assignee", "updated_at"])
    data = {
        "from": previous.get_username() if previous else None,
        "to": assignee.get_username() if assignee else None,
        "status": ticket.status,  # before the move to assigned below, which has its own event
    }
    ticket_add_event(ticket=ticket, kind=TicketEvent.Kind.ASSIGNED, actor=actor, data=data)
    if ticket.status == Ticket.Status.NEW and assignee is not None:
        move = require_move(actor, Ticket.MACHINE, ticket, Ticket.Status.ASSIGNED)
        _apply_move(ticket, move, actor=actor, message="", now=timezone.now())
    return ticket


@transaction.atomic
def ticket_set_priority(*, ticket: Ticket, priority: str, actor, reason: str = "") -> Ticket:
    """Change the priority (manager or above); the SLA targets follow the new priority's policy.

    The new windows run from the ticket's opening, keeping any time already spent paused.
    """
    _lock(ticket)
    require(actor, "ticket.prioritise", ticket)
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Unknown priority: %(priority)s.") % {"priority": priority}})
    if priority == ticket.priority:
        return ticket
    previous = ticket.priority
    paused_shift = _paused_shift(ticket)
    fresh = sla.sla_fields(kind=ticket.kind, priority=priority, opened_at=ticket.created_at + paused_shift)
    fields = ["priority", "due_at", "risk_at", "updated_at"]
    ticket.due_at, ticket.risk_at = fresh["due_at"], fresh["risk_at"]
    if ticket.responded_at is None:
        ticket.response_due_at, ticket.response_risk_at = fresh["response_due_at"], fresh["response_risk_at"]
        fields += ["response_due_at", "response_risk_at"]
    ticket.priority = priority
    ticket.save(update_fields=fields)
    ticket_add_event(
        ticket=ticket,
        kind=TicketEvent.Kind.PRIORITY,
        actor=actor,
        message=reason,
        data={"from": previous, "to": priority},
    )
    return ticket


def _paused_shift(ticket: Ticket) -> dt.timedelta:
    """Time the resolution clock has been paused so far (how far the due time moved)."""
    if ticket.risk_at is None:
        return dt.timedelta(0)
    window = (ticket.due_at - ticket.risk_at) / sla.AT_RISK_SHARE
    return max(ticket.due_at - ticket.created_at - window, dt.timedelta(0))


@transaction.atomic
def ticket_comment(*, ticket: Ticket, actor, message: str) -> TicketEvent:
    """A comment: the one thing a finished ticket still takes."""
    require(actor, "ticket.comment", ticket)
    text = (message or "").strip()
    if not text:
        raise ValidationError({"message": _("Write a comment first.")})
    if len(text) > 5000:
        raise ValidationError({"message": _("A comment has at most 5,000 characters.")})
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
    return ticket_add_event(ticket=ticket, kind=TicketEvent.Kind.COMMENT, actor=actor, message=text)


@transaction.atomic
def ticket_set_payer(*, ticket: Ticket, payer: str, reason: str, actor) -> Ticket:
    """HQ overrides the paying party, with a reason kept on the ticket and in the history."""
    _lock(ticket)
    require(actor, "ticket.set_payer", ticket)
    if payer not in Ticket.Payer.values:
        raise ValidationError({"payer": _("Unknown paying party: %(payer)s.") % {"payer": payer}})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for changing who pays.")})
    previous = ticket.payer
    ticket.payer = payer
    ticket.payer_override_reason = reason[:300]
    ticket.save(update_fields=["payer", "payer_override_reason", "updated_at"])
    ticket_add_event(
        ticket=ticket, kind=TicketEvent.Kind.PAYER, actor=actor, message=reason, data={"from": previous, "to": payer}
    )
    return ticket


@transaction.atomic
def ticket_set_component(*, ticket: Ticket, component: str, actor) -> Ticket:
    """Name the component at fault; the paying party follows unless HQ has overridden it."""
    _lock(ticket)
    require(actor, "ticket.set_component", ticket)
    if component not in Ticket.Component.values:
        raise ValidationError({"component": _("Unknown component: %(component)s.") % {"component": component}})
    previous = ticket.component
    ticket.component = component
    fields = ["component", "updated_at"]
    if not ticket.payer_override_reason:
        ticket.payer = responsibility.derived_payer(kind=ticket.kind, component=component)
        fields.append("payer")
    ticket.save(update_fields=fields)
    ticket_add_event(
        ticket=ticket,
        kind=TicketEvent.Kind.PAYER,
        actor=actor,
        data={"component_from": previous, "component_to": component, "payer": ticket.payer},
    )
    return ticket
