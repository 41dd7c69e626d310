"""The SLA clock of a ticket: targets from the policy, at-risk and breached states, the pause.

A ticket answers two targets: the response (leaving `new`) and the resolution. While the ticket
has not been responded to, the response target is the one that counts for "at risk"; either
target passed makes it breached. The clock stops while the ticket waits for parts: on resume
every due time (and at-risk time) moves later by the paused duration.
"""

import datetime as dt

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from aftersales.models import SlaPolicy, Ticket

# "At risk" is the last 20% of a window.
AT_RISK_SHARE = 0.2

ON_TRACK = "on_track"
AT_RISK = "at_risk"
BREACHED = "breached"
STATES = ((ON_TRACK, _("On track")), (AT_RISK, _("At risk")), (BREACHED, _("Breached")))
STATE_LABELS = dict(STATES)

# Used when HQ deleted a policy row: the contract's defaults for the priority.
DEFAULT_HOURS = {"P1": (1, 4), "P2": (4, 24), "P3": (8, 72), "P4": (24, 168)}


def targets_for(*, kind: str, priority: str) -> tuple[int, int]:
    """(response hours, resolution hours) for a kind and priority, from the policy table."""
    row = SlaPolicy.objects.filter(kind=kind, priority=priority).values_list("response_hours", "resolution_hours")
    found = row.first()
    return found if found else DEFAULT_HOURS[priority]


def sla_fields(*, kind: str, priority: str, opened_at: dt.datetime) -> dict:
    """The SLA columns of a ticket opened at `opened_at`."""
    response_hours, resolution_hours = targets_for(kind=kind, priority=priority)
    response = dt.timedelta(hours=response_hours)
    resolution = dt.timedelta(hours=resolution_hours)
    return {
        "response_due_at": opened_at + response,
        "response_risk_at": opened_at + response * (1 - AT_RISK_SHARE),
        "due_at": opened_at + resolution,
        "risk_at": opened_at + resolution * (1 - AT_RISK_SHARE),
    }


def clock_time(ticket: Ticket, now: dt.datetime) -> dt.datetime:
    """The instant the clock reads: frozen while paused or once the ticket is finished."""
    if ticket.paused_at is not None:
        return ticket.paused_at
    if ticket.status not in Ticket.OPEN_STATUSES:
        return ticket.resolved_at or ticket.closed_at or now
    return now


def sla_state(ticket: Ticket, now: dt.datetime) -> str:
    """on_track, at_risk (the last 20% of the current window) or breached (at or past a due time)."""
    at = clock_time(ticket, now)
    awaiting_response = ticket.responded_at is None and ticket.status in Ticket.OPEN_STATUSES
    if at >= ticket.due_at or (awaiting_response and at >= ticket.response_due_at):
        return BREACHED
    risk_at = ticket.response_risk_at if awaiting_response else ticket.risk_at
    if risk_at is not None and at >= risk_at:
        return AT_RISK
    return ON_TRACK


def current_due(ticket: Ticket) -> dt.datetime:
    """The due time that counts now: the response target until responded, then the resolution."""
    if ticket.responded_at is None and ticket.status in Ticket.OPEN_STATUSES:
        return min(ticket.response_due_at, ticket.due_at)
    return ticket.due_at


def state_q(state: str, now: dt.datetime) -> Q:
    """A filter selecting the OPEN tickets in `state` at `now`; the same rule as sla_state."""
    running = Q(paused_at__isnull=True)
    paused = Q(paused_at__isnull=False)
    unresponded = Q(responded_at__isnull=True)

    breached = (running & (Q(due_at__lte=now) | (unresponded & Q(response_due_at__lte=now)))) | (
        paused & (Q(due_at__lte=F("paused_at")) | (unresponded & Q(response_due_at__lte=F("paused_at"))))
    )
    risky = (
        running & ((unresponded & Q(response_risk_at__lte=now)) | (Q(responded_at__isnull=False) & Q(risk_at__lte=now)))
    ) | (
        paused
        & (
            (unresponded & Q(response_risk_at__lte=F("paused_at")))
            | (Q(responded_at__isnull=False) & Q(risk_at__lte=F("paused_at")))
        )
    )
    open_ = Q(status__in=Ticket.OPEN_STATUSES)
    if state == BREACHED:
        return open_ & breached
    if state == AT_RISK:
        return open_ & risky & ~breached
    if state == ON_TRACK:
        return open_ & ~breached & ~risky
    raise ValueError(state)


def pause_fields(ticket: Ticket, now: dt.datetime) -> list[str]:
    """Stop the clock (entering waiting for parts). Returns the changed fields."""
    ticket.paused_at = now
    return ["paused_at"]


def resume_fields(ticket: Ticket, now: dt.datetime) -> tuple[list[str], dt.timedelta]:
    """Restart the clock: every due and at-risk time moves later by the paused duration."""
    paused_for = max(now - ticket.paused_at, dt.timedelta(0)) if ticket.paused_at else dt.timedelta(0)
    for name in ("response_due_at", "response_risk_at", "due_at", "risk_at"):
        value = getattr(ticket, name)
        if value is not None:
            setattr(ticket, name, value + paused_for)
    ticket.paused_at = None
    return ["paused_at", "response_due_at", "response_risk_at", "due_at", "risk_at"], paused_for
