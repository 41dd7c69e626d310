"""Admin for HQ: stores, memberships (also inline on users), read-only hourly capacity.

Every queryset goes through stores.access (HQ sees all); no form or filter lists every store or
user: foreign keys use autocomplete, backed by the search fields of the Store and User admins.
"""

import re

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin_shapes import ReadOnlyAdmin
from core.paginators import EstimatedCountPaginator

from .access import scope_by_store, stores_visible_to
from .hq_admin import SUPERUSER_ONLY_FIELDS, users_manageable_by
from .models import Capability, Membership, Role, SlotLoad, Store, join_capabilities, minutes_to_hhmm
from .phones import normalise_phone
from .provinces import Province

User = get_user_model()
HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
CODE = re.compile(r"^[A-Z0-9-]{3,20}$")


def parse_hhmm(value: str) -> int:
    """`HH:MM` (00:00 to 24:00) as minutes after midnight."""
    match = HHMM.match((value or "").strip())
    minutes = int(match.group(1)) * 60 + int(match.group(2)) if match else -1
    if not 0 <= minutes <= 24 * 60:
        raise ValidationError(_("Enter a time as HH:MM, from 00:00 to 24:00."), code="invalid")
    return minutes


class StoreAdminForm(forms.ModelForm):
    capabilities = forms.MultipleChoiceField(
        label=_("capabilities"), choices=Capability.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    opens = forms.CharField(label=_("opens"), max_length=5, help_text=_("HH:MM, local time"))
    closes = forms.CharField(label=_("closes"), max_length=5, help_text=_("HH:MM; 24:00 for midnight"))

    class Meta:
        model = Store
        fields = [
            "code", "kind", "name", "status", "province", "city", "district", "address", "lat", "lng", "phone",
            "capabilities", "bays", "demo_cars",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        store = self.instance
        self.initial["capabilities"] = store.capability_list
        self.initial["opens"] = minutes_to_hhmm(store.opens_minute)
        self.initial["closes"] = minutes_to_hhmm(store.closes_minute)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        if not CODE.match(code):
            raise ValidationError(_("A store code is 3 to 20 of A-Z, 0-9 and -."), code="invalid")
        return code

    def clean_capabilities(self) -> str:
        return join_capabilities(self.cleaned_data["capabilities"])

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])

    def clean_opens(self) -> int:
        return parse_hhmm(self.cleaned_data["opens"])

    def clean_closes(self) -> int:
        return parse_hhmm(self.cleaned_data["closes"])

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens"), cleaned.get("closes")
        if opens is not None and closes is not None and opens >= closes:
            self.add_error("closes", _("The store must open before it closes."))
        return cleaned

    def _post_clean(self):
        # The minute fields are not on the form: set them before the model's own validation.
        if self.cleaned_data.get("opens") is not None:
            self.instance.opens_minute = self.cleaned_data["opens"]
        if self.cleaned_data.get("closes") is not None:
            self.instance.closes_minute = self.cleaned_data["closes"]
        super()._post_clean()


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    form = StoreAdminForm
    list_display = ["code", "name", "kind", "province", "city", "status", "bays", "demo_cars", "hours"]
    list_filter = ["province", "kind", "status"]
    search_fields = ["^code", "name", "^city"]
    list_select_related = True  # nothing to join today; keeps the changelist at one query if a FK arrives
    list_per_page = 50
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    ordering = ["code"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["code", "kind", "name", "status"]}),
        (_("Address"), {"fields": ["province", "city", "district", "address", "lat", "lng", "phone"]}),
        (_("Service"), {"fields": ["capabilities", "bays", "demo_cars", "opens", "closes"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("hours"))
    def hours(self, store: Store) -> str:
        return f"{store.opens}–{store.closes}"

    def get_queryset(self, request):
        ordering = self.get_ordering(request)
        return stores_visible_to(request.user).order_by(*ordering)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Stores are closed, never deleted: their tickets and history stay (CONTRACT 3.1).
        return False


class MembershipForm(forms.ModelForm):
    provinces = forms.MultipleChoiceField(
        label=_("provinces"),
        choices=Province.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("For regional managers."),
    )

    class Meta:
        model = Membership
        fields = ["user", "role", "store", "phone", "provinces"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["provinces"] = self.instance.provinces_list

    def clean_provinces(self) -> str:
        wanted = set(self.cleaned_data["provinces"])
        return "|".join(p for p in Province.values if p in wanted)

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        return normalise_phone(phone) if phone else ""

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role in (Role.STAFF, Role.MANAGER) and not cleaned.get("store"):
            self.add_error("store", _("Store staff and managers need a store."))
        if role == Role.REGIONAL and not cleaned.get("provinces"):
            self.add_error("provinces", _("A regional manager needs at least one province."))
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "role", "store", "phone", "provinces"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "store__code", "store__name"]
    autocomplete_fields = ["user", "store"]
    list_select_related = ["user", "store"]
    list_per_page = 50

    def get_queryset(self, request):
        memberships = scope_by_store(super().get_queryset(request), request.user)
        return users_manageable_by(request.user, memberships, user_field="user")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = users_manageable_by(request.user, User.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipInline(admin.StackedInline):
    model = Membership
    form = MembershipForm
    fields = ["role", "store", "phone", "provinces"]
    autocomplete_fields = ["store"]
    can_delete = True
    extra = 0
    max_num = 1


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "email", "first_name", "last_name", "role", "store", "is_active", "is_superuser"]
    list_filter = ["membership__role", "is_active", "is_superuser"]
    list_select_related = ["membership", "membership__store"]
    search_fields = ["username", "first_name", "last_name", "email"]

    def get_queryset(self, request):
        return users_manageable_by(request.user, super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if request.user.is_superuser else (*readonly, *SUPERUSER_ONLY_FIELDS)

    @admin.display(description=_("role"), ordering="membership__role")
    def role(self, user) -> str:
        membership = getattr(user, "membership", None)
        return membership.get_role_display() if membership else "—"

    @admin.display(description=_("store"))
    def store(self, user) -> str:
        membership = getattr(user, "membership", None)
        return membership.store.code if membership and membership.store else "—"


@admin.register(SlotLoad)
class SlotLoadAdmin(ReadOnlyAdmin):
    """Read-only: capacity changes only through bookings (stores.capacity)."""

    list_display = ["store", "starts_at", "resource", "booked", "capacity"]
    list_filter = ["resource"]
    search_fields = ["^store__code"]
    list_select_related = ["store"]
    raw_id_fields = ["store"]
    ordering = ["-starts_at"]
    list_per_page = 100
    show_full_result_count = False

    def get_queryset(self, request):
        return scope_by_store(super().get_queryset(request), request.user)
