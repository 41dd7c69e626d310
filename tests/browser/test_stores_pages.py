"""Browser test: a regional manager filters the store list (htmx), opens a store, finds the nearest."""

import os

import pytest
from playwright.sync_api import expect

from stores.models import Role, Store
from stores.tests.factories import DEFAULT_PASSWORD, StoreFactory, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_regional_manager_filters_opens_a_store_and_finds_the_nearest(live_server, page, screenshot_dir):
    StoreFactory(code="GZ-0001", name="广州天河服务中心")
    StoreFactory(
        code="SZ-0001",
        name="深圳南山轮胎店",
        city="深圳市",
        lat=22.53,
        lng=113.93,
        kind=Store.Kind.PARTNER,
        capabilities="tyres",
    )
    StoreFactory(
        code="NN-0001", name="南宁青秀服务中心", province="广西壮族自治区", city="南宁市", lat=22.82, lng=108.37
    )
    StoreFactory(code="SH-0001", name="上海浦东服务中心", province="上海市", city="上海市", lat=31.23, lng=121.47)
    make_user(Role.REGIONAL, provinces=["广东省", "广西壮族自治区"], username="zhou")
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet at the desk

    page.goto(f"{live_server.url}/accounts/login/?next=/stores/")
    page.fill("input[name=username]", "zhou")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/stores/")
    assert page.locator("#store-results tbody tr").count() == 3  # not Shanghai

    # Changing a filter refreshes only the results (htmx), and the address bar follows.
    page.evaluate("document.body.dataset.marker = 'same-page'")
    page.select_option("select[name=kind]", "partner")
    expect(page.locator("#store-results tbody tr")).to_have_count(1)
    assert "SZ-0001" in page.inner_text("#store-results")
    assert page.evaluate("document.body.dataset.marker") == "same-page"
    assert "kind=partner" in page.url
    page.screenshot(path=str(screenshot_dir / "stores-list-filtered.png"), full_page=True)

    page.click("#store-results a:has-text('SZ-0001')")
    page.wait_for_url("**/stores/SZ-0001/")
    assert page.locator("[data-testid=capacity-table] tbody tr").count() == 12
    page.screenshot(path=str(screenshot_dir / "stores-detail.png"), full_page=True)

    page.goto(f"{live_server.url}/stores/nearest/")
    page.fill("input[name=lat]", "22.54")
    page.fill("input[name=lng]", "113.93")
    page.click("[data-testid=nearest-form] button[type=submit]")
    page.wait_for_selector("[data-testid=nearest-results]")
    first = page.locator("[data-testid=nearest-results] tbody tr").first.inner_text()
    assert "SZ-0001" in first
    page.screenshot(path=str(screenshot_dir / "stores-nearest.png"), full_page=True)
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p]
