"""`run_job` for the dispatch jobs: the summary as the last line, failures exit non-zero."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from aftersales.tests.factories import CarModelFactory, VehicleFactory
from core.models import JobRun


@pytest.mark.django_db
def test_run_job_prints_the_counts_as_the_last_line(capsys, store):
    VehicleFactory(model=CarModelFactory(service_months=1), store=store, delivered_on=dt.date(2020, 1, 1))

    call_command("run_job", "schedule_maintenance")

    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == "schedule_maintenance: due=1 booked=1 unassigned=0"
    assert JobRun.objects.get(name="schedule_maintenance").counts == {"due": 1, "booked": 1, "unassigned": 0}


def _last_line(capsys) -> str:
    return capsys.readouterr().out.strip().splitlines()[-1]


@pytest.mark.django_db
def test_dispatch_test_drives_assigns_what_it_can_and_counts_the_rest(capsys):
    from sales.models import Customer, TestDrive
    from sales.tests.factories import local_slot
    from stores.tests.factories import StoreFactory

    store = StoreFactory(code="GZ-DRIVE", lat=23.13, lng=113.26, demo_cars=1)
    model = CarModelFactory(code="GC-JOB")
    near, far = (
        TestDrive.objects.create(
            customer=Customer.objects.create(name=name, phone=phone),
            model=model,
            slot_start=local_slot(days=2),
            customer_lat=lat,
            customer_lng=lng,
        )
        for name, phone, lat, lng in [("近", "13900000001", 23.14, 113.27), ("远", "13900000002", 43.8, 87.6)]
    )

    call_command("run_job", "dispatch_test_drives")

    assert _last_line(capsys) == "dispatch_test_drives: waiting=2 assigned=1 unassigned=1"
    near.refresh_from_db()
    far.refresh_from_db()
    assert (near.store, near.status) == (store, TestDrive.Status.ASSIGNED)
    assert (far.store, far.status) == (None, TestDrive.Status.REQUESTED)
    assert JobRun.objects.get(name="dispatch_test_drives").counts == {"waiting": 2, "assigned": 1, "unassigned": 1}


@pytest.mark.django_db
def test_schedule_maintenance_counts_work_no_store_can_take_as_unassigned(capsys):
    from stores.tests.factories import StoreFactory

    no_bays = StoreFactory(code="XJ-NOBAY", lat=43.8, lng=87.6, bays=0)
    VehicleFactory(model=CarModelFactory(service_months=1), store=no_bays, delivered_on=dt.date(2020, 1, 1))

    call_command("run_job", "schedule_maintenance")

    assert _last_line(capsys) == "schedule_maintenance: due=1 booked=0 unassigned=1"


@pytest.mark.django_db
def test_unknown_job_exits_non_zero():
    with pytest.raises(CommandError, match="unknown job"):
        call_command("run_job", "no_such_job")
    assert not JobRun.objects.exists()
