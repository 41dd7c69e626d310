"""The sales side of the background jobs (CONTRACT 4), registered by name with core.jobs.

Imported by SalesConfig.ready; the times are config/celery.py's beat schedule.
"""

from core.jobs import job
from sales.services import dispatch, reminders


@job("dispatch_test_drives")
def dispatch_test_drives() -> dict[str, int]:
    return dispatch.dispatch_waiting()


@job("remind_test_drives")
def remind_test_drives() -> dict[str, int]:
    return reminders.remind_test_drives()
