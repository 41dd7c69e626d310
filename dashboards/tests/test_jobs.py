import io

import pytest
from django.core.management import call_command

from core.jobs import job_names
from dashboards.models import ProvinceDailyMetrics, StoreDailyMetrics

pytestmark = pytest.mark.django_db


def test_snapshot_metrics_is_a_registered_job():
    assert "snapshot_metrics" in job_names()


def test_run_job_snapshot_metrics_prints_the_store_count_last(network, yesterday):
    out = io.StringIO()

    call_command("run_job", "snapshot_metrics", stdout=out)

    assert out.getvalue().strip().splitlines()[-1] == "snapshot_metrics: stores=2"
    assert StoreDailyMetrics.objects.filter(date=yesterday).count() == 2


def test_run_job_snapshot_metrics_twice_keeps_one_row_per_store_and_day(network, yesterday):
    call_command("run_job", "snapshot_metrics", stdout=io.StringIO())
    call_command("run_job", "snapshot_metrics", stdout=io.StringIO())

    assert StoreDailyMetrics.objects.count() == 2
    assert ProvinceDailyMetrics.objects.count() == 2


def test_backfill_metrics_fills_the_missing_days_only(network, yesterday):
    from django.utils import timezone

    call_command("run_job", "snapshot_metrics", stdout=io.StringIO())
    out = io.StringIO()

    call_command("backfill_metrics", "--days", "5", stdout=out)

    assert out.getvalue().strip().splitlines()[-1] == "backfill_metrics: days=4 stores=2"
    days = set(ProvinceDailyMetrics.objects.values_list("date", flat=True))
    assert len(days) == 5 and max(days) == yesterday == timezone.localdate() - timezone.timedelta(days=1)
    again = io.StringIO()
    call_command("backfill_metrics", "--days", "5", stdout=again)
    assert again.getvalue().startswith("backfill_metrics: days=0")
