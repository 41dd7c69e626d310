"""The customer's SMS about a booked maintenance."""

from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.models import Ticket
from stores.dispatching import Placed


def booking_confirmation(*, ticket: Ticket, phone: str, place: Placed) -> dict:
    """The customer's SMS confirming a maintenance booking (sent once per ticket and slot)."""
    local = timezone.localtime(ticket.booked_slot)
    return {
        "channel": "sms",
        "recipient": phone,
        "subject": _("Maintenance booked"),
        "body": _("Your car's maintenance (%(number)s) is booked at %(store)s on %(slot)s.")
        % {"number": ticket.number, "store": place.name, "slot": f"{local:%Y-%m-%d %H:%M}"},
        "dedupe_key": f"maintenance-booked:{ticket.pk}:{local:%Y%m%d%H}",
    }
