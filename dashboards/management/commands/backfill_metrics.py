import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dashboards.models import ProvinceDailyMetrics
from dashboards.services import daily_metrics_backfill


class Command(BaseCommand):
    help = (
        "Rebuild the dashboards' daily figures of the last N days (ending yesterday) from the records' "
        "timestamps, e.g. after loading a network with history. Days that already have figures are "
        "left alone unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="how many days back (default 90)")
        parser.add_argument("--force", action="store_true", help="recompute days that already have figures")

    def handle(self, *args, days: int, force: bool, **options):
        if not 1 <= days <= 400:
            raise CommandError("--days must be between 1 and 400")
        now = timezone.now()
        today = timezone.localdate(now)
        wanted = [today - dt.timedelta(days=back) for back in range(days, 0, -1)]
        if not force:
            done = set(
                ProvinceDailyMetrics.objects.filter(date__gte=wanted[0], date__lte=wanted[-1])
                .values_list("date", flat=True)
                .distinct()
            )
            wanted = [day for day in wanted if day not in done]
        if not wanted:
            self.stdout.write("backfill_metrics: days=0 (every day has its figures; --force recomputes)")
            return
        first, last = wanted[0], wanted[-1]
        stores = daily_metrics_backfill(first=first, last=last, now=now)
        self.stdout.write(f"backfill_metrics: days={(last - first).days + 1} stores={stores}")
