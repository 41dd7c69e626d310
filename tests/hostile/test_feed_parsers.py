"""Random and malformed files thrown at every registered feed (core.feeds.registry, so feeds landed
later are covered): never an exception, every bad row a rejection with its line and a reason, a
refused file changes nothing, and a processed file applied twice changes nothing the second time."""

import csv
import io

import pytest
from django.utils import translation
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from core.feeds import registry
from core.feeds.runner import run_feed
from sales.tests.factories import make_vin
from tests.security.matrix import changed_tables, fingerprint

from .strategies import cell

EXAMPLES = 60
# No shrinking: a failing file is printed as drawn (shrinking whole files can take minutes).
PHASES = [Phase.explicit, Phase.reuse, Phase.generate]
FEEDS = registry.registered()
# Feed bookkeeping may change on any run; the records themselves may not when a file is refused.
BOOKKEEPING = frozenset({"core.FeedRun", "core.FeedRejection", "sessions.Session"})

# Plausible values by column name, so that some rows pass and reach the database.
PLAUSIBLE = {
    "code": ["GZ-0001", "SH-0002", "BJ-0003", "GC-M7", "gz-0009"],
    "kind": ["service", "partner", "SERVICE"],
    "name": ["好车广州天河店", "好车 M7"],
    "province": ["广东省", "广东", "上海市", "广西"],
    "city": ["广州市", "上海市"],
    "district": ["天河区", ""],
    "address": ["天河路1号"],
    "lat": ["23.13", "31.23", "54.1", "17.9"],
    "lng": ["113.26", "121.47", "135.0"],
    "phone": ["13812345678", "020-87654321", "4001234567", "+8613812345678"],
    "capabilities": ["sales|test_drive", "maintenance|repair", "", "flying"],
    "bays": ["4", "0", "50", "51"],
    "demo_cars": ["2", "20", ""],
    "opens": ["08:00", "00:00"],
    "closes": ["20:00", "24:00", "07:00"],
    "status": ["active", "suspended", "closed", "Active", "in_stock"],
    "username": ["wang.li", "Li.Na", "admin"],
    "full_name": ["王丽"],
    "email": ["wang.li@example.cn", "not-an-email"],
    "role": ["staff", "manager", "regional", "hq", "boss"],
    "store_code": ["GZ-0001", "NOPE-1"],
    "provinces": ["广东省|广西", "火星"],
    "active": ["1", "0", "yes"],
    "vin": ["LGCAB12C0S8100000", "LSVAU2180N2183294"],  # see VINS for valid ones
    "model_code": ["GC-M7"],
    "color": ["白色"],
    "delivered_on": ["2026-01-15", "2026-13-01"],
    "owner_phone": ["13912345678"],
    "mileage_km": ["12000", "-5"],
    "trim": ["长续航版"],
    "price_cny": ["239900", "0"],
    "battery_kwh": ["90", "75.5"],
    "range_km": ["620"],
    "swappable": ["1", "0"],
    "service_months": ["12", "37"],
    "service_km": ["20000", "999"],
}


VALID_BY_FEED = {"vehicles": {"status": "in_stock"}}


def valid_value(feed: str, name: str, variant: int) -> str:
    """The first plausible value, with the key columns varied so that rows create several records."""
    value = VALID_BY_FEED.get(feed, {}).get(name) or PLAUSIBLE.get(name, [""])[0]
    if name == "code":
        return f"GZ-{variant:04d}"
    if name == "username":
        return f"user{variant}"
    if name == "vin":
        return VINS[variant % len(VINS)]
    return value


VINS = [make_vin() for _ in range(6)]


@st.composite
def feed_row(draw, feed: str, names: list[str]):
    """A valid row, a valid row with one hostile cell, or hostile cells throughout."""
    mode = draw(st.sampled_from(["valid", "one-bad", "one-bad", "random"]))
    if mode == "random":
        return draw(st.lists(st.one_of(cell, st.just("")), min_size=len(names), max_size=len(names) + 1))
    variant = draw(st.integers(1, 6))
    row = [valid_value(feed, name, variant) for name in names]
    if mode == "one-bad" and row:
        row[draw(st.integers(0, len(row) - 1))] = draw(cell)
    return row


@st.composite
def feed_file(draw, feed):
    """A CSV file for `feed`: its columns shuffled and re-cased, sometimes one dropped, an unknown one
    added, rows valid, almost valid or hostile, in one of the three encodings, LF or CRLF."""
    columns = [c.name for c in feed.columns]
    kept = draw(st.permutations(columns))
    if draw(st.integers(0, 4)) == 0:
        kept = kept[1:]
    header = [draw(st.sampled_from([name, name.upper(), f" {name} "])) for name in kept]
    if draw(st.booleans()):
        header.append(draw(st.sampled_from(["extra", "备注", ""])))
    names = [h.strip().lower() for h in header]
    rows = draw(st.lists(feed_row(feed.name, names), max_size=8))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    # Records as a CSV reader sees them (a lone CR in a cell ends a record, as in any spreadsheet).
    records = sum(
        1 for row in list(csv.reader(io.StringIO(out.getvalue(), newline="")))[1:] if any(c.strip() for c in row)
    )
    return out.getvalue().encode(encoding), records


def check_run(feed, tmp_path, data: bytes, records: int | None) -> None:
    path = tmp_path / f"{feed.name}-hostile.csv"
    path.write_bytes(data)
    before = fingerprint(BOOKKEEPING)
    result = run_feed(feed, path, triggered_by="test")
    if result.refused:
        assert result.refused.strip()
        assert not changed_tables(before, fingerprint(BOOKKEEPING)), result.refused
        return
    for rejection in result.rejections:
        assert rejection.line >= 2 and rejection.reason.strip()
    if records is not None:
        assert result.created + result.updated + result.unchanged + result.rejected == records, result.summary()
    again = run_feed(feed, path, triggered_by="test")
    assert (again.created, again.updated, again.closed) == (0, 0, 0), again.summary()


@pytest.fixture
def catalogue(db):
    from sales.tests.factories import CarModelFactory

    return CarModelFactory(code="GC-M7")


@settings(
    max_examples=EXAMPLES, deadline=None, phases=PHASES, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_rows_never_crash_a_feed(data, tmp_path, rollback, store, catalogue):
    for feed in FEEDS:
        content, records = data.draw(feed_file(feed), label=feed.name)
        with rollback():
            check_run(feed, tmp_path, content, records)


@settings(
    max_examples=EXAMPLES, deadline=None, phases=PHASES, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(noise=st.binary(max_size=400), prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"code,kind\n"]))
def test_random_bytes_are_refused_or_read_never_crash(noise, prefix, tmp_path, rollback):
    for feed in FEEDS:
        with rollback():
            check_run(feed, tmp_path, prefix + noise, None)


def test_every_feed_is_covered():
    assert {"stores", "staff"} <= {feed.name for feed in FEEDS}


def test_a_nul_character_in_a_row_is_a_rejection_not_a_crash(tmp_path, db):
    from stores.feeds import StoreFeed

    path = tmp_path / "stores-nul.csv"
    header = "code,kind,name,province,city,address,lat,lng,phone,bays,opens,closes,status\n"
    path.write_bytes(
        (
            "\ufeff"
            + header
            + "GZ-\x000001,service,好\x00车,广东,广州市,天河路1号,23.1,113.2,020-87654321,4,08:00,20:00,active\n"
        ).encode()
    )
    with translation.override("en"):
        result = run_feed(StoreFeed, path)
    assert not result.refused and result.rejected == 1
    assert "NUL" in result.rejections[0].reason and "\x00" not in result.rejections[0].key


def test_a_huge_battery_figure_is_a_rejection_not_a_crash(tmp_path, db):
    feed = registry.get("models")
    path = tmp_path / "models-huge.csv"
    header = "code,name,trim,price_cny,battery_kwh,range_km,swappable,service_months,service_km\n"
    path.write_text(header + "GC-M9,好车,长续航,239900," + "9" * 40 + ",620,1,12,20000\n", encoding="utf-8")
    with translation.override("en"):
        result = run_feed(feed, path)
    assert result.rejected == 1 and "100,000 kWh" in result.rejections[0].reason
