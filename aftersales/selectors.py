"""Reads for the after-sales pages and jobs: every queryset starts from the user's scope."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.access import tickets_visible_to
from aftersales.forms import SORTS, day_start
from aftersales.models import Attachment, RecallCampaign, Ticket, TicketEvent
from aftersales.services import sla
from aftersales.services.tickets import NUMBER_PREFIX
from stores.phones import normalise_mobile

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


def search_q(value: str) -> Q | None:
    """Which column a search term names, by its shape: a ticket number, a VIN or a mobile."""
    term = value.strip().upper().replace(" ", "")
    if not term:
        return None
    if term.startswith(f"{NUMBER_PREFIX}-"):
        return Q(number=term)
    if len(term) == 17:
        return Q(vehicle__vin=term)
    try:
        return Q(customer__phone=normalise_mobile(term))
    except ValidationError:
        pass
    # A ticket number typed without its prefix: this year's or last year's (exact, indexed).
    if term.isdigit() and len(term) <= 7:
        year = timezone.localdate().year
        return Q(number__in=[f"{NUMBER_PREFIX}-{y}-{int(term):07d}" for y in (year, year - 1)])
    return Q(vehicle__vin=term)


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


def unassigned_tickets(*, user, province: str = "") -> QuerySet[Ticket]:
    """Open work no store took, in the user's reach (their provinces; HQ all), soonest due first."""
    queryset = tickets_visible_to(user).filter(store__isnull=True, status__in=Ticket.OPEN_STATUSES)
    if province:
        queryset = queryset.filter(province=province)
    return queryset.order_by("due_at", "id")


def unassigned_rows() -> QuerySet[Ticket]:
    """Tickets with what a row of the unassigned queue shows."""
    return Ticket.objects.select_related("vehicle__model", "customer")


def store_member(*, ticket: Ticket, username: str):
    """An active user of the ticket's store by username; None for no name. Anyone else: refused."""
    if not username:
        return None
    user = (
        get_user_model().objects.filter(username=username, membership__store_id=ticket.store_id, is_active=True).first()
    )
    if user is None or ticket.store_id is None:
        raise ValidationError(_("%(user)s does not work at the ticket's store.") % {"user": username})
    return user


def recall_campaigns() -> QuerySet[RecallCampaign]:
    return RecallCampaign.objects.select_related("model").order_by("-created_at", "-id")


def recall_campaign(*, pk: int) -> RecallCampaign | None:
    return RecallCampaign.objects.select_related("model").filter(pk=pk).first()
