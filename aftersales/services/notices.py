"""Customer messages about after-sales work, through the one notification service.

Ticket received (opened at a store), maintenance booked (aftersales.services.dispatch), the
reminder the day before a booked slot (the `remind_bookings` job), ticket resolved. Each has a
deduplication key naming the ticket and the occasion: queued once, however often it is asked.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.models import Ticket
from core.notifications import notify


def _phone(ticket: Ticket) -> str | None:
    customer = ticket.customer
    return customer.phone if customer is not None else None


def ticket_received(ticket: Ticket) -> None:
    phone = _phone(ticket)
    if not phone or ticket.store_id is None:
        return
    notify(
        channel="sms",
        recipient=phone,
        subject=_("Service request received"),
        body=_("Your service request %(number)s has been received by %(store)s (%(store_phone)s).")
        % {"number": ticket.number, "store": ticket.store.name, "store_phone": ticket.store.phone},
        dedupe_key=f"ticket-received:{ticket.pk}",
    )


def ticket_resolved(ticket: Ticket) -> None:
    phone = _phone(ticket)
    if not phone:
        return
    notify(
        channel="sms",
        recipient=phone,
        subject=_("Service completed"),
        body=_("Your service request %(number)s has been resolved. Thank you for choosing Goodcar.")
        % {"number": ticket.number},
        # Reopened and resolved again is a new message; the same resolution is never sent twice.
        dedupe_key=f"ticket-resolved:{ticket.pk}:{ticket.resolved_at:%Y%m%d%H%M%S}",
    )


def ticket_reminder(ticket: Ticket) -> bool:
    """The day-before reminder of a booked slot; False when it was already queued."""
    phone = _phone(ticket)
    if not phone or ticket.store_id is None or ticket.booked_slot is None:
        return False
    local = timezone.localtime(ticket.booked_slot)
    return (
        notify(
            channel="sms",
            recipient=phone,
            subject=_("Service appointment tomorrow"),
            body=_("Reminder: your car's appointment (%(number)s) is tomorrow at %(time)s at %(store)s (%(address)s).")
            % {
                "number": ticket.number,
                "time": f"{local:%H:%M}",
                "store": ticket.store.name,
                "address": ticket.store.address,
            },
            dedupe_key=f"ticket-reminder:{ticket.pk}:{local:%Y%m%d%H}",
        )
        is not None
    )
