"""Maintenance plans: what is due, for which vehicle, and why (CONTRACT 4, schedule_maintenance).

The catalogue gives each model a service interval in months and in kilometres; whichever comes
first makes the next maintenance due, counted from delivery (mileage at delivery counts as 0)
or from the last completed maintenance. Several missed intervals make ONE due maintenance: the
due point names the interval's start, so the same start never makes work twice.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from sales.models import Vehicle


@dataclass(frozen=True)
class MaintenanceDue:
    vehicle_id: int
    since_on: dt.date
    since_km: int
    due_on: dt.date
    due_km: int
    is_due: bool
    by_date: bool
    by_km: bool

    @property
    def due_point(self) -> str:
        """Identifies the interval this maintenance answers (unique per vehicle)."""
        return f"since:{self.since_on.isoformat()}:{self.since_km}"

    @property
    def reason(self) -> str:
        if self.by_date and self.by_km:
            return _("Due by date (%(date)s) and by mileage (%(km)d km).") % {"date": self.due_on, "km": self.due_km}
        if self.by_date:
            return _("Due by date: %(date)s.") % {"date": self.due_on}
        if self.by_km:
            return _("Due by mileage: %(km)d km.") % {"km": self.due_km}
        return _("Next due on %(date)s or at %(km)d km, whichever comes first.") % {
            "date": self.due_on,
            "km": self.due_km,
        }


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def maintenance_due(vehicle: Vehicle, today: dt.date) -> MaintenanceDue | None:
    """The vehicle's next maintenance (due or not yet); None for a vehicle not delivered."""
    if vehicle.status != Vehicle.Status.DELIVERED or vehicle.delivered_on is None:
        return None
    if vehicle.last_service_on is not None:
        since_on, since_km = vehicle.last_service_on, vehicle.last_service_km or 0
    else:
        since_on, since_km = vehicle.delivered_on, 0
    model = vehicle.model
    due_on = add_months(since_on, model.service_months)
    due_km = since_km + model.service_km
    by_date = today >= due_on
    by_km = vehicle.mileage_km >= due_km
    return MaintenanceDue(
        vehicle_id=vehicle.pk,
        since_on=since_on,
        since_km=since_km,
        due_on=due_on,
        due_km=due_km,
        is_due=by_date or by_km,
        by_date=by_date,
        by_km=by_km,
    )
