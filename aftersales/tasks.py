"""Celery tasks of after-sales: take ids, load, call a service. Idempotent; acks late; retried
with backoff on database operational errors (a restarted database, a deadlock victim)."""

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from aftersales.services import schedule_run


@shared_task(
    name="aftersales.schedule_maintenance_chunk",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def schedule_maintenance_chunk(*, token: str, seq: int, vehicle_ids: list[int], run_at: str) -> dict:
    return schedule_run.run_chunk(
        token=token, seq=seq, vehicle_ids=vehicle_ids, run_at=dt.datetime.fromisoformat(run_at)
    )
