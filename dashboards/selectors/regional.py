"""The regional manager's dashboard: their provinces' stores ranked, unassigned work, capacity use."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.access import tickets_visible_to
from aftersales.models import Ticket
from stores.access import provinces_visible_to, scope_by_store
from stores.provinces import Province

from ..models import DailyFigures, ProvinceDailyMetrics, StoreDailyMetrics
from .base import LIST_LIMIT, chart, latest_snapshot_date, mark_sla, series

RANKING_LIMIT = 20
REGIONAL_DAYS = 30


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
    mark_sla(unassigned, now)

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
