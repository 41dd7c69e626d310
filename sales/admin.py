"""HQ's admin for the catalogue, vehicles, customers, orders and test drives.

Searches are exact matches on indexed columns (a VIN, an order number, a mobile number), never a
LIKE scan of a million rows; foreign keys are raw ids, never a select listing every store.
Querysets go through the access module like every page.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_shapes import ReadOnlyAdmin, ReadOnlyInline
from core.paginators import EstimatedCountPaginator
from stores.access import scope_by_store
from stores.phones import normalise_mobile
from stores.policy import can

from .access import orders_visible_to, test_drives_visible_to, vehicles_visible_to
from .models import CarModel, Customer, MileageCorrection, Order, PhoneView, TestDrive, Vehicle
from .services import vehicle_correct_mileage
from .vin import normalise_vin


def _exact_search(queryset, term: str, lookups):
    """Filter by the first lookup whose normaliser accepts the term; (queryset, matched)."""
    for field, normalise in lookups:
        try:
            value = normalise(term)
        except ValidationError:
            continue
        return queryset.filter(**{field: value}), True
    return queryset, False


class ExactSearchMixin:
    """Search big tables by exact, normalised values (indexed lookups), never by LIKE scans.

    `exact_lookups` lists (field, normaliser): the first normaliser that accepts the term decides.
    """

    exact_lookups: list = []

    def search_fallback(self, queryset, term: str):
        """What a term that no normaliser accepts finds: nothing, unless an admin says otherwise."""
        return queryset.none()

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        found, matched = _exact_search(queryset, term, self.exact_lookups)
        return (found if matched else self.search_fallback(queryset, term)), False


def _upper(value: str) -> str:
    return value.strip().upper()


@admin.register(CarModel)
class CarModelAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "trim", "price_cny", "battery_kwh", "range_km", "swappable", "service_months", "service_km")  # fmt: skip
    search_fields = ("code", "name")
    list_filter = ("swappable",)
    ordering = ("code",)


class VehicleForm(forms.ModelForm):
    class Meta:
        model = Vehicle
        fields = (
            "vin",
            "model",
            "color",
            "status",
            "store",
            "owner",
            "delivered_on",
            "mileage_km",
            "last_service_on",
            "last_service_km",
            "last_service_store",
        )

    def clean_vin(self) -> str:
        return normalise_vin(self.cleaned_data["vin"])

    def clean_mileage_km(self) -> int:
        value = self.cleaned_data["mileage_km"]
        if self.instance.pk and value < self.instance.mileage_km:
            raise ValidationError(gettext("Mileage never goes down here: use “Correct mileage” and give the reason."))
        return value


class MileageCorrectionForm(forms.Form):
    mileage_km = forms.IntegerField(label=_("Corrected mileage (km)"), min_value=0)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class MileageCorrectionInline(ReadOnlyInline):
    model = MileageCorrection
    fields = ("corrected_at", "old_km", "new_km", "reason", "corrected_by")
    readonly_fields = fields


@admin.register(Vehicle)
class VehicleAdmin(ExactSearchMixin, admin.ModelAdmin):
    form = VehicleForm
    list_display = ("vin", "model", "status", "store", "owner", "delivered_on", "mileage_km")
    list_select_related = ("model", "store", "owner")
    list_filter = ("status",)
    search_fields = ("vin",)
    search_help_text = _("A whole VIN (17 characters).")
    raw_id_fields = ("store", "owner", "last_service_store")
    readonly_fields = ("mileage_correction_link",)
    inlines = [MileageCorrectionInline]
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_queryset(self, request):
        return vehicles_visible_to(request.user, super().get_queryset(request))

    exact_lookups = [("vin", normalise_vin)]

    @admin.display(description=_("Mileage correction"))
    def mileage_correction_link(self, obj) -> str:
        if not obj or not obj.pk:
            return "—"
        url = reverse("admin:sales_vehicle_correct_mileage", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, gettext("Correct mileage (with a reason)"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/correct-mileage/",
                self.admin_site.admin_view(self.correct_mileage_view),
                name="sales_vehicle_correct_mileage",
            ),
            *super().get_urls(),
        ]

    def correct_mileage_view(self, request, pk: int):
        """HQ lowers (or fixes) a wrong mileage reading; the reason is required and recorded."""
        if not can(request.user, "vehicle.correct_mileage"):
            raise PermissionDenied
        vehicle = self.get_object(request, str(pk))
        if vehicle is None:
            return redirect("admin:sales_vehicle_changelist")
        form = MileageCorrectionForm(request.POST or None, initial={"mileage_km": vehicle.mileage_km})
        if request.method == "POST" and form.is_valid():
            try:
                vehicle_correct_mileage(
                    vehicle=vehicle,
                    mileage_km=form.cleaned_data["mileage_km"],
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(request, gettext("Mileage corrected."), messages.SUCCESS)
                return redirect("admin:sales_vehicle_change", vehicle.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Correct the mileage of %(vin)s") % {"vin": vehicle.vin},
            "vehicle": vehicle,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/sales/vehicle/correct_mileage.html", context)


@admin.register(Customer)
class CustomerAdmin(ExactSearchMixin, admin.ModelAdmin):
    list_display = ("name", "phone", "city", "created_at")
    search_fields = ("phone",)
    search_help_text = _("A whole mobile number.")
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    exact_lookups = [("phone", normalise_mobile)]

    def search_fallback(self, queryset, term: str):
        return queryset.filter(name=term)


class PolicyEditAdmin(admin.ModelAdmin):
    """Change and delete as stores.policy says (`edit_action`): a finished record is read-only,
    even for HQ (CONTRACT 5)."""

    edit_action = ""

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or can(request.user, self.edit_action, obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or can(request.user, self.edit_action, obj))


@admin.register(Order)
class OrderAdmin(ExactSearchMixin, PolicyEditAdmin):
    list_display = ("number", "customer", "model", "store", "vehicle", "status", "delivery_date", "created_at")
    list_select_related = ("customer", "model", "store", "vehicle")
    list_filter = ("status",)
    search_fields = ("number",)
    search_help_text = _("An order number, a VIN or a mobile number.")
    raw_id_fields = ("customer", "store", "vehicle")
    readonly_fields = ("status", "delivered_at")
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    edit_action = "order.edit"

    def get_queryset(self, request):
        return orders_visible_to(request.user, super().get_queryset(request))

    exact_lookups = [("vehicle__vin", normalise_vin), ("customer__phone", normalise_mobile), ("number", _upper)]  # fmt: skip


@admin.register(TestDrive)
class TestDriveAdmin(ExactSearchMixin, PolicyEditAdmin):
    list_display = ("slot_start", "customer", "model", "store", "status", "demo_vehicle")
    list_select_related = ("customer", "model", "store", "demo_vehicle")
    list_filter = ("status",)
    search_fields = ("customer__phone",)
    search_help_text = _("A whole mobile number.")
    raw_id_fields = ("customer", "store", "demo_vehicle", "created_by")
    readonly_fields = ("status",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    edit_action = "testdrive.edit"

    def get_queryset(self, request):
        return test_drives_visible_to(request.user, super().get_queryset(request))

    exact_lookups = [("customer__phone", normalise_mobile)]


@admin.register(PhoneView)
class PhoneViewAdmin(ExactSearchMixin, ReadOnlyAdmin):
    list_display = ("viewed_at", "user", "customer", "path")
    list_select_related = ("user", "customer")
    raw_id_fields = ("user", "customer")
    search_fields = ("customer__phone",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    exact_lookups = [("customer__phone", normalise_mobile)]

    def search_fallback(self, queryset, term: str):
        return queryset.filter(user__username=term)


@admin.register(MileageCorrection)
class MileageCorrectionAdmin(ReadOnlyAdmin):
    list_display = ("corrected_at", "vehicle", "old_km", "new_km", "corrected_by", "reason")
    list_select_related = ("vehicle", "corrected_by")
    raw_id_fields = ("vehicle", "corrected_by")
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_queryset(self, request):
        return scope_by_store(super().get_queryset(request), request.user, "vehicle__store")
