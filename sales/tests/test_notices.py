"""A test drive booked at a store is confirmed to the customer once, and reminded the day before."""

import datetime as dt

import pytest
from django.utils import timezone

from core.models import Notification
from sales.services.reminders import remind_test_drives
from sales.services.testdrives import test_drive_book
from sales.tests.factories import CarModelFactory


@pytest.fixture
def model(db):
    return CarModelFactory(code="GC-S7", service_months=12, service_km=20_000)


def test_booking_at_a_store_is_confirmed_once_and_reminded_the_day_before(model, store):
    slot = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + dt.timedelta(days=2)
    booking = {
        "user": None,
        "customer_name": "王先生",
        "customer_phone": "13912345678",
        "model": model,
        "slot_start": slot,
    }

    test_drive_book(**booking, store=store)
    test_drive_book(**booking, store=store)  # the same form again books nothing new
    remind_test_drives(now=slot - dt.timedelta(days=1))
    remind_test_drives(now=slot - dt.timedelta(days=1))

    kinds = sorted(k.split(":")[0] for k in Notification.objects.values_list("dedupe_key", flat=True))
    assert kinds == ["testdrive-booked", "testdrive-reminder"]
    assert all(n.recipient == "13912345678" for n in Notification.objects.all())
