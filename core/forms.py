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


# Primary keys are BigAutoField: PostgreSQL's bigint and SQLite's INTEGER are both signed 64 bits.
MAX_ID = 2**63 - 1


def parse_id(raw) -> int | None:
    """A primary key written in ASCII digits, 1 to MAX_ID; None for anything else."""
    text = str(raw).strip()
    if not (0 < len(text) <= len(str(MAX_ID)) and text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


class IdListField(forms.Field):
    """Several record ids (checkboxes named alike): each checked before it reaches a query.

    Whether the records exist, and are in the user's reach, is for the view's scoped queryset.
    """

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one record."),
        "invalid_id": _("%(value)s is not a valid id."),
    }

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value not in (None, "") else []
        ids = []
        for raw in values:
            parsed = parse_id(raw)
            if parsed is None:
                shown = str(raw).strip()
                shown = shown if len(shown) <= 24 else shown[:20] + "…"
                raise ValidationError(self.error_messages["invalid_id"], code="invalid_id", params={"value": shown})
            ids.append(parsed)
        return ids
