"""The Celery app and the one beat schedule of the portal's jobs (CONTRACT section 4)."""

import logging
import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("goodcar")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def redact_mobiles_in_worker_logs(logger: logging.Logger, **_kwargs) -> None:
    """A worker replaces the root logger's handlers with its own: they mask mobile numbers too."""
    from core.redact import RedactMobilesFilter

    for handler in logger.handlers:
        if not any(isinstance(f, RedactMobilesFilter) for f in handler.filters):
            handler.addFilter(RedactMobilesFilter())


# The schedule lives here and nowhere else. Times are in CELERY_TIMEZONE (Asia/Shanghai).
app.conf.beat_schedule = {
    "sync_feeds": {"task": "core.run_job", "args": ("sync_feeds",), "schedule": crontab(hour=1, minute=0)},
    "schedule_maintenance": {
        "task": "core.run_job",
        "args": ("schedule_maintenance",),
        "schedule": crontab(hour=2, minute=0),
    },
    "dispatch_test_drives": {
        "task": "core.run_job",
        "args": ("dispatch_test_drives",),
        "schedule": crontab(minute="*/5"),
    },
    "escalate_tickets": {
        "task": "core.run_job",
        "args": ("escalate_tickets",),
        "schedule": crontab(minute="*/15"),
    },
    "snapshot_metrics": {
        "task": "core.run_job",
        "args": ("snapshot_metrics",),
        "schedule": crontab(hour=3, minute=0),
    },
    # The day-before reminders: hourly, each booking reminded once (aftersales.services.reminders
    # for booked tickets, sales.services.reminders for test drives).
    "remind_bookings": {
        "task": "core.run_job",
        "args": ("remind_bookings",),
        "schedule": crontab(minute=30),
    },
    "remind_test_drives": {
        "task": "core.run_job",
        "args": ("remind_test_drives",),
        "schedule": crontab(minute=30),
    },
    "deliver_outbox": {"task": "core.deliver_outbox", "schedule": 60.0},
}
