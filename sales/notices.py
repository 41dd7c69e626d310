"""Customer messages about test drives, through the one notification service (core.notifications).

Each message has a deduplication key naming the booking and its slot, so a job or a form run
twice queues it once; the outbox keeps it when the broker is down. Booking confirmations to one
number are limited per local day (settings.TESTDRIVE_SMS_PER_DAY): anyone may type any number
into the booking form, and that customer's phone must not become a target.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.notifications import notify, notify_within_limit

from .models import TestDrive


def testdrive_booked(test_drive: TestDrive) -> bool:
    """Booking confirmed: the store, its address and the slot. False when the number has had its
    day's booking messages already, and nothing was queued."""
    store, local = test_drive.store, timezone.localtime(test_drive.slot_start)
    phone = test_drive.customer.phone
    notification = notify_within_limit(
        limit_key=f"testdrive-booked:{phone}:{timezone.localdate():%Y%m%d}",
        limit=settings.TESTDRIVE_SMS_PER_DAY,
        channel="sms",
        recipient=phone,
        subject=_("Test drive booked"),
        body=_("Your test drive of %(model)s is booked at %(store)s (%(address)s) on %(slot)s.")
        % {"model": test_drive.model, "store": store.name, "address": store.address, "slot": f"{local:%Y-%m-%d %H:%M}"},
    )
    return notification is not None


def testdrive_reminder(test_drive: TestDrive) -> bool:
    """The day-before reminder; False when it was already queued."""
    store, local = test_drive.store, timezone.localtime(test_drive.slot_start)
    return (
        notify(
            channel="sms",
            recipient=test_drive.customer.phone,
            subject=_("Test drive tomorrow"),
            body=_("Reminder: your test drive of %(model)s is tomorrow at %(time)s at %(store)s (%(address)s).")
            % {"model": test_drive.model, "time": f"{local:%H:%M}", "store": store.name, "address": store.address},
            dedupe_key=f"testdrive-reminder:{test_drive.pk}:{local:%Y%m%d%H}",
        )
        is not None
    )
