"""Escalating tickets past their SLA (CONTRACT 4, `escalate_tickets`).

A ticket has at most two breaches, in this order: the response (it left `new` late, or has not
yet) and the resolution (still open past its due time; the clock stops while waiting for parts).
Each breach escalates exactly once: the ticket's `escalations` counts the breaches already acted
on, and the write is conditional on it under a row lock, so a second run, or a second worker,
escalates nothing twice. An escalation raises the priority one step (P4 to P3 ... P1 stays P1),
notifies the store's managers, and on the second breach the regional managers of the province
too; each is an ESCALATED event in the ticket's history. The SLA due times stay as they were:
escalation adds urgency, it does not move the goalposts.
"""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.models import Priority, Ticket, TicketEvent
from aftersales.services import sla
from aftersales.services.tickets import ticket_add_event
from core.notifications import notify
from stores.models import Membership, Role

logger = logging.getLogger(__name__)

RESPONSE = "response"
RESOLUTION = "resolution"
RAISED = {Priority.P4: Priority.P3, Priority.P3: Priority.P2, Priority.P2: Priority.P1, Priority.P1: Priority.P1}


def breaches(ticket: Ticket, now: dt.datetime) -> list[str]:
    """The ticket's breaches so far, in the order they happen."""
    found = []
    if ticket.responded_at is not None:
        if ticket.responded_at > ticket.response_due_at:
            found.append(RESPONSE)
    elif ticket.is_open and sla.clock_time(ticket, now) >= ticket.response_due_at:
        found.append(RESPONSE)
    if ticket.is_open and sla.clock_time(ticket, now) >= ticket.due_at:
        found.append(RESOLUTION)
    return found


def unescalated_q(now: dt.datetime) -> Q:
    """Open tickets with a breach not yet escalated (the same rule as `breaches`, in SQL)."""
    response = Q(responded_at__isnull=True, response_due_at__lte=now, paused_at__isnull=True) | Q(
        responded_at__gt=F("response_due_at")
    )
    resolution = Q(paused_at__isnull=True, due_at__lte=now) | Q(paused_at__isnull=False, due_at__lte=F("paused_at"))
    return Q(status__in=Ticket.OPEN_STATUSES) & (
        (Q(escalations=0) & (response | resolution)) | (Q(escalations=1) & response & resolution)
    )


def escalate_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One pass of the job: counts of tickets found breached and escalations made."""
    now = now or timezone.now()
    ids = list(Ticket.objects.filter(unescalated_q(now)).order_by("due_at", "id").values_list("pk", flat=True))
    escalated = 0
    for pk in ids:
        escalated += ticket_escalate(pk=pk, now=now)
    return {"breached": len(ids), "escalated": escalated}


@transaction.atomic
def ticket_escalate(*, pk: int, now: dt.datetime) -> int:
    """Escalate the ticket's breaches not yet escalated; returns how many were."""
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("store").filter(pk=pk).first()
    if ticket is None:
        return 0
    found = breaches(ticket, now)
    done = 0
    for level, breach in enumerate(found, start=1):
        if level <= ticket.escalations:
            continue
        before = ticket.priority
        ticket.priority = RAISED[Priority(before)]
        ticket.escalations = level
        ticket.save(update_fields=["priority", "escalations", "updated_at"])
        ticket_add_event(
            ticket=ticket,
            kind=TicketEvent.Kind.ESCALATED,
            actor=None,
            message=_("The %(breach)s target was missed: escalated to %(priority)s.")
            % {"breach": _("response") if breach == RESPONSE else _("resolution"), "priority": ticket.priority},
            data={"breach": breach, "level": level, "from": before, "to": ticket.priority},
        )
        _notify_staff(ticket, breach, level)
        done += 1
    return done


def _notify_staff(ticket: Ticket, breach: str, level: int) -> None:
    """The store's managers on every breach; the province's regional managers on the second."""
    recipients = []
    if ticket.store_id is not None:
        recipients += Membership.objects.filter(
            role=Role.MANAGER, store_id=ticket.store_id, user__is_active=True
        ).select_related("user")
    if level >= 2 or ticket.store_id is None:
        recipients += [
            m
            for m in Membership.objects.filter(
                role=Role.REGIONAL, provinces__contains=ticket.province, user__is_active=True
            ).select_related("user")
            if ticket.province in m.provinces_list
        ]
    for membership in recipients:
        user = membership.user
        channel, address = ("sms", membership.phone) if membership.phone else ("email", user.email)
        if not address:
            logger.warning("no phone or e-mail for %s: escalation of %s not sent", user, ticket.number)
            continue
        notify(
            channel=channel,
            recipient=address,
            subject=_("Ticket %(number)s escalated") % {"number": ticket.number},
            body=_("Ticket %(number)s missed its %(breach)s target and is now %(priority)s.")
            % {
                "number": ticket.number,
                "breach": _("response") if breach == RESPONSE else _("resolution"),
                "priority": ticket.priority,
            },
            dedupe_key=f"escalation:{ticket.pk}:{breach}:{user.pk}",
        )
