"""Maintenance plans: what is due, for which vehicle, and why (CONTRACT 4, `schedule_maintenance`).

The catalogue gives each model an interval in months and in kilometres; maintenance comes due at
whichever is reached first, counted from the delivery (mileage at delivery counts as 0) or from
the last completed maintenance (its date and mileage). A completed maintenance ticket resets the
clock (aftersales.services.tickets). Several missed intervals make ONE due point: the due point
is named by the clock's start, so the same start never makes work twice.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from sales.models import CarModel, Vehicle

BY_MONTHS = "months"
BY_KM = "km"


@dataclass(frozen=True)
class Due:
    """One due point of one vehicle, and why it is due."""

    vehicle_id: int
    since: dt.date  # delivery or last completed maintenance
    since_km: int  # mileage then (0 at delivery)
    due_on: dt.date  # the date the months interval ends
    due_km: int  # the mileage the km interval ends at
    mileage_km: int
    by: tuple[str, ...]  # which interval(s) were reached

    @property
    def point(self) -> str:
        """The due point's name: unique per vehicle and clock start (Ticket.due_point)."""
        return f"{self.since:%Y-%m-%d}@{self.since_km}km"

    def why(self) -> str:
        reasons = []
        if BY_MONTHS in self.by:
            reasons.append(_("the service interval ended on %(date)s") % {"date": f"{self.due_on:%Y-%m-%d}"})
        if BY_KM in self.by:
            reasons.append(
                _("the mileage %(km)s km reached the interval's %(due)s km")
                % {"km": self.mileage_km, "due": self.due_km}
            )
        return _("Maintenance due since %(since)s (%(since_km)s km): %(reasons)s.") % {
            "since": f"{self.since:%Y-%m-%d}",
            "since_km": self.since_km,
            "reasons": "; ".join(reasons),
        }

    def as_data(self) -> dict:
        return {
            "since": self.since.isoformat(),
            "since_km": self.since_km,
            "due_on": self.due_on.isoformat(),
            "due_km": self.due_km,
            "mileage_km": self.mileage_km,
            "by": list(self.by),
        }


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def clock_start(vehicle: Vehicle) -> tuple[dt.date, int] | None:
    """(date, mileage) the maintenance clock runs from; None for a vehicle not delivered."""
    if vehicle.status != Vehicle.Status.DELIVERED or vehicle.delivered_on is None:
        return None
    if vehicle.last_service_on is not None:
        return vehicle.last_service_on, vehicle.last_service_km or 0
    return vehicle.delivered_on, 0


def next_due(vehicle: Vehicle, model: CarModel | None = None) -> tuple[dt.date, int] | None:
    """When the next maintenance comes due: (date, mileage), whichever comes first."""
    start = clock_start(vehicle)
    if start is None:
        return None
    model = model or vehicle.model
    since, since_km = start
    return add_months(since, model.service_months), since_km + model.service_km


def maintenance_due(vehicle: Vehicle, *, today: dt.date, model: CarModel | None = None) -> Due | None:
    """The vehicle's due point when maintenance is due on `today`, else None."""
    plan = next_due(vehicle, model)
    if plan is None:
        return None
    due_on, due_km = plan
    by = tuple(
        name for name, reached in ((BY_MONTHS, today >= due_on), (BY_KM, vehicle.mileage_km >= due_km)) if reached
    )
    if not by:
        return None
    since, since_km = clock_start(vehicle)
    return Due(
        vehicle_id=vehicle.pk,
        since=since,
        since_km=since_km,
        due_on=due_on,
        due_km=due_km,
        mileage_km=vehicle.mileage_km,
        by=by,
    )


def _possibly_due_filter(*, today: dt.date) -> tuple[Q, dict]:
    """A database filter over delivered vehicles that keeps every vehicle due on `today`.

    Per catalogue model: the clock started at least `service_months` ago, or the mileage since it
    reached `service_km`. `maintenance_due` then decides exactly, in Python.
    """
    started = Coalesce("last_service_on", "delivered_on")
    condition = Q(pk__in=[])
    for model_id, months, km in CarModel.objects.values_list("pk", "service_months", "service_km"):
        latest_start = _months_before(today, months)
        condition |= Q(model_id=model_id) & (Q(clock_started__lte=latest_start) | Q(km_since__gte=km))
    return condition, {"clock_started": started, "km_since": F("mileage_km") - Coalesce("last_service_km", Value(0))}


def due_vehicle_ids(*, today: dt.date) -> list[int]:
    """Ids of the delivered vehicles whose maintenance may be due, in id order."""
    condition, annotations = _possibly_due_filter(today=today)
    return list(
        Vehicle.objects.filter(status=Vehicle.Status.DELIVERED, delivered_on__isnull=False)
        .annotate(**annotations)
        .filter(condition)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _months_before(today: dt.date, months: int) -> dt.date:
    """The latest clock start whose interval of `months` has ended by `today`.

    add_months clamps to the month's end, so step back from the naive answer until it fits.
    """
    candidate = add_months(today, -months)
    # 31 Mar - 1 month clamps to 28 Feb, but 29-31 Jan + 1 month also ends on 28 Feb: widen.
    while add_months(candidate + dt.timedelta(days=1), months) <= today:
        candidate += dt.timedelta(days=1)
    return candidate
