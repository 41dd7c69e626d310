"""The Celery tasks' retry policy is written once, in core.tasks, and every retrying task has it."""

from django.db import OperationalError

from config.celery import app
from core.tasks import RETRY_ON_DATABASE_ERRORS

RETRYING_TASKS = (
    "core.run_job",
    "core.deliver_outbox",
    "aftersales.schedule_maintenance_chunk",
    "aftersales.launch_recall",
    "core.send_invitations",
)


def test_the_shared_retry_policy_acks_late_and_backs_off_on_database_errors():
    assert {
        "acks_late": True,
        "autoretry_for": (OperationalError,),
        "retry_backoff": True,
        "retry_kwargs": {"max_retries": 5},
    } == RETRY_ON_DATABASE_ERRORS


def test_every_task_that_retries_uses_the_shared_policy():
    app.loader.import_default_modules()
    retrying = sorted(name for name, task in app.tasks.items() if getattr(task, "autoretry_for", ()))
    assert retrying == sorted(RETRYING_TASKS)
    for name in RETRYING_TASKS:
        task = app.tasks[name]
        assert task.acks_late is True
        assert tuple(task.autoretry_for) == (OperationalError,)
        assert task.retry_backoff is True
        assert task.retry_kwargs == {"max_retries": 5}
