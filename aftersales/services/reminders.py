"""The day-before reminders of booked tickets (job `remind_bookings`, hourly): every open ticket
booked into a slot on tomorrow's local date gets one SMS. Hourly rather than once a day so that a
booking made late still gets its reminder and a missed run costs nothing; the deduplication key
sends each once. Test drives are reminded by sales (`remind_test_drives`), on the same day bounds.
"""

import datetime as dt

from django.utils import timezone

from aftersales.models import Ticket
from aftersales.services import notices
from sales.services.reminders import tomorrow_bounds


def remind_bookings(*, now: dt.datetime | None = None) -> dict[str, int]:
    start, end = tomorrow_bounds(now or timezone.now())
    tickets = Ticket.objects.filter(
        status__in=Ticket.OPEN_STATUSES, store__isnull=False, booked_slot__gte=start, booked_slot__lt=end
    ).select_related("store", "customer")
    reminded = sum(notices.ticket_reminder(ticket) for ticket in tickets.iterator(chunk_size=1000))
    return {"reminded": reminded}
