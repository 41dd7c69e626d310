import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dashboards.services import daily_metrics_snapshot


class Command(BaseCommand):
    help = (
        "Compute the dashboards' daily figures for the last N days (ending yesterday), e.g. after "
        "loading a network with history. Days already computed are overwritten."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="how many days back (default 90)")

    def handle(self, *args, days: int, **options):
        if not 1 <= days <= 400:
            raise CommandError("--days must be between 1 and 400")
        now = timezone.now()
        today = timezone.localdate(now)
        stores = 0
        for back in range(days, 0, -1):
            stores = daily_metrics_snapshot(day=today - dt.timedelta(days=back), now=now)
        self.stdout.write(f"backfill_metrics: days={days} stores={stores}")
