"""Benchmark (not a test): `schedule_maintenance` for 100,000 due vehicles over 43,000 stores.

On PostgreSQL (DATABASE_URL) with REDIS_URL: the job runs as production runs it, through the
broker on ONE Celery worker with 2 processes (`core.run_job` on one process, the coordinator,
which enqueues the chunks and works through them from the tail while the other process takes
them from the head). On SQLite (DATABASE_URL unset): in-process, eager, chunk after chunk.

It works in a throwaway test database (`test_<name>`) that it creates and drops itself.

    .venv/bin/python bench/dispatch.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/goodcar_dispatch_bench REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/dispatch.py

Prints a markdown table and writes it to bench/results-dispatch-<vendor>.md. Target: ≤ 120 s.
"""

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import PARTNER_CAPS, SERVICE_CAPS, cluster_centres  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

SERVICE_STORES = 3_000
PARTNER_SHOPS = 40_000
DUE_VEHICLES = int(os.environ.get("BENCH_DUE_VEHICLES", "100000"))
NOT_DUE_VEHICLES = DUE_VEHICLES // 5
TARGET_S = 120.0
PROVINCES = [
    "广东省",
    "江苏省",
    "浙江省",
    "山东省",
    "河南省",
    "四川省",
    "湖北省",
    "上海市",
    "北京市",
    "新疆维吾尔自治区",
]


def generate(rng: random.Random) -> None:
    """The benchmark network: stores around the cluster centres, three models, due and not-due cars."""
    from stores.models import Store

    centres = cluster_centres(rng)
    weights = [w for _, _, w in centres]
    stores = [
        _bench_store(rng, n, centres, rng.choices(range(len(centres)), weights)[0])
        for n in range(SERVICE_STORES + PARTNER_SHOPS)
    ]
    Store.objects.bulk_create(stores, batch_size=5_000)
    _generate_fleet(rng, list(Store.objects.filter(kind=Store.Kind.SERVICE).values_list("pk", flat=True)))


def _bench_store(rng: random.Random, n: int, centres, c: int):
    from stores.models import Store

    lat, lng, _ = centres[c]
    service = n < SERVICE_STORES
    roll = rng.random()
    return Store(
        code=f"{'SV' if service else 'PT'}-{n:06d}",
        kind=Store.Kind.SERVICE if service else Store.Kind.PARTNER,
        name=f"Bench store {n}",
        province=PROVINCES[c % len(PROVINCES)],
        city="Bench city",
        address=f"{n} Bench road",
        lat=min(54.0, max(18.0, rng.gauss(lat, 0.12))),
        lng=min(135.0, max(73.0, rng.gauss(lng, 0.12))),
        phone="020-87654321",
        capabilities=SERVICE_CAPS if service else rng.choice(PARTNER_CAPS),
        bays=rng.randint(0, 6) if service else rng.randint(0, 3),
        demo_cars=rng.randint(0, 4) if service else 0,
        opens_minute=rng.choice([8, 9, 10]) * 60,
        closes_minute=rng.choice([17, 18, 20]) * 60,
        status=Store.Status.ACTIVE if roll < 0.93 else Store.Status.SUSPENDED if roll < 0.97 else Store.Status.CLOSED,
    )


def _generate_fleet(rng: random.Random, service_ids: list[int]) -> None:
    """Delivered cars at the service stores: DUE_VEHICLES long past their plan, the others recent."""
    from sales.models import CarModel, Customer, Vehicle

    plans = [(6, 10_000), (12, 20_000), (12, 15_000)]
    models = [
        CarModel.objects.create(
            code=f"BM-{i}", name=f"Bench {i}", price_cny=200_000, battery_kwh=75, range_km=600,
            service_months=months, service_km=km,
        )
        for i, (months, km) in enumerate(plans)
    ]  # fmt: skip
    total = DUE_VEHICLES + NOT_DUE_VEHICLES
    Customer.objects.bulk_create(
        (Customer(name=f"车主{n}", phone=f"13{n:09d}") for n in range(total)), batch_size=5_000
    )
    owners = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    today = dt.date.today()
    vehicles = []
    for n in range(total):
        due = n < DUE_VEHICLES
        vehicles.append(
            Vehicle(
                vin=f"LBENCH{n:011d}",
                model=models[n % 3],
                status=Vehicle.Status.DELIVERED,
                store_id=rng.choice(service_ids),
                owner_id=owners[n],
                delivered_on=today - dt.timedelta(days=rng.randint(400, 900) if due else rng.randint(1, 150)),
                mileage_km=rng.randint(2_000, 9_000) if not due else rng.randint(5_000, 60_000),
            )
        )
    Vehicle.objects.bulk_create(vehicles, batch_size=5_000)


def run_postgres(tmp: Path) -> tuple[float, dict]:
    """The job through the broker on one worker with 2 processes; returns (seconds, counts)."""
    from django.conf import settings
    from django.db import connection

    from core.models import JobRun

    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": queue,
        "DEBUG": "1",
        "LOG_LEVEL": "WARNING",
        "NOTIFICATION_BACKEND": "core.notifications.backends.FileBackend",
        "NOTIFICATION_FILE_PATH": str(tmp / "sent.jsonl"),
    }
    log = open(tmp / "worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "warning", "-Q", queue, "--concurrency", "2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        time.sleep(8)  # let the worker connect
        from config.celery import app

        app.conf.task_always_eager = False
        app.send_task("core.run_job", args=("schedule_maintenance",), queue=queue)
        started = time.perf_counter()
        while True:
            run = JobRun.objects.filter(name="schedule_maintenance").first()
            if run is not None and run.outcome != JobRun.Outcome.RUNNING:
                break
            if time.perf_counter() - started > 1800:
                raise RuntimeError("schedule_maintenance did not finish in 30 minutes")
            time.sleep(0.2)
        assert run.outcome == JobRun.Outcome.SUCCEEDED, run.errors
        return (run.finished_at - run.started_at).total_seconds(), run.counts
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
        log.close()


def run_sqlite() -> tuple[float, dict]:
    from core import jobs

    run = jobs.run_job("schedule_maintenance", triggered_by="bench")
    assert run.outcome == run.Outcome.SUCCEEDED, run.errors
    return (run.finished_at - run.started_at).total_seconds(), run.counts


def breakdown() -> dict[str, int]:
    from django.db.models import Count

    from aftersales.models import Ticket

    rows = Ticket.objects.values("dispatch_note__reason").annotate(n=Count("id")).order_by()
    return {row["dispatch_note__reason"]: row["n"] for row in rows}


def check_capacity() -> int:
    """Slots whose booked count differs from the tickets booked there (must be 0)."""
    from collections import Counter

    from aftersales.models import Ticket
    from stores.models import SlotLoad

    per_slot = Counter(Ticket.objects.filter(store__isnull=False).values_list("store_id", "booked_slot"))
    loads = {
        (s, t): b for s, t, b in SlotLoad.objects.filter(booked__gt=0).values_list("store_id", "starts_at", "booked")
    }
    return sum(1 for key in set(per_slot) | set(loads) if per_slot.get(key, 0) != loads.get(key, 0))


def main() -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    if vendor == "postgresql" and not settings.REDIS_URL and os.environ.get("BENCH_MODE") != "inprocess":
        print("PostgreSQL run needs REDIS_URL for the worker")  # noqa: T201
        return 2
    tmp = tempfile.TemporaryDirectory()
    if vendor == "sqlite3":
        connection.settings_dict["TEST"]["NAME"] = str(Path(tmp.name) / "bench.sqlite3")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        rng = random.Random(20261125)
        started = time.perf_counter()
        generate(rng)
        load_s = time.perf_counter() - started
        if vendor == "postgresql" and os.environ.get("BENCH_MODE") != "inprocess":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            seconds, counts = run_postgres(Path(tmp.name))
            mode = "one Celery worker, 2 processes, through Redis"
        else:
            seconds, counts = run_sqlite()
            mode = "in-process, eager (no broker)"
        reasons = breakdown()
        mismatched = check_capacity()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        tmp.cleanup()

    booked = counts.get("booked", 0)
    due = counts.get("due", 0)
    lines = [
        f"## schedule_maintenance, {vendor}: {DUE_VEHICLES:,} due vehicles, {SERVICE_STORES + PARTNER_SHOPS:,} stores",
        "",
        f"{mode}. {DUE_VEHICLES:,} due and {NOT_DUE_VEHICLES:,} not-yet-due delivered vehicles on "
        f"{SERVICE_STORES:,} service stores and {PARTNER_SHOPS:,} partner shops (7% suspended or closed, "
        f"0–6 bays, opening 08–10 to 17–20); data generated in {load_s:.0f} s. Target ≤ {TARGET_S:.0f} s.",
        "",
        "| figure | value |",
        "| --- | ---: |",
        f"| time (job start to end) | {seconds:.1f} s |",
        f"| due (work created) | {due:,} |",
        f"| found a store within 7 days | {booked:,} ({100 * booked / max(due, 1):.1f} %) |",
        f"| at the vehicle's own store | {reasons.get('own_store', 0):,} |",
        f"| at the nearest store with room (≤ 50 km) | {reasons.get('nearest_with_capacity', 0):,} |",
        f"| unassigned (regional queue) | {counts.get('unassigned', 0):,} |",
        f"| slots whose count differs from their tickets | {mismatched} |",
        f"| throughput | {due / max(seconds, 0.001):,.0f} vehicles/s |",
    ]
    report = "\n".join(lines) + "\n"
    print(report)  # noqa: T201
    (ROOT / "bench" / f"results-dispatch-{vendor}.md").write_text(report, encoding="utf-8")
    return 0 if seconds <= TARGET_S and mismatched == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
