"""The writer: one batch of plans booked and written in one short transaction.

Each unit is taken with the atomic conditional UPDATE of stores.capacity, in (store, slot) order,
in the transaction that also writes the tickets, so capacity and tickets always agree and a kill
leaves nothing half done. A slot that filled meanwhile sends its plans back to the planner.
"""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales import responsibility
from aftersales.models import Kind, Priority, Ticket, TicketEvent
from aftersales.services import sla
from core.notifications import notify_many
from sales.models import VehicleReach
from stores import capacity, dispatching

from .loads import Loads
from .messages import booking_confirmation
from .network import RESOURCE
from .numbering import _allocate_numbers
from .planner import Plan, dispatch_note

PRIORITY = Priority.P4


def write_batch(batch: list[Plan], loads: Loads, run_at: dt.datetime, counts: dict[str, int]) -> list[Plan]:
    """Book and write one batch in one transaction; returns the plans whose slot filled meanwhile."""
    booked_plans = [p for p in batch if p.place is not None]
    capacity.ensure_rows({(p.place.pk, p.slot, p.place.bays) for p in booked_plans}, RESOURCE)
    numbers = _allocate_numbers(len(batch), run_at)
    retry: list[Plan] = []
    with transaction.atomic():
        # All of a batch's bays in one statement; a slot that filled meanwhile sends its plans back.
        groups: dict[tuple[int, dt.datetime], list[Plan]] = defaultdict(list)
        for plan in booked_plans:
            groups[(plan.place.pk, plan.slot)].append(plan)
        taken = capacity.take_many(
            [(pk, slot, len(plans), plans[0].place.bays) for (pk, slot), plans in groups.items()], RESOURCE
        )
        kept = []
        for key, plans in groups.items():
            (kept if key in taken else retry).extend(plans)
        missed = [key for key in groups if key not in taken]
        if missed:
            loads.refresh(missed)
        writing = sorted(kept + [p for p in batch if p.place is None], key=lambda p: p.vehicle.pk)
        offsets = _sla_offsets()
        tickets = [_ticket(plan, number, run_at, offsets) for plan, number in zip(writing, numbers, strict=False)]
        Ticket.objects.bulk_create(tickets, ignore_conflicts=True, batch_size=500)
        created = dict(Ticket.objects.filter(number__in=[t.number for t in tickets]).values_list("number", "pk"))
        for ticket, plan in zip(tickets, writing, strict=True):
            if ticket.number in created:
                ticket.pk = created[ticket.number]
            elif plan.place is not None:  # another run made this work first: give the bay back
                capacity.release(store_id=plan.place.pk, starts_at=plan.slot, resource=RESOURCE)
        made = [(t, p) for t, p in zip(tickets, writing, strict=True) if t.pk]
        _write_history(made, run_at)
    for ticket, _plan in made:
        counts["due"] += 1
        counts["booked" if ticket.store_id else "unassigned"] += 1
    return retry


_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _sla_offsets() -> dict[str, dt.datetime]:
    """The SLA columns of maintenance opened at a fixed instant: one policy read per batch, then
    shifted to each ticket's opening (the targets are offsets from the opening)."""
    return sla.sla_fields(kind=Kind.MAINTENANCE, priority=PRIORITY, opened_at=_EPOCH)


def _ticket(plan: Plan, number: str, run_at: dt.datetime, offsets: dict | None = None) -> Ticket:
    vehicle, place = plan.vehicle, plan.place
    # Booked work answers from its slot: the clock starts when the customer comes in. Work
    # nobody took answers from now: the regional manager must place it within the response time.
    opened = plan.slot if place is not None else run_at
    fields = {name: moment + (opened - _EPOCH) for name, moment in (offsets or _sla_offsets()).items()}
    model = vehicle.model
    return Ticket(
        number=number,
        kind=Kind.MAINTENANCE,
        priority=PRIORITY,
        status=Ticket.Status.NEW,
        source=Ticket.Source.SCHEDULE,
        vehicle=vehicle,
        customer_id=vehicle.owner_id,
        store_id=place.pk if place else None,
        province=place.province if place else plan.home.province,
        summary=_("Scheduled maintenance (every %(months)s months or %(km)s km)")
        % {"months": model.service_months, "km": model.service_km},
        description=plan.due.why(),
        payer=responsibility.derived_payer(kind=Kind.MAINTENANCE, component=""),
        due_point=plan.due.point,
        booked_slot=plan.slot,
        dispatch_note=dispatch_note(plan, run_at),
        **fields,
    )


def _write_history(made: list[tuple[Ticket, Plan]], run_at: dt.datetime) -> None:
    """One CREATED event per ticket saying why it is due and where it went, reach and messages."""
    events, reach, messages = [], [], []
    for ticket, plan in made:
        events.append(
            TicketEvent(
                ticket_id=ticket.pk,
                kind=TicketEvent.Kind.CREATED,
                data={
                    "kind": Kind.MAINTENANCE,
                    "priority": PRIORITY,
                    "source": Ticket.Source.SCHEDULE,
                    "store": plan.place.code if plan.place else None,
                    "dispatch": plan.reason,
                    "slot": ticket.dispatch_note["slot"],
                    "due": plan.due.as_data(),
                },
                message=f"{ticket.description} {dispatching.Reason(plan.reason).label}",
            )
        )
        if plan.place is not None:
            reach.append(VehicleReach(vehicle_id=ticket.vehicle_id, store_id=plan.place.pk))
            owner = plan.vehicle.owner
            if owner is not None:
                messages.append(booking_confirmation(ticket=ticket, phone=owner.phone, place=plan.place))
    TicketEvent.objects.bulk_create(events, batch_size=1000)
    VehicleReach.objects.bulk_create(
        sorted(reach, key=lambda r: (r.store_id, r.vehicle_id)), ignore_conflicts=True, batch_size=1000
    )
    notify_many(messages)
