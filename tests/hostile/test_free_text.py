"""Free-text fields have a maximum length, in the form and the model (issue #13)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from aftersales.models import RecallCampaign, Ticket
from aftersales.services import tickets as services
from aftersales.tests.factories import VehicleFactory
from core.models import LONG_TEXT_MAX
from sales.models import MileageCorrection
from sales.tests.factories import CarModelFactory

TOO_LONG = "长" * (LONG_TEXT_MAX + 1)


pytestmark = pytest.mark.usefixtures("english")


def test_the_limit_is_five_thousand_characters():
    assert LONG_TEXT_MAX == 5000


def test_ticket_description_over_the_limit_is_a_form_error(staff_client, store):
    vehicle = VehicleFactory(store=store)
    data = {"vin": vehicle.vin, "kind": "repair", "priority": "P2", "summary": "异响"}
    response = staff_client.post("/aftersales/tickets/new/", {**data, "description": TOO_LONG})
    assert response.status_code == 200
    assert "Ensure this value has at most 5000 characters" in response.content.decode()
    assert not Ticket.objects.exists()
    response = staff_client.post("/aftersales/tickets/new/", {**data, "description": TOO_LONG[:LONG_TEXT_MAX]})
    assert response.status_code == 302
    assert len(Ticket.objects.get().description) == LONG_TEXT_MAX


def test_ticket_service_refuses_a_description_over_the_limit(store):
    with pytest.raises(ValidationError) as caught:
        services.ticket_create(
            vehicle=VehicleFactory(store=store), kind="repair", priority="P3", summary="x", description=TOO_LONG,
            store=store,
        )  # fmt: skip
    assert "description" in caught.value.message_dict
    assert not Ticket.objects.exists()


def test_recall_description_over_the_limit_is_a_form_error(hq_client):
    model = CarModelFactory(code="GC-S7")
    data = {"code": "RC-1", "title": "x", "model": model.pk, "vin_from": "A" * 17, "vin_to": "B" * 17}
    response = hq_client.post(reverse("aftersales:recall_create"), {**data, "description": TOO_LONG})
    assert response.status_code == 200
    assert "Ensure this value has at most 5000 characters" in response.content.decode()
    assert not RecallCampaign.objects.exists()


def test_mileage_correction_reason_over_the_limit_is_a_form_error(hq_client, store):
    from sales.tests.factories import VehicleFactory as SalesVehicleFactory

    vehicle = SalesVehicleFactory(store=store, mileage_km=9000)
    url = reverse("admin:sales_vehicle_correct_mileage", args=[vehicle.pk])
    response = hq_client.post(url, {"mileage_km": 900, "reason": "多" * 1001})
    assert response.status_code == 200
    assert "Ensure this value has at most 1000 characters" in response.content.decode()
    assert not MileageCorrection.objects.exists()
