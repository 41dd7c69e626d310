"""PostgreSQL "restarted" while a worker runs: every backend of the TEST database is terminated
(pg_terminate_backend; the shared server itself is never restarted) while a real Celery worker is
delivering the outbox. The worker's statement fails with an operational error; the task is retried
(or, caught writing a sent message's outcome, that write is retried on a new connection) and
finishes: every message is sent, recorded as sent, and none twice."""

import json
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from core.models import Notification
from tests.worker.procs import database_url_of_test_db, needs_postgres, needs_redis, worker_fixture

MESSAGES = 40

pytestmark = [pytest.mark.worker, needs_postgres, needs_redis]


worker = worker_fixture(NOTIFICATION_BACKEND="tests.faults.slow_backend.SlowFileBackend")


def _sent_ids(path: Path) -> list[int]:
    if not path.exists():
        return []
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _wait(condition, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}\n{log.read_text()[-3000:]}")


@pytest.mark.django_db(transaction=True)
def test_worker_survives_a_database_restart_mid_task_without_duplicates(worker, through_the_broker):
    from core.tasks import deliver_outbox

    Notification.objects.bulk_create(
        Notification(channel="sms", recipient=f"1390000{n:04d}", body="您的工单已受理", dedupe_key=f"fault-{n}")
        for n in range(MESSAGES)
    )
    deliver_outbox.apply_async(queue=worker["queue"], ignore_result=True)
    _wait(lambda: len(_sent_ids(worker["sent_file"])) >= 5, 90, "the first messages", worker["log"])

    # The "restart": hold the outbox table, so the worker is caught inside its task waiting on it,
    # then terminate every other backend of the test database, then let go.
    terminated = 0
    with psycopg.connect(database_url_of_test_db()) as admin:
        admin.execute("LOCK TABLE core_notification IN ACCESS EXCLUSIVE MODE")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            waiting = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            ).fetchone()[0]
            if waiting:
                break
            time.sleep(0.1)
        terminated = admin.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]
        admin.rollback()  # releases the table
    # Our own connection was terminated too: drop it first, so that a failure below cannot leave
    # a dead connection to the tests that run after this one.
    connection.close()
    assert terminated >= 1
    sent_before_restart = len(_sent_ids(worker["sent_file"]))
    assert sent_before_restart < MESSAGES  # the restart did land mid-task

    _wait(
        lambda: Notification.objects.filter(status=Notification.Status.SENT).count() == MESSAGES,
        120,
        "the retried task to finish the outbox",
        worker["log"],
    )
    ids = _sent_ids(worker["sent_file"])
    assert len(ids) == MESSAGES and len(set(ids)) == MESSAGES, f"{len(ids)} sent, {len(set(ids))} distinct"
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == MESSAGES
    log = worker["log"].read_text()
    assert "Retry" in log or "retrying" in log, log[-3000:]
