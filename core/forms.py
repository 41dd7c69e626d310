"""Form fields shared by every app: dates a person types are bounded.

A date far outside the portal's life (year 1 or 9999) is a typing slip or a probe; left through,
it overflows date arithmetic (the next day of 9999-12-31, local midnight of 0001-01-01 in UTC) and
the page answers 500. Every form date a user types goes through `check_date_bounds`: the field
gets a clear error and the page still renders.
"""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST_DATE = dt.date(2000, 1, 1)
YEARS_AHEAD = 5


def latest_date(today: dt.date | None = None) -> dt.date:
    """The last date a person may type: today (local) plus YEARS_AHEAD years (29 Feb: the 28th)."""
    today = today or timezone.localdate()
    return today.replace(year=today.year + YEARS_AHEAD, day=min(today.day, 28) if today.month == 2 else today.day)


def check_date_bounds(value: dt.date | dt.datetime | None) -> None:
    """Raise ValidationError unless the (local) date lies between EARLIEST_DATE and latest_date()."""
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value  # forms give local times
    last = latest_date()
    if not EARLIEST_DATE <= day <= last:
        raise ValidationError(
            _("Give a date between %(first)s and %(last)s."),
            code="date_out_of_range",
            params={"first": EARLIEST_DATE.isoformat(), "last": last.isoformat()},
        )


class BoundedDateField(forms.DateField):
    default_validators = [check_date_bounds]


class BoundedDateTimeField(forms.DateTimeField):
    """Bounded by its local calendar date (the value is aware, in the current time zone)."""

    default_validators = [check_date_bounds]


class BoundedDatesAdminMixin:
    """For a ModelAdmin whose forms take typed dates: the same bounds as every portal form."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(field, forms.DateField | forms.DateTimeField | forms.SplitDateTimeField):
            field.validators.append(check_date_bounds)
        return field
