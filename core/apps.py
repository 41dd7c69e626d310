from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Operations")

    def ready(self):
        from .feeds import job  # noqa: F401 - registers the sync_feeds job
