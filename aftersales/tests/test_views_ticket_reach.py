"""A car from elsewhere needs its owner's number (CONTRACT 5, issue #13).

To ticket a vehicle outside the user's reach the form's `owner_phone` must give the owner's
mobile as recorded; an unknown VIN and an out-of-reach one without (or with a wrong) number get
one and the same message, and nothing about the car or its owner shows before the right number.
"""

import re

import pytest
from django.urls import reverse

from aftersales.models import Kind, Ticket
from aftersales.tests.factories import CustomerFactory, VehicleFactory, make_vin
from sales.models import Vehicle, VehicleReach

NEW = reverse("aftersales:ticket_create")
OWNER_PHONE = "13912340001"


@pytest.fixture
def car_elsewhere(other_store):
    owner = CustomerFactory(phone=OWNER_PHONE, name="远方车主")
    return VehicleFactory(store=other_store, owner=owner)


def _post(client, vin: str, owner_phone: str | None = None, **extra):
    data = {"vin": vin, "kind": "maintenance", "priority": "P3", "summary": "保养", **extra}
    if owner_phone is not None:
        data["owner_phone"] = owner_phone
    return client.post(NEW, data)


def _refusal(response) -> list[str]:
    """What the refused form says: its errors, and the error text as rendered on the page."""
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    errors = [f"{field}: {message}" for field, messages in form.errors.items() for message in messages]
    html = response.content.decode()
    rendered = [
        re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(r'class="invalid-feedback"[^>]*>(.*?)</div>', html, re.S)
    ]
    assert rendered, "no error shown on the page"
    return errors + rendered


def _leaks(response, vehicle: Vehicle) -> list[str]:
    html = response.content.decode()
    return [s for s in (vehicle.owner.name, vehicle.owner.phone, vehicle.owner.masked_phone) if s in html]


def test_unknown_vin_and_a_car_elsewhere_without_the_right_number_get_one_message(staff_client, car_elsewhere, english):
    unknown = make_vin(9_999_999)
    assert not Vehicle.objects.filter(vin=unknown).exists()
    responses = [
        _post(staff_client, unknown),
        _post(staff_client, unknown, owner_phone="13700000000"),
        _post(staff_client, unknown, owner_phone=OWNER_PHONE),
        _post(staff_client, car_elsewhere.vin),
        _post(staff_client, car_elsewhere.vin, owner_phone=""),
        _post(staff_client, car_elsewhere.vin, owner_phone="13700000000"),
    ]
    refusals = [_refusal(r) for r in responses]
    assert all(r == refusals[0] for r in refusals), refusals
    assert "owner's mobile number" in refusals[0][0]
    # The owner's number typed for another VIN is only echoed back in its field.
    assert [_leaks(r, car_elsewhere) for r in responses] == [[], [], [OWNER_PHONE], [], [], []]
    assert not Ticket.objects.exists()
    assert not VehicleReach.objects.filter(vehicle=car_elsewhere).exists()


def test_the_owners_number_opens_the_ticket_and_brings_the_car_in_reach(staff_client, store, car_elsewhere, english):
    assert staff_client.get(car_elsewhere.get_absolute_url()).status_code == 404
    response = _post(staff_client, car_elsewhere.vin.lower(), owner_phone="+86 139 1234 0001")
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    assert (ticket.store, ticket.vehicle, ticket.kind) == (store, car_elsewhere, Kind.MAINTENANCE)
    assert VehicleReach.objects.filter(vehicle=car_elsewhere, store=store).exists()
    # Now the car is served here: its page opens, and a second ticket needs no number.
    assert staff_client.get(car_elsewhere.get_absolute_url()).status_code == 200
    assert _post(staff_client, car_elsewhere.vin, kind="repair").status_code == 302
    assert Ticket.objects.count() == 2


def test_a_malformed_number_is_named_without_telling_anything_about_the_car(staff_client, car_elsewhere, english):
    response = _post(staff_client, car_elsewhere.vin, owner_phone="12345")
    assert "owner_phone" in response.context["form"].errors
    assert _leaks(response, car_elsewhere) == []
    assert not Ticket.objects.exists()


def test_a_car_in_reach_needs_no_number(staff_client, store):
    own = VehicleFactory(store=store)
    assert _post(staff_client, own.vin).status_code == 302
    assert Ticket.objects.get().vehicle == own


def test_hq_needs_no_number_for_any_car(hq_client, car_elsewhere):
    assert _post(hq_client, car_elsewhere.vin, store="SH-0001").status_code == 302
    assert Ticket.objects.get().vehicle == car_elsewhere


def test_regional_needs_the_number_only_outside_their_provinces(regional_client, store, car_elsewhere, english):
    own = VehicleFactory(store=store)
    assert _post(regional_client, own.vin, store=store.code).status_code == 302
    refused = _post(regional_client, car_elsewhere.vin, store=store.code)
    assert "vin" in refused.context["form"].errors and _leaks(refused, car_elsewhere) == []
    assert _post(regional_client, car_elsewhere.vin, owner_phone=OWNER_PHONE, store=store.code).status_code == 302
    assert Ticket.objects.filter(vehicle=car_elsewhere, store=store).count() == 1


def test_a_maintenance_clock_elsewhere_cannot_be_reset_without_the_number(staff_client, car_elsewhere):
    before = Vehicle.objects.values("last_service_on", "last_service_km", "last_service_store").get(pk=car_elsewhere.pk)
    _post(staff_client, car_elsewhere.vin)
    assert not Ticket.objects.exists()
    after = Vehicle.objects.values("last_service_on", "last_service_km", "last_service_store").get(pk=car_elsewhere.pk)
    assert after == before
