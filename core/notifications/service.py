import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import Notification

logger = logging.getLogger(__name__)


def notify(*, channel: str, recipient: str, body: str, dedupe_key: str, subject: str = "") -> Notification | None:
    """Queue a message in the outbox (in the caller's transaction) and ask for delivery after commit.

    The same `dedupe_key` queues once: a job run twice sends nothing twice. When the broker is
    down the message simply waits in the outbox for the periodic delivery task.
    """
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                channel=channel, recipient=recipient, subject=subject[:200], body=body, dedupe_key=dedupe_key
            )
    except IntegrityError:
        return None
    transaction.on_commit(_enqueue_delivery)
    return notification


def notify_many(messages: list[dict]) -> int:
    """Queue many messages in one statement (jobs); each dict has notify's keyword arguments.

    Messages whose `dedupe_key` is already queued are skipped. Returns how many were offered.
    """
    if not messages:
        return 0
    Notification.objects.bulk_create(
        [
            Notification(
                channel=m["channel"],
                recipient=m["recipient"],
                subject=m.get("subject", "")[:200],
                body=m["body"],
                dedupe_key=m["dedupe_key"],
            )
            for m in messages
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        # In-process mode leaves bulk messages to the periodic delivery rather than sending
        # hundreds inline at the end of a job's batch.
        transaction.on_commit(_enqueue_delivery)
    return len(messages)


def _enqueue_delivery() -> None:
    from core.tasks import deliver_outbox

    if deliver_outbox.app.conf.task_always_eager:
        deliver_outbox.delay()
        return
    try:
        # A connection of its own with a read timeout: a stuck broker cannot hold the request.
        options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "socket_timeout": settings.PUBLISH_SOCKET_TIMEOUT}
        with deliver_outbox.app.connection_for_write(transport_options=options) as connection:
            deliver_outbox.apply_async(connection=connection)
    except Exception:  # noqa: BLE001  (broker down: the outbox keeps it; the periodic task delivers)
        logger.warning("broker unavailable; notification left in the outbox")


def deliver_pending(limit: int = 500) -> dict[str, int]:
    """Send pending messages once each. A row is claimed under a lock, so two workers never both send it."""
    backend = import_string(settings.NOTIFICATION_BACKEND)()
    sent = failed = 0
    for pk in list(
        Notification.objects.filter(status=Notification.Status.PENDING)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    ):
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=Notification.Status.PENDING)
                .first()
            )
            if notification is None:
                continue
            notification.attempts += 1
            try:
                backend.send(notification)
            except Exception as exc:  # noqa: BLE001  (a gateway error must not lose the message)
                notification.last_error = str(exc)[:2000]
                if notification.attempts >= 10:
                    notification.status = Notification.Status.FAILED
                failed += 1
            else:
                notification.status = Notification.Status.SENT
                notification.sent_at = timezone.now()
                sent += 1
            notification.save(update_fields=["attempts", "last_error", "status", "sent_at"])
    return {"sent": sent, "failed": failed}
