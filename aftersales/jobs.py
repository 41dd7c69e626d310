"""The after-sales side of the background jobs (CONTRACT 4), registered by name with core.jobs.

Imported by AftersalesConfig.ready. Sales registers its own (sales/jobs.py).
"""

from aftersales.services import escalation, reminders, schedule_run
from core.jobs import job


@job("schedule_maintenance")
def schedule_maintenance() -> dict[str, int]:
    return schedule_run.schedule_maintenance()


@job("escalate_tickets")
def escalate_tickets() -> dict[str, int]:
    return escalation.escalate_due()


@job("remind_bookings")
def remind_bookings() -> dict[str, int]:
    return reminders.remind_bookings()
