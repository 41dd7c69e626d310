"""Recall campaigns: the affected vehicles, and one recall ticket each, exactly once.

A vehicle is affected when it is of the campaign's model, delivered, and named by the campaign's
VIN list or lies in its VIN range. Its ticket goes to the store that last served it when that
store is active, else to the active service store nearest its delivering store; when no store
is left at all, the ticket waits, store-less, in the province's unassigned queue ("not reachable").
Launching again creates only what is missing: the DB constraint (campaign, vehicle) backs that
even for two launches at the same moment.
"""

import csv
import io
from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from aftersales.models import Kind, Priority, RecallCampaign, Ticket, vin_range_key
from aftersales.services.tickets import ticket_create
from sales.models import CarModel, Vehicle
from sales.vin import normalise_vin
from stores.geo import nearest
from stores.models import Store
from stores.policy import require

BATCH = 1000


def campaign_vins(campaign: RecallCampaign) -> list[str]:
    """The VINs named by the uploaded CSV: the `vin` column, else the first column; bad VINs skipped."""
    if not campaign.vin_list:
        return []
    with campaign.vin_list.open("rb") as handle:
        text = handle.read().decode("utf-8-sig", errors="replace")
    return sorted(set(_vins_from_csv(text)))


def _vins_from_csv(text: str) -> Iterator[str]:
    reader = csv.reader(io.StringIO(text))
    column = 0
    for index, row in enumerate(reader):
        if not row:
            continue
        if index == 0:
            names = [c.strip().lower() for c in row]
            if "vin" in names:
                column = names.index("vin")
                continue
        if column < len(row):
            try:
                yield normalise_vin(row[column])
            except ValidationError:
                continue


def affected_vehicles(campaign: RecallCampaign) -> QuerySet[Vehicle]:
    qs = Vehicle.objects.filter(model_id=campaign.model_id, status=Vehicle.Status.DELIVERED)
    if campaign.vin_list:
        return qs.filter(vin__in=campaign_vins(campaign))
    # A production range: compared without the check digit (position 9), which is not ordered.
    key = Concat(Substr("vin", 1, 8), Substr("vin", 10, 8))
    return qs.annotate(range_key=key).filter(
        range_key__gte=vin_range_key(campaign.vin_from), range_key__lte=vin_range_key(campaign.vin_to)
    )


class _StorePicker:
    """Where each vehicle's recall work goes; nearest searches cached per delivering store."""

    def __init__(self):
        self.service_stores = Store.objects.active().filter(kind=Store.Kind.SERVICE)
        self._nearest: dict[int, Store | None] = {}
        self._stores: dict[int, Store] = {}

    def _store(self, pk: int) -> Store:
        if pk not in self._stores:
            self._stores[pk] = Store.objects.get(pk=pk)
        return self._stores[pk]

    def pick(self, vehicle: Vehicle) -> Store | None:
        if vehicle.last_service_store_id:
            last = self._store(vehicle.last_service_store_id)
            if last.status == Store.Status.ACTIVE:
                return last
        if vehicle.store_id not in self._nearest:
            home = self._store(vehicle.store_id)
            found = nearest(self.service_stores, home.lat, home.lng, limit=1)
            self._nearest[vehicle.store_id] = self._store(found[0][0]) if found else None
        return self._nearest[vehicle.store_id]


@transaction.atomic
def recall_campaign_create(
    *,
    code: str,
    title: str,
    model: CarModel,
    description: str = "",
    vin_list: File | None = None,
    vin_from: str = "",
    vin_to: str = "",
) -> RecallCampaign:
    """A draft campaign, checked by the model's rules (the admin applies the same) before saving."""
    campaign = RecallCampaign(
        code=code, title=title, description=description, model=model,
        vin_list=vin_list or "", vin_from=vin_from, vin_to=vin_to,
    )  # fmt: skip
    campaign.full_clean()
    campaign.save()
    return campaign


def recall_launch(*, campaign: RecallCampaign, actor) -> dict[str, int]:
    """Open the campaign's missing recall tickets. Returns counts: affected, created, unreachable."""
    require(actor, "recall.launch", campaign)
    with transaction.atomic():
        locked = RecallCampaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status == RecallCampaign.Status.DRAFT:
            locked.status = RecallCampaign.Status.LAUNCHED
            locked.launched_at = timezone.now()
            locked.save(update_fields=["status", "launched_at", "updated_at"])
    campaign.refresh_from_db()
    picker = _StorePicker()
    counts = {"affected": 0, "created": 0, "unreachable": 0}
    already = Ticket.objects.filter(campaign=campaign).values("vehicle_id")
    vehicles = (
        affected_vehicles(campaign)
        .exclude(pk__in=already)
        .select_related("store")
        .only("id", "vin", "store_id", "store__province", "owner_id", "last_service_store_id")
        .order_by("id")
    )
    counts["affected"] = affected_vehicles(campaign).count()
    for vehicle in _chunked(vehicles):
        store = picker.pick(vehicle)
        try:
            with transaction.atomic():
                ticket_create(
                    vehicle=vehicle,
                    kind=Kind.RECALL,
                    priority=Priority.P3,
                    summary=f"{campaign.code} {campaign.title}"[:200],
                    description=campaign.description,
                    store=store,
                    province=vehicle.store.province,
                    created_by=actor,
                    source=Ticket.Source.RECALL,
                    campaign=campaign,
                )
        except IntegrityError:
            continue  # another launch created it a moment ago
        counts["created"] += 1
        if store is None:
            counts["unreachable"] += 1
    return counts


def _chunked(queryset: QuerySet[Vehicle]) -> Iterable[Vehicle]:
    """The vehicles in batches by key: no cursor stays open while tickets are written."""
    keys = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(keys), BATCH):
        yield from queryset.filter(pk__in=keys[start : start + BATCH])


def recall_progress(campaign: RecallCampaign) -> tuple[list[dict], dict]:
    """Per province: opened (still open), done (resolved or closed), not reachable (no store or
    cancelled), total. Returns (rows by province, totals)."""
    from django.db.models import Count, Q

    rows = (
        Ticket.objects.filter(campaign=campaign)
        .values("province")
        .annotate(
            total=Count("id"),
            opened=Count("id", filter=Q(status__in=Ticket.OPEN_STATUSES, store__isnull=False)),
            done=Count("id", filter=Q(status__in=[Ticket.Status.RESOLVED, Ticket.Status.CLOSED])),
            unreachable=Count(
                "id",
                filter=Q(status=Ticket.Status.CANCELLED) | Q(store__isnull=True, status__in=Ticket.OPEN_STATUSES),
            ),
        )
        .order_by("province")
    )
    rows = list(rows)
    totals = {key: sum(r[key] for r in rows) for key in ("total", "opened", "done", "unreachable")}
    return rows, totals
