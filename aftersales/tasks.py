"""Celery tasks of after-sales: take ids, load, call a service. Idempotent; retried as every
task is (core.tasks.RETRY_ON_DATABASE_ERRORS)."""

import datetime as dt

from celery import shared_task
from django.contrib.auth import get_user_model

from aftersales.models import RecallCampaign
from aftersales.services import schedule_run
from aftersales.services.recalls import recall_launch
from core.tasks import RETRY_ON_DATABASE_ERRORS


@shared_task(name="aftersales.schedule_maintenance_chunk", **RETRY_ON_DATABASE_ERRORS)
def schedule_maintenance_chunk(*, token: str, seq: int, vehicle_ids: list[int], run_at: str) -> dict:
    return schedule_run.run_chunk(
        token=token, seq=seq, vehicle_ids=vehicle_ids, run_at=dt.datetime.fromisoformat(run_at)
    )


@shared_task(name="aftersales.launch_recall", **RETRY_ON_DATABASE_ERRORS)
def launch_recall(campaign_id: int, user_id: int | None) -> dict:
    # Safe to run twice: only the missing tickets are created.
    campaign = RecallCampaign.objects.get(pk=campaign_id)
    actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return recall_launch(campaign=campaign, actor=actor)
