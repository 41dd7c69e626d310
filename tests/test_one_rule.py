"""Where two pages or jobs must agree, they call the same rule (issue #14): these pin the answers."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from aftersales.services.dispatch import Network
from dashboards.models import StoreDailyMetrics
from dashboards.selectors import store_dashboard
from dashboards.services import daily_metrics_snapshot
from stores import selectors
from stores.models import Role
from stores.tests.factories import StoreFactory, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 2, 0, 30, tzinfo=SHANGHAI)
YESTERDAY = dt.date(2026, 12, 1)

HOURS = {
    "09:00-18:00": (9 * 60, 18 * 60, list(range(9, 18))),
    "08:30-12:30": (8 * 60 + 30, 12 * 60 + 30, [9, 10, 11]),
    "round the clock": (0, 24 * 60, list(range(24))),
    "22:00-24:00": (22 * 60, 24 * 60, [22, 23]),
}


def local_hours(moments) -> list[int]:
    return sorted({m.astimezone(SHANGHAI).hour for m in moments})


@pytest.mark.parametrize("name", HOURS)
def test_store_page_dashboard_snapshot_and_dispatch_count_the_same_open_hours(db, name):
    opens, closes, hours = HOURS[name]
    store = StoreFactory(code="HRS-1", opens_minute=opens, closes_minute=closes, bays=1, demo_cars=1)
    manager = make_user(Role.MANAGER, store=store)

    store_page = selectors.store_capacity_on(store=store, day=YESTERDAY)
    dashboard = store_dashboard(user=manager, store=store, now=NOW).slots
    daily_metrics_snapshot(day=YESTERDAY, now=NOW)
    network = Network(run_at=NOW)

    assert local_hours(h.starts_at for h in store_page) == hours
    assert local_hours(s.starts_at for s in dashboard) == hours
    assert StoreDailyMetrics.objects.get(store=store).bay_capacity == len(hours)  # one bay
    assert local_hours(network.open_hours(network.places[store.pk])) == hours
