"""Benchmark (not a test): the sales pages over 500,000 vehicles and 200,000 test drives (PostgreSQL).

Measures server-side time through Django's test client (middleware, session, view, template; no
network) and the number of queries per page, on a throwaway test database (`test_<name>`) that
it creates, fills with SQL (generate_series) and drops itself.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/goodcar_bench .venv/bin/python bench/sales_pages.py

Prints a markdown table and writes bench/results-sales-postgresql.md. Target: p95 <= 50 ms for the
test-drive day view and the order list.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import time_page  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
WARMUP = 10
TARGET_P95_MS = 50.0
STORES, SERVICE_STORES = 43_000, 3_000
VEHICLES, TEST_DRIVES, ORDERS, CUSTOMERS = 500_000, 200_000, 300_000, 400_000

LOAD_SQL = [
    # 3,000 service stores (test drives, sales, delivery) in Guangdong and Shanghai, 40,000 partner shops.
    f"""INSERT INTO stores_store (created_at, updated_at, code, kind, name, province, city, district, address,
        lat, lng, phone, capabilities, bays, demo_cars, opens_minute, closes_minute, status)
    SELECT now(), now(), 'ST-' || lpad(g::text, 6, '0'), CASE WHEN g <= {SERVICE_STORES} THEN 'service' ELSE 'partner' END,
        'Bench store ' || g, CASE WHEN g % 10 = 0 THEN '上海市' ELSE '广东省' END, 'Bench city', '', g || ' Bench road',
        22 + (g % 1000) / 100.0, 110 + (g % 997) / 100.0, '020-87654321',
        CASE WHEN g <= {SERVICE_STORES} THEN 'sales|test_drive|delivery|maintenance|repair' ELSE 'tyres' END,
        4, CASE WHEN g <= {SERVICE_STORES} THEN 3 ELSE 0 END, 480, 1200, 'active'
    FROM generate_series(1, {STORES}) g""",
    """INSERT INTO sales_carmodel (created_at, updated_at, code, name, trim, price_cny, battery_kwh, range_km,
        swappable, service_months, service_km)
    SELECT now(), now(), 'GC-M' || g, 'Model ' || g, 'Std', 200000 + g * 1000, 80, 600, true, 12, 20000
    FROM generate_series(1, 20) g""",
    f"""INSERT INTO sales_customer (created_at, updated_at, name, phone, city)
    SELECT now(), now(), 'Customer ' || g, '139' || lpad(g::text, 8, '0'), 'Bench city'
    FROM generate_series(1, {CUSTOMERS}) g""",
    f"""INSERT INTO sales_vehicle (created_at, updated_at, vin, color, status, mileage_km, model_id, store_id,
        owner_id, delivered_on)
    SELECT now(), now(), 'LGC' || lpad(g::text, 14, '0'), 'white',
        CASE WHEN g % 10 < 6 THEN 'delivered' WHEN g % 10 < 8 THEN 'in_stock' WHEN g % 10 = 8 THEN 'in_transit'
             ELSE 'demo' END,
        g % 50000, (SELECT min(id) FROM sales_carmodel) + g % 20, (SELECT min(id) FROM stores_store) + g % {SERVICE_STORES},
        CASE WHEN g % 10 < 6 THEN (SELECT min(id) FROM sales_customer) + g % {CUSTOMERS} END,
        CASE WHEN g % 10 < 6 THEN date '2025-01-01' + (g % 600) END
    FROM generate_series(1, {VEHICLES}) g""",
    # Work held for one vehicle in five at another store.
    f"""INSERT INTO sales_vehiclereach (vehicle_id, store_id)
    SELECT (SELECT min(id) FROM sales_vehicle) + g * 5, (SELECT min(id) FROM stores_store) + (g * 7) % {SERVICE_STORES}
    FROM generate_series(0, {VEHICLES // 5 - 1}) g ON CONFLICT DO NOTHING""",
    f"""INSERT INTO sales_order (created_at, updated_at, number, status, price_cny, delivery_date, customer_id,
        model_id, store_id)
    SELECT now() - (g % 700) * interval '1 day' - (g % 1440) * interval '1 minute', now(),
        'SO-2026-' || lpad(g::text, 7, '0'),
        CASE WHEN g % 5 = 0 THEN 'reserved' WHEN g % 5 = 1 THEN 'paid' WHEN g % 5 = 2 THEN 'cancelled'
             ELSE 'delivered' END,
        250000, current_date + (g % 30) - 5, (SELECT min(id) FROM sales_customer) + g % {CUSTOMERS},
        (SELECT min(id) FROM sales_carmodel) + g % 20, (SELECT min(id) FROM stores_store) + g % {SERVICE_STORES}
    FROM generate_series(1, {ORDERS}) g""",
    # Test drives over 60 days either side of today, 09:00-19:00 local.
    f"""INSERT INTO sales_testdrive (created_at, updated_at, slot_start, status, dispatch_note, customer_id,
        model_id, store_id)
    SELECT now(), now(),
        date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai'
            + ((g % 120) - 60) * interval '1 day' + (9 + g % 11) * interval '1 hour',
        CASE WHEN g % 4 = 0 THEN 'confirmed' ELSE 'assigned' END, '{{}}',
        (SELECT min(id) FROM sales_customer) + g % {CUSTOMERS}, (SELECT min(id) FROM sales_carmodel) + g % 20,
        (SELECT min(id) FROM stores_store) + (g / 7) % {SERVICE_STORES}
    FROM generate_series(1, {TEST_DRIVES}) g ON CONFLICT DO NOTHING""",
    # The measured store's day is fully booked: three drives in each of its twelve hours.
    """INSERT INTO sales_testdrive (created_at, updated_at, slot_start, status, dispatch_note, customer_id,
        model_id, store_id)
    SELECT now(), now(),
        date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai' + h * interval '1 hour',
        'confirmed', '{}', (SELECT min(id) FROM sales_customer) + 1000 * h + c,
        (SELECT min(id) FROM sales_carmodel), (SELECT id FROM stores_store WHERE code = 'ST-000001')
    FROM generate_series(8, 19) h, generate_series(1, 3) c ON CONFLICT DO NOTHING""",
    """INSERT INTO stores_slotload (store_id, starts_at, resource, capacity, booked)
    SELECT store_id, slot_start, 'demo_car', 3, least(count(*), 3) FROM sales_testdrive
    GROUP BY store_id, slot_start""",
    "ANALYZE",
]


def pages(vin: str) -> list[tuple[str, str, str, bool]]:
    """(label, user, url, counts toward the target)."""
    return [
        ("test-drive day view, staff (36 drives)", "staff", "/sales/test-drives/day/", True),
        ("test-drive day view, HQ by store code", "hq", "/sales/test-drives/day/?store=ST-000001", True),
        ("order list, staff", "staff", "/sales/orders/", True),
        ("order list, manager (full numbers, logged)", "manager", "/sales/orders/", True),
        ("order list, regional", "regional", "/sales/orders/", True),
        ("order list, HQ", "hq", "/sales/orders/", True),
        ("order list, HQ, page 20", "hq", "/sales/orders/?page=20", True),
        ("order list, HQ, status paid", "hq", "/sales/orders/?status=paid", True),
        ("order list, HQ, search by mobile", "hq", "/sales/orders/?q=13900012345", True),
        ("test-drive list, staff", "staff", "/sales/test-drives/", False),
        ("test-drive list, HQ", "hq", "/sales/test-drives/", False),
        ("upcoming deliveries, HQ", "hq", "/sales/orders/deliveries/", False),
        ("vehicle page, staff", "staff", f"/sales/vehicles/{vin}/", False),
    ]


def main() -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    if vendor != "postgresql":
        print("bench/sales_pages.py needs PostgreSQL: set DATABASE_URL.")
        return 0
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    rows = []
    try:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for statement in LOAD_SQL:
                cursor.execute(statement)
        load_s = time.perf_counter() - started
        clients, vin = _setup()
        for label, who, url, counted in pages(vin):
            queries, p50, p95, cpu = time_page(connection, clients[who], url, runs=REQUESTS, warmup=WARMUP)
            rows.append((label, queries, p50, p95, cpu, counted))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    lines = [
        f"## Sales pages, {vendor}: {VEHICLES:,} vehicles, {TEST_DRIVES:,} test drives, {ORDERS:,} orders, "
        f"{STORES:,} stores",
        "",
        f"{REQUESTS} requests per page through Django's test client after {WARMUP} warm-up requests "
        f"(data loaded in {load_s:.1f} s). Target p95 ≤ {TARGET_P95_MS:.0f} ms for the day view and the order list.",
        "",
        "`app CPU` is the Django process's own CPU time per request (p95): it leaves out the database and",
        "does not grow when other processes compete for the machine, unlike the wall-clock columns.",
        "",
        "| page | queries | p50 ms | p95 ms | app CPU p95 ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    lines += [f"| {label} | {q} | {p50:.1f} | {p95:.1f} | {cpu:.1f} |" for label, q, p50, p95, cpu, _c in rows]
    load = os.getloadavg()[0]
    lines += ["", f"Load average when measured: {load:.1f} on {os.cpu_count()} CPUs."]
    report = "\n".join(lines) + "\n"
    print(report)
    (ROOT / "bench" / f"results-sales-{vendor}.md").write_text(report, encoding="utf-8")
    return 0 if all(p95 <= TARGET_P95_MS for _l, _q, _p50, p95, _cpu, counted in rows if counted) else 1


def _setup():
    from django.test import Client

    from sales.models import Vehicle
    from sales.tests.factories import make_vin
    from stores.models import Role, Store
    from stores.tests.factories import make_user

    store = Store.objects.get(code="ST-000001")
    users = {
        "staff": make_user(Role.STAFF, store=store, username="bench-staff"),
        "manager": make_user(Role.MANAGER, store=store, username="bench-manager"),
        "regional": make_user(Role.REGIONAL, provinces=["广东省"], username="bench-regional"),
        "hq": make_user(Role.HQ, username="bench-hq"),
    }
    clients = {}
    for who, user in users.items():
        clients[who] = Client()
        clients[who].force_login(user)
    # Generated VINs skip the check digit; give the measured vehicle a valid one.
    vehicle = Vehicle.objects.filter(store=store, status=Vehicle.Status.DELIVERED).order_by("pk").first()
    vehicle.vin = make_vin()
    vehicle.save(update_fields=["vin"])
    return clients, vehicle.vin


if __name__ == "__main__":
    sys.exit(main())
