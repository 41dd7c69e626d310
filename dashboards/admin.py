"""The daily figures in the admin: read-only (the nightly job owns them), searchable for HQ."""

from django.contrib import admin

from core.admin_shapes import ReadOnlyAdmin

from .models import ProvinceDailyMetrics, StoreDailyMetrics


@admin.register(StoreDailyMetrics)
class StoreDailyMetricsAdmin(ReadOnlyAdmin):
    list_display = ("date", "store", "province", "open_backlog", "breached", "at_risk", "test_drives", "deliveries")
    list_filter = ("date", "province")
    search_fields = ("store__code",)
    list_select_related = ("store",)
    raw_id_fields = ("store",)
    show_full_result_count = False


@admin.register(ProvinceDailyMetrics)
class ProvinceDailyMetricsAdmin(ReadOnlyAdmin):
    list_display = ("date", "province", "stores", "open_backlog", "breached", "at_risk", "unassigned", "test_drives")
    list_filter = ("date", "province")
