"""Ticket numbers for scheduled work, taken a block at a time from the one ticket counter."""

import datetime as dt

from aftersales.services.tickets import ticket_numbers


def _allocate_numbers(count: int, run_at: dt.datetime) -> list[str]:
    """A block of ticket numbers of the run's year (core.numbering: one statement, its own commit).

    Numbers taken by a batch that then skips a conflicting ticket stay unused: gaps, never twins.
    """
    return ticket_numbers(at=run_at, n=count)
