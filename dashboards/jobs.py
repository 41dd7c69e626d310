"""The dashboards' background job (CONTRACT 4): `snapshot_metrics`, nightly at 03:00."""

import datetime as dt

from django.utils import timezone

from core.jobs import job

from .services import daily_metrics_snapshot


@job("snapshot_metrics")
def snapshot_metrics() -> dict[str, int]:
    """Yesterday's figures (local time) per store and province; backlog as of this run."""
    now = timezone.now()
    yesterday = timezone.localdate(now) - dt.timedelta(days=1)
    return {"stores": daily_metrics_snapshot(day=yesterday, now=now)}
