"""Forms of the store pages (the nearest-store search, CONTRACT 5) and the one store-code field
that every form taking a store code uses."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .access import stores_visible_to
from .models import Capability, Store

STORE_OUT_OF_REACH = _("No store with code %(code)s is in your reach.")

DEFAULT_LIMIT = 10
MAX_LIMIT = 50


class NearestForm(forms.Form):
    # FloatField already refuses NaN and infinities; any point on Earth is a valid place to search from.
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    capability = forms.ChoiceField(
        label=_("Capability"), required=False, choices=[("", _("Any capability")), *Capability.choices]
    )
    # A plain char field: "not a number" and "below 1" get our own messages; above 50 is capped.
    limit = forms.CharField(label=_("How many"), required=False, initial=DEFAULT_LIMIT)

    def clean_limit(self) -> int:
        raw = (self.cleaned_data.get("limit") or "").strip()
        if not raw:
            return DEFAULT_LIMIT
        try:
            limit = int(raw)
        except ValueError:
            raise forms.ValidationError(_("The limit must be a whole number.")) from None
        if limit < 1:
            raise forms.ValidationError(_("The limit must be at least 1."))
        return min(limit, MAX_LIMIT)


def store_in_reach(user, code: str | None) -> Store | None:
    """The store of `code` (trimmed, any case) if `user` may see it; None for no code at all.

    A store outside the user's reach is refused exactly as an unknown code: the message tells
    nothing about stores elsewhere.
    """
    code = (code or "").strip().upper()
    if not code:
        return None
    store = stores_visible_to(user).filter(code=code).first()
    if store is None:
        raise ValidationError(STORE_OUT_OF_REACH, code="store_out_of_reach", params={"code": code})
    return store


def store_code_field(*, label=None, required: bool = True, **kwargs) -> forms.CharField:
    """A store typed by its code (CONTRACT 5: `store`); cleaned by StoreInReachMixin."""
    return forms.CharField(label=label or _("Store code"), required=required, max_length=20, **kwargs)


class StoreInReachMixin:
    """For forms with `self.user` and a `store` field: the code becomes a Store in the user's reach."""

    def clean_store(self) -> Store | None:
        return store_in_reach(self.user, self.cleaned_data.get("store"))
