"""The demo's in-process scheduler runs config/celery.py's beat schedule (read, not imported: config is above core)."""

from django.core.management import call_command

from config.celery import app
from core.management.commands import run_scheduler


def test_run_scheduler_once_runs_every_entry_of_the_beat_schedule(monkeypatch):
    ran = []
    monkeypatch.setattr(run_scheduler, "_run_entry", lambda entry: ran.append(entry.get("args", ("outbox",))[0]))
    call_command("run_scheduler", "--once")
    assert len(ran) == len(app.conf.beat_schedule)
    assert set(ran) == {"sync_feeds", "schedule_maintenance", "dispatch_test_drives", "escalate_tickets",
                        "snapshot_metrics", "remind_bookings", "remind_test_drives", "outbox"}  # fmt: skip
