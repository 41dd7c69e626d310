from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.models import RecallCampaign, Ticket
from aftersales.tests.factories import CarModelFactory, VehicleFactory, make_vin


def test_recall_pages_are_hq_only(manager_client):
    assert manager_client.get(reverse("aftersales:recall_list")).status_code == 404
    assert manager_client.post(reverse("aftersales:recall_create"), {}).status_code == 404


def test_hq_creates_and_launches_a_campaign(hq_client, store, django_capture_on_commit_callbacks):
    model = CarModelFactory(code="GC-S7")
    cars = [VehicleFactory(vin=make_vin(10 + i), model=model, store=store) for i in range(2)]
    upload = SimpleUploadedFile("vins.csv", f"vin\n{cars[0].vin}\n{cars[1].vin}\n".encode(), "text/csv")
    response = hq_client.post(
        reverse("aftersales:recall_create"),
        {"code": "RC-1", "title": "门把手", "model": model.pk, "vin_list": upload},
    )
    campaign = RecallCampaign.objects.get()
    assert response.status_code == 302
    launch = reverse("aftersales:recall_launch", kwargs={"pk": campaign.pk})
    with django_capture_on_commit_callbacks(execute=True):
        hq_client.post(launch)
    with django_capture_on_commit_callbacks(execute=True):
        hq_client.post(launch)
    assert Ticket.objects.filter(campaign=campaign).count() == 2
    page = hq_client.get(reverse("aftersales:recall_detail", kwargs={"pk": campaign.pk}))
    assert page.context["totals"]["opened"] == 2
    assert hq_client.get(reverse("aftersales:recall_list")).status_code == 200


def test_campaign_needs_a_list_or_a_range_not_both(hq_client):
    model = CarModelFactory(code="GC-S7")
    response = hq_client.post(reverse("aftersales:recall_create"), {"code": "RC-2", "title": "x", "model": model.pk})
    assert response.status_code == 200
    assert not RecallCampaign.objects.exists()
