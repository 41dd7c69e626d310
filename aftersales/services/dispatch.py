"""Creating and booking scheduled maintenance work (CONTRACT 4, `schedule_maintenance`).

For each due vehicle: one maintenance ticket per due point (source `schedule`), booked in a slot
starting within 168 hours after the run, at the vehicle's store (its last maintenance store, else
its delivering store) when that store can take it; else at the nearest other store that can,
within 50 km of the vehicle's store, service stores preferred over partner shops at similar
distance; else left unassigned (no store, the store's province) for the regional manager.

Built for 100,000 due vehicles over 43,000 stores: the network's candidate stores are loaded once
per run and searched in memory, a chunk's slot loads are read in one query, and tickets, events,
reach rows and notifications are written in bulk. Booking stays the database's decision: each
unit is taken with the atomic conditional UPDATE of stores.capacity, in (store, slot) order inside
a short transaction that also writes the tickets, so capacity and tickets always agree, two
workers never deadlock on slot rows, and a kill loses nothing committed and leaves nothing half
done. Running twice creates nothing twice (ticket_unique_due_point, one open scheduled
maintenance per vehicle; inserts skip conflicts and give back their bays).
"""

import datetime as dt
import heapq
import logging
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales import responsibility
from aftersales.models import Kind, Priority, Ticket, TicketEvent
from aftersales.services import maintenance, sla
from aftersales.services.tickets import ticket_numbers
from core.notifications import notify_many
from sales.models import Vehicle, VehicleReach
from stores import capacity, dispatching
from stores.geo import KM_PER_DEGREE_LAT, haversine_km
from stores.models import Store

logger = logging.getLogger(__name__)

CAPABILITY = "maintenance"
RESOURCE = capacity.Resource.BAY
WINDOW_HOURS = 168
MAX_KM = 50.0
# "Similar distance": a partner shop is ranked as if this much farther than a service store.
PARTNER_PENALTY_KM = 5.0
PRIORITY = Priority.P4
# Tickets written per transaction: short enough to hold slot row locks only briefly.
BATCH = 500
GRID_DEGREES = 0.5
# Other stores tried per vehicle, best first: the nearest that could take it are among them.
ALTERNATIVES = 30


@dataclass(frozen=True)
class Place:
    """What the dispatcher needs of a store, kept in memory for the run."""

    pk: int
    code: str
    name: str
    kind: str
    province: str
    lat: float
    lng: float
    opens_minute: int
    closes_minute: int
    bays: int


class Network:
    """The stores that can take maintenance (active, capable, with bays), searchable in memory."""

    FIELDS = ("pk", "code", "name", "kind", "province", "lat", "lng", "opens_minute", "closes_minute", "bays")

    def __init__(self, *, run_at: dt.datetime):
        self.run_at = run_at
        rows = Store.objects.active().with_capability(CAPABILITY).filter(bays__gt=0).values_list(*self.FIELDS)
        self.places: dict[int, Place] = {row[0]: Place(*row) for row in rows}
        self.grid: dict[tuple[int, int], list[Place]] = defaultdict(list)
        for place in self.places.values():
            self.grid[_cell(place.lat, place.lng)].append(place)
        self._alternatives: dict[int, list[tuple[Place, float]]] = {}
        self._hours: dict[tuple[int, int], list[dt.datetime]] = {}
        first = capacity.hour_start(run_at) + dt.timedelta(hours=1)
        # Slots starting within 168 hours after the run.
        self.window = [
            first + dt.timedelta(hours=h)
            for h in range(WINDOW_HOURS)
            if first + dt.timedelta(hours=h) <= run_at + dt.timedelta(hours=WINDOW_HOURS)
        ]

    def alternatives(self, home: Store) -> list[tuple[Place, float]]:
        """Other capable stores within 50 km of the home store, best first (service preferred)."""
        if home.pk not in self._alternatives:
            found = []
            dlat = MAX_KM / KM_PER_DEGREE_LAT
            dlng = MAX_KM / (KM_PER_DEGREE_LAT * max(math.cos(math.radians(abs(home.lat) + dlat)), 0.01))
            (lo_i, lo_j), (hi_i, hi_j) = (
                _cell(home.lat - dlat, home.lng - dlng),
                _cell(home.lat + dlat, home.lng + dlng),
            )
            for i in range(lo_i, hi_i + 1):
                for j in range(lo_j, hi_j + 1):
                    for place in self.grid.get((i, j), ()):
                        if place.pk == home.pk:
                            continue
                        km = haversine_km(home.lat, home.lng, place.lat, place.lng)
                        if km <= MAX_KM:
                            found.append((place, km))
            self._alternatives[home.pk] = heapq.nsmallest(
                ALTERNATIVES, found, key=lambda item: (_rank_km(item[0], item[1]), item[1], item[0].pk)
            )
        return self._alternatives[home.pk]

    def open_hours(self, place: Place) -> list[dt.datetime]:
        """The window's slots in which the store is open for the whole hour."""
        key = (place.opens_minute, place.closes_minute)
        if key not in self._hours:
            self._hours[key] = [
                start
                for start in self.window
                if place.opens_minute <= _minute_of_day(start) and _minute_of_day(start) + 60 <= place.closes_minute
            ]
        return self._hours[key]


def _cell(lat: float, lng: float) -> tuple[int, int]:
    return math.floor(lat / GRID_DEGREES), math.floor(lng / GRID_DEGREES)


def _rank_km(place: Place, km: float) -> float:
    return km + (PARTNER_PENALTY_KM if place.kind == Store.Kind.PARTNER else 0.0)


def _minute_of_day(moment: dt.datetime) -> int:
    local = timezone.localtime(moment)
    return local.hour * 60 + local.minute


class Loads:
    """Booked bays per (store, slot) as read at the start of a chunk, updated as we book."""

    def __init__(self, network: Network, store_ids: set[int]):
        self.network = network
        self.booked: dict[tuple[int, dt.datetime], int] = {}
        self.loaded: set[int] = set()
        self.ensure(store_ids)

    def ensure(self, store_ids) -> None:
        """Read the window's loads of the stores not read yet, in one query."""
        missing = set(store_ids) - self.loaded
        if missing and self.network.window:
            window = self.network.window
            self.booked.update(capacity.booked_in_range(missing, window[0], window[-1], RESOURCE))
        self.loaded |= missing

    def first_free(self, place: Place) -> dt.datetime | None:
        for start in self.network.open_hours(place):
            if self.booked.get((place.pk, start), 0) < place.bays:
                return start
        return None

    def taken(self, place: Place, start: dt.datetime) -> None:
        self.booked[(place.pk, start)] = self.booked.get((place.pk, start), 0) + 1

    def refresh(self, keys: list[tuple[int, dt.datetime]]) -> None:
        """Re-read slots whose take failed: someone else booked there meanwhile."""
        fresh = capacity.booked_in_slots({k[0] for k in keys}, list({k[1] for k in keys}), RESOURCE)
        for key in keys:
            self.booked[key] = fresh.get(key, 0)


@dataclass
class Plan:
    """The decision for one due vehicle."""

    vehicle: Vehicle
    due: maintenance.Due
    home: Store
    place: Place | None = None
    slot: dt.datetime | None = None
    km: float | None = None
    reason: str = dispatching.FALLBACK
    passed_over: list[dict] = field(default_factory=list)
    loads: "Loads | None" = None


def plan_booking(plan: Plan, network: Network, loads: Loads) -> Plan:
    """Choose the store and slot: own store, else nearest capable within 50 km, else unassigned."""
    if not plan_at_own_store(plan, network, loads):
        loads.ensure(place.pk for place, _km in network.alternatives(plan.home))
        plan_elsewhere(plan, network, loads)
    return plan


def plan_at_own_store(plan: Plan, network: Network, loads: Loads) -> bool:
    """Book at the vehicle's own store if it can take it; else note why not and return False."""
    home = plan.home
    own_why = dispatching.standing_refusal(home, CAPABILITY)
    own = network.places.get(home.pk)
    if own_why is None and own is not None:
        slot = loads.first_free(own)
        if slot is not None:
            _chosen(plan, own, slot, 0.0, dispatching.OWN_STORE, [])
            return True
        own_why = dispatching.FULL if network.open_hours(own) else dispatching.CLOSED_AT_HOUR
    plan.passed_over = [_passed(home.code, own_why, 0.0)]
    return False


def plan_elsewhere(plan: Plan, network: Network, loads: Loads) -> Plan:
    """The nearest other store with room (service preferred), else unassigned."""
    passed_over = plan.passed_over
    for place, km in network.alternatives(plan.home):
        slot = loads.first_free(place)
        if slot is not None:
            return _chosen(plan, place, slot, km, dispatching.NEAREST, passed_over)
        if len(passed_over) < dispatching.MAX_PASSED_OVER:
            passed_over.append(
                _passed(place.code, dispatching.FULL if network.open_hours(place) else dispatching.CLOSED_AT_HOUR, km)
            )
    plan.place, plan.slot, plan.km, plan.reason, plan.passed_over = None, None, None, dispatching.FALLBACK, passed_over
    return plan


def _chosen(plan: Plan, place: Place, slot: dt.datetime, km: float, reason: str, passed_over: list[dict]) -> Plan:
    # Held in memory at once, so the rest of the batch plans around it; the database decides at take.
    if plan.loads is not None:
        plan.loads.taken(place, slot)
    plan.place, plan.slot, plan.km, plan.reason, plan.passed_over = place, slot, km, reason, passed_over
    return plan


def _passed(code: str, why: str, km: float | None) -> dict:
    return {"store": code, "distance_km": None if km is None else round(km, 2), "why": why}


def _note(plan: Plan, run_at: dt.datetime) -> dict:
    place = plan.place
    note = {
        "reason": plan.reason,
        "store": place.code if place else None,
        "store_name": place.name if place else None,
        "distance_km": None if plan.km is None else round(plan.km, 2),
        "slot": timezone.localtime(plan.slot).isoformat() if plan.slot else None,
        "decided_at": timezone.localtime(run_at).isoformat(timespec="seconds"),
        "passed_over": plan.passed_over[: dispatching.MAX_PASSED_OVER],
        "home_store": plan.home.code,
        "searched_km": MAX_KM,
        "window_hours": WINDOW_HOURS,
        "due": plan.due.as_data(),
    }
    if place is None:
        note["province"] = plan.home.province
    return note


# ---------------------------------------------------------------------------------------------
# One chunk of vehicles: the unit of work of a Celery task.

_NETWORKS: dict[tuple[str, dt.datetime], Network] = {}


def network_for(run_at: dt.datetime, run_key: str = "") -> Network:
    """The run's network, loaded once per process and run (a worker serves many chunks of it)."""
    key = (run_key, run_at)
    if not run_key or key not in _NETWORKS:
        _NETWORKS.clear()
        _NETWORKS[key] = Network(run_at=run_at)
    return _NETWORKS[key]


def schedule_chunk(
    *,
    vehicle_ids: list[int],
    run_at: dt.datetime,
    run_key: str = "",
    progress: Callable[[dict], None] | None = None,
) -> dict[str, int]:
    """Create and book the due maintenance of these vehicles. Safe to run twice, or at once."""
    counts = {"due": 0, "booked": 0, "unassigned": 0}
    today = timezone.localdate(run_at)
    vehicles = list(
        Vehicle.objects.filter(pk__in=vehicle_ids, status=Vehicle.Status.DELIVERED)
        .select_related("model", "owner")
        .order_by("pk")
    )
    dues = {}
    for vehicle in vehicles:
        due = maintenance.maintenance_due(vehicle, today=today)
        if due is not None:
            dues[vehicle.pk] = due
    if not dues:
        return counts
    # At most one open maintenance per vehicle; each due point makes work once.
    busy = set(
        Ticket.objects.filter(vehicle_id__in=list(dues))
        .filter(
            Q(kind=Kind.MAINTENANCE, status__in=Ticket.OPEN_STATUSES)
            | Q(source=Ticket.Source.SCHEDULE, due_point__in={d.point for d in dues.values()})
        )
        .values_list("vehicle_id", flat=True)
    )
    todo = [v for v in vehicles if v.pk in dues and v.pk not in busy]
    if not todo:
        return counts
    network = network_for(run_at, run_key)
    homes = Store.objects.in_bulk({v.last_service_store_id or v.store_id for v in todo})
    # Slot loads are read for the vehicles' own stores now, for other stores only when needed.
    loads = Loads(network, set(homes))

    pending = [
        Plan(vehicle=v, due=dues[v.pk], home=homes[v.last_service_store_id or v.store_id], loads=loads) for v in todo
    ]
    while pending:
        batch, pending = pending[:BATCH], pending[BATCH:]
        elsewhere = [plan for plan in batch if not plan_at_own_store(plan, network, loads)]
        if elsewhere:
            loads.ensure(place.pk for plan in elsewhere for place, _km in network.alternatives(plan.home))
            for plan in elsewhere:
                plan_elsewhere(plan, network, loads)
        retry = _write_batch(batch, loads, run_at, counts)
        pending = retry + pending
        if progress is not None:
            progress(counts)
    return counts


def _write_batch(batch: list[Plan], loads: Loads, run_at: dt.datetime, counts: dict[str, int]) -> list[Plan]:
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


def _allocate_numbers(count: int, run_at: dt.datetime) -> list[str]:
    """A block of ticket numbers of the run's year, in a short transaction of its own.

    Numbers taken by a batch that then skips a conflicting ticket stay unused: gaps, never twins.
    """
    return ticket_numbers(at=run_at, n=count)


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
        dispatch_note=_note(plan, run_at),
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
                message=f"{ticket.description} {dispatching.REASONS[plan.reason]}",
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


def booking_confirmation(*, ticket: Ticket, phone: str, place) -> dict:
    """The customer's SMS confirming a maintenance booking (sent once per ticket and slot)."""
    local = timezone.localtime(ticket.booked_slot)
    return {
        "channel": "sms",
        "recipient": phone,
        "subject": _("Maintenance booked"),
        "body": _("Your car's maintenance (%(number)s) is booked at %(store)s on %(slot)s.")
        % {"number": ticket.number, "store": place.name, "slot": f"{local:%Y-%m-%d %H:%M}"},
        "dedupe_key": f"maintenance-booked:{ticket.pk}:{local:%Y%m%d%H}",
    }


# ---------------------------------------------------------------------------------------------
# By hand: the regional manager (or HQ) places work no store took.


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
    slot = timezone.localtime(slot)
    if slot.minute or slot.second or slot.microsecond:
        raise ValidationError({"slot": _("A slot starts on the hour.")})
    if slot <= timezone.now():
        raise ValidationError({"slot": _("That hour has already begun.")})
    why = dispatching.hour_refusal(store, slot, capability_for(locked.kind))
    if why is not None:
        raise ValidationError(
            {"store": _("%(code)s cannot take it: %(why)s.") % {"code": store.code, "why": dispatching.WHY[why]}}
        )
    if not capacity.book(store=store, starts_at=slot, resource=RESOURCE):
        raise ValidationError({"slot": _("%(code)s has no free bay in that hour.") % {"code": store.code}})
    note = dispatching.decision(
        reason=dispatching.MANUAL,
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
        message=str(dispatching.REASONS[dispatching.MANUAL]),
        data={"reason": dispatching.MANUAL, "store": store.code, "slot": note["slot"]},
    )
    VehicleReach.objects.get_or_create(vehicle_id=locked.vehicle_id, store=store)
    owner_phone = locked.customer.phone if locked.customer_id else None
    if owner_phone:
        notify_many([booking_confirmation(ticket=locked, phone=owner_phone, place=store)])
    return locked
