"""Reads of the dashboards: what each role's page shows, in a small, constant number of queries.

Long-range figures come from the snapshot tables (a few hundred rows per page at most); today's
figures for one store come from indexed queries on that store's own rows. Every queryset is
scoped through stores.access. One module per dashboard: `store` (staff and managers),
`regional`, `hq`; `base` holds what they share.
"""

from .base import chart, latest_snapshot_date, series
from .hq import CampaignRow, HqDashboard, campaign_progress, hq_dashboard, last_job_runs
from .regional import ProvinceRow, RegionalDashboard, regional_dashboard
from .store import StoreDashboard, store_dashboard

__all__ = [
    "CampaignRow",
    "HqDashboard",
    "ProvinceRow",
    "RegionalDashboard",
    "StoreDashboard",
    "campaign_progress",
    "chart",
    "hq_dashboard",
    "last_job_runs",
    "latest_snapshot_date",
    "regional_dashboard",
    "series",
    "store_dashboard",
]
