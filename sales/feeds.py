"""The sales feeds: the carmaker's catalogue (CONTRACT 3.4) and vehicles by VIN (3.3)."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.feeds import values as v
from core.feeds.base import Applied, Feed
from core.feeds.parsing import Cells, Column, Rejection, Row, RowError
from core.feeds.registry import register
from core.feeds.upsert import changed_fields, existing_by, upsert, write
from stores.models import Store
from stores.phones import normalise_mobile

from .models import CarModel, Customer, Vehicle, placeholder_name
from .vin import normalise_vin

MODEL_CODE = v.code(r"[A-Z0-9-]+", 2, 30)
STORE_CODE = v.code(r"[A-Z0-9-]+", 3, 20)
MODEL_FIELDS = (
    "code", "name", "trim", "price_cny", "battery_kwh", "range_km", "swappable", "service_months", "service_km",
)  # fmt: skip
VEHICLE_FIELDS = ("model_id", "color", "status", "store_id", "owner_id", "delivered_on", "mileage_km")
WATT_HOUR = Decimal("0.001")
# Readers are built once: building them (and Django's choices lists) per row costs more than reading.
NAME = v.text(100)
POSITIVE = v.integer(1)
MORE_THAN_ZERO = v.decimal(0, exclusive_low=True)
SERVICE_MONTHS = v.integer(1, 36)
SERVICE_KM = v.integer(1000, 50000)
VIN = v.validated(normalise_vin)
COLOR = v.text(30)
VEHICLE_STATUS = v.choice(Vehicle.Status.values)
MOBILE = v.validated(normalise_mobile)
MILEAGE = v.integer(0)


def battery_kwh(raw: str) -> Decimal:
    """Any decimal above 0, kept to the watt-hour (3 places): finer is below any battery's tolerance."""
    value = MORE_THAN_ZERO(raw)
    # The size before and after rounding: quantizing a number of more than 28 digits raises
    # InvalidOperation, and 99999.9996 rounds up to a number the column cannot hold.
    kept = value.quantize(WATT_HOUR, rounding=ROUND_HALF_UP) if value < 100_000 else value
    if kept >= 100_000:
        raise RowError(_("%(value)s: a car's battery is under 100,000 kWh.") % {"value": raw})
    if kept <= 0:
        raise RowError(_("%(value)s: must be at least 0.001 kWh.") % {"value": raw})
    return kept


@register
class CatalogueFeed(Feed):
    name = "models"
    label = gettext_lazy("Catalogue")
    order = 10
    file_glob = "models*.csv"
    key_column = "code"
    columns = tuple(
        Column(name, True)
        for name in (
            "code", "name", "trim", "price_cny", "battery_kwh", "range_km", "swappable", "service_months", "service_km",
        )
    )  # fmt: skip

    def parse_row(self, cells: Cells) -> dict:
        row = v.RowReader(cells)
        row.take("code", MODEL_CODE)
        row.take("name", NAME)
        row.take("trim", NAME, default="")
        row.take("price_cny", POSITIVE)
        row.take("battery_kwh", battery_kwh)
        row.take("range_km", POSITIVE)
        row.take("swappable", v.flag)
        row.take("service_months", SERVICE_MONTHS)
        row.take("service_km", SERVICE_KM)
        return row.done()

    def apply(self, rows: list[Row]) -> Applied:
        # A model missing from the file stays: vehicles refer to it.
        return upsert(CarModel, key_field="code", rows=rows, fields=MODEL_FIELDS)


@register
class VehicleFeed(Feed):
    name = "vehicles"
    label = gettext_lazy("Vehicles")
    order = 40
    file_glob = "vehicles*.csv"
    key_column = "vin"
    columns = (
        Column("vin", True), Column("model_code", True), Column("color"), Column("status", True),
        Column("store_code", True), Column("delivered_on"), Column("owner_phone"), Column("mileage_km"),
    )  # fmt: skip

    def parse_row(self, cells: Cells) -> dict:
        row = v.RowReader(cells)
        row.take("vin", VIN)
        row.take("model_code", MODEL_CODE)
        row.take("color", COLOR, default="")
        row.take("status", VEHICLE_STATUS)
        row.take("store_code", STORE_CODE)
        # Empty cells and absent columns leave what the portal knows (an owner, a delivery date, a
        # reading) alone; whether a delivered car then has them is decided against the stored record.
        row.take("delivered_on", v.iso_date, default=v.LEAVE)
        row.take("owner_phone", MOBILE, default=v.LEAVE)
        row.take("mileage_km", MILEAGE, default=v.LEAVE)
        return row.done()

    def apply(self, rows: list[Row]) -> Applied:
        applied = Applied()
        vehicles = existing_by(Vehicle, "vin", (row.key for row in rows), VEHICLE_FIELDS)
        model_ids = _ids(CarModel, {row.values["model_code"] for row in rows})
        store_ids = _ids(Store, {row.values["store_code"] for row in rows})
        accepted: list[tuple[Row, dict, dict | None]] = []
        for row in rows:
            current = vehicles.get(row.key)
            try:
                accepted.append((row, self._wanted(row, current, model_ids, store_ids), current))
            except RowError as exc:
                applied.rejections.append(Rejection(row.line, row.key, str(exc)))

        owner_ids = _owners({row.values["owner_phone"] for row, _w, _c in accepted if row.values.get("owner_phone")})
        create: list[Vehicle] = []
        update: list[Vehicle] = []
        touched: set[str] = set()
        for row, wanted, current in accepted:
            if "owner_phone" in row.values:
                wanted["owner_id"] = owner_ids[row.values["owner_phone"]]
            if current is None:
                create.append(Vehicle(vin=row.key, **wanted))
                applied.created += 1
                continue
            changed = changed_fields(current, wanted)
            if not changed:
                applied.unchanged += 1
                continue
            obj = Vehicle(vin=current["vin"], **{name: current[name] for name in ("pk", *VEHICLE_FIELDS)})
            for name in changed:
                setattr(obj, name, wanted[name])
            update.append(obj)
            touched.update(changed)
            applied.updated += 1
        write(Vehicle, create=create, update=update, fields=touched)
        return applied

    def _wanted(self, row: Row, current: dict | None, model_ids: dict, store_ids: dict) -> dict:
        values = row.values
        errors = []
        model_id = model_ids.get(values["model_code"])
        if model_id is None:
            errors.append(
                _("model_code: there is no model %(code)s in the catalogue.") % {"code": values["model_code"]}
            )
        store_id = store_ids.get(values["store_code"])
        if store_id is None:
            errors.append(_("store_code: there is no store %(code)s.") % {"code": values["store_code"]})
        mileage = values.get("mileage_km")
        if current is not None and mileage is not None and mileage < current["mileage_km"]:
            errors.append(
                _(
                    "mileage_km: %(new)d km is lower than the %(old)d km on record, and mileage never "
                    "decreases; HQ corrects a wrong reading in the admin."
                )
                % {"new": mileage, "old": current["mileage_km"]}
            )
        if values["status"] == Vehicle.Status.DELIVERED:
            # Required when delivered: in the row, or already on record for this car.
            if values.get("delivered_on") is None and (current is None or current["delivered_on"] is None):
                errors.append(_("delivered_on: required when the status is delivered."))
            if values.get("owner_phone") is None and (current is None or current["owner_id"] is None):
                errors.append(_("owner_phone: required when the status is delivered."))
        if errors:
            raise RowError("; ".join(errors))
        wanted = {"model_id": model_id, "status": values["status"], "store_id": store_id}
        wanted.update({name: values[name] for name in ("color", "delivered_on", "mileage_km") if name in values})
        return wanted


def _ids(model, codes: set[str]) -> dict[str, int]:
    return {values["code"]: values["pk"] for values in existing_by(model, "code", codes, ()).values()}


def _owners(phones: set[str]) -> dict[str, int]:
    """Customer ids by mobile number; a number not yet known becomes a new customer."""
    found = {phone: values["pk"] for phone, values in existing_by(Customer, "phone", phones, ()).items()}
    new = phones - found.keys()
    if new:
        # The sales app's convention: a customer known only by number carries a placeholder name
        # until someone records the real name (sales.services.customers fills it in).
        Customer.objects.bulk_create(
            [Customer(phone=phone, name=placeholder_name(phone)) for phone in sorted(new)], batch_size=1000
        )
        found.update({phone: values["pk"] for phone, values in existing_by(Customer, "phone", new, ()).items()})
    return found
