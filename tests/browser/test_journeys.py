"""The journeys that matter (issue 7), each through the browser as a person of one role would go.

Every journey also checks that the page is styled from our own static files, that no request
left the live server and that the console stayed free of errors.
"""

import os
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.models import Kind, Ticket
from aftersales.tests.factories import VehicleFactory, make_ticket
from core.models import FeedRejection, FeedRun
from sales.models import TestDrive, Vehicle
from sales.tests.factories import TestDriveFactory, local_slot
from stores.models import Role
from stores.tests.factories import DEFAULT_PASSWORD, StoreFactory, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Watch:
    """What a page asked for and complained about while a journey ran."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.urls: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def check(self, *, expected_errors: tuple[str, ...] = ()) -> None:
        # Let every request finish before the next test writes: the live server shares the
        # test's in-memory SQLite connection, and a request still reading locks its tables.
        self.page.wait_for_load_state("networkidle")
        self.page.goto("about:blank")
        foreign = [u for u in self.urls if not u.startswith(self.base_url) and not u.startswith(("data:", "blob:"))]
        assert foreign == []
        assert [e for e in self.errors if not any(x in e for x in expected_errors)] == []


def log_in(page, live_server, username: str, next_url: str = "/") -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


def assert_styled(page) -> None:
    background = page.evaluate("getComputedStyle(document.querySelector('nav.navbar')).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")


def assert_fits(page) -> None:
    """Nothing pushes the page wider than the screen (tables scroll inside their own box)."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def tiny_png() -> bytes:
    """A valid 1x1 red PNG, built here rather than kept as a binary fixture."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_1_staff_confirm_todays_test_drive_and_open_the_vin(live_server, page, screenshot_dir, now):
    # The clock is pinned at 10:00 local (conftest `now`): the 19:00 drive is still to come today.
    store = StoreFactory(code="GZ-0001")
    make_user(Role.STAFF, store=store, username="lina")
    demo = VehicleFactory(store=store, status=Vehicle.Status.DEMO)
    drive = TestDriveFactory(store=store, model=demo.model, slot_start=local_slot(days=0, hour=19))
    TestDriveFactory(store=store, slot_start=local_slot(days=3, hour=10))  # not today
    watch = Watch(page, live_server.url)

    log_in(page, live_server, "lina")
    page.goto(f"{live_server.url}/sales/test-drives/?period=today")
    rows = page.locator("[data-testid=testdrive-table] tbody tr")
    expect(rows).to_have_count(1)
    assert drive.customer.name in rows.first.inner_text()
    assert_styled(page)

    rows.first.locator("a").click()
    page.wait_for_url(f"**{drive.get_absolute_url()}")
    page.click("#testdrive-status button:has-text('确认')")  # htmx swaps the status card in place
    page.wait_for_selector("#testdrive-status [data-status=confirmed]")
    drive.refresh_from_db()
    assert drive.status == TestDrive.Status.CONFIRMED and drive.demo_vehicle_id == demo.pk

    page.reload()
    page.click(f"a[href='{demo.get_absolute_url()}']")
    page.wait_for_url(f"**{demo.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text(demo.vin)
    assert_styled(page)
    assert_fits(page)
    page.screenshot(path=str(screenshot_dir / "journey-1-vin-page.png"), full_page=True)
    watch.check()


def test_2_staff_ticket_from_wrong_vin_to_resolved(live_server, page, screenshot_dir):
    store = StoreFactory(code="GZ-0001")
    vehicle = VehicleFactory(store=store)
    make_user(Role.STAFF, store=store, username="lina")
    watch = Watch(page, live_server.url)
    wrong = vehicle.vin[:-1] + ("0" if vehicle.vin[-1] != "0" else "1")

    log_in(page, live_server, "lina", "/aftersales/tickets/new/")
    page.fill("input[name=vin]", wrong)
    page.select_option("select[name=kind]", "repair")
    page.select_option("select[name=priority]", "P2")
    page.fill("input[name=summary]", "右前轮异响")
    page.click("main form button[type=submit]")
    expect(page.locator("input[name=vin]")).to_have_class(re.compile(r"\bis-invalid\b"), timeout=10_000)
    assert page.locator(".invalid-feedback, .alert-danger").count() >= 1
    assert page.input_value("input[name=summary]") == "右前轮异响"  # what was typed is kept
    assert Ticket.objects.count() == 0
    page.screenshot(path=str(screenshot_dir / "journey-2-wrong-vin.png"), full_page=True)

    page.fill("input[name=vin]", vehicle.vin)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/aftersales/tickets/AS-*/")
    ticket = Ticket.objects.get()

    page.fill("textarea[name=message]", "客户反映过减速带时异响")
    page.locator("form[action$='/comment/'] button[type=submit]").click()
    expect(page.locator("[data-testid=timeline]")).to_contain_text("客户反映过减速带时异响", timeout=10_000)

    page.set_input_files(
        "input[name=file]", files=[{"name": "front-wheel.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    page.locator("form[action$='/attachments/'] button[type=submit]").click()
    expect(page.locator("[data-testid=attachments]")).to_contain_text("front-wheel.png", timeout=10_000)

    # Parts arrive, work resumes, the car is fixed.
    steps = [Ticket.Status.IN_PROGRESS, Ticket.Status.WAITING_PARTS, Ticket.Status.IN_PROGRESS, Ticket.Status.RESOLVED]
    for status in steps:
        page.locator(f"[data-testid=transitions] form:has(input[value={status.value}]) button").click()
        expect(page.locator("[data-testid=ticket-status]")).to_have_text(str(status.label), timeout=10_000)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert ticket.attachments.count() == 1
    assert_styled(page)
    assert_fits(page)
    page.screenshot(path=str(screenshot_dir / "journey-2-resolved.png"), full_page=True)

    # The printable job card: on paper, no navigation and no buttons, only the card.
    page.goto(f"{live_server.url}{ticket.get_absolute_url()}job-card/")
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('nav.navbar')).display") == "none"
    assert page.locator(".btn").evaluate_all("els => els.every(e => getComputedStyle(e).display === 'none')")
    expect(page.locator(".job-card")).to_contain_text(vehicle.vin)
    page.screenshot(path=str(screenshot_dir / "journey-2-job-card-print.png"), full_page=True)
    page.emulate_media(media="screen")
    watch.check()


def test_3_manager_bulk_assigns_and_exports_the_filtered_queue(live_server, page, screenshot_dir):
    store = StoreFactory(code="GZ-0001")
    make_user(Role.MANAGER, store=store, username="wangfang")
    tech = make_user(Role.STAFF, store=store, username="liqiang")
    tech.first_name, tech.last_name = "强", "李"
    tech.save()
    repairs = [make_ticket(store=store, kind=Kind.REPAIR, summary=f"刹车异响{i}") for i in range(3)]
    maintenance = make_ticket(store=store, kind=Kind.MAINTENANCE, summary="保养")
    watch = Watch(page, live_server.url)

    log_in(page, live_server, "wangfang", "/aftersales/tickets/?kind=repair")
    table = page.locator("#ticket-table")
    for t in repairs:
        expect(table).to_contain_text(t.number)
    expect(table).not_to_contain_text(maintenance.number)

    for t in repairs[:2]:
        page.check(f"input[name=ids][aria-label='{t.number}']")
    page.select_option("#bulk-action", "assign")
    page.fill("#bulk-assignee", "liqiang")
    page.click("#ticket-table button:has-text('应用')")
    expect(page.locator(".alert-success")).to_be_visible(timeout=10_000)
    assert {t.number for t in Ticket.objects.filter(assignee=tech)} == {t.number for t in repairs[:2]}
    expect(table).to_contain_text("李强")  # family name first
    page.screenshot(path=str(screenshot_dir / "journey-3-bulk-assigned.png"), full_page=True)

    with page.expect_download() as info:
        page.click("a:has-text('导出 CSV'), a[href*='format=csv']")
    body = Path(info.value.path()).read_bytes().decode("utf-8")
    assert body.startswith("\ufeff")
    lines = body.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("编号,") or lines[0].startswith("Number,")
    assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(t.number for t in repairs)
    assert_styled(page)
    watch.check()


def test_4_regional_manager_books_unassigned_work(live_server, page, screenshot_dir):
    store = StoreFactory(code="GZ-0001")
    make_user(Role.REGIONAL, provinces=["广东省"], username="zhou")
    ticket = make_ticket(
        store=None,
        vehicle=VehicleFactory(store=store),
        kind=Kind.MAINTENANCE,
        source=Ticket.Source.SCHEDULE,
        province="广东省",
        dispatch_note={"reason": "fallback_unassigned", "home_store": store.code, "passed_over": []},
    )
    slot = local_slot(days=1, hour=10).strftime("%Y-%m-%d %H:%M")
    watch = Watch(page, live_server.url)

    log_in(page, live_server, "zhou", "/aftersales/unassigned/")
    row = page.locator(f"#unassigned-{ticket.number}")
    expect(row).to_be_visible()
    page.evaluate("document.body.dataset.marker = 'same-page'")
    row.locator("input[placeholder]").first.fill("GZ-0001")
    row.locator("input[placeholder]").nth(1).fill(slot)
    row.locator("button[type=submit]").click()
    expect(page.locator(f"#unassigned-{ticket.number} .text-success")).to_contain_text("GZ-0001", timeout=10_000)
    assert page.evaluate("document.body.dataset.marker") == "same-page"  # htmx swapped only the row
    ticket.refresh_from_db()
    assert ticket.store_id == store.pk and ticket.booked_slot is not None
    assert_styled(page)
    assert_fits(page)
    page.screenshot(path=str(screenshot_dir / "journey-4-unassigned-booked.png"), full_page=True)
    watch.check()


def test_5_hq_finds_a_store_and_the_last_sync_rejections(live_server, page, screenshot_dir):
    StoreFactory(code="GZ-0001", name="广州天河服务中心")
    StoreFactory(code="SZ-0001", name="深圳南山服务中心")
    make_user(Role.HQ, username="hq")
    now = timezone.now()
    FeedRun.objects.create(feed="stores", file_name="stores-old.csv", started_at=now - timezone.timedelta(days=1))
    run = FeedRun.objects.create(
        feed="stores", file_name="stores-latest.csv", started_at=now, finished_at=now, outcome="processed", rejected=1
    )
    FeedRejection.objects.create(run=run, line=7, key="XX-9", reason="unknown province 火星")
    watch = Watch(page, live_server.url)

    log_in(page, live_server, "hq", "/admin/")
    page.goto(f"{live_server.url}/admin/stores/store/")
    page.fill("#searchbar", "SZ-0001")
    page.press("#searchbar", "Enter")
    page.wait_for_url("**q=SZ-0001**")
    results = page.locator("#result_list tbody tr")
    expect(results).to_have_count(1)
    assert "SZ-0001" in results.first.inner_text()

    page.goto(f"{live_server.url}/admin/core/feedrun/?feed__exact=stores")
    page.locator("#result_list tbody tr").first.locator("a").first.click()
    page.wait_for_url(f"**/admin/core/feedrun/{run.pk}/**")
    expect(page.locator("#content")).to_contain_text("unknown province 火星")
    page.click(f"a[href*='run__id__exact={run.pk}']")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("XX-9")
    page.screenshot(path=str(screenshot_dir / "journey-5-admin-rejections.png"), full_page=True)
    watch.check()


def test_6_staff_typing_another_stores_ticket_sees_404(live_server, page, screenshot_dir):
    mine, theirs = StoreFactory(code="GZ-0001"), StoreFactory(code="SH-0001", province="上海市", city="上海市")
    make_user(Role.STAFF, store=mine, username="lina")
    ticket = make_ticket(store=theirs)
    watch = Watch(page, live_server.url)

    log_in(page, live_server, "lina")
    response = page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("404")
    expect(page.locator("main")).not_to_contain_text(ticket.summary)
    assert_styled(page)
    page.screenshot(path=str(screenshot_dir / "journey-6-not-found.png"), full_page=True)
    watch.check(expected_errors=("404",))  # the browser logs the 404 response itself
