"""Writes of the dashboards: the nightly snapshot of one day, and the backfill of past days."""

from .backfill import daily_metrics_backfill
from .snapshot import daily_metrics_snapshot, local_day_bounds, recall_progress_snapshot

__all__ = ["daily_metrics_backfill", "daily_metrics_snapshot", "local_day_bounds", "recall_progress_snapshot"]
