"""Celery tasks of after-sales: take ids, load, call a service. Idempotent; retried as every
task is (core.tasks.RETRY_ON_DATABASE_ERRORS)."""

import datetime as dt

from celery import shared_task
from django.contrib.auth import get_user_model

from aftersales.models import RecallCampaign
from aftersales.services import dispatch, schedule_run
from aftersales.services.recalls import recall_launch
from core.tasks import RETRY_ON_DATABASE_ERRORS


@shared_task(name="aftersales.schedule_maintenance_chunk", bind=True, **RETRY_ON_DATABASE_ERRORS)
def schedule_maintenance_chunk(self, *, token: str, seq: int, vehicle_ids: list[int], run_at: str) -> dict:
    moment = dt.datetime.fromisoformat(run_at)
    return schedule_run.run_chunk(
        token=token, seq=seq, vehicle_ids=vehicle_ids, run_at=moment, network=_run_network(self, token, moment)
    )


def _run_network(task, token: str, run_at: dt.datetime) -> dispatch.Network:
    """The run's network, kept on this worker process's task object for the run's other chunks.

    Loading 43,000 stores costs about half a second, a chunk a few seconds: a worker taking many
    chunks of one run loads them once. The next run (another token) replaces it.
    """
    kept = getattr(task, "run_network", None)
    if kept is None or kept[0] != token:
        kept = task.run_network = (token, dispatch.Network(run_at=run_at))
    return kept[1]


@shared_task(name="aftersales.launch_recall", **RETRY_ON_DATABASE_ERRORS)
def launch_recall(campaign_id: int, user_id: int | None) -> dict:
    # Safe to run twice: only the missing tickets are created.
    campaign = RecallCampaign.objects.get(pk=campaign_id)
    actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return recall_launch(campaign=campaign, actor=actor)
