from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = _("Sales")

    def ready(self):
        from . import feeds, jobs  # noqa: F401 - registers the catalogue and vehicle feeds, and the jobs
