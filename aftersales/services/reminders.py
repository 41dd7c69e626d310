"""The day-before reminders (job `remind_bookings`, hourly): every booking whose slot falls on
tomorrow's local date gets one SMS. Hourly rather than once a day so that a booking made late
still gets its reminder and a missed run costs nothing; the deduplication key sends each once.
"""

import datetime as dt

from django.utils import timezone

from aftersales.models import Ticket
from aftersales.services import notices
from sales import notices as sales_notices
from sales.models import TestDrive


def tomorrow_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    return start, start + dt.timedelta(days=1)


def remind_bookings(*, now: dt.datetime | None = None) -> dict[str, int]:
    start, end = tomorrow_bounds(now or timezone.now())
    reminded = 0
    tickets = Ticket.objects.filter(
        status__in=Ticket.OPEN_STATUSES, store__isnull=False, booked_slot__gte=start, booked_slot__lt=end
    ).select_related("store", "customer")
    for ticket in tickets.iterator(chunk_size=1000):
        reminded += notices.ticket_reminder(ticket)
    drives = TestDrive.objects.filter(
        status__in=[TestDrive.Status.ASSIGNED, TestDrive.Status.CONFIRMED],
        store__isnull=False,
        slot_start__gte=start,
        slot_start__lt=end,
    ).select_related("store", "customer", "model")
    for drive in drives.iterator(chunk_size=1000):
        reminded += sales_notices.testdrive_reminder(drive)
    return {"reminded": reminded}
