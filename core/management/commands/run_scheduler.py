"""The beat schedule run in-process, for `make demo`: no broker, no worker, same jobs and times.

Production runs Celery beat and a worker instead (`make serve`); this command only exists so that
the zero-setup demo dispatches test drives, escalates tickets and runs the nightly jobs too.
The schedule is config/celery.py's, read from the current Celery app (config sits above core).
"""

import datetime as dt
import logging
import time

from celery import current_app as app
from celery.schedules import schedule as every
from django.core.management.base import BaseCommand
from django.utils import timezone

from core import jobs
from core.notifications import deliver_pending

logger = logging.getLogger(__name__)


def _run_entry(entry: dict) -> None:
    if entry["task"] == "core.run_job":
        run = jobs.run_job(entry["args"][0], triggered_by="demo scheduler")
        logger.info("%s (%s)", run.summary(), run.outcome)
    elif entry["task"] == "core.deliver_outbox":
        deliver_pending()


class Command(BaseCommand):
    help = "Run the beat schedule in this process (demo only; production uses Celery beat)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every job once now, then stop")

    def handle(self, *args, once: bool = False, **options):
        entries = {name: dict(entry) for name, entry in app.conf.beat_schedule.items()}
        if once:
            for entry in entries.values():
                _run_entry(entry)
            return
        started = timezone.now()
        last_run = dict.fromkeys(entries, started)
        self.stdout.write(f"demo scheduler: {len(entries)} jobs on the beat schedule")
        while True:
            wait = 30.0
            for name, entry in entries.items():
                schedule = entry["schedule"]
                if isinstance(schedule, int | float):
                    schedule = every(dt.timedelta(seconds=schedule), app=app)
                due, next_in = schedule.is_due(last_run[name])
                if due:
                    last_run[name] = timezone.now()
                    try:
                        _run_entry(entry)
                    except Exception:  # a failed job is recorded; the scheduler keeps going
                        logger.exception("scheduled job %s failed", name)
                wait = min(wait, max(next_in, 1.0))
            time.sleep(wait)
