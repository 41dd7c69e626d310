"""Browser test: each role's dashboard draws its charts from static files, on a tablet-sized screen."""

import os

import pytest
from django.utils import timezone

from dashboards.services import daily_metrics_snapshot
from dashboards.tests.conftest import breached_ticket
from stores.models import Role
from stores.tests.factories import DEFAULT_PASSWORD, StoreFactory, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 1024, "height": 768}


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.parametrize(
    ("role", "charts"),
    [(Role.STAFF, {"chart-slots", "chart-status", "chart-history"}), (Role.REGIONAL, {"chart-ranking", "chart-capacity"}), (Role.HQ, {"chart-backlog", "chart-activity", "chart-provinces"})],
)  # fmt: skip
def test_dashboard_draws_its_charts(live_server, page, screenshot_dir, role, charts):
    store = StoreFactory(code="GZ-0001")
    now = timezone.now()
    breached_ticket(store, now)
    daily_metrics_snapshot(day=timezone.localdate(now) - timezone.timedelta(days=1), now=now)
    make_user(role, store=store, provinces=["广东省"], username=f"u-{role}")
    errors, missing = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
    page.set_viewport_size(TABLET)

    log_in(page, live_server, f"u-{role}")

    page.wait_for_function("document.querySelectorAll('canvas[data-chart]').length > 0")
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".filter(c => window.Chart && Chart.getChart(c)).map(c => c.dataset.chart)"
    )
    assert set(drawn) == charts
    assert missing == []  # every script and stylesheet is served from our static files
    assert [e for e in errors if "favicon" not in e and "404" not in e] == []  # no CSP refusal
    page.screenshot(path=str(screenshot_dir / f"dashboard-{role}.png"), full_page=True)
