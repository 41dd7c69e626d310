"""HQ's view of the plumbing: feed runs with their rejections, job runs, the notification outbox.

All read-only: these are records of what happened, not settings. The one decision HQ takes here
is to send again a message a worker left unconfirmed (or that failed), with an action.
"""

from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .admin_shapes import ReadOnlyAdmin, ReadOnlyInline
from .models import FeedRejection, FeedRun, JobRun, Notification
from .notifications.service import send_again

INLINE_REJECTIONS = 200  # a 43,000-line file can reject every line; the full list is one click away


class FirstRejectionsFormSet(BaseInlineFormSet):
    def get_queryset(self):
        return super().get_queryset()[:INLINE_REJECTIONS]


class FeedRejectionInline(ReadOnlyInline):
    model = FeedRejection
    formset = FirstRejectionsFormSet
    fields = ("line", "key", "reason")
    readonly_fields = fields
    verbose_name_plural = _("rejections (the first 200, by line)")


@admin.register(FeedRun)
class FeedRunAdmin(ReadOnlyAdmin):
    list_display = (
        "file_name", "feed", "outcome", "started_at", "finished_at",
        "created", "updated", "unchanged", "closed", "rejected", "full", "triggered_by",
    )  # fmt: skip
    list_filter = ("feed", "outcome", "full", "triggered_by", "started_at")
    search_fields = ("file_name", "sha256")
    date_hierarchy = "started_at"
    fields = (
        "feed", "file_name", "sha256", "full", "outcome", "reason", "started_at", "finished_at",
        "created", "updated", "unchanged", "closed", "rejected", "all_rejections", "triggered_by",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [FeedRejectionInline]

    @admin.display(description=_("all rejections"))
    def all_rejections(self, run: FeedRun) -> str:
        if not run.rejected:
            return "–"
        url = reverse("admin:core_feedrejection_changelist") + f"?run__id__exact={run.pk}"
        return format_html('<a href="{}">{}</a>', url, _("all %(count)d rejections") % {"count": run.rejected})


@admin.register(FeedRejection)
class FeedRejectionAdmin(ReadOnlyAdmin):
    list_display = ("run", "line", "key", "reason")
    list_filter = ("run__feed",)
    search_fields = ("key", "reason", "run__file_name")
    list_select_related = ("run",)
    raw_id_fields = ("run",)


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ("name", "outcome", "started_at", "finished_at", "triggered_by", "summary")
    list_filter = ("name", "outcome", "triggered_by")
    search_fields = ("name",)
    date_hierarchy = "started_at"
    readonly_fields = ("name", "outcome", "started_at", "finished_at", "triggered_by", "counts", "errors")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "recipient", "subject", "status", "attempts", "claimed_at", "sent_at")
    list_filter = ("channel", "status")
    search_fields = ("recipient", "subject", "dedupe_key")
    date_hierarchy = "created_at"
    readonly_fields = (
        "channel", "recipient", "subject", "body", "dedupe_key", "status", "attempts", "last_error",
        "created_at", "claimed_at", "sent_at",
    )  # fmt: skip
    actions = ["send_again"]

    @admin.action(description=_("Send again (failed, or being sent for over 10 minutes without an answer)"))
    def send_again(self, request, queryset):
        count = send_again(queryset)
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count) % {"count": count},
            messages.SUCCESS,
        )
