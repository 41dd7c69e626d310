"""Forms of the after-sales pages: field rules and clean messages; domain rules stay in services."""

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.models import Kind, Priority, RecallCampaign, Ticket
from aftersales.services import sla
from sales.access import vehicle_for_new_work
from sales.models import CarModel
from sales.vin import normalise_vin
from stores.forms import StoreInReachMixin, store_code_field
from stores.phones import normalise_mobile

SORTS = {
    "due": ("due_at", "id"),
    "-due": ("-due_at", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
}
SORT_CHOICES = [
    ("due", _("SLA due, soonest first")),
    ("-due", _("SLA due, latest first")),
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
]


def _blank(choices) -> list:
    return [("", _("Any"))] + list(choices)


class TicketFilterForm(forms.Form):
    """The queue's filters (GET). Invalid values are ignored rather than failing the page.

    Without a status the queue is the open work (a queue sorted by SLA due has no use for
    tickets finished long ago); a search looks through every status. `status=all` shows all.
    """

    q = forms.CharField(label=_("Ticket number, VIN or mobile"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("Open (any open status)")), ("all", _("Any status"))] + list(Ticket.Status.choices),
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_blank(Kind.choices))
    priority = forms.ChoiceField(label=_("Priority"), required=False, choices=_blank(Priority.choices))
    sla = forms.ChoiceField(label=_("SLA state (open tickets)"), required=False, choices=_blank(sla.STATES))
    assignee = forms.CharField(
        label=_("Assignee"), required=False, max_length=150, help_text=_("A username, “me” or “none”.")
    )
    store = forms.CharField(label=_("Store code"), required=False, max_length=20)
    created_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(label=_("Created to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    due_from = forms.DateField(label=_("Due from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    due_to = forms.DateField(label=_("Due to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, show_store: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_store:
            del self.fields["store"]
        # Rendered by hand in the queue (plain Bootstrap markup: cheaper than crispy per field).
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    @classmethod
    def from_query(cls, query, **kwargs) -> "TicketFilterForm":
        data = query.copy()
        if "status" not in data:
            data["status"] = "all" if data.get("q", "").strip() else "open"
        return cls(data, **kwargs)

    def filters(self) -> dict:
        """The valid filters as a plain dict; invalid fields are dropped."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of a local calendar day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class TicketCreateForm(StoreInReachMixin, forms.Form):
    """CONTRACT 5: fields vin, owner_phone, kind, priority, summary, description (+ store for HQ,
    regional). Once valid, cleaned_data["vin"] is the Vehicle the user may ticket."""

    # One refusal for an unknown VIN and for a car elsewhere without its owner's number: the form
    # tells nothing about cars outside the user's reach (sales.access.vehicle_for_new_work).
    NOT_IN_REACH = _(
        "No vehicle with this VIN is in your reach. For a car from another store, give its owner's "
        "mobile number as recorded."
    )

    vin = forms.CharField(label=_("VIN"), max_length=40)
    owner_phone = forms.CharField(
        label=_("Owner's mobile number"),
        max_length=20,
        required=False,
        help_text=_("Only for a car from another store: its owner's mobile number as recorded."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.P3)
    summary = forms.CharField(label=_("Summary"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    store = store_code_field(help_text=_("The store that takes the ticket."))

    def __init__(self, *args, user, own_store=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.own_store = own_store
        if own_store is not None:
            del self.fields["store"]

    def clean_vin(self) -> str:
        return normalise_vin(self.cleaned_data["vin"])

    def clean_owner_phone(self) -> str:
        value = self.cleaned_data["owner_phone"].strip()
        return normalise_mobile(value) if value else ""

    def clean(self):
        cleaned = super().clean()
        vin = cleaned.get("vin")
        if isinstance(vin, str) and "owner_phone" not in self.errors:
            vehicle = vehicle_for_new_work(self.user, vin=vin, owner_phone=cleaned.get("owner_phone", ""))
            if vehicle is None:
                self.add_error("vin", ValidationError(self.NOT_IN_REACH, code="not_in_reach"))
            else:
                cleaned["vin"] = vehicle
        return cleaned

    def target_store(self):
        return self.own_store if self.own_store is not None else self.cleaned_data.get("store")


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=Ticket.Status.choices)
    message = forms.CharField(required=False, max_length=1000)


class CommentForm(forms.Form):
    message = forms.CharField(label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Photo or PDF"),
        help_text=_("JPEG, PNG, WebP or PDF, at most %(mb)d MB.") % {"mb": settings.ATTACHMENT_MAX_BYTES // 2**20},
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )


class AssignForm(forms.Form):
    assignee = forms.CharField(label=_("Assignee (username)"), max_length=150, required=False)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class PayerForm(forms.Form):
    payer = forms.ChoiceField(label=_("Paying party"), choices=Ticket.Payer.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ComponentForm(forms.Form):
    component = forms.ChoiceField(label=_("Component"), choices=Ticket.Component.choices, required=False)


class BulkForm(forms.Form):
    """Bulk actions on the queue: tickets by id, and one action."""

    ACTIONS = [("assign", _("Assign to")), ("status", _("Change status to"))]
    MAX_TICKETS = 200

    ids = forms.TypedMultipleChoiceField(coerce=int, choices=())
    action = forms.ChoiceField(choices=ACTIONS)
    assignee = forms.CharField(required=False, max_length=150)
    to_status = forms.ChoiceField(required=False, choices=_blank(Ticket.Status.choices))

    def clean_ids(self) -> list[int]:
        ids = sorted(set(self.cleaned_data["ids"]))
        if len(ids) > self.MAX_TICKETS:
            raise ValidationError(_("Select at most %(max)d tickets at once."), params={"max": self.MAX_TICKETS})
        return ids

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        # Any integer is acceptable here; reach is checked against the user's scope in the view.
        raw = data.getlist("ids") if data is not None and hasattr(data, "getlist") else []
        self.fields["ids"].choices = [(v, v) for v in raw if str(v).isdigit()]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "status" and not cleaned.get("to_status"):
            self.add_error("to_status", _("Choose the new status."))
        return cleaned


class RecallCampaignForm(forms.ModelForm):
    class Meta:
        model = RecallCampaign
        fields = ["code", "title", "description", "model", "vin_list", "vin_from", "vin_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].queryset = CarModel.objects.order_by("code")


class StoreSlotForm(StoreInReachMixin, forms.Form):
    """Book unassigned work by hand: a store (by code, within the user's reach) and an hour slot."""

    store = store_code_field()
    slot = forms.DateTimeField(
        label=_("Slot"),
        input_formats=["%Y-%m-%d %H:%M"],
        help_text=_("YYYY-MM-DD HH:MM, local time, on the hour"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
