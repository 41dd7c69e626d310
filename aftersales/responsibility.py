"""Who pays for a ticket's work: derived from the kind and the component, HQ may override."""

from aftersales.models import Kind, Ticket

# The battery maker answers for the pack and the swap system; the carmaker for the rest.
BATTERY_MAKER_COMPONENTS = frozenset({Ticket.Component.BATTERY_PACK, Ticket.Component.SWAP_SYSTEM})


def derived_payer(*, kind: str, component: str) -> str:
    """The paying party a warranty or battery ticket names; "" for kinds that name none."""
    if kind == Kind.BATTERY:
        return Ticket.Payer.BATTERY_MAKER
    if kind == Kind.WARRANTY:
        if component in BATTERY_MAKER_COMPONENTS:
            return Ticket.Payer.BATTERY_MAKER
        return Ticket.Payer.CARMAKER
    return Ticket.Payer.NONE
