"""The store network's nightly feeds: stores (CONTRACT 3.1) and, below, the staff roster (3.2)."""

from collections.abc import Collection

from django.utils import timezone
from django.utils.translation import gettext as _

from core.feeds import values as v
from core.feeds.base import Applied, Feed
from core.feeds.parsing import Cells, Column, RowError
from core.feeds.registry import register
from core.feeds.upsert import IN_CHUNK, upsert

from .models import Capability, Store, join_capabilities
from .phones import normalise_phone
from .provinces import normalise_province

STORE_CODE = v.code(r"[A-Z0-9-]+", 3, 20)
STORE_FIELDS = (
    "code", "kind", "name", "province", "city", "district", "address", "lat", "lng", "phone",
    "capabilities", "bays", "demo_cars", "opens_minute", "closes_minute", "status",
)  # fmt: skip


def province(raw: str) -> str:
    full = normalise_province(raw)
    if full is None:
        raise RowError(
            _("%(value)s is not one of mainland China's 31 provincial-level divisions (e.g. 广东省 or 广东).")
            % {"value": raw}
        )
    return full


def coordinate(low: int, high: int, hemisphere: str) -> v.Reader:
    as_decimal = v.decimal()

    def read(raw: str) -> float:
        value = float(as_decimal(raw))
        if not low <= value <= high:
            raise RowError(
                _("%(value)s is outside %(low)d–%(high)d %(hemisphere)s (mainland China, GCJ-02 degrees).")
                % {"value": raw, "low": low, "high": high, "hemisphere": hemisphere}
            )
        return value

    return read


def capabilities(raw: str) -> str:
    wanted = [part.strip().lower() for part in raw.split("|") if part.strip()]
    unknown = [part for part in wanted if part not in Capability.values]
    if unknown:
        raise RowError(
            _("unknown %(unknown)s; each must be one of %(allowed)s.")
            % {"unknown": ", ".join(unknown), "allowed": ", ".join(Capability.values)}
        )
    return join_capabilities(wanted)


@register
class StoreFeed(Feed):
    name = "stores"
    file_glob = "stores*.csv"
    key_column = "code"
    supports_full = True
    columns = (
        Column("code", True), Column("kind", True), Column("name", True), Column("province", True),
        Column("city", True), Column("district"), Column("address", True), Column("lat", True),
        Column("lng", True), Column("phone", True), Column("capabilities"), Column("bays", True),
        Column("demo_cars"), Column("opens", True), Column("closes", True), Column("status", True),
    )  # fmt: skip

    def parse_row(self, cells: Cells) -> dict:
        row = v.RowReader(cells)
        row.take("code", STORE_CODE)
        row.take("kind", v.choice(Store.Kind.values))
        row.take("name", v.text(100))
        row.take("province", province)
        row.take("city", v.text(50))
        row.take("district", v.text(50), default="")
        row.take("address", v.text(200))
        row.take("lat", coordinate(18, 54, "N"))
        row.take("lng", coordinate(73, 135, "E"))
        row.take("phone", v.validated(normalise_phone))
        row.take("capabilities", capabilities, default="")
        row.take("bays", v.integer(0, 50))
        row.take("demo_cars", v.integer(0, 20), default=0)
        opens = row.take("opens", v.hhmm, field="opens_minute")
        closes = row.take("closes", v.hhmm, field="closes_minute")
        if opens is not None and closes is not None and opens >= closes:
            row.error(
                "opens",
                _("%(opens)s is not before closes %(closes)s.") % {"opens": cells["opens"], "closes": cells["closes"]},
            )
        row.take("status", v.choice(Store.Status.values))
        return row.done()

    def apply(self, rows) -> Applied:
        return upsert(Store, key_field="code", rows=rows, fields=STORE_FIELDS)

    def guard_base(self) -> int:
        return Store.objects.filter(status=Store.Status.ACTIVE).count()

    def missing(self, keep: Collection[str]) -> list[int]:
        open_stores = Store.objects.exclude(status=Store.Status.CLOSED).values_list("pk", "code")
        return [pk for pk, code in open_stores.iterator(chunk_size=5000) if code not in keep]

    def close(self, pks: list[int]) -> int:
        now = timezone.now()
        closed = 0
        for start in range(0, len(pks), IN_CHUNK):
            closed += Store.objects.filter(pk__in=pks[start : start + IN_CHUNK]).update(
                status=Store.Status.CLOSED, updated_at=now
            )
        return closed
