from django.contrib import admin
from django.urls import include, path

from core import views as core_views
from dashboards import views as dashboard_views

urlpatterns = [
    path("", dashboard_views.dashboard, name="dashboard"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("core.accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("stores/", include("stores.urls")),
    path("sales/", include("sales.urls")),
    path("aftersales/", include("aftersales.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Goodcar HQ"
admin.site.site_title = "Goodcar HQ"
# Uploads are never served from MEDIA_URL, not even in the demo (DEBUG): each is handed out only
# by the view that checks who may have it (a ticket's attachments, a recall's VIN list).
