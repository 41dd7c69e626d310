import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from aftersales.models import Ticket, TicketEvent
from core.models import Counter
from demo.network import DEMO_LOGINS, DEMO_PASSWORD, DEMO_STORE
from sales.models import Customer, Order, Vehicle, VehicleReach
from sales.models import TestDrive as Drive
from sales.vin import normalise_vin
from stores.models import Membership, SlotLoad, Store
from stores.phones import normalise_mobile, normalise_phone
from stores.provinces import POPULATION_MILLIONS

from .conftest import FRACTION

MODELS = (Store, Membership, Customer, Vehicle, Order, Drive, Ticket, TicketEvent, VehicleReach, SlotLoad)


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def test_seeding_twice_duplicates_nothing(seeded):
    before = counts()
    out = io.StringIO()
    call_command("seed_demo", fraction=FRACTION, stdout=out)
    assert counts() == before
    assert "reused" in out.getvalue()
    assert before["Store"] > 0 and before["Ticket"] > 0


def test_every_province_has_service_stores_and_partners(seeded):
    for kind in (Store.Kind.SERVICE, Store.Kind.PARTNER):
        provinces = set(Store.objects.filter(kind=kind).values_list("province", flat=True))
        assert provinces == set(POPULATION_MILLIONS)


def test_generated_values_are_valid(seeded):
    for phone in Store.objects.values_list("phone", flat=True):
        assert normalise_phone(phone) == phone
    for phone in Customer.objects.values_list("phone", flat=True):
        assert normalise_mobile(phone) == phone
    for vin in Vehicle.objects.values_list("vin", flat=True):
        assert normalise_vin(vin) == vin
    for lat, lng in Store.objects.values_list("lat", "lng"):
        assert 18 <= lat <= 54 and 73 <= lng <= 135


@pytest.mark.parametrize("username", [u for u, *_ in DEMO_LOGINS])
def test_demo_logins_log_in_and_see_the_dashboard(seeded, client, username):
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_demo_logins_command_prints_each_login_and_the_address(seeded):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000" in text
    for username, *_ in DEMO_LOGINS:
        assert re.search(rf"username: {username}\s+password: {DEMO_PASSWORD}", text)
    assert "missing" not in text


def test_ticket_numbers_count_up_per_year_and_counters_match(seeded):
    numbers = list(Ticket.objects.order_by("created_at", "id").values_list("number", "created_at"))
    last = {}
    for number, created in numbers:
        match = re.fullmatch(r"AS-(\d{4})-(\d{7})", number)
        assert match
        year, n = int(match[1]), int(match[2])
        assert year == timezone.localtime(created).year
        assert n == last.get(year, 0) + 1
        last[year] = n
    assert dict(Counter.objects.filter(name="ticket").values_list("year", "last")) == last


def test_ticket_histories_follow_the_allowed_transitions(seeded):
    for ticket in Ticket.objects.prefetch_related("events")[:300]:
        events = list(ticket.events.all())
        assert events[0].kind == TicketEvent.Kind.CREATED
        status = Ticket.Status.NEW
        for event in events[1:]:
            if event.kind == TicketEvent.Kind.ASSIGNED:
                status = event.data["status"]
            elif event.kind == TicketEvent.Kind.STATUS:
                assert event.data["from"] == status
                assert event.data["to"] in Ticket.MACHINE.targets(status)
                status = event.data["to"]
        assert status == ticket.status
        assert ticket.due_at > ticket.created_at and ticket.response_due_at > ticket.created_at


def test_every_ticket_store_reaches_the_vehicle(seeded):
    reach = set(VehicleReach.objects.values_list("vehicle_id", "store_id"))
    for vehicle_id, store_id in Ticket.objects.exclude(store=None).values_list("vehicle_id", "store_id"):
        assert (vehicle_id, store_id) in reach


def test_upcoming_test_drives_fit_the_demo_cars(seeded):
    load = {(s, t): b for s, t, b in SlotLoad.objects.values_list("store_id", "starts_at", "booked")}
    standing = Drive.objects.filter(status__in=Drive.STANDING, slot_start__gte=timezone.now())
    per_slot = {}
    for store_id, slot in standing.exclude(store=None).values_list("store_id", "slot_start"):
        per_slot[(store_id, slot)] = per_slot.get((store_id, slot), 0) + 1
    for (store_id, slot), n in per_slot.items():
        assert load[(store_id, slot)] == n
        assert n <= Store.objects.get(pk=store_id).demo_cars


def test_demo_store_has_work_today(seeded):
    store = Store.objects.get(code=DEMO_STORE)
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today = Drive.objects.filter(store=store, slot_start__gte=start, slot_start__lt=start + timezone.timedelta(days=1))
    assert today.exists()
    assert Ticket.objects.filter(store=store, status__in=Ticket.OPEN_STATUSES).count() >= 20
    assert Membership.objects.filter(store=store).count() >= 2


def test_a_later_run_gives_the_demo_store_test_drives_today_again(seeded, now, time_machine):
    time_machine.move_to(now + timezone.timedelta(days=30), tick=True)
    store = Store.objects.get(code=DEMO_STORE)
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    day = Drive.objects.filter(store=store, slot_start__gte=start, slot_start__lt=start + timezone.timedelta(days=1))
    assert not day.exists()
    before = counts()

    call_command("seed_demo", fraction=FRACTION, stdout=io.StringIO())

    assert day.exists()
    assert counts()["Ticket"] == before["Ticket"]
    standing = day.filter(status__in=Drive.STANDING)
    for slot in standing.values_list("slot_start", flat=True).distinct():
        load = SlotLoad.objects.get(store=store, starts_at=slot, resource=SlotLoad.Resource.DEMO_CAR)
        assert load.booked == standing.filter(slot_start=slot).count() <= store.demo_cars


def _held(rows) -> dict:
    held = {}
    for key in rows:
        held[key] = held.get(key, 0) + 1
    return held


def test_every_capacity_row_matches_the_seeded_work_and_never_exceeds_capacity(seeded):
    """Seeded work goes through the same capacity rows as live work: a test drive at a store holds a
    demo car in its hour unless it was cancelled, a ticket with a booked slot holds a bay."""
    drives = Drive.objects.exclude(store=None).exclude(status=Drive.Status.CANCELLED)
    tickets = Ticket.objects.exclude(booked_slot=None).exclude(status=Ticket.Status.CANCELLED)
    held = {
        SlotLoad.Resource.DEMO_CAR: _held(drives.values_list("store_id", "slot_start")),
        SlotLoad.Resource.BAY: _held(tickets.values_list("store_id", "booked_slot")),
    }
    assert held[SlotLoad.Resource.DEMO_CAR] and held[SlotLoad.Resource.BAY]
    capacity = {pk: (cars, bays) for pk, cars, bays in Store.objects.values_list("pk", "demo_cars", "bays")}
    for resource, per_slot in held.items():
        rows = {(r.store_id, r.starts_at): r for r in SlotLoad.objects.filter(resource=resource)}
        assert {key: row.booked for key, row in rows.items() if row.booked} == per_slot, resource
        for (store_id, _start), row in rows.items():
            cars, bays = capacity[store_id]
            assert row.booked <= row.capacity == (cars if resource == SlotLoad.Resource.DEMO_CAR else bays)


def test_no_demo_car_serves_two_drives_in_one_hour(seeded):
    used = Drive.objects.exclude(demo_vehicle=None).exclude(status=Drive.Status.CANCELLED)
    assert used.exists()
    assert max(_held(used.values_list("demo_vehicle_id", "slot_start")).values()) == 1
