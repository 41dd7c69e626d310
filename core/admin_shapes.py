"""Shapes shared by every admin: the read-only admin and inline for records of what happened.

Feed runs, job runs, the outbox, tickets and their history, daily figures, phone views, capacity:
HQ reads them in the admin; they change only through the services that write them.
"""

from django.contrib import admin


class ReadOnlyMixin:
    """Shown, never added, changed or deleted (put it before the admin's other bases)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    """A read-only table of related records on a record's page."""

    extra = 0
    can_delete = False
