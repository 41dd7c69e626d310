"""Sales runs its own jobs (sales/jobs.py): test-drive dispatch and the day-before test-drive reminders."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from config.celery import app
from core import jobs
from core.models import Notification
from sales.models import Customer, TestDrive

SHANGHAI = ZoneInfo("Asia/Shanghai")
SLOT = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


def test_sales_registers_its_own_jobs():
    assert jobs._REGISTRY["dispatch_test_drives"].__module__ == "sales.jobs"
    assert jobs._REGISTRY["remind_test_drives"].__module__ == "sales.jobs"


def test_the_beat_schedule_runs_the_test_drive_reminders_hourly():
    entry = app.conf.beat_schedule["remind_test_drives"]
    assert entry["args"] == ("remind_test_drives",)
    assert entry["schedule"].minute == {30}
    assert len(entry["schedule"].hour) == 24


@pytest.mark.django_db
def test_remind_test_drives_reminds_tomorrows_booking_once(capsys, car_model, store, time_machine):
    customer = Customer.objects.create(name="王先生", phone="13912345678")
    TestDrive.objects.create(
        customer=customer, model=car_model, store=store, slot_start=SLOT, status=TestDrive.Status.ASSIGNED
    )
    time_machine.move_to(SLOT - dt.timedelta(days=1), tick=False)

    call_command("run_job", "remind_test_drives")
    call_command("run_job", "remind_test_drives")

    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-2:] == ["remind_test_drives: reminded=1", "remind_test_drives: reminded=0"]
    assert list(Notification.objects.values_list("recipient", flat=True)) == ["13912345678"]
