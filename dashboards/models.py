"""The dashboards' metrics tables, written by the nightly `snapshot_metrics` job.

Dashboards read these (a few hundred rows at most per page) instead of counting millions of
tickets on every page view. One row per store and day, and a per-province rollup of the same day.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.models import RecallCampaign
from stores.models import Store
from stores.provinces import Province


class DailyFigures(models.Model):
    """The figures kept for one day, per store or per province."""

    # As of the snapshot: open tickets, those past their resolution due time, those in the last 20%.
    open_backlog = models.PositiveIntegerField(_("open tickets"), default=0)
    breached = models.PositiveIntegerField(_("SLA breached"), default=0)
    at_risk = models.PositiveIntegerField(_("SLA at risk"), default=0)
    # What happened during the day (local time).
    opened = models.PositiveIntegerField(_("tickets opened"), default=0)
    resolved = models.PositiveIntegerField(_("tickets resolved"), default=0)
    test_drives = models.PositiveIntegerField(_("test drives"), default=0)
    deliveries = models.PositiveIntegerField(_("deliveries"), default=0)
    # Capacity in unit-hours (a bay or a demo car for one hour slot) and how much was booked.
    bay_capacity = models.PositiveIntegerField(_("bay hours available"), default=0)
    bay_booked = models.PositiveIntegerField(_("bay hours booked"), default=0)
    demo_capacity = models.PositiveIntegerField(_("demo car hours available"), default=0)
    demo_booked = models.PositiveIntegerField(_("demo car hours booked"), default=0)
    computed_at = models.DateTimeField(_("computed at"))

    FIGURES = (
        "open_backlog",
        "breached",
        "at_risk",
        "opened",
        "resolved",
        "test_drives",
        "deliveries",
        "bay_capacity",
        "bay_booked",
        "demo_capacity",
        "demo_booked",
    )

    class Meta:
        abstract = True

    @property
    def bay_use_percent(self) -> int | None:
        return _percent(self.bay_booked, self.bay_capacity)


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


class StoreDailyMetrics(DailyFigures):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="daily_metrics", verbose_name=_("store"))
    date = models.DateField(_("date"))
    # The store's province on that day, so that rollups and regional rankings need no join.
    province = models.CharField(_("province"), max_length=10, choices=Province.choices)

    class Meta:
        verbose_name = _("store daily figures")
        verbose_name_plural = _("store daily figures")
        ordering = ["-date", "store"]
        constraints = [
            # Running the snapshot twice for a day overwrites; also the index of one store's history.
            models.UniqueConstraint(fields=["store", "date"], name="storedailymetrics_unique_store_date"),
        ]
        indexes = [
            # The regional ranking: one day, some provinces, worst first.
            models.Index(fields=["date", "province", "-breached", "-open_backlog"], name="storedaily_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.date}"


class ProvinceDailyMetrics(DailyFigures):
    province = models.CharField(_("province"), max_length=10, choices=Province.choices)
    date = models.DateField(_("date"))
    stores = models.PositiveIntegerField(_("stores"), default=0)
    # Scheduled work no store could take, waiting in the province's unassigned queue.
    unassigned = models.PositiveIntegerField(_("unassigned work"), default=0)

    class Meta:
        verbose_name = _("province daily figures")
        verbose_name_plural = _("province daily figures")
        ordering = ["-date", "province"]
        constraints = [
            models.UniqueConstraint(fields=["province", "date"], name="provincedailymetrics_unique_province_date"),
        ]
        indexes = [models.Index(fields=["date", "province"], name="provincedaily_date")]

    def __str__(self) -> str:
        return f"{self.province} {self.date}"


class RecallProgress(models.Model):
    """How far a recall campaign has come, counted with the nightly snapshot."""

    campaign = models.OneToOneField(
        RecallCampaign, on_delete=models.CASCADE, related_name="progress", verbose_name=_("recall campaign")
    )
    total = models.PositiveIntegerField(_("vehicles"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    open = models.PositiveIntegerField(_("open"), default=0)
    # Open work no store could take, and tickets cancelled: the vehicles not reached (yet).
    unassigned = models.PositiveIntegerField(_("unassigned"), default=0)
    cancelled = models.PositiveIntegerField(_("cancelled"), default=0)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("recall progress")
        verbose_name_plural = _("recall progress")

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        """Done, of the vehicles still to be reached (cancelled tickets left out)."""
        wanted = self.total - self.cancelled
        return round(100 * self.done / wanted) if wanted > 0 else 0
