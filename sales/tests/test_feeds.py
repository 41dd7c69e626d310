"""sync_models (CONTRACT 3.4) and sync_vehicles (3.3): one test per rule, each with a file breaking it."""

import datetime as dt
from decimal import Decimal

import pytest

from core.models import FeedRun
from core.tests.feedtools import english, sync, sync_refused, write_feed  # noqa: F401 - fixture
from sales.models import CarModel, Customer, Vehicle
from sales.vin import check_digit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MODEL_HEADER = [
    "code",
    "name",
    "trim",
    "price_cny",
    "battery_kwh",
    "range_km",
    "swappable",
    "service_months",
    "service_km",
]
VEHICLE_HEADER = ["vin", "model_code", "color", "status", "store_code", "delivered_on", "owner_phone", "mileage_km"]


def make_vin(serial: int) -> str:
    body = f"LMGA0B1C0S{serial:07d}"  # position 9 (index 8) is the check digit placeholder
    return body[:8] + check_digit(body) + body[9:]


def model_row(code: str = "GNC-A5", **changes) -> dict:
    row = {
        "code": code, "name": "国民好车", "trim": "标准续航版", "price_cny": "119800", "battery_kwh": "60.5",
        "range_km": "500", "swappable": "1", "service_months": "6", "service_km": "10000",
    }  # fmt: skip
    row.update(changes)
    return row


def vehicle_row(vin: str | None = None, **changes) -> dict:
    row = {
        "vin": vin or make_vin(1), "model_code": "GNC-A5", "color": "珍珠白", "status": "in_stock",
        "store_code": "GZ-0001", "delivered_on": "", "owner_phone": "", "mileage_km": "",
    }  # fmt: skip
    row.update(changes)
    return row


def delivered(vin: str | None = None, **changes) -> dict:
    return vehicle_row(
        vin, **{"status": "delivered", "delivered_on": "2026-03-18", "owner_phone": "13700001234", **changes}
    )


@pytest.fixture
def models_feed(tmp_path):
    def make(rows, header=MODEL_HEADER):
        return write_feed(tmp_path / "models.csv", header, rows)

    return make


@pytest.fixture
def catalogue(db):
    return CarModel.objects.create(
        code="GNC-A5", name="国民好车", trim="标准续航版", price_cny=119800, battery_kwh=Decimal("60.5"),
        range_km=500, swappable=True, service_months=6, service_km=10000,
    )  # fmt: skip


@pytest.fixture
def vehicles_feed(tmp_path, store, catalogue):
    def make(rows, header=VEHICLE_HEADER):
        return write_feed(tmp_path / "vehicles.csv", header, rows)

    return make


def the_rejection() -> tuple[int, str, str]:
    rejection = FeedRun.objects.get().rejections.get()
    return rejection.line, rejection.key, rejection.reason


# The catalogue


def test_sync_models_creates_the_catalogue(models_feed):
    rows = [model_row("gnc-a5"), model_row("GNC-A5-LR", trim="长续航版", battery_kwh="75.0", swappable="0")]
    assert sync("sync_models", models_feed(rows)) == "models: created=2 updated=0 unchanged=0 closed=0 rejected=0"
    lr = CarModel.objects.get(code="GNC-A5-LR")
    assert (lr.trim, lr.battery_kwh, lr.swappable, lr.service_km) == ("长续航版", Decimal("75.0"), False, 10000)
    assert CarModel.objects.filter(code="GNC-A5").exists()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"code": "G"}, "code: G is not 2–30 characters of A–Z, 0–9 and -."),
        ({"code": "GNC A5"}, "code: GNC A5 is not 2–30 characters of A–Z, 0–9 and -."),
        ({"name": ""}, "name: required, but empty."),
        ({"price_cny": "0"}, "price_cny: 0 is below the minimum 1."),
        ({"price_cny": "11.5"}, "price_cny: 11.5 is not a whole number."),
        ({"battery_kwh": "0"}, "battery_kwh: 0 must be greater than 0."),
        ({"battery_kwh": "100000"}, "battery_kwh: 100000: a car's battery is under 100,000 kWh."),
        ({"battery_kwh": "99999.9996"}, "battery_kwh: 99999.9996: a car's battery is under 100,000 kWh."),
        ({"battery_kwh": "0.0004"}, "battery_kwh: 0.0004: must be at least 0.001 kWh."),
        ({"range_km": "-5"}, "range_km: -5 is below the minimum 1."),
        ({"price_cny": "9" * 20}, f"price_cny: {'9' * 20} is above the maximum 2147483647."),
        ({"range_km": "2147483648"}, "range_km: 2147483648 is above the maximum 2147483647."),
        ({"swappable": "yes"}, "swappable: yes is not 1 or 0."),
        ({"service_months": "0"}, "service_months: 0 is outside 1–36."),
        ({"service_months": "37"}, "service_months: 37 is outside 1–36."),
        ({"service_km": "999"}, "service_km: 999 is outside 1000–50000."),
        ({"service_km": "50001"}, "service_km: 50001 is outside 1000–50000."),
    ],
)
def test_sync_models_rejects_row_breaking_a_rule(models_feed, changes, expected):
    rows = [model_row("GNC-A5"), model_row(**{"code": "GNC-B7", **changes})]
    assert sync("sync_models", models_feed(rows)) == "models: created=1 updated=0 unchanged=0 closed=0 rejected=1"
    line, _key, reason = the_rejection()
    assert (line, reason) == (3, expected)
    assert CarModel.objects.count() == 1


def test_sync_models_every_column_is_required(models_feed):
    assert "service_km" in sync_refused("sync_models", models_feed([model_row()], header=MODEL_HEADER[:-1]))
    assert not CarModel.objects.exists()


def test_sync_models_keeps_models_missing_from_the_file_and_is_idempotent(models_feed, catalogue):
    path = models_feed([model_row("GNC-B7", price_cny="159800")])
    assert sync("sync_models", path) == "models: created=1 updated=0 unchanged=0 closed=0 rejected=0"
    assert sync("sync_models", path) == "models: created=0 updated=0 unchanged=1 closed=0 rejected=0"
    assert CarModel.objects.count() == 2


def test_sync_models_updates_a_changed_plan(models_feed, catalogue):
    assert sync("sync_models", models_feed([model_row(service_months="12")])) == (
        "models: created=0 updated=1 unchanged=0 closed=0 rejected=0"
    )
    assert CarModel.objects.get().service_months == 12


# Vehicles


def test_sync_vehicles_creates_vehicles_and_owners(vehicles_feed, store, catalogue):
    rows = [
        vehicle_row(make_vin(1).lower(), mileage_km="12"),
        delivered(make_vin(2), owner_phone="+86 137 0000 1234", mileage_km="8400"),
        delivered(make_vin(3), owner_phone="13700001234"),
    ]
    assert sync("sync_vehicles", vehicles_feed(rows)) == "vehicles: created=3 updated=0 unchanged=0 closed=0 rejected=0"
    first = Vehicle.objects.get(vin=make_vin(1))
    assert (first.model, first.store, first.status, first.mileage_km, first.owner) == (
        catalogue,
        store,
        "in_stock",
        12,
        None,
    )
    second = Vehicle.objects.get(vin=make_vin(2))
    assert (second.delivered_on, second.owner.phone, second.mileage_km) == (dt.date(2026, 3, 18), "13700001234", 8400)
    assert Customer.objects.count() == 1
    assert Vehicle.objects.get(vin=make_vin(3)).owner == second.owner


def test_sync_vehicles_owner_is_the_existing_customer_with_that_mobile(vehicles_feed):
    customer = Customer.objects.create(name="王芳", phone="13700001234")
    sync("sync_vehicles", vehicles_feed([delivered()]))
    assert Vehicle.objects.get().owner == customer
    assert Customer.objects.get().name == "王芳"


@pytest.mark.parametrize(
    ("vin", "expected"),
    [
        ("LMG84G7Y1S863170", "vin: A VIN has 17 characters; LMG84G7Y1S863170 has 16."),
        ("LMG84G7Y1S86317O6", "vin: A VIN never contains I, O or Q; LMG84G7Y1S86317O6 contains O."),
        ("LMG84G7Y2S8631706", "vin: LMG84G7Y2S8631706 fails the check digit: position 9 should be 1, not 2."),
    ],
)
def test_sync_vehicles_rejects_invalid_vin(vehicles_feed, vin, expected):
    assert sync("sync_vehicles", vehicles_feed([vehicle_row(), vehicle_row(vin)])) == (
        "vehicles: created=1 updated=0 unchanged=0 closed=0 rejected=1"
    )
    assert the_rejection() == (3, vin, expected)


def rejected_with(vehicles_feed, row) -> tuple[int, str, str]:
    assert sync("sync_vehicles", vehicles_feed([vehicle_row(make_vin(1)), row])) == (
        "vehicles: created=1 updated=0 unchanged=0 closed=0 rejected=1"
    )
    assert Vehicle.objects.count() == 1
    return the_rejection()


def test_sync_vehicles_rejects_unknown_model(vehicles_feed):
    line, key, reason = rejected_with(vehicles_feed, vehicle_row(make_vin(2), model_code="GNC-Z9"))
    assert (line, key, reason) == (3, make_vin(2), "model_code: there is no model GNC-Z9 in the catalogue.")


def test_sync_vehicles_rejects_unknown_status(vehicles_feed):
    line, _key, reason = rejected_with(vehicles_feed, vehicle_row(make_vin(2), status="scrapped"))
    assert (line, reason) == (
        3,
        "status: scrapped is not one of in_transit, in_stock, demo, reserved, sold, delivered.",
    )


def test_sync_vehicles_rejects_unknown_store(vehicles_feed):
    line, _key, reason = rejected_with(vehicles_feed, vehicle_row(make_vin(2), store_code="XX-0001"))
    assert (line, reason) == (3, "store_code: there is no store XX-0001.")


def test_sync_vehicles_rejects_delivered_without_delivery_date(vehicles_feed):
    line, _key, reason = rejected_with(vehicles_feed, delivered(make_vin(2), delivered_on=""))
    assert (line, reason) == (3, "delivered_on: required when the status is delivered.")


def test_battery_kwh_is_any_decimal_above_zero_kept_to_the_watt_hour(models_feed):
    rows = [model_row("GNC-A5", battery_kwh="75.25"), model_row("GNC-A7", battery_kwh="75.2555")]
    assert sync("sync_models", models_feed(rows)).endswith("created=2 updated=0 unchanged=0 closed=0 rejected=0")
    assert CarModel.objects.get(code="GNC-A5").battery_kwh == Decimal("75.25")
    assert CarModel.objects.get(code="GNC-A7").battery_kwh == Decimal("75.256")
    # The same file again: nothing changes (the rounded value is what is compared).
    assert sync("sync_models", models_feed(rows)).endswith("created=0 updated=0 unchanged=2 closed=0 rejected=0")


def test_a_delivered_car_sent_without_its_delivery_columns_keeps_them(vehicles_feed):
    sync("sync_vehicles", vehicles_feed([delivered(make_vin(2), mileage_km="8400")]))
    header = ["vin", "model_code", "status", "store_code", "mileage_km"]
    row = {"vin": make_vin(2), "model_code": "GNC-A5", "status": "delivered", "store_code": "GZ-0001",
           "mileage_km": "9100"}  # fmt: skip

    assert sync("sync_vehicles", vehicles_feed([row], header=header)).endswith(
        "created=0 updated=1 unchanged=0 closed=0 rejected=0"
    )
    car = Vehicle.objects.get(vin=make_vin(2))
    assert (car.delivered_on, car.owner.phone, car.mileage_km) == (dt.date(2026, 3, 18), "13700001234", 9100)


def test_a_car_newly_delivered_still_needs_its_date_and_owner(vehicles_feed):
    sync("sync_vehicles", vehicles_feed([vehicle_row(make_vin(2))]))
    header = ["vin", "model_code", "status", "store_code"]
    row = {"vin": make_vin(2), "model_code": "GNC-A5", "status": "delivered", "store_code": "GZ-0001"}

    sync("sync_vehicles", vehicles_feed([row], header=header))
    assert FeedRun.objects.latest("pk").rejections.get().reason == (
        "delivered_on: required when the status is delivered.; owner_phone: required when the status is delivered."
    )
    assert Vehicle.objects.get(vin=make_vin(2)).status == "in_stock"


def test_sync_vehicles_rejects_delivered_without_owner_phone(vehicles_feed):
    line, _key, reason = rejected_with(vehicles_feed, delivered(make_vin(2), owner_phone=""))
    assert (line, reason) == (3, "owner_phone: required when the status is delivered.")


def test_sync_vehicles_rejects_delivery_date_not_written_yyyy_mm_dd(vehicles_feed):
    line, _key, reason = rejected_with(vehicles_feed, delivered(make_vin(2), delivered_on="2026/03/18"))
    assert (line, reason) == (3, "delivered_on: 2026/03/18 is not a date written YYYY-MM-DD.")


def test_sync_vehicles_rejects_owner_phone_that_is_not_a_mobile(vehicles_feed):
    line, _key, reason = rejected_with(vehicles_feed, delivered(make_vin(2), owner_phone="020-87654321"))
    assert line == 3
    assert reason.startswith("owner_phone: 020-87654321 is not a mainland mobile number")


@pytest.mark.parametrize(("value", "expected"), [("-1", "mileage_km: -1 is below the minimum 0."), ("12.5", "mileage_km: 12.5 is not a whole number.")])  # fmt: skip
def test_sync_vehicles_rejects_mileage_that_is_not_a_whole_number_from_0(vehicles_feed, value, expected):
    assert rejected_with(vehicles_feed, vehicle_row(make_vin(2), mileage_km=value))[2] == expected


def test_sync_vehicles_rejects_lower_mileage_whole_row(vehicles_feed):
    sync("sync_vehicles", vehicles_feed([vehicle_row(make_vin(1), mileage_km="8400")]))
    FeedRun.objects.all().delete()
    row = vehicle_row(make_vin(1), mileage_km="8000", status="demo", color="星空灰")
    assert (
        sync("sync_vehicles", vehicles_feed([row])) == "vehicles: created=0 updated=0 unchanged=0 closed=0 rejected=1"
    )
    line, key, reason = the_rejection()
    assert (line, key) == (2, make_vin(1))
    assert reason.startswith("mileage_km: 8000 km is lower than the 8400 km on record")
    vehicle = Vehicle.objects.get()
    assert (vehicle.mileage_km, vehicle.status, vehicle.color) == (8400, "in_stock", "珍珠白")


def test_sync_vehicles_higher_mileage_updates_and_empty_mileage_leaves_it(vehicles_feed):
    sync("sync_vehicles", vehicles_feed([vehicle_row(mileage_km="8400")]))
    assert sync("sync_vehicles", vehicles_feed([vehicle_row(mileage_km="9000")])) == (
        "vehicles: created=0 updated=1 unchanged=0 closed=0 rejected=0"
    )
    assert sync("sync_vehicles", vehicles_feed([vehicle_row(mileage_km="")])) == (
        "vehicles: created=0 updated=0 unchanged=1 closed=0 rejected=0"
    )
    assert Vehicle.objects.get().mileage_km == 9000


def test_sync_vehicles_duplicate_vin_first_row_counts(vehicles_feed):
    rows = [vehicle_row(make_vin(1), color="白"), vehicle_row(make_vin(1).lower(), color="黑")]
    assert sync("sync_vehicles", vehicles_feed(rows)) == "vehicles: created=1 updated=0 unchanged=0 closed=0 rejected=1"
    assert Vehicle.objects.get().color == "白"
    assert the_rejection()[0] == 3


def test_sync_vehicles_same_file_twice_changes_nothing(vehicles_feed):
    path = vehicles_feed([vehicle_row(make_vin(1)), delivered(make_vin(2), mileage_km="100")])
    sync("sync_vehicles", path)
    assert sync("sync_vehicles", path) == "vehicles: created=0 updated=0 unchanged=2 closed=0 rejected=0"
    assert Customer.objects.count() == 1


def test_sync_vehicles_missing_required_column_exits_2(vehicles_feed):
    header = [c for c in VEHICLE_HEADER if c != "store_code"]
    assert "store_code" in sync_refused("sync_vehicles", vehicles_feed([vehicle_row()], header=header))
    assert not Vehicle.objects.exists()


def test_sync_vehicles_dry_run_creates_no_vehicle_and_no_customer(vehicles_feed):
    assert sync("sync_vehicles", vehicles_feed([delivered()]), "--dry-run") == (
        "vehicles: created=1 updated=0 unchanged=0 closed=0 rejected=0"
    )
    assert not Vehicle.objects.exists()
    assert not Customer.objects.exists()


def test_sync_vehicles_has_no_full_option(vehicles_feed):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("sync_vehicles", str(vehicles_feed([vehicle_row()])), "--full")


def test_sync_models_rejects_a_price_of_five_thousand_digits_with_the_range_message(models_feed):
    rows = [model_row("GNC-A5"), model_row("GNC-B7", price_cny="9" * 5000)]
    assert sync("sync_models", models_feed(rows)) == "models: created=1 updated=0 unchanged=0 closed=0 rejected=1"
    _line, _key, reason = the_rejection()
    assert reason.endswith("is above the maximum 2147483647.")
