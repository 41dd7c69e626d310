"""The nightly snapshot: the day that just ended, per store and per province.

Set-based: a handful of GROUP BY queries over the day's rows (and the open tickets), merged in
memory by store id, then written with one bulk upsert per table. Running it again for the same
day overwrites that day's rows (unique store+date and province+date), never duplicates them.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from aftersales.models import Ticket
from aftersales.services.sla import AT_RISK, BREACHED, state_q
from sales.models import TestDrive, Vehicle
from stores.models import SlotLoad, Store
from stores.selectors import day_capacity_by_store

from ..models import DailyFigures, ProvinceDailyMetrics, RecallProgress, StoreDailyMetrics

# Rows older than this are pruned by the nightly run; dashboards look back 90 days at most.
KEEP_DAYS = 400
DONE_STATUSES = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The aware start and end (exclusive) of a local calendar day."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


@transaction.atomic
def daily_metrics_snapshot(*, day: dt.date, now: dt.datetime | None = None) -> int:
    """Compute and store `day`'s figures for every store and province; returns the number of stores.

    `day` is today or the day that just ended (the nightly run): the backlog (open, breached, at
    risk) is counted from the tickets' statuses now. Older days are rebuilt by the backfill.
    """
    now = now or timezone.now()
    start, end = local_day_bounds(day)
    if now - end >= dt.timedelta(days=1) or start > now:
        raise ValueError(f"{day} is not today or yesterday: use daily_metrics_backfill for past days")

    stores = list(Store.objects.order_by().values_list("id", "province"))
    figures = _store_figures(day=day, start=start, end=end, now=now)
    store_rows = [
        StoreDailyMetrics(
            store_id=store_id,
            date=day,
            province=province,
            computed_at=now,
            **{name: figures[store_id].get(name, 0) for name in DailyFigures.FIGURES},
        )
        for store_id, province in stores
    ]
    _upsert(StoreDailyMetrics, store_rows, unique_fields=["store", "date"], extra=["province"])
    _upsert(
        ProvinceDailyMetrics,
        _province_rollup(store_rows, _unassigned_by_province(), day=day, now=now),
        unique_fields=["province", "date"],
        extra=["stores", "unassigned"],
    )
    recall_progress_snapshot(now=now)
    prune(before=day - dt.timedelta(days=KEEP_DAYS))
    return len(store_rows)


def _store_figures(*, day: dt.date, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> dict[int, dict]:
    """Each store's figures of the day, a GROUP BY per figure, merged by store id."""
    figures: dict[int, dict[str, int]] = defaultdict(dict)
    for store_id, capacity in capacity_figures().items():
        figures[store_id].update(capacity)
    _merge_backlog(figures, now)
    _merge_counts(figures, "opened", Ticket.objects.filter(created_at__gte=start, created_at__lt=end), "store_id")
    _merge_counts(figures, "resolved", Ticket.objects.filter(resolved_at__gte=start, resolved_at__lt=end), "store_id")
    _merge_counts(
        figures,
        "test_drives",
        TestDrive.objects.filter(slot_start__gte=start, slot_start__lt=end).exclude(status=TestDrive.Status.CANCELLED),
        "store_id",
    )
    _merge_counts(
        figures,
        "deliveries",
        Vehicle.objects.filter(status=Vehicle.Status.DELIVERED, delivered_on=day),
        "store_id",
    )
    for row in (
        SlotLoad.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .values("store_id", "resource")
        .annotate(booked=Sum("booked"))
        .order_by()
    ):
        key = "bay_booked" if row["resource"] == SlotLoad.Resource.BAY else "demo_booked"
        figures[row["store_id"]][key] = row["booked"] or 0
    return figures


def _merge_backlog(figures: dict[int, dict[str, int]], now: dt.datetime) -> None:
    """Open, breached and at-risk tickets per store now, by after-sales' own SLA rule (pauses included)."""
    breached, at_risk = state_q(BREACHED, now), state_q(AT_RISK, now)
    for row in (
        _backlog()
        .filter(store__isnull=False)
        .values("store_id")
        .annotate(open_backlog=Count("id"), breached=Count("id", filter=breached), at_risk=Count("id", filter=at_risk))
        .order_by()
    ):
        figures[row.pop("store_id")].update(row)


def _unassigned_by_province() -> dict[str, int]:
    rows = _backlog().filter(store__isnull=True).values("province").annotate(n=Count("id")).order_by()
    return {row["province"]: row["n"] for row in rows}


def _backlog() -> QuerySet[Ticket]:
    return Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES)


def prune(*, before: dt.date) -> None:
    StoreDailyMetrics.objects.filter(date__lt=before).delete()
    ProvinceDailyMetrics.objects.filter(date__lt=before).delete()


def recall_progress_snapshot(*, now: dt.datetime) -> int:
    """Count every launched campaign's tickets by outcome, in one GROUP BY; returns the campaigns."""
    open_ = Q(status__in=Ticket.OPEN_STATUSES)
    rows = [
        RecallProgress(campaign_id=row.pop("campaign_id"), computed_at=now, **row)
        for row in Ticket.objects.filter(campaign__isnull=False)
        .values("campaign_id")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status__in=DONE_STATUSES)),
            open=Count("id", filter=open_ & Q(store__isnull=False)),
            unassigned=Count("id", filter=open_ & Q(store__isnull=True)),
            cancelled=Count("id", filter=Q(status=Ticket.Status.CANCELLED)),
        )
        .order_by()
    ]
    RecallProgress.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["campaign"],
        update_fields=["total", "done", "open", "unassigned", "cancelled", "computed_at"],
    )
    return len(rows)


def _merge_counts(figures: dict[int, dict[str, int]], name: str, queryset: QuerySet, field: str) -> None:
    for key, count in (
        queryset.filter(**{f"{field}__isnull": False}).values_list(field).annotate(n=Count("id")).order_by()
    ):
        figures[key][name] = count


def capacity_figures() -> dict[int, dict[str, int]]:
    """Each store's capacity figures of a day: what its page and dashboard show, summed (stores)."""
    return {
        pk: {"bay_capacity": units[SlotLoad.Resource.BAY], "demo_capacity": units[SlotLoad.Resource.DEMO_CAR]}
        for pk, units in day_capacity_by_store().items()
    }


def _province_rollup(
    store_rows: Iterable[StoreDailyMetrics], unassigned: dict[str, int], *, day: dt.date, now: dt.datetime
) -> list[ProvinceDailyMetrics]:
    totals: dict[str, ProvinceDailyMetrics] = {}
    for row in store_rows:
        total = totals.get(row.province)
        if total is None:
            total = totals[row.province] = ProvinceDailyMetrics(province=row.province, date=day, computed_at=now)
        total.stores += 1
        for name in DailyFigures.FIGURES:
            setattr(total, name, getattr(total, name) + getattr(row, name))
    for province, count in unassigned.items():
        total = totals.get(province)
        if total is None:
            total = totals[province] = ProvinceDailyMetrics(province=province, date=day, computed_at=now)
        total.unassigned = count
    return list(totals.values())


def _upsert(model, rows: list, *, unique_fields: list[str], extra: list[str]) -> None:
    model.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=unique_fields,
        update_fields=[*DailyFigures.FIGURES, *extra, "computed_at"],
    )
