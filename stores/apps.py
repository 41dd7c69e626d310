from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoresConfig(AppConfig):
    name = "stores"
    verbose_name = _("Store network")

    def ready(self):
        from . import feeds  # noqa: F401 - registers the store and staff feeds
