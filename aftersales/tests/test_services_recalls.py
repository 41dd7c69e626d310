import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import connection

from aftersales.models import RecallCampaign, Ticket
from aftersales.services.recalls import campaign_vins, recall_launch, recall_progress
from aftersales.tests.factories import CarModelFactory, VehicleFactory, make_vin
from sales.models import Vehicle
from stores.models import Store
from stores.tests.factories import StoreFactory


@pytest.fixture
def model(db):
    return CarModelFactory(code="GC-S7")


@pytest.fixture
def fleet(store, other_store, model):
    """Five delivered cars of the model, one undelivered, one of another model."""
    cars = [VehicleFactory(vin=make_vin(100 + i), model=model, store=store) for i in range(3)]
    cars += [VehicleFactory(vin=make_vin(200 + i), model=model, store=other_store) for i in range(2)]
    VehicleFactory(
        vin=make_vin(300), model=model, store=store, status=Vehicle.Status.IN_STOCK, owner=None, delivered_on=None
    )
    VehicleFactory(vin=make_vin(150), model=CarModelFactory(code="GC-X9"), store=store)
    return cars


def _campaign(model, **extra):
    return RecallCampaign.objects.create(code="RC-2026-01", title="刹车软管", model=model, **extra)


def test_launch_twice_creates_each_ticket_once(fleet, model, hq_user):
    campaign = _campaign(model, vin_from=make_vin(0), vin_to=make_vin(999))
    first = recall_launch(campaign=campaign, actor=hq_user)
    second = recall_launch(campaign=campaign, actor=hq_user)
    assert first["created"] == 5 and second["created"] == 0
    assert Ticket.objects.filter(campaign=campaign).count() == 5
    assert set(Ticket.objects.values_list("kind", "source").distinct()) == {("recall", "recall")}
    campaign.refresh_from_db()
    assert campaign.status == RecallCampaign.Status.LAUNCHED


def test_vin_list_csv_names_the_vehicles(fleet, model, hq_user):
    campaign = _campaign(model)
    text = f"VIN,note\n{fleet[0].vin},a\n{fleet[3].vin.lower()},b\nNOT-A-VIN,c\n{make_vin(150)},other model\n"
    campaign.vin_list.save("list.csv", ContentFile(("\ufeff" + text).encode()))
    assert campaign_vins(campaign) == sorted([fleet[0].vin, fleet[3].vin, make_vin(150)])
    recall_launch(campaign=campaign, actor=hq_user)
    assert set(Ticket.objects.values_list("vehicle__vin", flat=True)) == {fleet[0].vin, fleet[3].vin}


def test_ticket_goes_to_last_service_store_else_nearest_active_service_store(store, other_store, model, hq_user):
    closed_home = StoreFactory(code="GZ-0009", lat=23.2, lng=113.3, status=Store.Status.CLOSED)
    served = VehicleFactory(vin=make_vin(1), model=model, store=closed_home, last_service_store=other_store)
    unserved = VehicleFactory(vin=make_vin(2), model=model, store=closed_home)
    campaign = _campaign(model, vin_from=make_vin(0), vin_to=make_vin(9))
    recall_launch(campaign=campaign, actor=hq_user)
    assert Ticket.objects.get(vehicle=served).store == other_store
    assert Ticket.objects.get(vehicle=unserved).store == store  # nearest active service store


def test_no_store_left_makes_the_vehicle_not_reachable(model, hq_user):
    home = StoreFactory(code="XZ-0001", province="西藏自治区", status=Store.Status.CLOSED)
    VehicleFactory(vin=make_vin(5), model=model, store=home)
    campaign = _campaign(model, vin_from=make_vin(0), vin_to=make_vin(9))
    counts = recall_launch(campaign=campaign, actor=hq_user)
    assert counts["unreachable"] == 1
    rows, totals = recall_progress(campaign)
    assert rows[0]["province"] == "西藏自治区"
    assert (totals["total"], totals["unreachable"], totals["opened"]) == (1, 1, 0)


def test_only_hq_launches(fleet, model, manager_user):
    with pytest.raises(PermissionDenied):
        recall_launch(campaign=_campaign(model, vin_from=make_vin(0), vin_to=make_vin(999)), actor=manager_user)
    assert not Ticket.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_launches_at_once_create_each_ticket_once(store, model, hq_user):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    for i in range(20):
        VehicleFactory(vin=make_vin(400 + i), model=model, store=store)
    campaign = _campaign(model, vin_from=make_vin(0), vin_to=make_vin(999))
    errors = []

    def launch():
        try:
            recall_launch(campaign=RecallCampaign.objects.get(pk=campaign.pk), actor=hq_user)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=launch) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Ticket.objects.filter(campaign=campaign).count() == 20
