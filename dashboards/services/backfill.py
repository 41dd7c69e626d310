"""The backfill: past days rebuilt from timestamps, all of them in a handful of range queries.

For history after loading a network (the demo, the benchmark) or after an outage of the nightly
job. Each figure is one GROUP BY over the whole range; each ticket's open interval is read once
and counted into every day it spans, so 90 days cost little more than one. A store gets a row
only for the days it had something to count (no row: a quiet day, all zeros but its capacity);
every province with stores gets a row for every day.
"""

import bisect
import datetime as dt
from collections import Counter, defaultdict

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from aftersales.models import Ticket
from sales.models import TestDrive, Vehicle
from stores.models import SlotLoad, Store

from ..models import ProvinceDailyMetrics, StoreDailyMetrics
from .snapshot import capacity_figures, local_day_bounds

DayCounts = dict[tuple[int, dt.date], Counter]


@transaction.atomic
def daily_metrics_backfill(*, first: dt.date, last: dt.date, now: dt.datetime | None = None) -> int:
    """Rebuild the figures of the days `first`..`last` (inclusive, all ended); returns the stores."""
    now = now or timezone.now()
    if last < first or local_day_bounds(last)[1] > now:
        raise ValueError("the backfill takes days that have ended, first before last")
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    ends = [local_day_bounds(day)[1] for day in days]
    start = local_day_bounds(first)[0]

    stores = list(Store.objects.order_by().values_list("id", "province"))
    province_of = dict(stores)
    capacity = capacity_figures()

    counts: DayCounts = defaultdict(Counter)
    _count_by_day(counts, "opened", Ticket.objects.all(), "created_at", start, ends[-1])
    _count_by_day(counts, "resolved", Ticket.objects.all(), "resolved_at", start, ends[-1])
    drives = TestDrive.objects.exclude(status=TestDrive.Status.CANCELLED)
    _count_by_day(counts, "test_drives", drives, "slot_start", start, ends[-1])
    for store_id, day, n in (
        Vehicle.objects.filter(status=Vehicle.Status.DELIVERED, delivered_on__gte=first, delivered_on__lte=last)
        .values_list("store_id", "delivered_on")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[(store_id, day)]["deliveries"] += n
    for store_id, resource, day, booked in (
        SlotLoad.objects.filter(starts_at__gte=start, starts_at__lt=ends[-1])
        .annotate(day=TruncDate("starts_at", tzinfo=timezone.get_current_timezone()))
        .values_list("store_id", "resource", "day")
        .annotate(booked=Sum("booked"))
        .order_by()
    ):
        counts[(store_id, day)]["bay_booked" if resource == SlotLoad.Resource.BAY else "demo_booked"] += booked or 0
    unassigned = _count_backlog(counts, days, ends)

    StoreDailyMetrics.objects.filter(date__gte=first, date__lte=last).delete()
    ProvinceDailyMetrics.objects.filter(date__gte=first, date__lte=last).delete()
    store_rows = [
        StoreDailyMetrics(
            store_id=store_id,
            date=day,
            province=province_of[store_id],
            computed_at=now,
            **capacity.get(store_id, {}),
            **figures,
        )
        for (store_id, day), figures in counts.items()
        if store_id in province_of
    ]
    StoreDailyMetrics.objects.bulk_create(store_rows, batch_size=1000)
    ProvinceDailyMetrics.objects.bulk_create(
        _province_rows(stores, capacity, store_rows, unassigned, days=days, now=now), batch_size=1000
    )
    return len(stores)


def _count_by_day(counts: DayCounts, name: str, queryset: QuerySet, field: str, start, end) -> None:
    """Rows per store and local day of `field`, in one GROUP BY over the range."""
    for store_id, day, n in (
        queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end, "store__isnull": False})
        .annotate(day=TruncDate(field, tzinfo=timezone.get_current_timezone()))
        .values_list("store_id", "day")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[(store_id, day)][name] += n


def _count_backlog(counts: DayCounts, days: list[dt.date], ends: list[dt.datetime]) -> Counter:
    """Open, breached and at-risk tickets at the end of each day; returns unassigned per province and day.

    Open at a moment: opened before it, not resolved or closed by then. A cancelled ticket was open
    until its cancellation (closed_at, which cancelling sets); one without that time is left out.
    Pauses are not replayed (the nightly run counts them).
    """
    unassigned: Counter = Counter()
    tickets = (
        Ticket.objects.exclude(status=Ticket.Status.CANCELLED, closed_at__isnull=True)
        .filter(created_at__lt=ends[-1])
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=ends[0]))
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=ends[0]))
        .values_list(
            "store_id",
            "province",
            "created_at",
            "resolved_at",
            "closed_at",
            "responded_at",
            "due_at",
            "response_due_at",
            "risk_at",
            "response_risk_at",
        )  # fmt: skip
    )
    for (
        store_id,
        province,
        created,
        resolved,
        closed,
        responded,
        due,
        response_due,
        risk,
        response_risk,
    ) in tickets.iterator(chunk_size=5000):
        finished = min((moment for moment in (resolved, closed) if moment is not None), default=None)
        for i in range(bisect.bisect_right(ends, created), len(ends)):
            end = ends[i]
            if finished is not None and finished < end:
                break
            if store_id is None:
                unassigned[(province, days[i])] += 1
                continue
            unresponded = responded is None or responded >= end
            day = counts[(store_id, days[i])]
            day["open_backlog"] += 1
            if due <= end or (unresponded and response_due <= end):
                day["breached"] += 1
            elif (unresponded and response_risk is not None and response_risk <= end) or (
                not unresponded and risk is not None and risk <= end
            ):
                day["at_risk"] += 1
    return unassigned


def _province_rows(stores, capacity, store_rows, unassigned: Counter, *, days, now) -> list[ProvinceDailyMetrics]:
    """Every province with stores, every day: the stores' capacity, their figures, the unassigned work."""
    base: dict[str, Counter] = defaultdict(Counter)
    for store_id, province in stores:
        base[province]["stores"] += 1
        base[province].update(capacity.get(store_id, {}))
    totals = {(province, day): Counter(figures) for province, figures in base.items() for day in days}
    for row in store_rows:
        total = totals[(row.province, row.date)]
        for name in ("open_backlog", "breached", "at_risk", "opened", "resolved", "test_drives", "deliveries"):
            total[name] += getattr(row, name)
        total["bay_booked"] += row.bay_booked
        total["demo_booked"] += row.demo_booked
    for key, n in unassigned.items():
        totals.setdefault(key, Counter())["unassigned"] += n
    return [
        ProvinceDailyMetrics(province=province, date=day, computed_at=now, **figures)
        for (province, day), figures in totals.items()
    ]
