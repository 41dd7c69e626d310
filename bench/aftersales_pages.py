"""Benchmark (not a test): the after-sales queue, ticket page and CSV export over 2,000,000 tickets
and 6,000,000 events (PostgreSQL).

Measures server-side time through Django's test client (middleware, session, view, template; no
network), the Django process's own CPU per request, and the queries per page. By default on a
throwaway test database (`test_<name>`) that it creates, fills with SQL and drops; loading takes
a while (minutes), so `--reuse` measures the database DATABASE_URL names as it is, loading it
first only when it holds no tickets yet (and keeping it afterwards).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/goodcar_bench .venv/bin/python bench/aftersales_pages.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/goodcar_asbench .venv/bin/python bench/aftersales_pages.py --reuse

Writes bench/results-aftersales-postgresql.md. Targets (issue 5): store queue p95 <= 50 ms, HQ
queue with three filters p95 <= 150 ms, page 1,000 of the HQ queue <= 150 ms, ticket page <= 50 ms,
CSV export of 200,000 rows with peak memory under 200 MB.
"""

import datetime as dt
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import time_page  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))
WARMUP = 5
STORES, SERVICE_STORES, CUSTOMERS, VEHICLES, TICKETS = 43_000, 3_000, 500_000, 1_000_000, 2_000_000
EXPORT_ROWS_TARGET = 200_000
PROVINCES = [
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
    "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省", "宁夏回族自治区",
    "新疆维吾尔自治区",
]  # fmt: skip
_PROVINCE_ARRAY = "ARRAY[" + ",".join(f"'{p}'" for p in PROVINCES) + "]"

LOAD_SQL = [
    # Stores over all 31 provinces; the first 3,000 are service stores that hold the tickets.
    f"""INSERT INTO stores_store (created_at, updated_at, code, kind, name, province, city, district, address,
        lat, lng, phone, capabilities, bays, demo_cars, opens_minute, closes_minute, status)
    SELECT now(), now(), 'S' || lpad(g::text, 6, '0'), CASE WHEN g <= {SERVICE_STORES} THEN 'service' ELSE 'partner' END,
        'Bench store ' || g, ({_PROVINCE_ARRAY})[1 + g % 31], 'Bench city', '', g || ' Bench road',
        20 + (g % 200) * 0.1, 100 + (g % 300) * 0.1, '020-12345678', 'maintenance|repair|battery', 4, 2, 480, 1200, 'active'
    FROM generate_series(1, {STORES}) g""",
    """INSERT INTO sales_carmodel (created_at, updated_at, code, name, trim, price_cny, battery_kwh, range_km,
        swappable, service_months, service_km)
    SELECT now(), now(), 'M' || g, 'Model ' || g, '', 200000, 75, 600, true, 12, 20000 FROM generate_series(1, 5) g""",
    f"""INSERT INTO sales_customer (created_at, updated_at, name, phone, city)
    SELECT now(), now(), 'Customer ' || g, '139' || lpad(g::text, 8, '0'), '' FROM generate_series(1, {CUSTOMERS}) g""",
    f"""INSERT INTO sales_vehicle (created_at, updated_at, vin, model_id, color, status, store_id, owner_id,
        delivered_on, mileage_km)
    SELECT now(), now(), 'LGCA1B2C0R' || lpad(g::text, 7, '0'), (SELECT min(id) FROM sales_carmodel) + g % 5, 'white',
        'delivered', (SELECT min(id) FROM stores_store) + g % {SERVICE_STORES},
        (SELECT min(id) FROM sales_customer) + g % {CUSTOMERS}, date '2025-01-01' + (g % 600), g % 60000
    FROM generate_series(1, {VEHICLES}) g""",
    # Tickets over the last two years: the last 20 days' are open (about 2.7%), the rest finished.
    f"""INSERT INTO aftersales_ticket (created_at, updated_at, number, kind, priority, status, source, province,
        summary, description, component, payer, payer_override_reason, response_due_at, response_risk_at, due_at,
        risk_at, responded_at, paused_at, resolved_at, closed_at, escalations, due_point, dispatch_note, store_id,
        vehicle_id, customer_id)
    SELECT t.created, t.created, 'AS-' || extract(year FROM t.created)::int || '-' || lpad(t.g::text, 7, '0'),
        t.kind, t.priority, t.status, 'manual', s.province, 'Bench fault ' || t.g, '', '', '', '',
        t.created + interval '8 hours', t.created + interval '6.4 hours', t.created + interval '72 hours',
        t.created + interval '57.6 hours', CASE WHEN t.status <> 'new' THEN t.created + interval '1 hour' END,
        CASE WHEN t.status = 'waiting_parts' THEN t.created + interval '5 hours' END,
        CASE WHEN t.status IN ('resolved', 'closed') THEN t.created + interval '30 hours' END,
        CASE WHEN t.status IN ('closed', 'cancelled') THEN t.created + interval '40 hours' END,
        0, '', '{{}}'::jsonb, s.id, v.id, v.owner_id
    FROM (
        SELECT g, (SELECT min(id) FROM stores_store) + (g::bigint * 7919) % {SERVICE_STORES} AS store_id,
            (SELECT min(id) FROM sales_vehicle) + (g::bigint * 104729) % {VEHICLES} AS vehicle_id,
            now() - (g % 730) * interval '1 day' - (g % 1440) * interval '1 minute' AS created,
            (ARRAY['maintenance','repair','warranty','complaint','battery','recall'])[1 + g % 6] AS kind,
            (ARRAY['P1','P2','P3','P4'])[1 + (g / 7) % 4] AS priority,
            CASE WHEN g % 730 < 20 THEN (ARRAY['new','assigned','in_progress','waiting_parts'])[1 + g % 4]
                 ELSE (ARRAY['closed','closed','resolved','cancelled'])[1 + g % 4] END AS status
        FROM generate_series(1, {TICKETS}) g
    ) t JOIN stores_store s ON s.id = t.store_id JOIN sales_vehicle v ON v.id = t.vehicle_id""",
    """INSERT INTO aftersales_ticketevent (ticket_id, kind, created_at, message, data)
    SELECT id, k.kind, created_at + k.n * interval '1 hour', CASE WHEN k.kind = 'comment' THEN 'Called the customer' ELSE '' END,
        '{}'::jsonb
    FROM aftersales_ticket, (VALUES (0, 'created'), (1, 'status'), (2, 'comment')) AS k(n, kind)""",
    """INSERT INTO sales_vehiclereach (vehicle_id, store_id)
    SELECT DISTINCT vehicle_id, store_id FROM aftersales_ticket ON CONFLICT DO NOTHING""",
]
VACUUM = ["VACUUM ANALYZE"]


def pages(number: str) -> list[tuple[str, str, str, float | None]]:
    """(label, user, url, target p95 ms or None)."""
    q = "/aftersales/tickets/"
    return [
        ("store queue, staff (default: open, by SLA due)", "staff", q, 50.0),
        ("store queue, staff, all statuses", "staff", f"{q}?status=all", 50.0),
        ("HQ queue, default", "hq", q, 150.0),
        (
            "HQ queue, 3 filters (in progress, repair, P1)",
            "hq",
            f"{q}?status=in_progress&kind=repair&priority=P1",
            150.0,
        ),
        ("HQ queue, 3 filters (closed, warranty, P2)", "hq", f"{q}?status=closed&kind=warranty&priority=P2", 150.0),
        ("HQ queue, 3 filters (open, battery, breached)", "hq", f"{q}?status=open&kind=battery&sla=breached", 150.0),
        ("HQ queue, page 1,000 (open)", "hq", f"{q}?page=1000", 150.0),
        ("HQ queue, page 1,000 (all statuses)", "hq", f"{q}?status=all&page=1000", 150.0),
        ("HQ queue, search by VIN", "hq", f"{q}?q=LGCA1B2C0R0000042", None),
        ("HQ queue, search by mobile", "hq", f"{q}?q=13900000042", None),
        ("regional queue (2 provinces)", "regional", q, None),
        ("ticket page, staff", "staff", f"{q}{number}/", 50.0),
    ]


def export_child() -> int:
    """Run in its own process: stream the export and report rows and peak memory (MB)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-as-hq"))
    since = (dt.date.today() - dt.timedelta(days=int(sys.argv[2]))).isoformat()
    client.get("/aftersales/tickets/")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    begun = time.perf_counter()
    response = client.get("/aftersales/tickets/", {"format": "csv", "status": "all", "created_from": since})
    rows = size = 0
    for chunk in response.streaming_content:
        rows += chunk.count(b"\n")
        size += len(chunk)
    elapsed = time.perf_counter() - begun
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{rows - 1} {size} {elapsed:.1f} {before:.0f} {peak:.0f}")
    return 0


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--export-child":
        return export_child()
    reuse = "--reuse" in sys.argv
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    if vendor != "postgresql":
        print("bench/aftersales_pages.py needs PostgreSQL: set DATABASE_URL.")
        return 0
    setup_test_environment()
    old_name = None if reuse else connection.creation.create_test_db(verbosity=0, autoclobber=True)
    rows, load_s = [], 0.0
    try:
        from aftersales.models import Ticket

        if not Ticket.objects.exists():
            started = time.perf_counter()
            with connection.cursor() as cursor:
                for statement in LOAD_SQL:
                    cursor.execute(statement)
            connection.close()
            with connection.cursor() as cursor:  # VACUUM runs outside a transaction (autocommit)
                for statement in VACUUM:
                    cursor.execute(statement)
            load_s = time.perf_counter() - started
        clients, number = _setup()
        for label, who, url, target in pages(number):
            rows.append((label, *time_page(connection, clients[who], url, runs=REQUESTS, warmup=WARMUP), target))
        export = _export(connection)
    finally:
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    report = _report(rows, export, load_s)
    print(report)
    (ROOT / "bench" / f"results-aftersales-{vendor}.md").write_text(report, encoding="utf-8")
    pages_ok = all(p95 <= target for _l, _q, _p50, p95, _cpu, target in rows if target)
    return 0 if pages_ok and export["peak_mb"] < 200 else 1


def _export(connection) -> dict:
    """The export in a child process, so its peak memory is the export's alone."""
    from aftersales.models import Ticket

    # Enough days back for about 200,000 tickets (they spread evenly over 730 days).
    total = Ticket.objects.count()
    days = max(1, round(730 * EXPORT_ROWS_TARGET / max(total, 1)))
    env = {**os.environ, "DATABASE_URL": _database_url(connection)}
    out = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, __file__, "--export-child", str(days)], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    rows, size, seconds, before, peak = out[-5:]
    return {
        "rows": int(rows),
        "mb": int(size) / 1e6,
        "seconds": float(seconds),
        "base_mb": int(before),
        "peak_mb": int(peak),
    }


def _database_url(connection) -> str:
    params = connection.settings_dict
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    auth = params.get("USER") or "postgres"
    if params.get("PASSWORD"):
        auth += f":{params['PASSWORD']}"
    return f"postgres://{auth}@{host}:{port}/{params['NAME']}"


def _report(rows, export: dict, load_s: float) -> str:
    lines = [
        f"## After-sales pages, postgresql: {TICKETS:,} tickets, {3 * TICKETS:,} events, {VEHICLES:,} vehicles, "
        f"{STORES:,} stores",
        "",
        f"{REQUESTS} requests per page through Django's test client after {WARMUP} warm-up requests"
        + (f" (data loaded in {load_s:.0f} s)." if load_s else " (data loaded before)."),
        "`app CPU` is the Django process's own CPU time per request (p95): it leaves out the database and",
        "does not grow when other processes compete for the machine, unlike the wall-clock columns.",
        "",
        "| page | queries | p50 ms | p95 ms | app CPU p95 ms | target p95 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, queries, p50, p95, cpu, target in rows:
        lines.append(
            f"| {label} | {queries} | {p50:.1f} | {p95:.1f} | {cpu:.1f} | {f'{target:.0f} ms' if target else ''} |"
        )
    lines += [
        "",
        f"CSV export, HQ, `status=all` since a date: {export['rows']:,} rows, {export['mb']:.0f} MB of CSV in "
        f"{export['seconds']:.1f} s; peak memory of the process {export['peak_mb']} MB "
        f"({export['base_mb']} MB before the export). Target under 200 MB.",
        "",
        f"Load average when measured: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.",
    ]
    return "\n".join(lines) + "\n"


def _setup():
    from django.test import Client

    from aftersales.models import Ticket
    from stores.models import Membership, Role, Store
    from stores.tests.factories import UserFactory

    store = Store.objects.get(code="S000001")
    specs = {
        "staff": (Role.STAFF, store, ""),
        "regional": (Role.REGIONAL, None, "广东省|广西壮族自治区"),
        "hq": (Role.HQ, None, ""),
    }
    clients = {}
    for who, (role, home, provinces) in specs.items():
        user = UserFactory(username=f"bench-as-{who}")
        Membership.objects.update_or_create(user=user, defaults={"role": role, "store": home, "provinces": provinces})
        clients[who] = Client()
        clients[who].force_login(user)
    number = Ticket.objects.filter(store=store).order_by("-id").values_list("number", flat=True).first()
    return clients, number


if __name__ == "__main__":
    sys.exit(main())
