"""A real Celery worker, started against Redis and the test database, takes a task and does it."""

import time
import uuid

import pytest

from core.models import Notification
from tests.worker.procs import needs_postgres, needs_redis, worker_fixture

pytestmark = [pytest.mark.worker, needs_redis, needs_postgres]

worker = worker_fixture()


@pytest.mark.django_db(transaction=True)
def test_real_worker_delivers_an_outbox_notification(worker, through_the_broker):
    from core.tasks import deliver_outbox

    note = Notification.objects.create(
        channel="sms", recipient="13800000001", body="您的试驾已确认", dedupe_key=f"worker-test-{uuid.uuid4()}"
    )
    deliver_outbox.apply_async(queue=worker["queue"], ignore_result=True)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        note.refresh_from_db()
        if note.status == Notification.Status.SENT:
            break
        time.sleep(0.5)
    assert note.status == Notification.Status.SENT, worker["log"].read_text()
    assert "您的试驾已确认" in worker["sent_file"].read_text(encoding="utf-8")
