"""`seed_demo`: the network, its people and a believable amount of work, loaded once.

Stages: the catalogue, stores and people are matched by their codes and usernames (what exists
is reused); the activity (customers, vehicles, orders, test drives, tickets) is loaded in one
transaction and recorded as a SeedStage, so a second run finds it and adds nothing.
"""

import datetime as dt
import time
from collections.abc import Callable

from django.db import connection, transaction

from aftersales.models import RecallCampaign, Ticket, TicketEvent
from aftersales.services.tickets import NUMBER_COUNTER as TICKET_COUNTER
from core.models import Counter
from sales.models import Customer, Order, TestDrive, Vehicle, VehicleReach
from sales.services.orders import NUMBER_COUNTER as ORDER_COUNTER
from stores.models import SlotLoad, Store

from . import activity, reach, tickets
from .context import load_context
from .fastload import bulk_load
from .models import SeedStage
from .network import DEMO_STORE, ensure_catalogue, ensure_demo_logins, seed_people, seed_stores
from .plan import SMALL, Plan
from .sinks import sink_for_connection

ACTIVITY = "activity"
CHUNK = 20_000
CAMPAIGN = "RC-2026-001"


class AlreadySeeded(Exception):
    pass


def seed(plan: Plan, *, say: Callable[[str], None] = print) -> dict:
    sink = sink_for_connection()
    started = time.monotonic()

    def step(message: str) -> None:
        say(f"[{time.monotonic() - started:6.1f}s] {message}")

    with transaction.atomic():
        ensure_catalogue()
        created, reused = seed_stores(sink, plan)
        step(f"stores: created={created} reused={reused}")
        created, reused = seed_people(sink, plan)
        logins = ensure_demo_logins()
        step(f"people: created={created + len(logins)} reused={reused + 5 - len(logins)}")
    done = SeedStage.objects.filter(name=ACTIVITY).first()
    if done is not None:
        if done.scale != plan.scale and plan.scale == "full":
            raise AlreadySeeded(
                f"This database already holds the {done.scale} demo activity; load --scale full into an empty database."
            )
        added = ensure_today()
        step(f"activity: reused the {done.scale} demo ({_summary(done.counts)}); today's test drives added={added}")
        return done.counts
    with transaction.atomic(), bulk_load(plan.scale == "full", say=step):
        counts = seed_activity(plan, sink, step)
        SeedStage.objects.create(name=ACTIVITY, scale=plan.scale, counts=counts)
    if connection.vendor == "postgresql" and plan.scale == "full":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    step(f"activity: created {_summary(counts)}")
    return counts


def _summary(counts: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in counts.items())


def seed_activity(plan: Plan, sink, step) -> dict:
    ctx = load_context(plan)
    customers = activity.plan_customers(ctx)
    fleet, allocated = activity.plan_fleet(ctx, customers, round(plan.vehicles * 0.01))
    counts = {}
    counts["customers"] = sink.write(Customer, activity.CUSTOMER_COLUMNS, activity.customer_rows(ctx, customers))
    step(f"customers: {counts['customers']}")

    order_counters = _counters(ORDER_COUNTER)
    orders = activity.order_rows(ctx, customers, fleet, allocated, plan.orders, order_counters)
    counts["orders"] = sink.write(Order, activity.ORDER_COLUMNS, orders)
    _save_counters(ORDER_COUNTER, order_counters)

    demo_cars: dict = {}  # (store id, slot start) -> demo cars booked, as stores.capacity keeps them
    counts["test_drives"] = _seed_test_drives(ctx, sink, customers, fleet, demo_cars)
    step(f"orders: {counts['orders']}, test drives: {counts['test_drives']}")

    holders = reach.Reach(flags=bytearray(len(fleet.store)))
    bays = _seed_tickets(ctx, sink, fleet, holders, counts, step)
    counts["slot_loads"] = sink.write(
        SlotLoad, activity.SLOT_COLUMNS, activity.slot_rows(ctx, demo_cars, SlotLoad.Resource.DEMO_CAR)
    ) + sink.write(SlotLoad, activity.SLOT_COLUMNS, activity.slot_rows(ctx, bays, SlotLoad.Resource.BAY))

    counts["vehicles"] = sink.write(Vehicle, activity.VEHICLE_COLUMNS, activity.vehicle_rows(ctx, fleet))
    counts["vehicle_reach"] = sink.write(VehicleReach, reach.REACH_COLUMNS, reach.reach_rows(fleet, holders, ctx))
    step(f"vehicles: {counts['vehicles']}, reach: {counts['vehicle_reach']}")
    sink.finish([Customer, Vehicle, Order, TestDrive, Ticket, TicketEvent, VehicleReach, SlotLoad])
    return {k: counts[k] for k in ("customers", "vehicles", "orders", "test_drives", "tickets", "ticket_events",
                                   "vehicle_reach", "slot_loads")}  # fmt: skip


def _seed_test_drives(ctx, sink, customers, fleet, demo_cars: dict) -> int:
    """The network's test drives, then the demo store's today and tomorrow; each takes its demo car."""
    first_id = activity.next_id(TestDrive)
    rows = activity.test_drive_rows(ctx, customers, fleet, demo_cars, ctx.plan.test_drives)
    written = sink.write(TestDrive, activity.TEST_DRIVE_COLUMNS, rows)
    if ctx.demo_store is not None:
        home = ctx.service.index(ctx.demo_store)
        today_rows = activity.demo_today_rows(
            ctx, customers.by_store.get(home, [customers.base_id]), fleet.demo_by_store.get(ctx.demo_store.id, []),
            demo_cars, first_id + ctx.plan.test_drives,
        )  # fmt: skip
        written += sink.write(TestDrive, activity.TEST_DRIVE_COLUMNS, today_rows)
    return written


def _seed_tickets(ctx, sink, fleet, holders, counts: dict, step) -> dict:
    """Tickets and their events in chunks; returns the bays their booked slots took."""
    campaign = _campaign(ctx)
    plan_t = tickets.TicketPlan(
        campaign_id=campaign.id,
        campaign_model=campaign.model_id,
        launched_at=campaign.launched_at,
        counters=_counters(TICKET_COUNTER),
        first_id=activity.next_id(Ticket),
    )
    chosen = tickets.picks(ctx, fleet, ctx.plan.tickets)
    counts["tickets"] = counts["ticket_events"] = 0
    generated = tickets.generate(ctx, fleet, plan_t, holders, chosen)
    while True:
        batch = [item for _, item in zip(range(CHUNK), generated, strict=False)]
        if not batch:
            break
        counts["tickets"] += sink.write(Ticket, tickets.TICKET_COLUMNS, (row for row, _ in batch))
        counts["ticket_events"] += sink.write(
            TicketEvent, tickets.EVENT_COLUMNS, (event for _, events in batch for event in events)
        )
        if counts["tickets"] % (CHUNK * 10) == 0:
            step(f"tickets: {counts['tickets']}")
    _save_counters(TICKET_COUNTER, plan_t.counters)
    step(f"tickets: {counts['tickets']}, events: {counts['ticket_events']}")
    return plan_t.bays


def _counters(name: str) -> dict[int, int]:
    """The last number of each year of a core.numbering counter: the seeder numbers on from there."""
    return dict(Counter.objects.filter(name=name).values_list("year", "last"))


def _save_counters(name: str, counters: dict[int, int]) -> None:
    for year, last in counters.items():
        Counter.objects.update_or_create(name=name, year=year, defaults={"last": last})


def _campaign(ctx) -> RecallCampaign:
    model = next((m for m in ctx.models if m.code == "GNC-A5"), ctx.models[0])
    launched = ctx.now - dt.timedelta(days=45)
    campaign, _ = RecallCampaign.objects.get_or_create(
        code=CAMPAIGN,
        defaults={
            "title": "前悬架下摆臂紧固检查",
            "description": "部分国民好车标准续航版前悬架下摆臂螺栓扭矩可能不足，免费检查并按规定扭矩紧固。",
            "model": model,
            "status": RecallCampaign.Status.LAUNCHED,
            "launched_at": launched,
        },
    )
    return campaign


def ensure_today() -> int:
    """On a later day, give the demo store test drives today again (the day view stays meaningful)."""
    store = Store.objects.filter(code=DEMO_STORE).first()
    if store is None:
        return 0
    ctx = load_context(SMALL)
    start = ctx.local(ctx.today, 0)
    if TestDrive.objects.filter(
        store=store, slot_start__gte=start, slot_start__lt=start + dt.timedelta(days=1)
    ).exists():
        return 0
    slots = {
        (store.id, s): b
        for s, b in SlotLoad.objects.filter(store=store, resource=SlotLoad.Resource.DEMO_CAR).values_list(
            "starts_at", "booked"
        )
    }
    before = dict(slots)
    buyers = list(Customer.objects.filter(city=store.city).values_list("id", flat=True)[:200]) or list(
        Customer.objects.values_list("id", flat=True)[:200]
    )
    if not buyers:
        return 0
    demo_cars = list(
        Vehicle.objects.filter(store=store, status=Vehicle.Status.DEMO).order_by("id").values_list("id", flat=True)
    )
    sink = sink_for_connection()
    with transaction.atomic():
        rows = activity.demo_today_rows(ctx, buyers, demo_cars, slots, activity.next_id(TestDrive))
        added = sink.write(TestDrive, activity.TEST_DRIVE_COLUMNS, rows)
        for (store_id, starts_at), booked in slots.items():
            if booked != before.get((store_id, starts_at)):
                SlotLoad.objects.update_or_create(
                    store_id=store_id, starts_at=starts_at, resource=SlotLoad.Resource.DEMO_CAR,
                    defaults={"capacity": max(store.demo_cars, booked), "booked": booked},
                )  # fmt: skip
        sink.finish([TestDrive])
    return added
