"""The notification outbox: queued once, delivered once, a failing gateway loses nothing."""

import datetime as dt

import pytest
from django.db import OperationalError
from django.db.models import QuerySet
from django.utils import timezone

from core.models import Notification
from core.notifications import deliver_pending, notify, notify_many, service
from core.notifications.backends import MemoryBackend
from core.notifications.service import MAX_ATTEMPTS, STALE_CLAIM, send_again

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_outbox():
    MemoryBackend.outbox.clear()
    yield
    MemoryBackend.outbox.clear()


class FailingBackend:
    def send(self, notification) -> None:
        raise ConnectionError("gateway timed out")


def message(n: int) -> dict:
    return {"channel": "sms", "recipient": f"1380000{n:04d}", "body": f"message {n}", "dedupe_key": f"test:{n}"}


def test_the_same_dedupe_key_is_queued_once():
    assert notify(**message(1)) is not None
    assert notify(**message(1)) is None
    notify_many([message(1), message(2)])
    assert Notification.objects.count() == 2


def test_every_pending_message_is_sent_once():
    notify_many([message(n) for n in range(250)])

    assert deliver_pending(limit=1000) == {"sent": 250, "failed": 0}
    assert sorted(n.body for n in MemoryBackend.outbox) == sorted(f"message {n}" for n in range(250))
    assert not Notification.objects.exclude(status=Notification.Status.SENT).exists()
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert deliver_pending() == {"sent": 0, "failed": 0}
    assert len(MemoryBackend.outbox) == 250


def test_limit_leaves_the_rest_for_the_next_call():
    notify_many([message(n) for n in range(30)])

    assert deliver_pending(limit=20) == {"sent": 20, "failed": 0}
    assert Notification.objects.filter(status=Notification.Status.PENDING).count() == 10
    assert deliver_pending(limit=20) == {"sent": 10, "failed": 0}


def test_a_failing_gateway_keeps_the_message_and_tries_once_per_call(settings):
    settings.NOTIFICATION_BACKEND = f"{__name__}.FailingBackend"
    notify_many([message(1), message(2)])

    assert deliver_pending() == {"sent": 0, "failed": 2}
    pending = Notification.objects.get(dedupe_key="test:1")
    assert (pending.status, pending.attempts) == (Notification.Status.PENDING, 1)
    assert pending.last_error == "gateway timed out"

    for _ in range(MAX_ATTEMPTS - 1):
        deliver_pending()
    given_up = Notification.objects.get(dedupe_key="test:1")
    assert (given_up.status, given_up.attempts) == (Notification.Status.FAILED, MAX_ATTEMPTS)

    settings.NOTIFICATION_BACKEND = "core.notifications.backends.MemoryBackend"
    assert deliver_pending() == {"sent": 0, "failed": 0}  # a failed message is left to HQ


class DyingBackend:
    """Sends three messages; the worker is killed while handing over the fourth."""

    def send(self, notification) -> None:
        if len(MemoryBackend.outbox) == 3:
            raise SystemExit("killed")
        MemoryBackend.outbox.append(notification)


def test_a_worker_killed_while_sending_sends_nothing_twice(settings):
    settings.NOTIFICATION_BACKEND = f"{__name__}.DyingBackend"
    notify_many([message(n) for n in range(10)])

    with pytest.raises(SystemExit):
        deliver_pending()
    assert len(MemoryBackend.outbox) == 3
    unknown = Notification.objects.get(status=Notification.Status.SENDING)  # it may have gone out
    assert unknown.claimed_at is not None and unknown.attempts == 1
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 3

    settings.NOTIFICATION_BACKEND = "core.notifications.backends.MemoryBackend"
    assert deliver_pending() == {"sent": 6, "failed": 0}  # not the one being sent
    bodies = [n.body for n in MemoryBackend.outbox]
    assert len(bodies) == len(set(bodies)) == 9

    # HQ decides, once the claim is stale: the unconfirmed one goes out again, once.
    assert send_again(Notification.objects.all()) == 0  # its worker may still be at it
    Notification.objects.filter(pk=unknown.pk).update(claimed_at=timezone.now() - STALE_CLAIM - dt.timedelta(seconds=1))
    assert send_again(Notification.objects.all()) == 1
    assert deliver_pending() == {"sent": 1, "failed": 0}
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 10


def test_the_admin_action_queues_unconfirmed_and_failed_messages_again(admin_client):
    notify_many([message(n) for n in range(4)])
    long_ago = timezone.now() - STALE_CLAIM - dt.timedelta(minutes=1)
    Notification.objects.filter(dedupe_key="test:0").update(status=Notification.Status.SENDING, claimed_at=long_ago)
    Notification.objects.filter(dedupe_key="test:3").update(
        status=Notification.Status.SENDING, claimed_at=timezone.now()
    )
    Notification.objects.filter(dedupe_key="test:1").update(status=Notification.Status.FAILED, attempts=MAX_ATTEMPTS)
    Notification.objects.filter(dedupe_key="test:2").update(status=Notification.Status.SENT)

    response = admin_client.post(
        "/admin/core/notification/",
        {"action": "send_again", "_selected_action": list(Notification.objects.values_list("pk", flat=True))},
        follow=True,
    )

    assert response.status_code == 200
    statuses = dict(Notification.objects.values_list("dedupe_key", "status"))
    assert statuses == {"test:0": "pending", "test:1": "pending", "test:2": "sent", "test:3": "sending"}


@pytest.mark.django_db(transaction=True)
def test_a_sent_message_is_recorded_even_if_the_database_went_away_meanwhile(monkeypatch):
    # Queued without the delivery that notify asks for after commit (the eager queue would send it).
    Notification.objects.create(**message(1))
    real_update = QuerySet.update
    failures = []

    def update_failing_once(self, **fields):
        if fields.get("status") == Notification.Status.SENT and not failures:
            failures.append(fields)
            raise OperationalError("server closed the connection unexpectedly")
        return real_update(self, **fields)

    monkeypatch.setattr(QuerySet, "update", update_failing_once)
    monkeypatch.setattr(service.time, "sleep", lambda seconds: None)

    assert deliver_pending() == {"sent": 1, "failed": 0}
    assert failures  # the first write did fail
    assert Notification.objects.get().status == Notification.Status.SENT
    assert len(MemoryBackend.outbox) == 1


def test_an_outcome_never_overwrites_a_claim_that_is_not_its_own():
    notify_many([message(1)])
    claimed = service._claim_next(0)
    # HQ queued it again meanwhile (the claim had gone stale) and another worker took it.
    Notification.objects.filter(pk=claimed.pk).update(claimed_at=timezone.now() + dt.timedelta(seconds=5))
    claimed.status = Notification.Status.SENT
    claimed.sent_at = timezone.now()

    service._record_outcome(claimed)

    assert Notification.objects.get().status == Notification.Status.SENDING  # the other worker's to write


def test_bulk_messages_are_delivered_after_commit_in_eager_mode_too(django_capture_on_commit_callbacks):
    """Tests and production take the same path: delivery is enqueued after commit (eager runs it)."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify_many([message(n) for n in range(3)])

    assert len(callbacks) == 1
    assert sorted(n.body for n in MemoryBackend.outbox) == ["message 0", "message 1", "message 2"]
    assert not Notification.objects.exclude(status=Notification.Status.SENT).exists()
