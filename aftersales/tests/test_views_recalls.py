import re

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


def _campaign_from_upload(hq_client, name: str, content: bytes) -> RecallCampaign:
    model = CarModelFactory(code="GC-S7")
    upload = SimpleUploadedFile(name, content, "text/html")
    response = hq_client.post(
        reverse("aftersales:recall_create"), {"code": "RC-9", "title": "门把手", "model": model.pk, "vin_list": upload}
    )
    assert response.status_code == 302
    return RecallCampaign.objects.get()


def test_vin_list_is_stored_under_a_generated_csv_name_not_the_uploaded_one(hq_client):
    campaign = _campaign_from_upload(hq_client, "page.html", b"vin\n<script>alert(1)</script>\n")
    assert re.fullmatch(r"recalls/[0-9a-f]{32}\.csv", campaign.vin_list.name)
    assert "page" not in campaign.vin_list.name


def test_hq_downloads_the_vin_list_as_a_csv_attachment_never_a_page(hq_client):
    campaign = _campaign_from_upload(hq_client, "page.html", b"vin\n<script>alert(1)</script>\n")
    url = reverse("aftersales:recall_vin_list", kwargs={"pk": campaign.pk})
    assert url in hq_client.get(reverse("aftersales:recall_detail", kwargs={"pk": campaign.pk})).content.decode()
    response = hq_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="RC-9-vins.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == b"vin\n<script>alert(1)</script>\n"


def test_vin_list_download_is_hq_only_and_a_campaign_without_a_list_has_none(client, manager_user, hq_user):
    client.force_login(hq_user)
    campaign = _campaign_from_upload(client, "vins.csv", b"vin\n")
    ranged = RecallCampaign.objects.create(code="RC-10", title="x", model=campaign.model, vin_from="A", vin_to="B")
    assert client.get(reverse("aftersales:recall_vin_list", kwargs={"pk": ranged.pk})).status_code == 404
    client.force_login(manager_user)
    assert client.get(reverse("aftersales:recall_vin_list", kwargs={"pk": campaign.pk})).status_code == 404


def test_admin_links_the_vin_list_through_the_hq_view_not_the_media_url(hq_client):
    campaign = _campaign_from_upload(hq_client, "vins.csv", b"vin\n")
    page = hq_client.get(reverse("admin:aftersales_recallcampaign_change", args=[campaign.pk])).content.decode()
    assert reverse("aftersales:recall_vin_list", kwargs={"pk": campaign.pk}) in page
    assert "/media/" not in page
