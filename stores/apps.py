from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class StoresConfig(AppConfig):
    name = "stores"
    verbose_name = _("Store network")


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin whose default site lets only HQ in (see stores.admin_site)."""

    default = False  # named explicitly in INSTALLED_APPS; StoresConfig stays this module's default
    default_site = "stores.admin_site.HQAdminSite"
