"""The store dashboard of staff and managers: today at their store, in a constant number of queries."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.access import tickets_visible_to
from aftersales.models import Ticket
from aftersales.services.sla import AT_RISK, BREACHED, state_q
from sales.models import Order, TestDrive
from stores.access import scope_by_store
from stores.models import Store
from stores.selectors import HourLoad, store_capacity_on

from ..models import StoreDailyMetrics
from ..services import local_day_bounds
from .base import LIST_LIMIT, chart, mark_sla, series

STORE_HISTORY_DAYS = 30


@dataclass
class StoreDashboard:
    store: Store
    today: dt.date
    slots: list[HourLoad]
    test_drives: list[TestDrive]
    test_drive_counts: dict[str, int]
    deliveries: list[Order]
    deliveries_more: bool
    open_by_status: list[tuple[str, str, int]]
    open_total: int
    breached: int
    at_risk: int
    sla_tickets: list[Ticket]
    maintenance: list[Ticket]
    maintenance_more: bool
    history: list[StoreDailyMetrics]
    charts: dict[str, dict] = field(default_factory=dict)

    @property
    def test_drives_total(self) -> int:
        return sum(self.test_drive_counts.values())

    @property
    def test_drives_more(self) -> bool:
        return self.test_drives_total > len(self.test_drives)


def store_dashboard(*, user, store: Store, now: dt.datetime | None = None) -> StoreDashboard:
    """Today at one store: hour slots, test drives, deliveries, open tickets, SLA, maintenance."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start, end = local_day_bounds(today)
    open_tickets = tickets_visible_to(user, Ticket.objects.filter(store=store)).filter(status__in=Ticket.OPEN_STATUSES)
    test_drive_counts, test_drives = _test_drives(user, store, start, end)
    deliveries = _deliveries(user, store, today)
    by_status = _open_by_status(open_tickets, now)
    maintenance = _maintenance_this_week(open_tickets, end)
    dashboard = StoreDashboard(
        store=store,
        today=today,
        slots=store_capacity_on(store=store, day=today),
        test_drives=test_drives,
        test_drive_counts=test_drive_counts,
        deliveries=deliveries[:LIST_LIMIT],
        deliveries_more=len(deliveries) > LIST_LIMIT,
        open_by_status=_status_rows(by_status),
        open_total=sum(row["n"] for row in by_status.values()),
        breached=sum(row["breached"] for row in by_status.values()),
        at_risk=sum(row["at_risk"] for row in by_status.values()),
        sla_tickets=_sla_tickets(open_tickets, now),
        maintenance=maintenance[:LIST_LIMIT],
        maintenance_more=len(maintenance) > LIST_LIMIT,
        history=_history(user, store, today),
    )
    dashboard.charts = _store_charts(dashboard)
    return dashboard


def _test_drives(user, store: Store, start: dt.datetime, end: dt.datetime) -> tuple[dict[str, int], list[TestDrive]]:
    """Today's test drives by status (cancelled included) and the first of those not cancelled."""
    drives_today = scope_by_store(TestDrive.objects.filter(store=store), user).filter(
        slot_start__gte=start, slot_start__lt=end
    )
    counts = dict(drives_today.values_list("status").annotate(n=Count("id")).order_by())
    listed = list(
        drives_today.exclude(status=TestDrive.Status.CANCELLED)
        .select_related("customer", "model")
        .order_by("slot_start", "id")[:LIST_LIMIT]
    )
    return counts, listed


def _deliveries(user, store: Store, today: dt.date) -> list[Order]:
    """Today's deliveries, one more than the list shows (to say there are more)."""
    return list(
        scope_by_store(Order.objects.filter(store=store), user)
        .filter(delivery_date=today)
        .exclude(status=Order.Status.CANCELLED)
        .select_related("customer", "model", "vehicle")
        .order_by("status", "id")[: LIST_LIMIT + 1]
    )


def _open_by_status(open_tickets: QuerySet[Ticket], now: dt.datetime) -> dict[str, dict]:
    """Open tickets per status, with how many of them are breached or at risk (one GROUP BY)."""
    return {
        row["status"]: row
        for row in open_tickets.values("status")
        .annotate(
            n=Count("id"),
            breached=Count("id", filter=state_q(BREACHED, now)),
            at_risk=Count("id", filter=state_q(AT_RISK, now)),
        )
        .order_by()
    }


def _status_rows(by_status: dict[str, dict]) -> list[tuple[str, str, int]]:
    """Every open status in its order, with its label and count (0 when none)."""
    labels = dict(Ticket.Status.choices)
    return [
        (status, labels[status], by_status[status]["n"] if status in by_status else 0)
        for status in Ticket.OPEN_STATUSES
    ]


def _sla_tickets(open_tickets: QuerySet[Ticket], now: dt.datetime) -> list[Ticket]:
    """The open tickets breached or at risk, soonest due first, marked with their SLA state."""
    tickets = list(
        open_tickets.filter(state_q(BREACHED, now) | state_q(AT_RISK, now))
        .select_related("vehicle", "assignee")
        .order_by("due_at", "id")[:LIST_LIMIT]
    )
    mark_sla(tickets, now)
    return tickets


def _maintenance_this_week(open_tickets: QuerySet[Ticket], day_end: dt.datetime) -> list[Ticket]:
    """Open maintenance booked, or due unbooked, within the week from today; one more than shown."""
    week_end = day_end + dt.timedelta(days=6)
    return list(
        open_tickets.filter(kind="maintenance")
        .filter(Q(booked_slot__lt=week_end) | Q(booked_slot__isnull=True, due_at__lt=week_end))
        .select_related("vehicle__model")
        .order_by("booked_slot", "due_at", "id")[: LIST_LIMIT + 1]
    )


def _history(user, store: Store, today: dt.date) -> list[StoreDailyMetrics]:
    return list(
        scope_by_store(StoreDailyMetrics.objects.filter(store=store), user)
        .filter(date__gte=today - dt.timedelta(days=STORE_HISTORY_DAYS))
        .order_by("date")
    )


def _store_charts(board: StoreDashboard) -> dict[str, dict]:
    hours = [f"{slot.starts_at.hour:02d}:00" for slot in board.slots]
    charts = {
        "slots": chart(
            "bar",
            hours,
            [
                series(_("Bays booked"), [s.bays_booked for s in board.slots], "blue", stack="bays"),
                series(_("Bays free"), [s.bays_free for s in board.slots], "lightblue", stack="bays"),
                series(_("Demo cars booked"), [s.demo_cars_booked for s in board.slots], "green", stack="demo"),
                series(_("Demo cars free"), [s.demo_cars_free for s in board.slots], "lightgreen", stack="demo"),
            ],
            stacked=True,
        ),
        "status": chart(
            "doughnut",
            [label for _status, label, _n in board.open_by_status],
            [series(_("Open tickets"), [n for *_, n in board.open_by_status], "palette")],
        ),
    }
    if board.history:
        # A store without a row on some day had nothing to count that day (see the backfill).
        by_date = {row.date: row for row in board.history}
        days = [board.today - dt.timedelta(days=back) for back in range(STORE_HISTORY_DAYS, 0, -1)]

        def daily(name: str) -> list[int]:
            return [getattr(by_date[day], name) if day in by_date else 0 for day in days]

        charts["history"] = chart(
            "line",
            [day.isoformat() for day in days],
            [
                series(_("Open tickets"), daily("open_backlog"), "blue"),
                series(_("SLA breached"), daily("breached"), "red"),
                series(_("Test drives"), daily("test_drives"), "green"),
                series(_("Deliveries"), daily("deliveries"), "orange"),
            ],
        )
    return charts
