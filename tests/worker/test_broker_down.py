"""With the broker unreachable, the web still works, the message waits, and goes once it is back.

The shared Redis is never stopped: the portal's Celery app is pointed at a dead port instead.
"""

import time
import uuid

import pytest
from django.conf import settings
from django.urls import reverse

from aftersales.models import Ticket
from aftersales.tests.factories import VehicleFactory
from config.celery import app
from core.models import Notification
from tests.worker.procs import needs_postgres, needs_redis, start_worker, stop

pytestmark = [pytest.mark.worker, needs_postgres, needs_redis]

DEAD_BROKER = "redis://127.0.0.1:1/0"


def _use_broker(url: str) -> None:
    """Point the app at another broker.

    The old pool is only forgotten, never closed: kombu keeps one pool per broker URL for the
    whole process, and a closed one would break every later test that publishes to that broker.
    """
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    app.conf.task_always_eager = False
    _use_broker(DEAD_BROKER)
    yield
    _use_broker(settings.CELERY_BROKER_URL)
    app.conf.task_always_eager = True


@pytest.mark.django_db(transaction=True)
def test_ticket_created_while_broker_is_down_is_announced_once_it_is_back(
    staff_client, store, broker_down, tmp_path, caplog
):
    vehicle = VehicleFactory(store=store)

    response = staff_client.post(
        reverse("aftersales:ticket_create"),
        {"vin": vehicle.vin, "kind": "repair", "priority": "P3", "summary": "刹车异响", "description": ""},
    )

    # The web request succeeded and the ticket exists; its message waits in the outbox.
    assert response.status_code == 302
    ticket = Ticket.objects.get(vehicle=vehicle)
    note = Notification.objects.get(dedupe_key=f"ticket-received:{ticket.pk}")
    assert note.status == Notification.Status.PENDING
    assert "broker unavailable" in caplog.text  # the enqueue was tried, failed, and was swallowed

    # The broker is back: the periodic delivery (beat's deliver_outbox) reaches a worker.
    _use_broker(settings.CELERY_BROKER_URL)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = start_worker(tmp_path, queue)
    try:
        from core.tasks import deliver_outbox

        deliver_outbox.apply_async(queue=queue, ignore_result=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and note.status == Notification.Status.PENDING:
            time.sleep(0.5)
            note.refresh_from_db()
    finally:
        stop(worker)
    assert note.status == Notification.Status.SENT, (tmp_path / "worker.log").read_text()
    assert ticket.number in (tmp_path / "sent.jsonl").read_text(encoding="utf-8")
