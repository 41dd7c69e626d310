import datetime as dt

import pytest
from django.utils import timezone

from aftersales.models import Ticket
from dashboards.models import ProvinceDailyMetrics, StoreDailyMetrics
from dashboards.services import daily_metrics_backfill, daily_metrics_snapshot, local_day_bounds
from dashboards.tests.conftest import set_ticket
from stores.models import Store

pytestmark = pytest.mark.django_db


def test_snapshot_counts_each_store_figures(network, store, other_store, now, yesterday):
    assert daily_metrics_snapshot(day=yesterday, now=now) == 2

    gz = StoreDailyMetrics.objects.get(store=store, date=yesterday)
    assert (gz.open_backlog, gz.breached, gz.at_risk) == (3, 1, 1)
    assert (gz.opened, gz.resolved) == (2, 1)
    assert gz.test_drives == 1  # the cancelled one does not count
    assert gz.deliveries == 1
    assert (gz.bay_booked, gz.demo_booked) == (3, 1)
    # Open 08:00-20:00: twelve hour slots, four bays, two demo cars.
    assert (gz.bay_capacity, gz.demo_capacity) == (48, 24)
    assert gz.province == "广东省"

    sh = StoreDailyMetrics.objects.get(store=other_store, date=yesterday)
    assert (sh.open_backlog, sh.breached, sh.deliveries, sh.bay_booked) == (1, 1, 0, 0)


def test_snapshot_rolls_up_provinces_with_their_unassigned_work(network, now, yesterday):
    daily_metrics_snapshot(day=yesterday, now=now)

    gd = ProvinceDailyMetrics.objects.get(province="广东省", date=yesterday)
    assert (gd.stores, gd.open_backlog, gd.breached, gd.unassigned) == (1, 3, 1, 1)
    sh = ProvinceDailyMetrics.objects.get(province="上海市", date=yesterday)
    assert (sh.stores, sh.open_backlog, sh.unassigned) == (1, 1, 1)


def test_snapshot_twice_the_same_day_overwrites_without_duplicates(network, store, now, yesterday):
    daily_metrics_snapshot(day=yesterday, now=now)
    Ticket.objects.filter(pk=network["gz"]["breached"].pk).update(status=Ticket.Status.RESOLVED, resolved_at=now)

    assert daily_metrics_snapshot(day=yesterday, now=now) == 2

    assert StoreDailyMetrics.objects.filter(date=yesterday).count() == 2
    assert ProvinceDailyMetrics.objects.filter(date=yesterday).count() == 2
    gz = StoreDailyMetrics.objects.get(store=store, date=yesterday)
    assert (gz.open_backlog, gz.breached) == (2, 0)


def test_backfill_rebuilds_the_backlog_of_each_day_from_timestamps(store, now):
    from aftersales.tests.factories import make_ticket

    day = timezone.localdate(now) - dt.timedelta(days=10)
    start, end = local_day_bounds(day)
    # Open from five days before `day` until two days after it, past due at its end: breached.
    set_ticket(
        make_ticket(store=store),
        status=Ticket.Status.RESOLVED,
        created_at=start - dt.timedelta(days=5),
        responded_at=start - dt.timedelta(days=5),
        due_at=start,
        resolved_at=end + dt.timedelta(days=2),
    )
    # Opened after: in no earlier day's backlog.
    make_ticket(store=store)
    # Responded, in the last 20% of its window at the end of `day`: at risk.
    set_ticket(
        make_ticket(store=store),
        status=Ticket.Status.CLOSED,
        created_at=end - dt.timedelta(hours=60),
        responded_at=end - dt.timedelta(hours=59),
        risk_at=end - dt.timedelta(hours=2),
        due_at=end + dt.timedelta(hours=12),
        closed_at=end + dt.timedelta(hours=1),
    )

    assert daily_metrics_backfill(first=day - dt.timedelta(days=6), last=day + dt.timedelta(days=3), now=now) == 1

    row = StoreDailyMetrics.objects.get(store=store, date=day)
    assert (row.open_backlog, row.breached, row.at_risk, row.resolved) == (2, 1, 1, 0)
    assert StoreDailyMetrics.objects.get(store=store, date=day + dt.timedelta(days=3)).resolved == 1
    assert not StoreDailyMetrics.objects.filter(store=store, date=day - dt.timedelta(days=6)).exists()  # quiet
    assert ProvinceDailyMetrics.objects.filter(province="广东省").count() == 10  # every day, quiet or not
    assert ProvinceDailyMetrics.objects.get(province="广东省", date=day).open_backlog == 2


def test_backfill_counts_a_cancelled_ticket_in_the_backlog_until_it_was_cancelled(store, now):
    from aftersales.tests.factories import make_ticket

    day = timezone.localdate(now) - dt.timedelta(days=10)
    start, end = local_day_bounds(day)
    set_ticket(
        make_ticket(store=store),
        status=Ticket.Status.CANCELLED,
        created_at=start - dt.timedelta(days=2),
        due_at=end + dt.timedelta(days=5),
        closed_at=end + dt.timedelta(hours=20),
    )

    daily_metrics_backfill(first=day - dt.timedelta(days=1), last=day + dt.timedelta(days=2), now=now)

    backlog = dict(StoreDailyMetrics.objects.filter(store=store).values_list("date", "open_backlog"))
    assert backlog[day - dt.timedelta(days=1)] == 1
    assert backlog[day] == 1
    assert backlog.get(day + dt.timedelta(days=1), 0) == 0  # cancelled during that day
    assert backlog.get(day + dt.timedelta(days=2), 0) == 0


def test_backfill_agrees_with_the_nightly_snapshot_on_flows_and_capacity(network, store, other_store, now, yesterday):
    daily_metrics_snapshot(day=yesterday, now=now)
    nightly = {row.store_id: row for row in StoreDailyMetrics.objects.filter(date=yesterday)}
    nightly_provinces = {row.province: row for row in ProvinceDailyMetrics.objects.filter(date=yesterday)}

    daily_metrics_backfill(first=yesterday, last=yesterday, now=now)

    for row in StoreDailyMetrics.objects.filter(date=yesterday):
        for name in ("opened", "resolved", "test_drives", "deliveries", "bay_booked", "demo_booked", "bay_capacity"):
            assert getattr(row, name) == getattr(nightly[row.store_id], name), name
    for row in ProvinceDailyMetrics.objects.filter(date=yesterday):
        expected = nightly_provinces[row.province]
        assert (row.stores, row.bay_capacity, row.demo_capacity, row.opened) == (
            expected.stores,
            expected.bay_capacity,
            expected.demo_capacity,
            expected.opened,
        )


def test_backfill_of_a_day_not_yet_ended_is_refused(store, now):
    with pytest.raises(ValueError):
        daily_metrics_backfill(first=timezone.localdate(now), last=timezone.localdate(now), now=now)


def test_nightly_snapshot_refuses_an_old_day(store, now):
    with pytest.raises(ValueError):
        daily_metrics_snapshot(day=timezone.localdate(now) - dt.timedelta(days=5), now=now)


def test_snapshot_gives_no_capacity_to_a_store_that_is_not_active(store, now, yesterday):
    Store.objects.filter(pk=store.pk).update(status=Store.Status.SUSPENDED)

    daily_metrics_snapshot(day=yesterday, now=now)

    row = StoreDailyMetrics.objects.get(store=store, date=yesterday)
    assert (row.bay_capacity, row.demo_capacity) == (0, 0)


def test_snapshot_counts_capacity_only_for_whole_hours_and_capabilities(now, yesterday):
    from stores.tests.factories import StoreFactory

    # 08:30-12:00: whole slots 09, 10, 11; no maintenance or repair, so no bay hours.
    StoreFactory(code="PT-1", capabilities="sales|test_drive", opens_minute=8 * 60 + 30, closes_minute=12 * 60)

    daily_metrics_snapshot(day=yesterday, now=now)

    row = StoreDailyMetrics.objects.get(store__code="PT-1", date=yesterday)
    assert (row.bay_capacity, row.demo_capacity) == (0, 6)


def test_snapshot_prunes_rows_older_than_the_retention(store, now, yesterday):
    old = yesterday - dt.timedelta(days=500)
    daily_metrics_backfill(first=old, last=old, now=now)
    StoreDailyMetrics.objects.create(store=store, date=old, province="广东省", computed_at=now)
    assert ProvinceDailyMetrics.objects.filter(date=old).exists()

    daily_metrics_snapshot(day=yesterday, now=now)

    assert not StoreDailyMetrics.objects.filter(date=old).exists()
    assert not ProvinceDailyMetrics.objects.filter(date=old).exists()


def test_recall_progress_counts_each_campaign_by_outcome(network, store, now, yesterday):
    from aftersales.models import RecallCampaign
    from aftersales.tests.factories import VehicleFactory, make_ticket
    from dashboards.models import RecallProgress

    campaign = RecallCampaign.objects.create(code="RC-1", title="召回", model=network["model"], status="launched")
    resolved, _open, cancelled = (make_ticket(store=store, kind="recall", campaign=campaign) for _ in range(3))
    Ticket.objects.filter(pk=resolved.pk).update(status=Ticket.Status.CLOSED)
    Ticket.objects.filter(pk=cancelled.pk).update(status=Ticket.Status.CANCELLED)
    make_ticket(store=None, vehicle=VehicleFactory(store=store), province="广东省", kind="recall", campaign=campaign)

    daily_metrics_snapshot(day=yesterday, now=now)
    daily_metrics_snapshot(day=yesterday, now=now)

    progress = RecallProgress.objects.get(campaign=campaign)
    assert (progress.total, progress.done, progress.open, progress.unassigned, progress.cancelled) == (4, 1, 1, 1, 1)
    assert progress.percent == 33  # one of the three vehicles still to reach
    assert RecallProgress.objects.count() == 1
