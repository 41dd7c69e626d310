"""The sync_feeds job: FEED_DIR's files in feed order, once per content, -full.csv meaning --full."""

import io

import pytest
from django.core.management import call_command

from core.models import FeedRun
from core.tests.feedtools import english, sync, write_feed  # noqa: F401 - fixture
from sales.models import CarModel, Vehicle
from sales.tests.test_feeds import MODEL_HEADER, VEHICLE_HEADER, model_row, vehicle_row
from stores.models import Store
from stores.tests.factories import StoreFactory
from stores.tests.test_feeds import HEADER as STORE_HEADER
from stores.tests.test_feeds import store_row
from stores.tests.test_staff_feed import HEADER as STAFF_HEADER
from stores.tests.test_staff_feed import staff_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def run_sync_feeds() -> str:
    out = io.StringIO()
    call_command("run_job", "sync_feeds", stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[-1]


@pytest.fixture
def feed_dir(settings):
    settings.FEED_DIR.mkdir(parents=True, exist_ok=True)
    return settings.FEED_DIR


def test_sync_feeds_runs_every_kind_in_order_so_later_feeds_see_earlier_ones(feed_dir):
    # Vehicles refer to a model and a store that arrive in the same night's files.
    write_feed(feed_dir / "vehicles-20260101.csv", VEHICLE_HEADER, [vehicle_row(store_code="GZ-0100")])
    write_feed(feed_dir / "staff-20260101.csv", STAFF_HEADER, [staff_row("zhangwei", store_code="GZ-0100")])
    write_feed(feed_dir / "stores-20260101.csv", STORE_HEADER, [store_row("GZ-0100")])
    write_feed(feed_dir / "models-20260101.csv", MODEL_HEADER, [model_row()])
    (feed_dir / "notes.txt").write_text("not a feed")
    assert run_sync_feeds() == "sync_feeds: files=4 processed=4 skipped=0 refused=0 failed=0"
    assert list(FeedRun.objects.order_by("started_at").values_list("feed", "outcome", "triggered_by")) == [
        ("models", "processed", "sync_feeds"),
        ("stores", "processed", "sync_feeds"),
        ("staff", "processed", "sync_feeds"),
        ("vehicles", "processed", "sync_feeds"),
    ]
    assert Vehicle.objects.get().store.code == "GZ-0100"
    assert CarModel.objects.count() == 1


def test_sync_feeds_processes_a_file_once_by_content_hash(feed_dir):
    write_feed(feed_dir / "stores-a.csv", STORE_HEADER, [store_row("GZ-0100")])
    assert run_sync_feeds() == "sync_feeds: files=1 processed=1 skipped=0 refused=0 failed=0"
    # The same content under another name, and the same file again: both skipped.
    (feed_dir / "stores-b.csv").write_bytes((feed_dir / "stores-a.csv").read_bytes())
    assert run_sync_feeds() == "sync_feeds: files=2 processed=0 skipped=2 refused=0 failed=0"
    assert FeedRun.objects.count() == 1


def test_sync_feeds_skips_a_file_already_run_by_hand(feed_dir):
    path = write_feed(feed_dir / "stores.csv", STORE_HEADER, [store_row("GZ-0100")])
    sync("sync_stores", path)
    assert run_sync_feeds() == "sync_feeds: files=1 processed=0 skipped=1 refused=0 failed=0"


def test_sync_feeds_does_not_count_a_dry_run_as_done(feed_dir):
    path = write_feed(feed_dir / "stores.csv", STORE_HEADER, [store_row("GZ-0100")])
    sync("sync_stores", path, "--dry-run")
    assert run_sync_feeds() == "sync_feeds: files=1 processed=1 skipped=0 refused=0 failed=0"


def test_sync_feeds_skips_a_refused_file_until_its_content_changes(feed_dir):
    path = write_feed(feed_dir / "stores.csv", ["code", "name"], [["GZ-0100", "店"]])
    assert run_sync_feeds() == "sync_feeds: files=1 processed=0 skipped=0 refused=1 failed=0"
    assert run_sync_feeds() == "sync_feeds: files=1 processed=0 skipped=1 refused=0 failed=0"
    write_feed(path, STORE_HEADER, [store_row("GZ-0100")])
    assert run_sync_feeds() == "sync_feeds: files=1 processed=1 skipped=0 refused=0 failed=0"
    assert Store.objects.filter(code="GZ-0100").exists()


def test_full_suffix_runs_with_full_and_the_guard(feed_dir):
    for n in range(10):
        StoreFactory(code=f"NW-{n:04d}")
    write_feed(feed_dir / "stores-full.csv", STORE_HEADER, [store_row(f"NW-{n:04d}") for n in range(9)])
    assert run_sync_feeds() == "sync_feeds: files=1 processed=1 skipped=0 refused=0 failed=0"
    run = FeedRun.objects.get()
    assert (run.full, run.closed) == (True, 1)
    assert Store.objects.get(code="NW-0009").status == "closed"


def test_full_suffix_mass_close_is_refused(feed_dir):
    for n in range(10):
        StoreFactory(code=f"NW-{n:04d}")
    write_feed(feed_dir / "stores-full.csv", STORE_HEADER, [store_row("NW-0000")])
    assert run_sync_feeds() == "sync_feeds: files=1 processed=0 skipped=0 refused=1 failed=0"
    assert not Store.objects.filter(status="closed").exists()


def test_full_suffix_means_nothing_to_the_vehicle_feed(feed_dir, store):
    CarModel.objects.create(
        code="GNC-A5", name="国民好车", price_cny=1, battery_kwh=1, range_km=1, service_months=6, service_km=10000
    )
    write_feed(feed_dir / "vehicles-full.csv", VEHICLE_HEADER, [vehicle_row()])
    assert run_sync_feeds() == "sync_feeds: files=1 processed=1 skipped=0 refused=0 failed=0"
    assert FeedRun.objects.get().full is False


def test_a_crashing_file_is_recorded_failed_and_the_others_still_run(feed_dir, monkeypatch):
    from stores.feeds import StaffFeed

    def crash(self, rows):
        raise RuntimeError("database went away")

    monkeypatch.setattr(StaffFeed, "apply", crash)
    write_feed(feed_dir / "staff.csv", STAFF_HEADER, [staff_row()])
    write_feed(feed_dir / "stores.csv", STORE_HEADER, [store_row("GZ-0001")])
    assert run_sync_feeds() == "sync_feeds: files=2 processed=1 skipped=0 refused=0 failed=1"
    assert FeedRun.objects.get(feed="staff").outcome == "failed"
    monkeypatch.undo()
    assert run_sync_feeds() == "sync_feeds: files=2 processed=1 skipped=1 refused=0 failed=0"


def test_no_feed_dir_means_no_files(settings, tmp_path):
    settings.FEED_DIR = tmp_path / "absent"
    assert run_sync_feeds() == "sync_feeds: files=0 processed=0 skipped=0 refused=0 failed=0"
