"""The planner: for each due vehicle, the store and slot, and the note that explains the choice.

At the vehicle's own store when it can take the work; else at the nearest other store with room
within 50 km (service stores preferred over partner shops at similar distance); else unassigned.
"""

import datetime as dt
from dataclasses import dataclass, field

from aftersales.services import maintenance
from sales.models import Vehicle
from stores import dispatching
from stores.models import Store

from .loads import Loads
from .network import CAPABILITY, MAX_KM, WINDOW_HOURS, Network, Place


@dataclass
class Plan:
    """The decision for one due vehicle."""

    vehicle: Vehicle
    due: maintenance.Due
    home: Store
    place: Place | None = None
    slot: dt.datetime | None = None
    km: float | None = None
    reason: str = dispatching.Reason.FALLBACK
    passed_over: list[dict] = field(default_factory=list)
    loads: "Loads | None" = None


def plan_at_own_store(plan: Plan, network: Network, loads: Loads) -> bool:
    """Book at the vehicle's own store if it can take it; else note why not and return False."""
    home = plan.home
    own_why = dispatching.standing_refusal(home, CAPABILITY)
    own = network.places.get(home.pk)
    if own_why is None and own is not None:
        slot = loads.first_free(own)
        if slot is not None:
            _chosen(plan, own, slot, 0.0, dispatching.Reason.OWN_STORE, [])
            return True
        own_why = _why_not(network, own)
    plan.passed_over = [dispatching.passed(home, own_why, 0.0)]
    return False


def plan_elsewhere(plan: Plan, network: Network, loads: Loads) -> Plan:
    """The nearest other store with room (service preferred), else unassigned."""
    passed_over = plan.passed_over
    for place, km in network.alternatives(plan.home):
        slot = loads.first_free(place)
        if slot is not None:
            return _chosen(plan, place, slot, km, dispatching.Reason.NEAREST, passed_over)
        if len(passed_over) < dispatching.MAX_PASSED_OVER:
            passed_over.append(dispatching.passed(place, _why_not(network, place), km))
    plan.place = plan.slot = plan.km = None
    plan.reason, plan.passed_over = dispatching.Reason.FALLBACK, passed_over
    return plan


def _why_not(network: Network, place: Place) -> dispatching.Refusal:
    """Why a store that can do the work has no slot in the window: all full, or never open."""
    return dispatching.Refusal.FULL if network.open_hours(place) else dispatching.Refusal.CLOSED_AT_HOUR


def _chosen(plan: Plan, place: Place, slot: dt.datetime, km: float, reason: str, passed_over: list[dict]) -> Plan:
    # Held in memory at once, so the rest of the batch plans around it; the database decides at take.
    if plan.loads is not None:
        plan.loads.taken(place, slot)
    plan.place, plan.slot, plan.km, plan.reason, plan.passed_over = place, slot, km, reason, passed_over
    return plan


def dispatch_note(plan: Plan, run_at: dt.datetime) -> dict:
    """The dispatch note, with what this search looked at and, for work nobody took, its province."""
    unassigned = {"province": plan.home.province} if plan.place is None else {}
    return dispatching.decision(
        reason=plan.reason,
        store=plan.place,
        distance_km=plan.km,
        slot=plan.slot,
        passed_over=plan.passed_over,
        decided_at=run_at,
        home_store=plan.home.code,
        searched_km=MAX_KM,
        window_hours=WINDOW_HOURS,
        due=plan.due.as_data(),
        **unassigned,
    )
