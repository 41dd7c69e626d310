"""What the demo seeding has already loaded, so that loading it again duplicates nothing."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SeedStage(models.Model):
    """One finished stage of `seed_demo` (the activity: customers, vehicles, work)."""

    name = models.CharField(_("stage"), max_length=40, unique=True)
    scale = models.CharField(_("scale"), max_length=10)
    counts = models.JSONField(_("rows loaded"), default=dict, blank=True)
    finished_at = models.DateTimeField(_("finished at"), auto_now_add=True)

    class Meta:
        verbose_name = _("demo seeding stage")
        verbose_name_plural = _("demo seeding stages")

    def __str__(self) -> str:
        return f"{self.name} ({self.scale})"
