"""schedule_maintenance on real processes: twice is once; a worker killed mid-batch loses nothing."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter

import pytest
from django.db.models import Count

from aftersales.models import Ticket
from aftersales.services import schedule_run
from core.models import Notification
from sales.models import Customer, Vehicle
from sales.tests.factories import CarModelFactory
from stores.models import SlotLoad, Store
from tests.worker.procs import ROOT, needs_postgres, needs_redis, process_env, start_worker, stop

pytestmark = [pytest.mark.worker, needs_postgres]

VEHICLES = 6000


def _network_and_fleet(vehicles: int = VEHICLES) -> list[int]:
    stores = Store.objects.bulk_create(
        Store(
            code=f"WH-{i:04d}",
            kind=Store.Kind.SERVICE if i % 4 else Store.Kind.PARTNER,
            name=f"武汉{i}号店",
            province="湖北省",
            city="武汉市",
            address=f"江汉路{i}号",
            lat=30.58 + (i % 6) * 0.02,
            lng=114.30 + (i // 6) * 0.02,
            phone="027-88888888",
            capabilities="maintenance|repair",
            bays=1 + i % 3,
            status=Store.Status.SUSPENDED if i == 4 else Store.Status.ACTIVE,
        )
        for i in range(36)
    )
    model = CarModelFactory(code="GC-S7", service_months=12, service_km=20_000)
    owners = Customer.objects.bulk_create(Customer(name=f"车主{n}", phone=f"137{n:08d}") for n in range(vehicles))
    Vehicle.objects.bulk_create(
        Vehicle(
            vin=f"LKILL{n:012d}",
            model=model,
            status=Vehicle.Status.DELIVERED,
            store=stores[n % len(stores)],
            owner=owner,
            delivered_on=dt.date(2024, 1, 1) + dt.timedelta(days=n % 200),
            mileage_km=1000,
        )
        for n, owner in enumerate(owners)
    )
    return list(Vehicle.objects.order_by("pk").values_list("pk", flat=True))


def _state():
    return (
        sorted(Ticket.objects.values_list("vehicle_id", "store_id", "booked_slot", "due_point", "status")),
        sorted(SlotLoad.objects.filter(booked__gt=0).values_list("store_id", "starts_at", "booked")),
        Notification.objects.count(),
    )


def _assert_consistent():
    """One scheduled ticket per vehicle at most, and every slot's count equals its tickets."""
    assert not Ticket.objects.values("vehicle").annotate(n=Count("id")).filter(n__gt=1).exists()
    per_slot = Counter(Ticket.objects.filter(store__isnull=False).values_list("store_id", "booked_slot"))
    loads = {
        (s, t): b for s, t, b in SlotLoad.objects.filter(booked__gt=0).values_list("store_id", "starts_at", "booked")
    }
    assert dict(per_slot) == loads
    for store_id, bays in Store.objects.values_list("pk", "bays"):
        assert all(b <= bays for (s, _t), b in loads.items() if s == store_id)
    assert not Ticket.objects.filter(store__code="WH-0004").exists()  # suspended


def _run_job(tmp_path, name: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "run_job", name],
        cwd=ROOT,
        env=process_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.django_db(transaction=True)
def test_run_job_schedule_maintenance_twice_gives_the_same_state_as_once(tmp_path):
    _network_and_fleet(1500)

    first = _run_job(tmp_path, "schedule_maintenance")
    once = _state()
    second = _run_job(tmp_path, "schedule_maintenance")

    assert first.startswith("schedule_maintenance: due=1500 booked=")
    assert second == "schedule_maintenance: due=0 booked=0 unassigned=0"
    assert _state() == once
    _assert_consistent()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_create_nothing_twice(tmp_path):
    _network_and_fleet(1500)
    env = process_env(tmp_path)
    runs = [
        subprocess.Popen([sys.executable, "manage.py", "run_job", "schedule_maintenance"], cwd=ROOT, env=env)
        for _ in range(2)
    ]
    assert [run.wait(timeout=600) for run in runs] == [0, 0]

    assert Ticket.objects.count() == 1500
    _assert_consistent()


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_batch_and_restarted_leaves_no_duplicates_and_no_lost_work(tmp_path):
    from aftersales.tasks import schedule_maintenance_chunk
    from config.celery import app

    ids = _network_and_fleet()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    # A short visibility timeout: the killed worker's unacknowledged tasks come back quickly.
    worker = start_worker(tmp_path, queue, concurrency=2, CELERY_VISIBILITY_TIMEOUT="15")
    run_at = dt.datetime.now(dt.UTC).isoformat()
    token = uuid.uuid4().hex
    app.conf.task_always_eager = False
    try:
        for seq, start in enumerate(range(0, len(ids), 200)):
            schedule_maintenance_chunk.apply_async(
                kwargs={"token": token, "seq": seq, "vehicle_ids": ids[start : start + 200], "run_at": run_at},
                queue=queue,
                ignore_result=True,
            )
    finally:
        app.conf.task_always_eager = True

    deadline = time.monotonic() + 120
    while Ticket.objects.count() < 300 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its pool processes, mid-batch
    worker.wait(timeout=20)
    at_kill = Ticket.objects.count()
    assert 0 < at_kill < VEHICLES, "the worker finished before it could be killed: make the batch bigger"
    _assert_consistent()  # nothing half-written: committed batches only

    restarted = start_worker(tmp_path, queue, name="restarted", concurrency=2, CELERY_VISIBILITY_TIMEOUT="15")
    try:
        deadline = time.monotonic() + 180
        while Ticket.objects.count() < VEHICLES and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        stop(restarted)

    assert Ticket.objects.count() == VEHICLES, (tmp_path / "restarted.log").read_text()[-3000:]
    _assert_consistent()
    # Nothing is left to do: the nightly run after it finds every due point made.
    assert schedule_run.schedule_maintenance()["due"] == 0
