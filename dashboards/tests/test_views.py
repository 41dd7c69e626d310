import datetime as dt
import io
import re

import pytest
from django.utils import timezone, translation

from aftersales.models import RecallCampaign, Ticket
from aftersales.tests.factories import VehicleFactory, make_ticket
from core.models import FeedRun, JobRun, Notification
from dashboards.services import daily_metrics_backfill, daily_metrics_snapshot
from dashboards.tests.conftest import at_risk_ticket, breached_ticket, extra_store
from stores.models import Role
from stores.tests.factories import StoreFactory, make_user

pytestmark = pytest.mark.django_db

# Session, user and membership, then the dashboard's own queries: the ceiling of every page.
MAX_QUERIES = 20


def sections(response) -> set[str]:
    return set(re.findall(r'data-testid="section-([a-z-]+)"', response.content.decode()))


def test_staff_dashboard_shows_the_store_day(staff_client, network, today_at_store, now, yesterday):
    daily_metrics_snapshot(day=yesterday, now=now)

    response = staff_client.get("/")

    assert response.status_code == 200
    assert 'data-testid="store-dashboard"' in response.content.decode()
    assert sections(response) == {"slots", "status", "test-drives", "deliveries", "sla", "maintenance", "history"}
    board = response.context["board"]
    assert (board.open_total, board.breached, board.at_risk) == (3, 1, 1)
    assert [t.number for t in board.sla_tickets] == [network["gz"]["breached"].number, network["gz"]["at_risk"].number]
    assert [d.slot_start for d in board.test_drives] and board.test_drives_total == 1
    assert [o.number for o in board.deliveries] == ["SO-2026-000001"]
    nine = next(s for s in board.slots if s.starts_at.hour == 9)
    assert (nine.bays_booked, nine.bays_free, nine.demo_cars_free) == (2, 2, 2)
    assert len(board.slots) == 12  # 08:00 to 20:00
    assert [row.date for row in board.history] == [yesterday]


def test_staff_never_sees_another_store_figures(staff_client, network, other_store, now, yesterday):
    daily_metrics_snapshot(day=yesterday, now=now)
    breached_ticket(other_store, now, summary="OTHER-STORE-SECRET")

    response = staff_client.get("/")

    page = response.content.decode()
    assert network["sh_breached"].number not in page
    assert "OTHER-STORE-SECRET" not in page
    assert other_store.code not in page
    assert network["unassigned"].number not in page  # store-less work is the regional manager's
    assert {row.store_id for row in response.context["board"].history} == {response.context["board"].store.pk}


def test_manager_dashboard_is_the_store_dashboard(manager_client, network, store):
    response = manager_client.get("/")

    assert response.status_code == 200
    assert response.context["board"].store == store
    assert "sla" in sections(response)


def test_maintenance_due_this_week_lists_booked_and_unbooked_work_of_the_store(staff_client, store, now):
    booked = make_ticket(store=store, kind="maintenance", booked_slot=now + dt.timedelta(days=2))
    later = make_ticket(store=store, kind="maintenance", booked_slot=now + dt.timedelta(days=20))
    repair = make_ticket(store=store, kind="repair")

    board = staff_client.get("/").context["board"]

    assert [t.number for t in board.maintenance] == [booked.number]
    assert later.number not in staff_client.get("/").content.decode()
    assert repair not in board.maintenance


def test_regional_dashboard_ranks_stores_of_their_provinces_only(
    regional_client, network, store, other_store, now, yesterday
):
    guangxi = StoreFactory(code="NN-0001", province="广西壮族自治区", city="南宁市")
    breached_ticket(guangxi, now)
    breached_ticket(guangxi, now)
    daily_metrics_snapshot(day=yesterday, now=now)

    response = regional_client.get("/")

    assert response.status_code == 200
    assert sections(response) == {"provinces", "ranking", "unassigned", "capacity"}
    board = response.context["board"]
    assert [row.store.code for row in board.ranking] == ["NN-0001", "GZ-0001"]
    assert [row.province for row in board.provinces] == ["广东省", "广西壮族自治区"]
    assert other_store.code not in response.content.decode()
    assert [t.number for t in board.unassigned] == [network["unassigned"].number]
    assert board.unassigned_total == 1
    assert network["unassigned_elsewhere"].number not in response.content.decode()
    assert 'href="/aftersales/unassigned/"' in response.content.decode()
    assert "capacity" in board.charts


def test_hq_dashboard_shows_the_network_jobs_feeds_and_recalls(hq_client, network, now, yesterday):
    from django.core.management import call_command

    campaign = RecallCampaign.objects.create(
        code="RC-2026-01", title="刹车软管", model=network["model"], status="launched", launched_at=now
    )
    store = network["gz"]["on_track"].store
    done = make_ticket(store=store, kind="recall", campaign=campaign)
    Ticket.objects.filter(pk=done.pk).update(status=Ticket.Status.RESOLVED)
    make_ticket(store=store, kind="recall", campaign=campaign)
    call_command("run_job", "snapshot_metrics", stdout=io.StringIO())
    RecallCampaign.objects.create(
        code="RC-2026-02", title="新召回", model=network["model"], status="launched", launched_at=now
    )
    FeedRun.objects.create(
        feed="stores", file_name="stores-20261124.csv", started_at=now, outcome="processed", rejected=7
    )

    response = hq_client.get("/")

    assert response.status_code == 200
    assert sections(response) == {"backlog", "activity", "provinces", "jobs", "feeds", "recalls"}
    board = response.context["board"]
    assert board.as_of == yesterday
    assert {row.province for row in board.provinces} == {"广东省", "上海市"}
    assert board.network["open_backlog"] == 5  # 3 + 1 + the open recall ticket and board.network["unassigned"] == 2
    assert [run.name for run in board.job_runs] == ["snapshot_metrics"]
    page = response.content.decode()
    assert "stores=2" in page
    assert "stores-20261124.csv" in page
    fresh, counted = board.campaigns
    assert fresh.progress is None  # launched after the last count
    assert (counted.progress.total, counted.progress.done, counted.progress.percent) == (2, 1, 50)


def test_hq_sees_only_the_latest_run_of_each_job(hq_client, now):
    older = JobRun.objects.create(name="snapshot_metrics", started_at=now - dt.timedelta(days=1), counts={"stores": 1})
    newer = JobRun.objects.create(name="snapshot_metrics", started_at=now, counts={"stores": 2})

    runs = hq_client.get("/").context["board"].job_runs

    assert newer in runs and older not in runs


def test_hq_is_told_of_customer_messages_that_need_a_person(hq_client, now):
    def message(n, **fields):
        return Notification.objects.create(
            channel="sms", recipient="13800000000", body="b", dedupe_key=f"dash-{n}", **fields
        )

    message(1, status=Notification.Status.SENDING, claimed_at=now - dt.timedelta(hours=1))
    message(2, status=Notification.Status.SENDING, claimed_at=now)  # its worker may still be at it
    message(3, status=Notification.Status.FAILED)
    message(4, status=Notification.Status.FAILED)
    message(5, status=Notification.Status.SENT)

    with translation.override("en"):
        body = hq_client.get("/", headers={"Accept-Language": "en"}).content.decode()

    assert "1 handed to the gateway over 10 minutes ago without an answer, 2 failed." in body
    assert "/admin/core/notification/" in body


def test_hq_sees_no_message_warning_when_all_is_delivered(hq_client):
    assert 'data-testid="messages-to-check"' not in hq_client.get("/").content.decode()


@pytest.mark.parametrize("who", ["staff_client", "manager_client", "regional_client", "hq_client"])
def test_every_dashboard_renders_on_a_fresh_install(request, who):
    client = request.getfixturevalue(who)

    response = client.get("/")

    assert response.status_code == 200
    assert 'data-testid="empty-state"' in response.content.decode()


def test_user_without_a_role_sees_a_clear_message(client, db):
    from stores.tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))

    response = client.get("/")

    assert response.status_code == 200
    assert 'data-testid="empty-state"' in response.content.decode()
    assert "board" not in response.context


@pytest.mark.parametrize("who", ["staff_client", "regional_client", "hq_client"])
def test_dashboards_have_no_inline_script(request, who, network, now, yesterday):
    daily_metrics_snapshot(day=yesterday, now=now)
    page = request.getfixturevalue(who).get("/").content.decode()

    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts, "the page loads its scripts"
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    assert "vendor/chartjs/chart.umd.min.js" in page
    assert "js/dashboard-charts.js" in page
    assert "style=" not in page  # the CSP forbids inline styles too


def test_htmx_refresh_returns_the_panel_alone(staff_client, network):
    response = staff_client.get("/", headers={"HX-Request": "true"})

    page = response.content.decode()
    assert page.lstrip().startswith('<div id="dashboard-panel"')
    assert "<html" not in page


def grow(now, n: int) -> None:
    """More of everything each dashboard reads: stores, tickets in every state, unassigned work."""
    for i in range(n):
        gz = extra_store(i)
        breached_ticket(gz, now)
        at_risk_ticket(gz, now)
        make_ticket(store=None, vehicle=VehicleFactory(store=gz), province="广东省", kind="maintenance")
        JobRun.objects.create(name=f"job_{i}", started_at=now)
        FeedRun.objects.create(feed="stores", file_name=f"s{i}.csv", started_at=now)


@pytest.mark.parametrize("who", ["staff_client", "manager_client", "regional_client", "hq_client"])
def test_dashboard_query_count_does_not_grow_with_data(
    request, who, network, today_at_store, now, yesterday, django_assert_max_num_queries
):
    client = request.getfixturevalue(who)
    store = network["gz"]["on_track"].store
    daily_metrics_snapshot(day=yesterday, now=now)
    with django_assert_max_num_queries(MAX_QUERIES) as small:
        client.get("/")

    grow(now, 12)
    for _ in range(12):
        breached_ticket(store, now)
        make_ticket(store=store, kind="maintenance", booked_slot=timezone.now() + dt.timedelta(days=1))
    daily_metrics_snapshot(day=yesterday, now=now)
    daily_metrics_backfill(first=yesterday - dt.timedelta(days=5), last=yesterday - dt.timedelta(days=1), now=now)
    with django_assert_max_num_queries(MAX_QUERIES) as large:
        response = client.get("/")

    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_dashboard_of_a_user_whose_membership_lost_its_provinces(client, db):
    user = make_user(Role.REGIONAL, provinces=[], username="noprovince")
    client.force_login(user)

    response = client.get("/")

    assert response.status_code == 200
    assert response.context["board"].ranking == []


def test_hq_can_browse_the_daily_figures_in_the_admin(client, network, now, yesterday):
    from django.contrib.auth import get_user_model

    daily_metrics_snapshot(day=yesterday, now=now)
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.cn", "x"))

    assert client.get("/admin/dashboards/storedailymetrics/?q=GZ-0001").status_code == 200
    assert client.get("/admin/dashboards/provincedailymetrics/").status_code == 200
