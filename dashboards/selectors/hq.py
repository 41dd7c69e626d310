"""HQ's dashboard: the whole network by province, the background jobs and feeds, recall campaigns."""

import datetime as dt
import operator
from dataclasses import dataclass, field
from functools import reduce

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Q, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from aftersales.models import RecallCampaign
from core import jobs
from core.models import FeedRun, JobRun
from core.notifications.service import unconfirmed_or_failed
from stores.access import provinces_visible_to
from stores.provinces import Province

from ..models import DailyFigures, ProvinceDailyMetrics, RecallProgress
from .base import chart, latest_snapshot_date, series

HQ_DAYS = 90
FEED_RUNS = 10
CAMPAIGNS = 8
DAY_FIGURES = ("open_backlog", "breached", "test_drives", "deliveries")


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
        days = _network_days(as_of)
    board = HqDashboard(
        as_of=as_of,
        provinces=latest,
        network={
            name: sum(getattr(row, name) for row in latest) for name in (*DailyFigures.FIGURES, "stores", "unassigned")
        },
        job_runs=last_job_runs(),
        feed_runs=list(FeedRun.objects.order_by("-started_at")[:FEED_RUNS]),
        campaigns=campaign_progress(),
        messages_to_check=dict(
            unconfirmed_or_failed().values_list("status").annotate(n=Count("id")).order_by("status")
        ),
    )
    board.charts = _hq_charts(days, latest)
    return board


def _network_days(as_of: dt.date) -> dict[dt.date, dict[str, int]]:
    """The network per day, added up by the database: 90 rows whatever the size of the network."""
    return {
        row.pop("date"): row
        for row in ProvinceDailyMetrics.objects.filter(date__gt=as_of - dt.timedelta(days=HQ_DAYS), date__lte=as_of)
        .values("date")
        .annotate(**{name: Sum(name) for name in DAY_FIGURES})
        .order_by("date")
    }


def _hq_charts(days: dict[dt.date, dict[str, int]], latest: list[ProvinceDailyMetrics]) -> dict[str, dict]:
    charts = {}
    if days:
        labels = [day.isoformat() for day in days]
        charts["backlog"] = chart(
            "line",
            labels,
            [
                series(_("Open tickets"), [d["open_backlog"] for d in days.values()], "blue"),
                series(_("SLA breached"), [d["breached"] for d in days.values()], "red"),
            ],
        )
        charts["activity"] = chart(
            "line",
            labels,
            [
                series(_("Test drives"), [d["test_drives"] for d in days.values()], "green"),
                series(_("Deliveries"), [d["deliveries"] for d in days.values()], "orange"),
            ],
        )
    if latest:
        province_labels = dict(Province.choices)
        charts["provinces"] = chart(
            "bar",
            [str(province_labels.get(row.province, row.province)) for row in latest],
            [
                series(_("SLA breached"), [row.breached for row in latest], "red"),
                series(_("Open tickets"), [row.open_backlog for row in latest], "blue"),
            ],
            allLabels=True,
        )
    return charts


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
