"""Reads for the after-sales pages and jobs: every queryset starts from the user's scope."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from aftersales.access import tickets_visible_to
from aftersales.forms import SORTS, day_start, search_q
from aftersales.models import Attachment, Ticket, TicketEvent
from aftersales.services import sla

# The columns a queue row shows; everything else stays in the database.
ROW_FIELDS = (
    "id", "number", "kind", "priority", "status", "summary", "created_at", "due_at", "response_due_at",
    "response_risk_at", "risk_at", "responded_at", "paused_at", "resolved_at", "closed_at",
    "store__code", "store__name", "vehicle__vin", "customer__name", "customer__phone", "assignee__username",
    "assignee__first_name", "assignee__last_name",
)  # fmt: skip


def ticket_list(*, user, filters: dict, now: dt.datetime | None = None) -> QuerySet[Ticket]:
    """The user's tickets narrowed by the queue filters, in the chosen order (SLA due by default).

    Returns a lean queryset (no joins beyond what the filters need), for keys and counts.
    """
    now = now or timezone.now()
    qs = tickets_visible_to(user)
    if term := filters.get("q"):
        condition = search_q(term)
        if condition is not None:
            qs = qs.filter(condition)
    status = filters.get("status")
    if status == "open":
        qs = qs.filter(status__in=Ticket.OPEN_STATUSES)
    elif status and status != "all":
        qs = qs.filter(status=status)
    if kind := filters.get("kind"):
        qs = qs.filter(kind=kind)
    if priority := filters.get("priority"):
        qs = qs.filter(priority=priority)
    if state := filters.get("sla"):
        qs = qs.filter(sla.state_q(state, now))
    if assignee := filters.get("assignee"):
        qs = qs.filter(_assignee_q(assignee, user))
    if store := filters.get("store"):
        qs = qs.filter(store__code=store.strip().upper())
    if created_from := filters.get("created_from"):
        qs = qs.filter(created_at__gte=day_start(created_from))
    if created_to := filters.get("created_to"):
        qs = qs.filter(created_at__lt=day_start(created_to + dt.timedelta(days=1)))
    if due_from := filters.get("due_from"):
        qs = qs.filter(due_at__gte=day_start(due_from))
    if due_to := filters.get("due_to"):
        qs = qs.filter(due_at__lt=day_start(due_to + dt.timedelta(days=1)))
    return qs.order_by(*SORTS.get(filters.get("sort") or "due", SORTS["due"]))


def _assignee_q(value: str, user) -> Q:
    value = value.strip()
    if value.lower() == "me":
        return Q(assignee=user)
    if value.lower() == "none":
        return Q(assignee__isnull=True)
    return Q(assignee__username=value)


def ticket_rows() -> QuerySet[Ticket]:
    """Tickets with what a queue row shows, in one query."""
    return Ticket.objects.select_related("store", "vehicle", "customer", "assignee").only(*ROW_FIELDS)


def ticket_detail_queryset() -> QuerySet[Ticket]:
    return Ticket.objects.select_related(
        "store", "vehicle", "vehicle__model", "customer", "assignee", "created_by", "campaign"
    )


def ticket_events(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor").order_by("created_at", "id")


def ticket_attachments(ticket: Ticket) -> QuerySet[Attachment]:
    return ticket.attachments.select_related("uploaded_by").order_by("uploaded_at", "id")


def vehicle_tickets(*, user, vehicle, limit: int = 20) -> list[Ticket]:
    return list(
        tickets_visible_to(user)
        .filter(vehicle=vehicle)
        .select_related("store", "assignee", "campaign")
        .order_by("-created_at", "-id")[:limit]
    )


def store_open_tickets(*, user, store, limit: int = 20) -> QuerySet[Ticket]:
    return (
        tickets_visible_to(user)
        .filter(store=store, status__in=Ticket.OPEN_STATUSES)
        .select_related("vehicle", "assignee")
        .order_by("due_at", "id")[:limit]
    )
