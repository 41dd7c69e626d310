"""One chunk of due vehicles, the unit of work of a Celery task: found due, planned, written."""

import datetime as dt
from collections.abc import Callable

from django.db.models import Q
from django.utils import timezone

from aftersales.models import Kind, Ticket
from aftersales.services import maintenance
from sales.models import Vehicle
from stores.models import Store

from .loads import Loads
from .network import Network
from .planner import Plan, plan_at_own_store, plan_elsewhere
from .writer import write_batch

# Tickets written per transaction: short enough to hold slot row locks only briefly.
BATCH = 500


def schedule_chunk(
    *,
    vehicle_ids: list[int],
    run_at: dt.datetime,
    network: Network | None = None,
    progress: Callable[[dict], None] | None = None,
) -> dict[str, int]:
    """Create and book the due maintenance of these vehicles. Safe to run twice, or at once.

    `network` is the run's, when the caller does several chunks of one run (loaded here if not).
    """
    counts = {"due": 0, "booked": 0, "unassigned": 0}
    todo, dues = due_work(vehicle_ids=vehicle_ids, run_at=run_at)
    if not todo:
        return counts
    network = network or Network(run_at=run_at)
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
        retry = write_batch(batch, loads, run_at, counts)
        pending = retry + pending
        if progress is not None:
            progress(counts)
    return counts


def due_work(*, vehicle_ids: list[int], run_at: dt.datetime) -> tuple[list[Vehicle], dict[int, maintenance.Due]]:
    """The vehicles of the chunk that need work made now, in id order, and what is due for each.

    At most one open maintenance per vehicle; each due point makes work once.
    """
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
        return [], dues
    busy = set(
        Ticket.objects.filter(vehicle_id__in=list(dues))
        .filter(
            Q(kind=Kind.MAINTENANCE, status__in=Ticket.OPEN_STATUSES)
            | Q(source=Ticket.Source.SCHEDULE, due_point__in={d.point for d in dues.values()})
        )
        .values_list("vehicle_id", flat=True)
    )
    return [v for v in vehicles if v.pk in dues and v.pk not in busy], dues
