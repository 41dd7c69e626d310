import datetime as dt
import logging
import time

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import Notification

logger = logging.getLogger(__name__)

# A message still failing after this many attempts is marked failed for HQ to look at.
MAX_ATTEMPTS = 10
# Tries at writing a sent message's outcome when the database has gone away (1 s, 2 s, ... apart).
OUTCOME_WRITE_ATTEMPTS = 5
# A message still being sent after this long has lost its worker: HQ is told, and may send it again.
STALE_CLAIM = dt.timedelta(minutes=10)


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


def notify_within_limit(*, limit_key: str, limit: int, **message) -> Notification | None:
    """Queue `message` (notify's arguments but its dedupe key) unless `limit` messages already
    went out under `limit_key` (e.g. one number and one day); None when the limit is reached.

    The n-th message under the key is deduplicated as `{limit_key}:{n}`: the database's unique
    key, not a count read beforehand, keeps concurrent requests within the limit.
    """
    keys = [f"{limit_key}:{n}" for n in range(1, limit + 1)]
    taken = set(Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    for key in keys:
        if key not in taken and (notification := notify(**message, dedupe_key=key)) is not None:
            return notification
    return None


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
    """Send up to `limit` pending messages, each at most once.

    Each message is claimed in a transaction of its own (FOR UPDATE SKIP LOCKED, so two workers
    never take the same one) and marked as being sent before it goes out; its outcome is written
    right after, retried over a new connection if the database went away meanwhile. A worker
    killed between the two leaves that one message marked as being sent, which no delivery sends
    again: HQ sees it in the admin and decides. A gateway error puts the message back for a later
    call (each message is tried once per call); after MAX_ATTEMPTS it is marked failed.
    """
    backend = import_string(settings.NOTIFICATION_BACKEND)()
    sent = failed = 0
    after = 0
    for _ in range(limit):
        notification = _claim_next(after)
        if notification is None:
            break
        after = notification.pk
        try:
            backend.send(notification)
        except Exception as exc:  # noqa: BLE001  (a gateway error must not lose the message)
            notification.last_error = str(exc)[:2000]
            notification.status = (
                Notification.Status.FAILED if notification.attempts >= MAX_ATTEMPTS else Notification.Status.PENDING
            )
            failed += 1
        else:
            notification.status = Notification.Status.SENT
            notification.sent_at = timezone.now()
            sent += 1
        _record_outcome(notification)
    return {"sent": sent, "failed": failed}


@transaction.atomic
def _claim_next(after: int) -> Notification | None:
    """The next pending message after id `after`, marked as being sent and committed."""
    notification = (
        Notification.objects.select_for_update(skip_locked=True)
        .filter(status=Notification.Status.PENDING, pk__gt=after)
        .order_by("id")
        .first()
    )
    if notification is not None:
        notification.status = Notification.Status.SENDING
        notification.claimed_at = timezone.now()
        notification.attempts += 1
        notification.save(update_fields=["status", "claimed_at", "attempts"])
    return notification


def _record_outcome(notification: Notification) -> None:
    """Write what the gateway said. The message has gone out (or not): that must not be forgotten
    because the database restarted at that moment, so the write is tried again on a new connection."""
    fields = {name: getattr(notification, name) for name in ("status", "last_error", "sent_at")}
    # Only over this worker's own claim: HQ may have queued it again meanwhile.
    claim = Notification.objects.filter(
        pk=notification.pk, status=Notification.Status.SENDING, claimed_at=notification.claimed_at
    )
    for attempt in range(1, OUTCOME_WRITE_ATTEMPTS + 1):
        try:
            claim.update(**fields)
            return
        except OperationalError:
            if attempt == OUTCOME_WRITE_ATTEMPTS or connection.in_atomic_block:
                raise  # left as being sent: HQ decides
            logger.warning("could not record notification %s as %s; retrying", notification.pk, fields["status"])
            connection.close()
            time.sleep(attempt)


def unconfirmed_or_failed() -> QuerySet:
    """Messages that need a person: failed, or being sent for longer than STALE_CLAIM."""
    return Notification.objects.filter(
        Q(status=Notification.Status.FAILED)
        | Q(status=Notification.Status.SENDING, claimed_at__lt=timezone.now() - STALE_CLAIM)
    )


def send_again(queryset) -> int:
    """HQ's decision for messages a worker left unconfirmed, or that failed: queue them again.

    A message claimed in the last STALE_CLAIM is left alone: its worker may still be sending it.
    """
    return (queryset & unconfirmed_or_failed()).update(status=Notification.Status.PENDING, claimed_at=None, attempts=0)
