"""The after-sales side of the background jobs (CONTRACT 4), registered by name with core.jobs.

Imported by AftersalesConfig.ready. Test-drive dispatch lives in sales (it knows nothing of
after-sales); its job is registered here, where every dispatch job is wired.
"""

from aftersales.services import escalation, reminders, schedule_run
from core.jobs import job
from sales import dispatch as testdrive_dispatch


@job("dispatch_test_drives")
def dispatch_test_drives() -> dict[str, int]:
    return testdrive_dispatch.dispatch_waiting()


@job("schedule_maintenance")
def schedule_maintenance() -> dict[str, int]:
    return schedule_run.schedule_maintenance()


@job("escalate_tickets")
def escalate_tickets() -> dict[str, int]:
    return escalation.escalate_due()


@job("remind_bookings")
def remind_bookings() -> dict[str, int]:
    return reminders.remind_bookings()
