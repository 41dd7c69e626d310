"""Background work of the after-sales app: ids in, a service call, idempotent."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError

from aftersales.models import RecallCampaign
from aftersales.services.recalls import recall_launch


@shared_task(
    name="aftersales.launch_recall",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def launch_recall(campaign_id: int, user_id: int | None) -> dict:
    # Safe to run twice: only the missing tickets are created.
    campaign = RecallCampaign.objects.get(pk=campaign_id)
    actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return recall_launch(campaign=campaign, actor=actor)
