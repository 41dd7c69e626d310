"""Bookings leak no names, and flood no one with messages (CONTRACT 5, issue #13).

A booking for a mobile number already on record shows the name typed for it, never the name on
record; booking messages to one number are limited per local day, and staff see when none was sent.
"""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from core.models import Notification
from sales.models import Customer, TestDrive
from sales.services.testdrives import test_drive_book
from sales.tests.factories import CustomerFactory, TestDriveFactory, local_slot

NEW = "/sales/test-drives/new/"
PHONE = "13912340001"


@pytest.fixture
def known_elsewhere(other_store, car_model):
    """A customer of Shanghai, with a name on record that Guangzhou has no business seeing."""
    customer = CustomerFactory(phone=PHONE, name="李四海")
    TestDriveFactory(store=other_store, model=car_model, customer=customer)
    return customer


def _book(client, name: str, hour: int = 10, days: int = 1):
    slot = local_slot(days=days, hour=hour)
    data = {"customer_name": name, "customer_phone": PHONE, "model": "GC-M7", "slot": f"{slot:%Y-%m-%d %H:%M}"}
    return client.post(NEW, data, follow=True)


def test_a_booking_for_a_number_on_record_shows_the_typed_name_never_the_recorded_one(
    staff_client, store, known_elsewhere
):
    response = _book(staff_client, "张三")
    drive = TestDrive.objects.get(store=store)
    assert drive.customer == known_elsewhere and drive.customer_name == "张三"
    pages = [
        response.content.decode(),
        staff_client.get("/sales/test-drives/").content.decode(),
        staff_client.get(f"/sales/test-drives/day/?date={drive.slot_start:%Y-%m-%d}").content.decode(),
        staff_client.get("/").content.decode(),
    ]
    assert "张三" in pages[0] and "张三" in pages[1] and "张三" in pages[2]
    assert all("李四海" not in page for page in pages)
    assert Customer.objects.get(pk=known_elsewhere.pk).name == "李四海"  # the record is not renamed


def test_booking_messages_to_one_number_stop_at_the_daily_limit_and_staff_are_told(
    staff_client, store, car_model, settings
):
    settings.TESTDRIVE_SMS_PER_DAY = 2
    responses = [_book(staff_client, "张三", hour=hour) for hour in (10, 11, 12)]
    assert TestDrive.objects.filter(customer__phone=PHONE).count() == 3
    assert Notification.objects.filter(recipient=PHONE).count() == 2
    warnings = [[str(m) for m in r.context["messages"] if "No SMS" in str(m)] for r in responses]
    assert warnings[:2] == [[], []] and len(warnings[2]) == 1
    assert "2" in warnings[2][0]


def test_the_limit_counts_local_days(store, car_model, settings):
    settings.TESTDRIVE_SMS_PER_DAY = 1
    today = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    booking = {"user": None, "customer_name": "张三", "customer_phone": PHONE, "model": car_model, "store": store}
    with time_machine.travel(today, tick=False):
        first = test_drive_book(**booking, slot_start=local_slot(days=2, hour=10))
        second = test_drive_book(**booking, slot_start=local_slot(days=2, hour=11))
    with time_machine.travel(today + dt.timedelta(days=1), tick=False):
        third = test_drive_book(**booking, slot_start=local_slot(days=2, hour=12))
    assert (first.sms_sent, second.sms_sent, third.sms_sent) == (True, False, True)
    assert Notification.objects.filter(recipient=PHONE).count() == 2
