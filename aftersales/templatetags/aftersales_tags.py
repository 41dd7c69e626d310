"""Display helpers for after-sales templates: labels for stored codes, nothing decided here."""

from django import template

from aftersales.models import Ticket
from aftersales.services import sla

register = template.Library()


@register.filter
def sla_label(state: str) -> str:
    return str(sla.STATE_LABELS.get(state, state))


@register.filter
def status_label(value: str) -> str:
    return str(dict(Ticket.Status.choices).get(value, value or ""))


@register.filter
def payer_label(value: str) -> str:
    return str(dict(Ticket.Payer.choices).get(value, value or ""))


@register.filter
def component_label(value: str) -> str:
    return str(dict(Ticket.Component.choices).get(value, value or ""))
