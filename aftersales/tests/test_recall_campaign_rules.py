"""A recall campaign's invariants live on the model: the portal form, the service and the admin
refuse the same campaigns, with the same messages."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.forms import RecallCampaignForm
from aftersales.models import RecallCampaign
from aftersales.services.recalls import recall_campaign_create
from aftersales.tests.factories import CarModelFactory, make_vin

pytestmark = pytest.mark.usefixtures("english")

XOR = "Give either a VIN list (CSV) or a VIN range, not both and not neither."


def _upload():
    return SimpleUploadedFile("vins.csv", f"vin\n{make_vin(1)}\n".encode(), "text/csv")


def _refused(model) -> list[tuple[dict, str]]:
    """Campaigns the rules refuse, each with the message that says why."""
    other_maker = make_vin(5, wmi="LSV")
    return [
        ({}, XOR),
        ({"vin_list": _upload(), "vin_from": make_vin(1), "vin_to": make_vin(9)}, XOR),
        ({"vin_from": make_vin(1)}, "A VIN range needs both its first and its last VIN."),
        ({"vin_from": make_vin(9), "vin_to": make_vin(1)}, "The first VIN of the range comes after the last."),
        ({"vin_from": make_vin(1), "vin_to": other_maker}, "Both ends of a VIN range must be of one model"),
        ({"vin_from": make_vin(1), "vin_to": "LGCA1B2C0R000000X"}, "fails the check digit"),
    ]


def _admin_add(client, model, extra: dict):
    data = {"code": "RC-9", "title": "刹车", "description": "", "model": model.pk, "vin_from": "", "vin_to": ""}
    return client.post(reverse("admin:aftersales_recallcampaign_add"), {**data, **extra})


@pytest.mark.parametrize("case", range(6))
def test_admin_refuses_the_campaigns_the_form_refuses(case, client, hq_user):
    model = CarModelFactory(code="GC-S7")
    client.force_login(hq_user)
    extra, message = _refused(model)[case]
    form = RecallCampaignForm({"code": "RC-9", "title": "刹车", "model": model.pk, **extra}, extra)
    assert not form.is_valid() and message in str(form.errors)
    response = _admin_add(client, model, _refused(model)[case][0])
    assert response.status_code == 200 and message in response.content.decode()
    assert not RecallCampaign.objects.exists()


def test_admin_saves_a_campaign_the_form_accepts(client, hq_user):
    model = CarModelFactory(code="GC-S7")
    client.force_login(hq_user)
    response = _admin_add(client, model, {"vin_from": make_vin(1).lower(), "vin_to": make_vin(9)})
    assert response.status_code == 302
    assert RecallCampaign.objects.get().vin_from == make_vin(1)


def test_service_refuses_an_invalid_campaign_and_saves_nothing(db, hq_user):
    model = CarModelFactory(code="GC-S7")
    with pytest.raises(ValidationError) as refused:
        recall_campaign_create(code="RC-9", title="x", model=model, vin_from=make_vin(9), vin_to=make_vin(1))
    assert "The first VIN of the range comes after the last." in refused.value.messages
    assert not RecallCampaign.objects.exists()


def test_service_creates_a_draft_with_the_vins_normalised(db):
    model = CarModelFactory(code="GC-S7")
    campaign = recall_campaign_create(
        code="RC-9", title="x", model=model, vin_from=make_vin(1).lower(), vin_to=make_vin(9)
    )
    assert (campaign.status, campaign.vin_from) == (RecallCampaign.Status.DRAFT, make_vin(1))
