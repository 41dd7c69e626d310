"""Ticket numbers for scheduled work, taken a block at a time."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from aftersales.models import TicketCounter
from aftersales.services.tickets import NUMBER_PREFIX


def _allocate_numbers(count: int, run_at: dt.datetime) -> list[str]:
    """A block of ticket numbers of the run's year, in a short transaction of its own.

    Numbers taken by a batch that then skips a conflicting ticket stay unused: gaps, never twins.
    """
    year = timezone.localtime(run_at).year
    with transaction.atomic():
        TicketCounter.objects.get_or_create(year=year)
        counter = TicketCounter.objects.select_for_update().get(year=year)
        first = counter.last + 1
        counter.last += count
        counter.save(update_fields=["last"])
    return [f"{NUMBER_PREFIX}-{year}-{n:07d}" for n in range(first, first + count)]
