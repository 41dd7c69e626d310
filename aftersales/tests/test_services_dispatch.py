"""Scheduled maintenance is created once per due point and booked by the rules, explained."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count

from aftersales.models import Kind, Ticket, TicketEvent
from aftersales.services import schedule_run
from aftersales.tests.factories import CarModelFactory, VehicleFactory, make_ticket
from core.models import Notification
from sales.models import VehicleReach
from stores.models import SlotLoad, Store
from stores.tests.factories import StoreFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
RUN_AT = dt.datetime(2026, 11, 25, 2, 0, tzinfo=SHANGHAI)
LAT, LNG = 23.13, 113.26


def km_east(km: float) -> float:
    return LNG + km / 102.3


@pytest.fixture
def model(db):
    return CarModelFactory(code="GC-S7", service_months=12, service_km=20_000)


@pytest.fixture
def home(db):
    return StoreFactory(code="GZ-HOME", lat=LAT, lng=LNG, bays=2)


def due_vehicle(model, store, **extra):
    return VehicleFactory(model=model, store=store, delivered_on=dt.date(2025, 11, 1), mileage_km=8_000, **extra)


def run(**kwargs):
    return schedule_run.schedule_maintenance(run_at=RUN_AT, **kwargs)


def test_due_vehicle_is_booked_at_its_own_store_in_the_first_open_slot(model, home, django_capture_on_commit_callbacks):
    vehicle = due_vehicle(model, home)
    StoreFactory(code="GZ-NEAR", lat=LAT, lng=km_east(1))

    with django_capture_on_commit_callbacks(execute=True):
        counts = run()

    assert counts == {"due": 1, "booked": 1, "unassigned": 0}
    ticket = Ticket.objects.get(vehicle=vehicle)
    assert (ticket.kind, ticket.source, ticket.store) == (Kind.MAINTENANCE, Ticket.Source.SCHEDULE, home)
    assert ticket.booked_slot == dt.datetime(2026, 11, 25, 8, 0, tzinfo=SHANGHAI)  # opens at 08:00
    assert ticket.due_point == "2025-11-01@0km"
    assert ticket.dispatch_note["reason"] == "own_store"
    assert ticket.dispatch_note["store"] == "GZ-HOME"
    assert ticket.dispatch_note["due"]["by"] == ["months"]
    created = ticket.events.get()
    assert created.kind == TicketEvent.Kind.CREATED
    assert (created.data["dispatch"], created.data["store"]) == ("own_store", "GZ-HOME")
    assert VehicleReach.objects.filter(vehicle=vehicle, store=home).exists()
    assert SlotLoad.objects.get(store=home).booked == 1
    confirmation = Notification.objects.get()
    assert confirmation.recipient == vehicle.owner.phone
    assert ticket.number in confirmation.body


def test_last_maintenance_store_comes_before_the_delivering_store(model, home):
    served = StoreFactory(code="GZ-SERVED", lat=LAT, lng=km_east(30))
    vehicle = due_vehicle(
        model, home, last_service_on=dt.date(2025, 11, 2), last_service_km=100, last_service_store=served
    )

    run()

    assert Ticket.objects.get(vehicle=vehicle).store == served


def test_full_own_store_sends_the_rest_to_the_nearest_store_with_room(model):
    # Open one hour a day: 7 slots of one bay in the week.
    home = StoreFactory(code="GZ-HOME", lat=LAT, lng=LNG, bays=1, opens_minute=9 * 60, closes_minute=10 * 60)
    near = StoreFactory(code="GZ-NEAR", lat=LAT, lng=km_east(4))
    vehicles = [due_vehicle(model, home) for _ in range(8)]

    counts = run()

    assert counts == {"due": 8, "booked": 8, "unassigned": 0}
    stores = Ticket.objects.values("store__code").annotate(n=Count("id"))
    assert {row["store__code"]: row["n"] for row in stores} == {"GZ-HOME": 7, "GZ-NEAR": 1}
    moved = Ticket.objects.get(store=near)
    assert moved.vehicle in vehicles
    assert moved.dispatch_note["reason"] == "nearest_with_capacity"
    assert moved.dispatch_note["passed_over"][0] == {"store": "GZ-HOME", "distance_km": 0.0, "why": "full"}
    assert 3.9 < moved.dispatch_note["distance_km"] < 4.1


def test_service_store_preferred_over_partner_shop_at_similar_distance(model):
    home = StoreFactory(code="GZ-HOME", lat=LAT, lng=LNG, status=Store.Status.SUSPENDED)
    StoreFactory(code="GZ-PARTNER", kind=Store.Kind.PARTNER, lat=LAT, lng=km_east(3))
    StoreFactory(code="GZ-SERVICE", lat=LAT, lng=km_east(6))
    vehicle = due_vehicle(model, home)

    run()

    ticket = Ticket.objects.get(vehicle=vehicle)
    assert ticket.store.code == "GZ-SERVICE"
    assert ticket.dispatch_note["passed_over"][0]["why"] == "suspended"


def test_partner_shop_wins_when_the_service_store_is_much_farther(model):
    home = StoreFactory(code="GZ-HOME", lat=LAT, lng=LNG, capabilities="sales|test_drive")
    StoreFactory(code="GZ-PARTNER", kind=Store.Kind.PARTNER, lat=LAT, lng=km_east(2))
    StoreFactory(code="GZ-SERVICE", lat=LAT, lng=km_east(25))
    vehicle = due_vehicle(model, home)

    run()

    ticket = Ticket.objects.get(vehicle=vehicle)
    assert ticket.store.code == "GZ-PARTNER"
    assert ticket.dispatch_note["passed_over"][0]["why"] == "no_capability"


def test_no_store_within_50_km_leaves_the_work_unassigned_for_the_province(model):
    home = StoreFactory(code="GZ-HOME", lat=LAT, lng=LNG, status=Store.Status.CLOSED, province="广东省")
    StoreFactory(code="GZ-FAR", lat=LAT, lng=km_east(55))
    StoreFactory(code="GZ-NIGHT", lat=LAT, lng=km_east(5), opens_minute=22 * 60, closes_minute=1440, bays=1)
    StoreFactory(code="GZ-SUSP", lat=LAT, lng=km_east(2), status=Store.Status.SUSPENDED)
    vehicle = due_vehicle(model, home)
    # The night store is open 22:00-24:00: fill every one of its slots in the week.
    night = Store.objects.get(code="GZ-NIGHT")
    first = dt.datetime(2026, 11, 25, 22, tzinfo=SHANGHAI)
    SlotLoad.objects.bulk_create(
        SlotLoad(
            store=night, starts_at=first + dt.timedelta(days=day, hours=hour), resource="bay", capacity=1, booked=1
        )
        for day in range(7)
        for hour in (0, 1)
    )

    counts = run()

    assert counts == {"due": 1, "booked": 0, "unassigned": 1}
    ticket = Ticket.objects.get(vehicle=vehicle)
    assert ticket.store is None
    assert ticket.province == "广东省"
    assert ticket.booked_slot is None
    note = ticket.dispatch_note
    assert note["reason"] == "fallback_unassigned"
    assert note["province"] == "广东省"
    assert [row["why"] for row in note["passed_over"]] == ["closed", "full"]
    assert not SlotLoad.objects.filter(store__code__in=["GZ-FAR", "GZ-HOME", "GZ-SUSP"]).exists()


def test_closed_suspended_and_closed_at_that_hour_stores_get_nothing(model):
    home = StoreFactory(code="GZ-HOME", lat=LAT, lng=LNG, status=Store.Status.SUSPENDED)
    StoreFactory(code="GZ-SHUT", lat=LAT, lng=km_east(1), status=Store.Status.CLOSED)
    evening = StoreFactory(code="GZ-EVE", lat=LAT, lng=km_east(2), opens_minute=18 * 60, closes_minute=21 * 60)
    for _ in range(5):
        due_vehicle(model, home)

    run()

    assert set(Ticket.objects.values_list("store__code", flat=True)) == {"GZ-EVE"}
    for ticket in Ticket.objects.all():
        assert 18 <= ticket.booked_slot.astimezone(SHANGHAI).hour <= 20
    assert set(SlotLoad.objects.values_list("store_id", flat=True)) == {evening.pk}


def test_running_twice_gives_the_same_state_as_once(model, home, django_capture_on_commit_callbacks):
    StoreFactory(code="GZ-NEAR", lat=LAT, lng=km_east(2), bays=1)
    for _ in range(30):
        due_vehicle(model, home)

    with django_capture_on_commit_callbacks(execute=True):
        first = run(chunk_size=7)
    state = (
        sorted(Ticket.objects.values_list("vehicle_id", "store_id", "booked_slot", "due_point")),
        sorted(SlotLoad.objects.values_list("store_id", "starts_at", "booked")),
        Notification.objects.count(),
        TicketEvent.objects.count(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        second = run(chunk_size=7)

    assert first == {"due": 30, "booked": 30, "unassigned": 0}
    assert second == {"due": 0, "booked": 0, "unassigned": 0}
    assert state == (
        sorted(Ticket.objects.values_list("vehicle_id", "store_id", "booked_slot", "due_point")),
        sorted(SlotLoad.objects.values_list("store_id", "starts_at", "booked")),
        Notification.objects.count(),
        TicketEvent.objects.count(),
    )
    assert state[2] == 30


def test_an_open_maintenance_ticket_means_no_second_one(model, home):
    vehicle = due_vehicle(model, home)
    make_ticket(store=home, vehicle=vehicle, kind=Kind.MAINTENANCE)

    assert run()["due"] == 0
    assert Ticket.objects.filter(vehicle=vehicle).count() == 1


def test_a_done_due_point_is_not_made_again_after_cancellation(model, home):
    vehicle = due_vehicle(model, home)
    run()
    Ticket.objects.filter(vehicle=vehicle).update(status=Ticket.Status.CANCELLED)

    assert run()["due"] == 0


def test_capacity_and_tickets_agree_slot_by_slot(model, home):
    StoreFactory(code="GZ-NEAR", lat=LAT, lng=km_east(2), bays=1, opens_minute=9 * 60, closes_minute=11 * 60)
    home.bays, home.opens_minute, home.closes_minute = 1, 9 * 60, 10 * 60
    home.save()
    for _ in range(25):
        due_vehicle(model, home)

    counts = run(chunk_size=4)

    rows = Ticket.objects.filter(store__isnull=False).values_list("store_id", "booked_slot").annotate(n=Count("id"))
    per_slot = {(store_id, slot): n for store_id, slot, n in rows.order_by()}
    loads = {(r.store_id, r.starts_at): r.booked for r in SlotLoad.objects.filter(booked__gt=0)}
    assert per_slot == loads
    assert all(n <= 1 for n in loads.values())
    assert counts == {"due": 25, "booked": 21, "unassigned": 4}  # 7 + 14 slots in the week


def test_chunks_are_enqueued_on_commit_in_eager_mode_too(model, home, django_capture_on_commit_callbacks, monkeypatch):
    """Tests and production take the same path: the chunks go to the task queue after commit (the
    eager queue runs them in-process); chunks already done by the coordinator are skipped."""
    from aftersales.tasks import schedule_maintenance_chunk

    for _ in range(5):
        due_vehicle(model, home)
    sent = []
    real = schedule_maintenance_chunk.apply_async
    monkeypatch.setattr(schedule_maintenance_chunk, "apply_async", lambda **kw: sent.append(kw) or real(**kw))
    with django_capture_on_commit_callbacks(execute=True):
        counts = run(chunk_size=2)

    assert [call["kwargs"]["seq"] for call in sent] == [0, 1, 2]
    assert counts == {"due": 5, "booked": 5, "unassigned": 0}
    assert Ticket.objects.count() == 5


def test_the_scheduled_note_is_the_shared_dispatch_note_with_what_the_search_looked_at(model, home):
    from stores import dispatching

    booked = due_vehicle(model, home)
    StoreFactory(code="GZ-AWAY", lat=LAT + 5, lng=LNG, bays=0)
    nowhere = due_vehicle(model, StoreFactory(code="GZ-NOBAYS", lat=LAT + 5, lng=LNG, bays=0))

    run()

    shared = set(dispatching.decision(reason=dispatching.Reason.FALLBACK))
    searched = {"home_store", "searched_km", "window_hours", "due"}
    assert set(Ticket.objects.get(vehicle=booked).dispatch_note) == shared | searched
    note = Ticket.objects.get(vehicle=nowhere).dispatch_note
    assert set(note) == shared | searched | {"province"}
    assert note["passed_over"] == [{"store": "GZ-NOBAYS", "distance_km": 0.0, "why": "no_capacity"}]


def test_a_run_loads_the_network_once_and_hands_it_to_each_chunk(model, home, monkeypatch):
    from aftersales.services import dispatch

    for _ in range(3):
        due_vehicle(model, home)
    built = []

    class Counted(dispatch.Network):
        def __init__(self, **kwargs):
            built.append(kwargs["run_at"])
            super().__init__(**kwargs)

    monkeypatch.setattr(dispatch, "Network", Counted)
    monkeypatch.setattr(dispatch.chunk, "Network", Counted)

    assert run(chunk_size=1) == {"due": 3, "booked": 3, "unassigned": 0}
    assert built == [RUN_AT]
    assert not hasattr(dispatch, "network_for") and not hasattr(dispatch.chunk, "_NETWORKS")
    assert not hasattr(dispatch.planner, "plan_booking")


def test_a_chunk_given_no_network_loads_its_own(model, home):
    from aftersales.services import dispatch

    vehicle = due_vehicle(model, home)

    counts = dispatch.schedule_chunk(vehicle_ids=[vehicle.pk], run_at=RUN_AT)

    assert counts == {"due": 1, "booked": 1, "unassigned": 0}


def test_the_chunk_task_keeps_one_network_per_run(model, home, monkeypatch):
    from aftersales import tasks
    from aftersales.services import dispatch

    vehicles = [due_vehicle(model, home).pk for _ in range(3)]
    built = []
    monkeypatch.setattr(tasks.schedule_maintenance_chunk, "run_network", None, raising=False)
    monkeypatch.setattr(dispatch, "Network", lambda **kw: built.append(kw) or dispatch.network.Network(**kw))

    for seq, pk in enumerate(vehicles[:2]):
        tasks.schedule_maintenance_chunk.apply(
            kwargs={"token": "run-1", "seq": seq, "vehicle_ids": [pk], "run_at": RUN_AT.isoformat()}
        )
    tasks.schedule_maintenance_chunk.apply(
        kwargs={"token": "run-2", "seq": 0, "vehicle_ids": [vehicles[2]], "run_at": RUN_AT.isoformat()}
    )

    assert len(built) == 2  # one per run, not one per chunk
    assert Ticket.objects.filter(vehicle_id__in=vehicles).count() == 3
