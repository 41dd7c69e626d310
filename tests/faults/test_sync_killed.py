"""A sync killed with SIGKILL part-way changes nothing: sync_stores runs in a subprocess on a big
file, is killed -9 after it has applied several chunks inside its transaction, and the stores are
exactly as before. PostgreSQL: against the test database; SQLite: against a database file."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from .feedfiles import store_csv, store_rows

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3"
BIG = 15_000  # rows: the kill lands after 10,000 are read, with more to come


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "1",
            "CONN_MAX_AGE": "0",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _manage(env, *args, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def _kill_part_way(env, path: Path) -> str:
    """Starts sync_stores and kills it with SIGKILL once it has read 10,000 rows; returns its log."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "sync_stores", str(path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    log = []
    deadline = time.monotonic() + 240
    for line in process.stderr:
        log.append(line)
        if "10000 rows read" in line:
            os.kill(process.pid, signal.SIGKILL)
            break
        if time.monotonic() > deadline:
            break
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "".join(log[-20:])
    return "".join(log)


def _postgres_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _snapshot_django() -> list[tuple]:
    from stores.models import Store

    return list(Store.objects.order_by("code").values_list("code", "name", "status", "bays"))


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL: see the SQLite file variant below")
@pytest.mark.django_db(transaction=True)
def test_sync_killed_part_way_changes_nothing_on_postgres(tmp_path):
    env = _env(_postgres_url())
    seed = tmp_path / "stores-seed.csv"
    seed.write_bytes(store_csv(store_rows(50, prefix="KL", name="原名")))
    assert _manage(env, "sync_stores", str(seed)).returncode == 0
    before = _snapshot_django()

    big = tmp_path / "stores-big.csv"
    big.write_bytes(store_csv(store_rows(BIG, prefix="KL", name="新名")))  # renames the 50, adds the rest
    _kill_part_way(env, big)

    assert _snapshot_django() == before


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite variant; the PostgreSQL one runs instead")
def test_sync_killed_part_way_changes_nothing_on_a_sqlite_file(tmp_path):
    database = tmp_path / "portal.sqlite3"
    env = _env(f"sqlite:///{database}")
    migrated = _manage(env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    seed = tmp_path / "stores-seed.csv"
    seed.write_bytes(store_csv(store_rows(50, prefix="KL", name="原名")))
    assert _manage(env, "sync_stores", str(seed)).returncode == 0

    def snapshot():
        with sqlite3.connect(database) as db:
            return db.execute("SELECT code, name, status, bays FROM stores_store ORDER BY code").fetchall()

    before = snapshot()
    assert len(before) == 50
    big = tmp_path / "stores-big.csv"
    big.write_bytes(store_csv(store_rows(BIG, prefix="KL", name="新名")))
    _kill_part_way(env, big)

    assert snapshot() == before
    with sqlite3.connect(database) as db:  # and the file is whole
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
