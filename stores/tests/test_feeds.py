"""sync_stores (CONTRACT 3.1): one test per rule, each with a file breaking exactly that rule."""

import pytest

from core.models import FeedRun
from core.tests.feedtools import english, sync, sync_refused, write_feed  # noqa: F401 - fixture
from stores.models import Store
from stores.tests.factories import StoreFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER = [
    "code", "kind", "name", "province", "city", "district", "address", "lat", "lng", "phone",
    "capabilities", "bays", "demo_cars", "opens", "closes", "status",
]  # fmt: skip


def store_row(code: str = "GZ-0100", **changes) -> dict:
    row = {
        "code": code, "kind": "service", "name": "好车服务中心(天河店)", "province": "广东省",
        "city": "广州市", "district": "天河区", "address": "天河路100号", "lat": "23.1291",
        "lng": "113.3245", "phone": "020-87654321", "capabilities": "sales|maintenance",
        "bays": "6", "demo_cars": "2", "opens": "08:30", "closes": "20:00", "status": "active",
    }  # fmt: skip
    row.update(changes)
    return row


@pytest.fixture
def feed(tmp_path):
    def make(rows, header=HEADER, **kwargs):
        return write_feed(tmp_path / "stores.csv", header, rows, **kwargs)

    return make


def only_rejection(line_of_run: str) -> tuple[int, str, str]:
    run = FeedRun.objects.get()
    (rejection,) = run.rejections.all()
    return rejection.line, rejection.key, rejection.reason


def rejected_with(feed, row) -> tuple[int, str, str]:
    """Syncs a valid row then the breaking row; returns the one rejection (line, key, reason)."""
    summary = sync("sync_stores", feed([store_row("GZ-0001"), row]))
    assert summary == "stores: created=1 updated=0 unchanged=0 closed=0 rejected=1"
    assert not Store.objects.filter(code=row.get("code", "").upper()).exclude(code="GZ-0001").exists()
    run = FeedRun.objects.get()
    (rejection,) = run.rejections.all()
    return rejection.line, rejection.key, rejection.reason


def test_sync_creates_stores_with_normalised_values(feed):
    rows = [
        store_row("gz-0100", province="广东", phone="+86 138 1234 5678", capabilities=" Maintenance | SALES |sales"),
        store_row("BJ-0001", kind="Partner", province="北京", phone="01067891234", status="SUSPENDED"),
        store_row("SZ-0001", phone="400-123-4567", opens="00:00", closes="24:00", capabilities=""),
    ]
    assert sync("sync_stores", feed(rows)) == "stores: created=3 updated=0 unchanged=0 closed=0 rejected=0"
    gz = Store.objects.get(code="GZ-0100")
    assert (gz.province, gz.phone, gz.capabilities) == ("广东省", "13812345678", "sales|maintenance")
    assert (gz.lat, gz.lng, gz.opens_minute, gz.closes_minute) == (23.1291, 113.3245, 510, 1200)
    bj = Store.objects.get(code="BJ-0001")
    assert (bj.kind, bj.province, bj.phone, bj.status) == ("partner", "北京市", "010-67891234", "suspended")
    sz = Store.objects.get(code="SZ-0001")
    assert (sz.phone, sz.opens_minute, sz.closes_minute, sz.capabilities) == ("4001234567", 0, 1440, "")


def test_sync_rejects_code_with_characters_outside_a_z_0_9_dash(feed):
    line, key, reason = rejected_with(feed, store_row("GZ_0100"))
    assert (line, key) == (3, "GZ_0100")
    assert "code: GZ_0100 is not 3–20 characters of A–Z, 0–9 and -." in reason


def test_sync_rejects_code_shorter_than_three_characters(feed):
    line, _key, reason = rejected_with(feed, store_row("GZ"))
    assert line == 3
    assert reason.startswith("code: GZ is not 3–20 characters")


def test_sync_rejects_code_longer_than_twenty_characters(feed):
    line, _key, reason = rejected_with(feed, store_row("GZ-" + "1" * 18))
    assert line == 3
    assert "is not 3–20 characters" in reason


def test_sync_rejects_row_without_code(feed):
    line, key, reason = rejected_with(feed, store_row(""))
    assert (line, key, reason) == (3, "", "code: required, but empty.")


def test_sync_rejects_unknown_kind(feed):
    line, key, reason = rejected_with(feed, store_row("GZ-0100", kind="dealer"))
    assert (line, key) == (3, "GZ-0100")
    assert reason == "kind: dealer is not one of service, partner."


def test_sync_rejects_name_longer_than_100_characters(feed):
    line, _key, reason = rejected_with(feed, store_row("GZ-0100", name="店" * 101))
    assert line == 3
    assert reason == "name: 101 characters; at most 100 are allowed."


def test_sync_rejects_empty_name(feed):
    line, _key, reason = rejected_with(feed, store_row("GZ-0100", name=" "))
    assert (line, reason) == (3, "name: required, but empty.")


def test_sync_rejects_unknown_province(feed):
    line, _key, reason = rejected_with(feed, store_row("GZ-0100", province="广州"))
    assert line == 3
    assert reason.startswith("province: 广州 is not one of mainland China's 31 provincial-level divisions")


def test_sync_rejects_empty_city(feed):
    line, _key, reason = rejected_with(feed, store_row("GZ-0100", city=""))
    assert (line, reason) == (3, "city: required, but empty.")


def test_sync_rejects_empty_address(feed):
    line, _key, reason = rejected_with(feed, store_row("GZ-0100", address=""))
    assert (line, reason) == (3, "address: required, but empty.")


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("lat", "17.99", "lat: 17.99 is outside 18–54 N"),
        ("lat", "54.01", "lat: 54.01 is outside 18–54 N"),
        ("lng", "72.5", "lng: 72.5 is outside 73–135 E"),
        ("lng", "135.2", "lng: 135.2 is outside 73–135 E"),
        ("lat", "23,12", "lat: 23,12 is not a decimal number."),
        ("lng", "nan", "lng: nan is not a decimal number."),
    ],
)
def test_sync_rejects_row_with_coordinates_outside_china_or_not_numbers(feed, column, value, expected):
    line, _key, reason = rejected_with(feed, store_row("GZ-0100", **{column: value}))
    assert line == 3
    assert reason.startswith(expected)


@pytest.mark.parametrize("phone", ["12345", "1281234567", "+86 400-123-4567", "020-0123456", "电话"])
def test_sync_rejects_phone_that_is_not_mobile_landline_or_service_number(feed, phone):
    line, _key, reason = rejected_with(feed, store_row("GZ-0100", phone=phone))
    assert line == 3
    assert reason.startswith("phone: ")


def test_sync_rejects_unknown_capability(feed):
    line, _key, reason = rejected_with(feed, store_row("GZ-0100", capabilities="sales|washing"))
    assert line == 3
    assert reason.startswith("capabilities: unknown washing; each must be one of sales, test_drive")


@pytest.mark.parametrize(("value", "expected"), [("51", "bays: 51 is outside 0–50."), ("-1", "bays: -1 is outside 0–50."), ("4.5", "bays: 4.5 is not a whole number.")])  # fmt: skip
def test_sync_rejects_bays_outside_0_to_50(feed, value, expected):
    line, _key, reason = rejected_with(feed, store_row("GZ-0100", bays=value))
    assert (line, reason) == (3, expected)


def test_sync_rejects_demo_cars_above_20(feed):
    line, _key, reason = rejected_with(feed, store_row("GZ-0100", demo_cars="21"))
    assert (line, reason) == (3, "demo_cars: 21 is outside 0–20.")


def test_sync_defaults_demo_cars_to_zero_when_empty_or_absent(feed):
    header = [c for c in HEADER if c != "demo_cars"]
    sync("sync_stores", feed([store_row("GZ-0100", demo_cars="")]))
    assert Store.objects.get(code="GZ-0100").demo_cars == 0
    sync("sync_stores", feed([store_row("GZ-0101")], header=header))
    assert Store.objects.get(code="GZ-0101").demo_cars == 0


@pytest.mark.parametrize("value", ["8:3", "25:00", "08:60", "24:30", "0830"])
def test_sync_rejects_opening_time_not_written_hh_mm(feed, value):
    line, _key, reason = rejected_with(feed, store_row("GZ-0100", opens=value))
    assert line == 3
    assert reason.startswith(f"opens: {value} is not a time of day written HH:MM")


def test_sync_rejects_opens_not_before_closes(feed):
    line, _key, reason = rejected_with(feed, store_row("GZ-0100", opens="20:00", closes="20:00"))
    assert (line, reason) == (3, "opens: 20:00 is not before closes 20:00.")


def test_sync_rejects_unknown_status(feed):
    line, _key, reason = rejected_with(feed, store_row("GZ-0100", status="open"))
    assert (line, reason) == (3, "status: open is not one of active, suspended, closed.")


def test_sync_lists_every_broken_rule_of_a_row(feed):
    _line, _key, reason = rejected_with(feed, store_row("GZ-0100", kind="x", bays="99"))
    assert reason == "kind: x is not one of service, partner.; bays: 99 is outside 0–50."


def test_duplicate_code_first_row_counts_later_rows_rejected(feed):
    rows = [store_row("GZ-0100", name="第一"), store_row("gz-0100", name="第二"), store_row("GZ-0100", name="第三")]
    assert sync("sync_stores", feed(rows)) == "stores: created=1 updated=0 unchanged=0 closed=0 rejected=2"
    assert Store.objects.get(code="GZ-0100").name == "第一"
    lines = list(FeedRun.objects.get().rejections.values_list("line", "key", "reason"))
    assert lines == [
        (3, "GZ-0100", "Duplicate code GZ-0100: line 2 has it already and counts."),
        (4, "GZ-0100", "Duplicate code GZ-0100: line 2 has it already and counts."),
    ]


def test_duplicate_of_an_invalid_first_row_is_rejected_too(feed):
    rows = [store_row("GZ-0100", bays="99"), store_row("GZ-0100")]
    assert sync("sync_stores", feed(rows)) == "stores: created=0 updated=0 unchanged=0 closed=0 rejected=2"
    assert not Store.objects.exists()


def test_columns_in_any_order_unknown_ignored_names_matched_case_insensitively(tmp_path):
    header = [" Status ", "CODE", "extra", *[c.upper() for c in HEADER if c not in ("code", "status")]]
    row = store_row("GZ-0100")
    values = [row["status"], row["code"], "ignored", *[row[c] for c in HEADER if c not in ("code", "status")]]
    path = write_feed(tmp_path / "stores.csv", header, [values])
    assert sync("sync_stores", path) == "stores: created=1 updated=0 unchanged=0 closed=0 rejected=0"
    assert Store.objects.get(code="GZ-0100").status == "active"


def test_optional_column_absent_leaves_stored_value_alone(feed):
    StoreFactory(code="GZ-0100", district="越秀区", capabilities="repair")
    header = [c for c in HEADER if c not in ("district", "capabilities")]
    sync("sync_stores", feed([store_row("GZ-0100")], header=header))
    store = Store.objects.get(code="GZ-0100")
    assert (store.district, store.capabilities) == ("越秀区", "repair")


def test_missing_required_column_exits_2_and_changes_nothing(feed):
    StoreFactory(code="GZ-0100", name="原名")
    path = feed([store_row("GZ-0100", name="新名")], header=[c for c in HEADER if c != "lat"])
    reason = sync_refused("sync_stores", path)
    assert "lacks the required column(s) lat" in reason
    assert Store.objects.get(code="GZ-0100").name == "原名"
    run = FeedRun.objects.get()
    assert (run.outcome, run.feed, run.file_name) == ("refused", "stores", "stores.csv")


def test_empty_file_exits_2_and_changes_nothing(tmp_path):
    StoreFactory(code="GZ-0100")
    path = tmp_path / "stores.csv"
    path.write_bytes(b"")
    assert "empty" in sync_refused("sync_stores", path)
    assert Store.objects.count() == 1
    assert FeedRun.objects.get().outcome == "refused"


def test_missing_file_exits_2_and_changes_nothing(tmp_path):
    StoreFactory(code="GZ-0100")
    assert "no such file" in sync_refused("sync_stores", tmp_path / "nope.csv")
    assert Store.objects.count() == 1
    assert FeedRun.objects.get().reason.endswith("nope.csv: no such file.")


def test_same_file_twice_changes_nothing_the_second_time(feed):
    path = feed([store_row("GZ-0100"), store_row("GZ-0101", kind="partner"), store_row("bad", bays="x")])
    assert sync("sync_stores", path) == "stores: created=2 updated=0 unchanged=0 closed=0 rejected=1"
    before = list(Store.objects.values_list("code", "updated_at"))
    assert sync("sync_stores", path) == "stores: created=0 updated=0 unchanged=2 closed=0 rejected=1"
    assert list(Store.objects.values_list("code", "updated_at")) == before


def test_changed_value_counts_updated_status_included(feed):
    sync("sync_stores", feed([store_row("GZ-0100"), store_row("GZ-0101")]))
    rows = [store_row("GZ-0100", status="suspended"), store_row("GZ-0101", lat="23.1292")]
    assert sync("sync_stores", feed(rows)) == "stores: created=0 updated=2 unchanged=0 closed=0 rejected=0"
    assert Store.objects.get(code="GZ-0100").status == "suspended"
    assert Store.objects.get(code="GZ-0101").lat == 23.1292


def test_dry_run_reports_counts_and_changes_nothing(feed):
    StoreFactory(code="GZ-0100", name="原名")
    path = feed([store_row("GZ-0100", name="新名"), store_row("GZ-0101"), store_row("GZ-0102", bays="x")])
    assert sync("sync_stores", path, "--dry-run") == "stores: created=1 updated=1 unchanged=0 closed=0 rejected=1"
    assert list(Store.objects.values_list("code", "name")) == [("GZ-0100", "原名")]
    assert not FeedRun.objects.exists()


@pytest.fixture
def network():
    """Ten active stores; a full file naming only some of them."""
    return [StoreFactory(code=f"NW-{n:04d}") for n in range(10)]


def test_full_closes_stores_missing_from_file_but_never_deletes_them(feed, network):
    rows = [store_row(f"NW-{n:04d}") for n in range(9)]
    assert sync("sync_stores", feed(rows), "--full") == "stores: created=0 updated=9 unchanged=0 closed=1 rejected=0"
    assert Store.objects.count() == 10
    assert Store.objects.get(code="NW-0009").status == "closed"


def test_full_does_not_close_a_store_whose_row_was_rejected(feed, network):
    rows = [store_row(f"NW-{n:04d}") for n in range(9)] + [store_row("NW-0009", bays="x")]
    assert sync("sync_stores", feed(rows), "--full") == "stores: created=0 updated=9 unchanged=0 closed=0 rejected=1"
    assert Store.objects.get(code="NW-0009").status == "active"


def test_full_refuses_to_close_more_than_10_percent_of_active_stores(feed, network):
    rows = [store_row(f"NW-{n:04d}", name="新名") for n in range(4)]  # 60% missing
    reason = sync_refused("sync_stores", feed(rows), "--full")
    assert "would close 6 of the 10 active records" in reason
    assert not Store.objects.filter(status="closed").exists()
    assert not Store.objects.filter(name="新名").exists()
    run = FeedRun.objects.get()
    assert (run.outcome, run.closed, run.updated) == ("refused", 0, 0)


def test_full_with_allow_mass_close_closes_but_keeps_the_stores(feed, network):
    rows = [store_row(f"NW-{n:04d}") for n in range(4)]
    summary = sync("sync_stores", feed(rows), "--full", "--allow-mass-close")
    assert summary == "stores: created=0 updated=4 unchanged=0 closed=6 rejected=0"
    assert Store.objects.count() == 10
    assert Store.objects.filter(status="closed").count() == 6


def test_full_guard_counts_against_active_stores_before_the_run(feed):
    # 10 active stores, 30 already closed: closing 2 of the active ones is 20%, refused.
    for n in range(10):
        StoreFactory(code=f"AC-{n:04d}")
    for n in range(30):
        StoreFactory(code=f"CL-{n:04d}", status="closed")
    rows = [store_row(f"AC-{n:04d}") for n in range(8)]
    assert "would close 2 of the 10 active records" in sync_refused("sync_stores", feed(rows), "--full")


def test_full_does_not_count_stores_the_file_itself_closes(feed, network):
    rows = [store_row(f"NW-{n:04d}", status="closed" if n < 5 else "active") for n in range(10)]
    assert sync("sync_stores", feed(rows), "--full") == "stores: created=0 updated=10 unchanged=0 closed=0 rejected=0"


def test_without_full_missing_stores_stay_as_they_are(feed, network):
    sync("sync_stores", feed([store_row("NW-0000")]))
    assert Store.objects.filter(status="active").count() == 10
