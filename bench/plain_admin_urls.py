"""The product's URLs plus a throwaway admin site with a plain ModelAdmin of tickets (bench only).

The baseline for the ticket changelist: Django's defaults (full COUNT(*), no select_related,
select widgets for foreign keys). Never part of the product's URL configuration.
"""

from django.contrib import admin
from django.urls import path

from aftersales.models import Ticket
from config.urls import urlpatterns as product_urlpatterns

plain_site = admin.AdminSite(name="bench_plain_admin")


class PlainTicketAdmin(admin.ModelAdmin):
    list_display = ["number", "kind", "priority", "status", "store", "vehicle", "assignee", "due_at", "created_at"]
    list_filter = ["status", "kind", "priority", "source", "province"]


plain_site.register(Ticket, PlainTicketAdmin)

urlpatterns = [path("bench-plain-admin/", plain_site.urls), *product_urlpatterns]
