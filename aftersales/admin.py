"""Admin for HQ: tickets (searchable, history read-only), SLA policy (editable), recalls."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aftersales.access import tickets_visible_to
from aftersales.models import Attachment, RecallCampaign, SlaPolicy, Ticket, TicketEvent
from aftersales.selectors import search_q
from core.admin_shapes import ReadOnlyInline, ReadOnlyMixin
from core.paginators import EstimatedCountPaginator
from stores.policy import can


class HqOnlyAdmin(admin.ModelAdmin):
    """Only HQ (and superusers) see these pages, whatever model permissions say (stores.policy)."""

    def has_module_permission(self, request) -> bool:
        return can(request.user, "admin.use")

    def has_view_permission(self, request, obj=None) -> bool:
        return can(request.user, "admin.use")

    def has_change_permission(self, request, obj=None) -> bool:
        return can(request.user, "admin.use")

    def has_add_permission(self, request) -> bool:
        return can(request.user, "admin.use")

    def has_delete_permission(self, request, obj=None) -> bool:
        return can(request.user, "admin.use")


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["created_at", "kind", "actor", "message", "data"]
    readonly_fields = fields
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(Ticket)
class TicketAdmin(ReadOnlyMixin, HqOnlyAdmin):
    """Read-only: tickets change through the portal's services, which write the history."""

    list_display = ["number", "kind", "priority", "status", "store", "vehicle", "assignee", "due_at", "created_at"]
    list_filter = ["status", "kind", "priority", "source", "province"]
    list_select_related = ["store", "vehicle", "assignee"]
    search_fields = ["number"]
    search_help_text = _("A ticket number, a VIN or a customer's mobile number.")
    raw_id_fields = ["vehicle", "customer", "store", "assignee", "created_by", "campaign"]
    readonly_fields = ["number", "created_at", "updated_at", "escalations", "responded_at", "resolved_at", "closed_at"]
    inlines = [AttachmentInline, TicketEventInline]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    date_hierarchy = None
    ordering = ["due_at", "id"]

    def get_queryset(self, request):
        return tickets_visible_to(request.user, super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        # One indexed lookup chosen by the term's shape, never LIKE over millions of rows.
        condition = search_q(search_term) if search_term else None
        if condition is None:
            return queryset, False
        return queryset.filter(condition), False


@admin.register(SlaPolicy)
class SlaPolicyAdmin(HqOnlyAdmin):
    list_display = ["kind", "priority", "response_hours", "resolution_hours", "updated_at"]
    list_editable = ["response_hours", "resolution_hours"]
    list_filter = ["kind", "priority"]
    ordering = ["kind", "priority"]


@admin.register(RecallCampaign)
class RecallCampaignAdmin(HqOnlyAdmin):
    list_display = ["code", "title", "model", "status", "launched_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["code", "title"]
    raw_id_fields = ["model"]
    list_select_related = ["model"]
    readonly_fields = ["status", "launched_at"]


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyMixin, HqOnlyAdmin):
    list_display = ["ticket", "kind", "actor", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["ticket", "actor"]
    raw_id_fields = ["ticket", "actor"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    search_fields = ["ticket__number"]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().upper()
        return (queryset.filter(ticket__number=term), False) if term else (queryset, False)


@admin.register(Attachment)
class AttachmentAdmin(HqOnlyAdmin):
    list_display = ["original_name", "ticket", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["ticket", "uploaded_by"]
    raw_id_fields = ["ticket", "uploaded_by"]
    readonly_fields = ["ticket", "file", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["ticket__number"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False  # attachments are added on the ticket page, where their type is checked

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().upper()
        return (queryset.filter(ticket__number=term), False) if term else (queryset, False)
