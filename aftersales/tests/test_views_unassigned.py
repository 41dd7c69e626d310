"""The unassigned queue: regional managers (their provinces) and HQ book store-less work by hand."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.models import Kind, Ticket, TicketEvent
from aftersales.tests.factories import VehicleFactory, make_ticket
from stores.models import SlotLoad, Store
from stores.tests.factories import StoreFactory

URL = reverse("aftersales:unassigned")


def unassigned(store, province="广东省") -> Ticket:
    return make_ticket(
        store=None,
        vehicle=VehicleFactory(store=store),
        kind=Kind.MAINTENANCE,
        source=Ticket.Source.SCHEDULE,
        province=province,
        dispatch_note={
            "reason": "fallback_unassigned",
            "home_store": store.code,
            "passed_over": [{"store": store.code, "distance_km": 0.0, "why": "full"}],
        },
    )


def assign_url(ticket) -> str:
    return reverse("aftersales:unassigned_assign", args=[ticket.number])


def slot_tomorrow(hour=10) -> str:
    day = timezone.localdate() + dt.timedelta(days=1)
    return f"{day:%Y-%m-%d} {hour:02d}:00"


def post(client, ticket, code, slot, **extra):
    prefix = ticket.number
    return client.post(assign_url(ticket), {f"{prefix}-store": code, f"{prefix}-slot": slot}, **extra)


def test_regional_manager_sees_the_work_of_their_provinces_only(
    regional_client, store, other_store, django_assert_max_num_queries
):
    mine = unassigned(store)
    theirs = unassigned(other_store, province="上海市")
    for _ in range(5):
        unassigned(store)

    with django_assert_max_num_queries(10):
        response = regional_client.get(URL)

    assert response.status_code == 200
    body = response.content.decode()
    assert mine.number in body
    assert theirs.number not in body
    assert f"{store.code}:" in body


def test_hq_sees_every_province(hq_client, store, other_store):
    theirs = unassigned(other_store, province="上海市")

    assert theirs.number in hq_client.get(URL).content.decode()


def test_the_province_filter_swaps_only_the_results_with_htmx(hq_client, store, other_store):
    canton = unassigned(store)
    shanghai = unassigned(other_store, province="上海市")

    response = hq_client.get(URL, {"province": "上海市"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="unassigned-results")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "<form" not in body.split("<table")[0]
    assert shanghai.number in body
    assert canton.number not in body
    # Without htmx the same URL is the whole page, filtered the same way.
    page = hq_client.get(URL, {"province": "上海市"}).content.decode()
    assert "<html" in page and shanghai.number in page and canton.number not in page


@pytest.mark.parametrize("who", ["staff_client", "manager_client"])
def test_store_roles_get_404_and_change_nothing(request, who, store, now):
    client = request.getfixturevalue(who)
    ticket = unassigned(store)

    assert client.get(URL).status_code == 404
    assert post(client, ticket, store.code, slot_tomorrow()).status_code == 404
    ticket.refresh_from_db()
    assert ticket.store is None
    assert not SlotLoad.objects.exists()


def test_regional_manager_cannot_book_work_of_another_province(regional_client, other_store, now):
    ticket = unassigned(other_store, province="上海市")

    response = post(regional_client, ticket, other_store.code, slot_tomorrow())

    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.store is None
    assert not SlotLoad.objects.exists()


def test_booking_by_hand_goes_through_capacity_and_is_explained(regional_client, regional_user, store, now):
    ticket = unassigned(store)

    response = post(regional_client, ticket, store.code.lower(), slot_tomorrow())

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.store == store
    assert timezone.localtime(ticket.booked_slot).hour == 10
    assert ticket.dispatch_note["reason"] == "assigned_by_hand"
    assert ticket.dispatch_note["by"] == regional_user.username
    assert ticket.dispatch_note["earlier"]["reason"] == "fallback_unassigned"
    assert SlotLoad.objects.get(store=store).booked == 1
    assert ticket.events.filter(kind=TicketEvent.Kind.DISPATCH, actor=regional_user).exists()
    # It has left the queue.
    assert f'id="unassigned-{ticket.number}"' not in regional_client.get(URL).content.decode()


def test_htmx_booking_answers_with_the_row(regional_client, store, now):
    ticket = unassigned(store)

    response = post(regional_client, ticket, store.code, slot_tomorrow(), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert f'id="unassigned-{ticket.number}"' in response.content.decode()
    assert store.code in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.store == store


@pytest.mark.parametrize(
    ("change", "slot_hour"),
    [
        ({"status": Store.Status.SUSPENDED}, 10),
        ({"status": Store.Status.CLOSED}, 10),
        ({}, 21),  # closes at 20:00
        ({"capabilities": "sales|test_drive"}, 10),
        ({"bays": 1}, 10),  # and that one bay is taken
    ],
)
def test_a_store_that_cannot_take_it_gets_nothing(regional_client, store, change, slot_hour, now):
    ticket = unassigned(store)
    target = StoreFactory(code="GZ-0099", **change)
    if change.get("bays") == 1:
        slot = timezone.make_aware(dt.datetime.strptime(slot_tomorrow(slot_hour), "%Y-%m-%d %H:%M"))
        SlotLoad.objects.create(store=target, starts_at=slot, resource="bay", capacity=1, booked=1)

    response = post(regional_client, ticket, target.code, slot_tomorrow(slot_hour), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "text-danger" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.store is None
    assert sum(SlotLoad.objects.values_list("booked", flat=True)) == (1 if change.get("bays") == 1 else 0)


def test_a_store_outside_the_managers_reach_is_refused(regional_client, store, other_store, now):
    ticket = unassigned(store)

    response = post(regional_client, ticket, other_store.code, slot_tomorrow())

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.store is None
    assert not SlotLoad.objects.exists()


def test_ticket_page_explains_the_dispatch_decision(hq_client, store):
    ticket = unassigned(store)

    body = hq_client.get(ticket.get_absolute_url()).content.decode()

    assert "dispatch-note" in body
    assert store.code in body
