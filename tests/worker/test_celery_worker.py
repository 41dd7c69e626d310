"""A real Celery worker, started against Redis and the test database, takes a task and does it."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from core.models import Notification

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL is unset: no broker to start a real worker against"),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
        reason="a worker process cannot share the in-memory SQLite test database",
    ),
]

ROOT = Path(__file__).resolve().parents[2]


def database_url_of_test_db() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """A worker on a queue of its own, so that nothing else on this Redis takes our task."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url_of_test_db(),
        "REDIS_URL": settings.REDIS_URL,
        "DEBUG": "1",
        "NOTIFICATION_BACKEND": "core.notifications.backends.FileBackend",
        "NOTIFICATION_FILE_PATH": str(tmp_path / "sent.jsonl"),
    }
    cmd = [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "info", "--concurrency", "1", "-Q", queue]
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    yield {"queue": queue, "sent_file": tmp_path / "sent.jsonl", "log": tmp_path / "worker.log", "process": process}
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture
def through_the_broker():
    """Tests run tasks eagerly; this one must send them through Redis."""
    from config.celery import app

    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


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
