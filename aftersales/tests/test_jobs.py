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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("dispatch_test_drives", ["waiting", "assigned", "unassigned"]),
        ("schedule_maintenance", ["due", "booked", "unassigned"]),
    ],
)
def test_each_dispatch_job_reports_its_keys(capsys, name, keys):
    call_command("run_job", name)

    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith(f"{name}: ")
    assert [pair.split("=")[0] for pair in last.split(": ", 1)[1].split()] == keys


@pytest.mark.django_db
def test_unknown_job_exits_non_zero():
    with pytest.raises(CommandError, match="unknown job"):
        call_command("run_job", "no_such_job")
    assert not JobRun.objects.exists()
