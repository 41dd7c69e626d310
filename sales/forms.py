"""Forms: field rules and clean messages; the booking rules themselves live in services."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField, check_date_bounds
from stores.access import membership_of
from stores.forms import StoreInReachMixin, store_code_field
from stores.phones import normalise_mobile

from .access import may_enter_position_requests
from .models import CarModel, Order, TestDrive
from .selectors import PERIODS

SLOT_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S")


def parse_local_slot(value: str) -> dt.datetime:
    """`YYYY-MM-DD HH:MM` in local time, made aware."""
    text = (value or "").strip()
    for fmt in SLOT_FORMATS:
        try:
            naive = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        check_date_bounds(naive)  # before any arithmetic: year 9999 or 1 would overflow it
        return timezone.make_aware(naive, timezone.get_current_timezone())
    raise ValidationError(
        _("Write the slot as YYYY-MM-DD HH:MM in local time, for example 2026-12-01 14:00."), code="slot_format"
    )


class CatalogueCodeField(forms.ModelChoiceField):
    """A catalogue model chosen by its code, matched case-insensitively."""

    def to_python(self, value):
        return super().to_python(value.strip().upper() if isinstance(value, str) else value)

    def label_from_instance(self, obj) -> str:
        return f"{obj.code} · {obj}"


class CustomerAndModelForm(forms.Form):
    """The customer and the catalogue model: the first fields of a booking and of an order."""

    customer_name = forms.CharField(label=_("Customer's name"), max_length=100)
    customer_phone = forms.CharField(
        label=_("Customer's mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "placeholder": "13812345678"}),
    )
    model = CatalogueCodeField(
        label=_("Model"), queryset=CarModel.objects.order_by("code"), to_field_name="code", empty_label=None
    )


class TestDriveBookingForm(StoreInReachMixin, CustomerAndModelForm):
    slot = forms.CharField(
        label=_("Slot (local time, on the hour)"),
        help_text=_("YYYY-MM-DD HH:MM, for example 2026-12-01 14:00"),
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD HH:MM", "autocomplete": "off"}),
    )
    store = store_code_field(
        required=False,
        help_text=_("Or leave it empty and give the customer's position: the dispatcher picks the store."),
    )
    lat = forms.FloatField(label=_("Customer's latitude"), required=False, min_value=18, max_value=54)
    lng = forms.FloatField(label=_("Customer's longitude"), required=False, min_value=73, max_value=135)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.by_position = may_enter_position_requests(user)
        if not self.by_position:
            for name in ("store", "lat", "lng"):
                del self.fields[name]

    def clean_customer_name(self) -> str:
        name = self.cleaned_data["customer_name"].strip()
        if not name:
            raise ValidationError(_("Give the customer's name."))
        return name

    def clean_customer_phone(self) -> str:
        return normalise_mobile(self.cleaned_data["customer_phone"])

    def clean_slot(self) -> dt.datetime:
        return parse_local_slot(self.cleaned_data["slot"])

    def clean(self):
        data = super().clean()
        if not self.by_position:
            membership = membership_of(self.user)
            if membership is None or membership.store is None:
                raise ValidationError(_("Your account has no store to book at."))
            data["store"] = membership.store
            data["lat"] = data["lng"] = None
            return data
        has_store = bool(data.get("store")) or bool(self.errors.get("store"))
        has_position = data.get("lat") is not None or data.get("lng") is not None
        if has_store and has_position:
            raise ValidationError(_("Give a store or the customer's position, not both."))
        if not has_store and (data.get("lat") is None or data.get("lng") is None):
            if "lat" in self.errors or "lng" in self.errors:
                return data
            raise ValidationError(_("Give a store code, or the customer's latitude and longitude."))
        return data


class TestDriveFilterForm(StoreInReachMixin, forms.Form):
    period = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[
            ("upcoming", _("Upcoming")),
            ("today", _("Today")),
            ("week", _("This week")),
            ("past", _("Past")),
            ("all", _("All")),
        ],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *TestDrive.Status.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    store = store_code_field(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_period(self) -> str:
        period = self.cleaned_data.get("period") or "upcoming"
        return period if period in PERIODS else "upcoming"


class DayForm(forms.Form):
    """The day view's `date` (default today); a date out of bounds is reported and today shown."""

    date = BoundedDateField(required=False)

    def day(self) -> dt.date:
        return (self.cleaned_data.get("date") if self.is_valid() else None) or timezone.localdate()


class OrderFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Order number, VIN or mobile"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Order.Status.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class OrderCreateForm(StoreInReachMixin, CustomerAndModelForm):
    delivery_date = BoundedDateField(
        label=_("Planned delivery date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    store = store_code_field(
        label=_("Delivery store code"), error_messages={"required": _("Give the delivery store's code.")}
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.own_store = None
        membership = membership_of(user)
        if not may_enter_position_requests(user):
            del self.fields["store"]
            self.own_store = membership.store if membership is not None else None

    def clean_customer_phone(self) -> str:
        return normalise_mobile(self.cleaned_data["customer_phone"])

    def clean_delivery_date(self):
        value = self.cleaned_data.get("delivery_date")
        if value and value < timezone.localdate():
            raise ValidationError(_("The planned delivery date cannot be in the past."))
        return value

    def clean(self):
        data = super().clean()
        if "store" not in self.fields:
            if self.own_store is None:
                raise ValidationError(_("Your account has no store to sell at."))
            data["store"] = self.own_store
        return data
