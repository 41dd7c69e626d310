"""Helpers for tests that start real processes against the PostgreSQL test database."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

needs_postgres = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
    reason="separate processes cannot share the in-memory SQLite test database: set DATABASE_URL to PostgreSQL",
)
needs_redis = pytest.mark.skipif(
    not settings.REDIS_URL, reason="REDIS_URL is unset: no broker to start a real worker against"
)


def database_url_of_test_db() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_env(tmp_path, **extra) -> dict[str, str]:
    """The environment of a portal process on the test database, delivering to a file."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url_of_test_db(),
        "DEBUG": "1",
        "CONN_MAX_AGE": "0",
        "NOTIFICATION_BACKEND": "core.notifications.backends.FileBackend",
        "NOTIFICATION_FILE_PATH": str(tmp_path / "sent.jsonl"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def start_run_job(name: str, env: dict[str, str], log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115  (closed when the process is reaped)
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_job", name], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )


def start_worker(tmp_path: Path, queue: str, name: str = "worker", concurrency: int = 1, **extra) -> subprocess.Popen:
    """A real Celery worker on a queue of its own, against the test database and REDIS_URL."""
    env = process_env(tmp_path, REDIS_URL=settings.REDIS_URL, CELERY_QUEUE=queue, **extra)
    log = open(tmp_path / f"{name}.log", "a")  # noqa: SIM115  (closed when the process is reaped)
    cmd = [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "info", "-Q", queue]
    cmd += ["--concurrency", str(concurrency), "-n", f"{name}-{queue}@%h"]
    # A process group of its own, so that a test can kill the worker and its children at once.
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def worker_fixture(**extra):
    """A fixture starting one real worker on a queue of its own (so nothing else on this Redis
    takes its tasks), with `extra` settings; it yields the queue, the files and the process."""

    @pytest.fixture
    def worker(tmp_path):
        queue = f"test-{uuid.uuid4().hex[:8]}"
        process = start_worker(tmp_path, queue, **extra)
        yield {"queue": queue, "sent_file": tmp_path / "sent.jsonl", "log": tmp_path / "worker.log", "process": process}
        stop(process)

    return worker
