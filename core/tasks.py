"""Core's Celery tasks, and the retry policy every retrying task of the portal shares."""

from celery import shared_task
from django.db import OperationalError

from . import jobs

# Acks late (a worker killed mid-task hands the task back) and retried with backoff on database
# operational errors (a restarted database, a deadlock victim). Tasks are idempotent, so both are
# safe. Spread into `@shared_task(name=..., **RETRY_ON_DATABASE_ERRORS)`.
RETRY_ON_DATABASE_ERRORS = {
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_kwargs": {"max_retries": 5},
}


@shared_task(name="core.run_job", **RETRY_ON_DATABASE_ERRORS)
def run_job_task(name: str) -> dict:
    run = jobs.run_job(name, triggered_by="scheduler")
    return {"outcome": run.outcome, "counts": run.counts}


@shared_task(name="core.ping")
def ping(value: int) -> int:
    """A round trip through the broker and a worker, used by health and worker tests."""
    return value + 1


@shared_task(name="core.deliver_outbox", **RETRY_ON_DATABASE_ERRORS)
def deliver_outbox() -> dict:
    from .notifications import deliver_pending

    return deliver_pending()


@shared_task(name="core.send_invitations", **RETRY_ON_DATABASE_ERRORS)
def send_invitations(user_ids: list[int]) -> int:
    """Set-password invitations for users the staff feed created (enqueued after commit)."""
    from .accounts.invitations import invitations_send

    return invitations_send(user_ids=user_ids)
