"""Forms of the store pages: the nearest-store search (CONTRACT 5)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Capability

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
