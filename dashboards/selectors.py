"""Reads of the dashboards: what each role's page shows, in a small, constant number of queries.

Long-range figures come from the snapshot tables (a few hundred rows per page at most); today's
figures for one store come from indexed queries on that store's own rows. Every queryset is
scoped through stores.access.
"""

import datetime as dt
import operator
from dataclasses import dataclass, field
from functools import reduce

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.access import tickets_visible_to
from aftersales.models import RecallCampaign, Ticket
from aftersales.services.sla import AT_RISK, BREACHED, STATE_LABELS, sla_state, state_q
from core import jobs
from core.models import FeedRun, JobRun
from core.notifications.service import unconfirmed_or_failed
from sales.models import Order, TestDrive
from stores.access import provinces_visible_to, scope_by_store
from stores.models import Store
from stores.provinces import Province
from stores.selectors import HourLoad, store_capacity_on

from .models import DailyFigures, ProvinceDailyMetrics, RecallProgress, StoreDailyMetrics
from .services import local_day_bounds

LIST_LIMIT = 10
RANKING_LIMIT = 20
STORE_HISTORY_DAYS = 30
REGIONAL_DAYS = 30
HQ_DAYS = 90
FEED_RUNS = 10
CAMPAIGNS = 8


def chart(kind: str, labels: list, datasets: list[dict], **options) -> dict:
    """The JSON a page hands to static/js/dashboard-charts.js through json_script."""
    return {"type": kind, "labels": labels, "datasets": datasets, **options}


def series(label, data: list, color: str, **extra) -> dict:
    return {"label": label, "data": data, "color": color, **extra}


# --- store staff and managers ---------------------------------------------------------------


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
    tickets = tickets_visible_to(user, Ticket.objects.filter(store=store))
    open_tickets = tickets.filter(status__in=Ticket.OPEN_STATUSES)

    slots = store_capacity_on(store=store, day=today)

    drives_today = scope_by_store(TestDrive.objects.filter(store=store), user).filter(
        slot_start__gte=start, slot_start__lt=end
    )
    test_drive_counts = dict(drives_today.values_list("status").annotate(n=Count("id")).order_by())
    test_drives = list(
        drives_today.exclude(status=TestDrive.Status.CANCELLED)
        .select_related("customer", "model")
        .order_by("slot_start", "id")[:LIST_LIMIT]
    )

    deliveries = list(
        scope_by_store(Order.objects.filter(store=store), user)
        .filter(delivery_date=today)
        .exclude(status=Order.Status.CANCELLED)
        .select_related("customer", "model", "vehicle")
        .order_by("status", "id")[: LIST_LIMIT + 1]
    )

    status_labels = dict(Ticket.Status.choices)
    by_status = {
        row["status"]: row
        for row in open_tickets.values("status")
        .annotate(
            n=Count("id"),
            breached=Count("id", filter=state_q(BREACHED, now)),
            at_risk=Count("id", filter=state_q(AT_RISK, now)),
        )
        .order_by()
    }
    open_by_status = [
        (status, status_labels[status], by_status[status]["n"] if status in by_status else 0)
        for status in Ticket.OPEN_STATUSES
    ]

    sla_tickets = list(
        open_tickets.filter(state_q(BREACHED, now) | state_q(AT_RISK, now))
        .select_related("vehicle", "assignee")
        .order_by("due_at", "id")[:LIST_LIMIT]
    )
    _mark_sla(sla_tickets, now)

    week_end = end + dt.timedelta(days=6)
    maintenance = list(
        open_tickets.filter(kind="maintenance")
        .filter(Q(booked_slot__lt=week_end) | Q(booked_slot__isnull=True, due_at__lt=week_end))
        .select_related("vehicle__model")
        .order_by("booked_slot", "due_at", "id")[: LIST_LIMIT + 1]
    )

    history = list(
        scope_by_store(StoreDailyMetrics.objects.filter(store=store), user)
        .filter(date__gte=today - dt.timedelta(days=STORE_HISTORY_DAYS))
        .order_by("date")
    )

    dashboard = StoreDashboard(
        store=store,
        today=today,
        slots=slots,
        test_drives=test_drives,
        test_drive_counts=test_drive_counts,
        deliveries=deliveries[:LIST_LIMIT],
        deliveries_more=len(deliveries) > LIST_LIMIT,
        open_by_status=open_by_status,
        open_total=sum(row["n"] for row in by_status.values()),
        breached=sum(row["breached"] for row in by_status.values()),
        at_risk=sum(row["at_risk"] for row in by_status.values()),
        sla_tickets=sla_tickets,
        maintenance=maintenance[:LIST_LIMIT],
        maintenance_more=len(maintenance) > LIST_LIMIT,
        history=history,
    )
    dashboard.charts = _store_charts(dashboard)
    return dashboard


def _mark_sla(tickets: list[Ticket], now: dt.datetime) -> None:
    for ticket in tickets:
        ticket.sla = sla_state(ticket, now)
        ticket.sla_label = STATE_LABELS[ticket.sla]


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


# --- regional managers ----------------------------------------------------------------------


@dataclass
class ProvinceRow:
    province: str
    label: str
    figures: ProvinceDailyMetrics | None


@dataclass
class RegionalDashboard:
    provinces: list[ProvinceRow]
    as_of: dt.date | None
    ranking: list[StoreDailyMetrics]
    unassigned: list[Ticket]
    unassigned_total: int
    charts: dict[str, dict] = field(default_factory=dict)

    @property
    def ranking_is_long(self) -> bool:
        return len(self.ranking) > 8


def latest_snapshot_date() -> dt.date | None:
    return ProvinceDailyMetrics.objects.order_by("-date").values_list("date", flat=True).first()


def regional_dashboard(*, user, now: dt.datetime | None = None) -> RegionalDashboard:
    """The user's provinces: stores ranked by breaches and backlog, unassigned work, capacity use."""
    now = now or timezone.now()
    provinces = provinces_visible_to(user) or []
    as_of = latest_snapshot_date()

    ranking: list[StoreDailyMetrics] = []
    province_days: list[ProvinceDailyMetrics] = []
    if as_of is not None and provinces:
        ranking = list(
            scope_by_store(StoreDailyMetrics.objects.filter(date=as_of, province__in=provinces), user)
            .filter(Q(breached__gt=0) | Q(open_backlog__gt=0))
            .select_related("store")
            .order_by("-breached", "-open_backlog", "store_id")[:RANKING_LIMIT]
        )
        province_days = list(
            ProvinceDailyMetrics.objects.filter(
                province__in=provinces, date__gt=as_of - dt.timedelta(days=REGIONAL_DAYS), date__lte=as_of
            ).order_by("date")
        )

    # The province filter first, so that the small unassigned-queue index answers.
    queue = tickets_visible_to(
        user, Ticket.objects.filter(store__isnull=True, province__in=provinces, status__in=Ticket.OPEN_STATUSES)
    )
    unassigned = list(queue.select_related("vehicle__model").order_by("due_at", "id")[:LIST_LIMIT])
    unassigned_total = queue.count()
    _mark_sla(unassigned, now)

    labels = dict(Province.choices)
    latest = {row.province: row for row in province_days if row.date == as_of}
    board = RegionalDashboard(
        provinces=[ProvinceRow(p, labels.get(p, p), latest.get(p)) for p in provinces],
        as_of=as_of,
        ranking=ranking,
        unassigned=unassigned,
        unassigned_total=unassigned_total,
    )
    if province_days:
        board.charts["capacity"] = _capacity_chart(_sum_by_date(province_days))
    if ranking:
        board.charts["ranking"] = chart(
            "bar",
            [row.store.code for row in ranking],
            [
                series(_("SLA breached"), [row.breached for row in ranking], "red"),
                series(_("Open tickets"), [row.open_backlog for row in ranking], "blue"),
            ],
            horizontal=True,
            allLabels=True,
        )
    return board


def _sum_by_date(rows) -> dict[dt.date, dict[str, int]]:
    """Province rows added up per day, in date order."""
    totals: dict[dt.date, dict[str, int]] = {}
    for row in rows:
        day = totals.setdefault(row.date, dict.fromkeys(DailyFigures.FIGURES, 0))
        for name in DailyFigures.FIGURES:
            day[name] += getattr(row, name)
    return dict(sorted(totals.items()))


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _capacity_chart(days: dict[dt.date, dict[str, int]]) -> dict:
    return chart(
        "line",
        [day.isoformat() for day in days],
        [
            series(_("Bays used (%)"), [_percent(d["bay_booked"], d["bay_capacity"]) for d in days.values()], "blue"),
            series(
                _("Demo cars used (%)"),
                [_percent(d["demo_booked"], d["demo_capacity"]) for d in days.values()],
                "green",
            ),
        ],
        percent=True,
    )


# --- HQ -------------------------------------------------------------------------------------


@dataclass
class CampaignRow:
    campaign: RecallCampaign
    progress: RecallProgress | None  # None until the next nightly count


@dataclass
class HqDashboard:
    as_of: dt.date | None
    provinces: list[ProvinceDailyMetrics]
    network: dict[str, int]
    job_runs: list[JobRun]
    feed_runs: list[FeedRun]
    campaigns: list[CampaignRow]
    # Customer messages that need a person: {"sending": n, "failed": n} (core.notifications).
    messages_to_check: dict[str, int] = field(default_factory=dict)
    charts: dict[str, dict] = field(default_factory=dict)


def hq_dashboard(*, user) -> HqDashboard:
    """The whole network by province, the background jobs and feeds, the recall campaigns."""
    as_of = latest_snapshot_date()
    latest: list[ProvinceDailyMetrics] = []
    days: dict[dt.date, dict[str, int]] = {}
    if as_of is not None and provinces_visible_to(user) is None:
        latest = list(
            ProvinceDailyMetrics.objects.filter(date=as_of).order_by("-breached", "-open_backlog", "province")
        )
        # The network per day, added up by the database: 90 rows whatever the size of the network.
        days = {
            row.pop("date"): row
            for row in ProvinceDailyMetrics.objects.filter(date__gt=as_of - dt.timedelta(days=HQ_DAYS), date__lte=as_of)
            .values("date")
            .annotate(**{name: Sum(name) for name in ("open_backlog", "breached", "test_drives", "deliveries")})
            .order_by("date")
        }
    network = {
        name: sum(getattr(row, name) for row in latest) for name in (*DailyFigures.FIGURES, "stores", "unassigned")
    }

    board = HqDashboard(
        as_of=as_of,
        provinces=latest,
        network=network,
        job_runs=last_job_runs(),
        feed_runs=list(FeedRun.objects.order_by("-started_at")[:FEED_RUNS]),
        campaigns=campaign_progress(),
        messages_to_check=dict(
            unconfirmed_or_failed().values_list("status").annotate(n=Count("id")).order_by("status")
        ),
    )
    if days:
        labels = [day.isoformat() for day in days]
        board.charts["backlog"] = chart(
            "line",
            labels,
            [
                series(_("Open tickets"), [d["open_backlog"] for d in days.values()], "blue"),
                series(_("SLA breached"), [d["breached"] for d in days.values()], "red"),
            ],
        )
        board.charts["activity"] = chart(
            "line",
            labels,
            [
                series(_("Test drives"), [d["test_drives"] for d in days.values()], "green"),
                series(_("Deliveries"), [d["deliveries"] for d in days.values()], "orange"),
            ],
        )
    if latest:
        province_labels = dict(Province.choices)
        board.charts["provinces"] = chart(
            "bar",
            [str(province_labels.get(row.province, row.province)) for row in latest],
            [
                series(_("SLA breached"), [row.breached for row in latest], "red"),
                series(_("Open tickets"), [row.open_backlog for row in latest], "blue"),
            ],
            allLabels=True,
        )
    return board


def last_job_runs() -> list[JobRun]:
    """The latest run of every registered job, in one query (one index probe per job)."""
    names = jobs.job_names()
    if not names:
        return []
    latest_of = [
        Q(pk=Subquery(JobRun.objects.filter(name=name).order_by("-started_at", "-id").values("pk")[:1]))
        for name in names
    ]
    runs = {run.name: run for run in JobRun.objects.filter(reduce(operator.or_, latest_of))}
    return [runs[name] for name in names if name in runs]


def campaign_progress() -> list[CampaignRow]:
    """The latest launched recall campaigns with their progress as of the nightly count."""
    campaigns = RecallCampaign.objects.exclude(status=RecallCampaign.Status.DRAFT).select_related("progress")
    return [
        CampaignRow(campaign, _progress_of(campaign))
        for campaign in campaigns.order_by("-launched_at", "-id")[:CAMPAIGNS]
    ]


def _progress_of(campaign: RecallCampaign) -> RecallProgress | None:
    try:
        return campaign.progress
    except ObjectDoesNotExist:
        return None
