"""The day-before test-drive reminders (job `remind_test_drives`, hourly): every test drive at a
store whose slot falls on tomorrow's local date gets one SMS. Hourly rather than once a day so
that a booking made late still gets its reminder and a missed run costs nothing; the
deduplication key sends each once. After-sales reminds its ticket bookings the same way.
"""

import datetime as dt

from django.utils import timezone

from sales import notices
from sales.models import TestDrive


def tomorrow_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Tomorrow's local date, as the instants it starts and ends."""
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    return start, start + dt.timedelta(days=1)


def remind_test_drives(*, now: dt.datetime | None = None) -> dict[str, int]:
    start, end = tomorrow_bounds(now or timezone.now())
    drives = TestDrive.objects.filter(
        status__in=[TestDrive.Status.ASSIGNED, TestDrive.Status.CONFIRMED],
        store__isnull=False,
        slot_start__gte=start,
        slot_start__lt=end,
    ).select_related("store", "customer", "model")
    reminded = sum(notices.testdrive_reminder(drive) for drive in drives.iterator(chunk_size=1000))
    return {"reminded": reminded}
