"""`make bench`: the portal measured at the size of the real network (PostgreSQL only).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/goodcar_full REDIS_URL=redis://127.0.0.1:6379/0 make bench

1. Migrates DATABASE_URL; seeds the full network (`seed_demo --scale full`) when it has no store.
2. Pages: server-side p50/p95 through Django's test client (in-process: middleware, session, view,
   template; no network) for logged-in users of each role, BENCH_RUNS runs (default 30) after a
   warm-up, and the queries per request. Next to each list page: the bare SQL time of its main
   query (the page's slowest SELECT, captured and re-run alone on a raw cursor: the floor), and next
   to the ticket changelist a plain `ModelAdmin` with Django's defaults on a throwaway admin site.
3. The store sync of a 43,000-row feed and the dispatch of 100,000 due vehicles, each by its own
   script (bench/store_sync.py, bench/dispatch.py) in a scratch database, so the full data stays as
   it is. The store sync includes the naive row-by-row sync as a ratio.
4. The load test (bench/load.py): gunicorn with 2 workers, 50 store users in locust for at most 60 s,
   while `dispatch_test_drives` runs in a loop.

Writes bench/results.md and prints it. SQLite is refused: the figures only mean something on
PostgreSQL with the full data. BENCH_ONLY=pages,sync,dispatch,load picks sections; BENCH_RUNS
sets the runs per page; BENCH_NAIVE_ROWS times the naive store sync on a sample and scales it up;
BENCH_DUE_VEHICLES (bench/dispatch.py) and BENCH_LOAD_SECONDS shorten the other two.
"""

import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bench_settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("HTTPS_ONLY", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(40))

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
WARMUP = 5
SECTIONS = set((os.environ.get("BENCH_ONLY") or "pages,sync,dispatch,load").split(","))
SCRATCH_DB = "goodcar_bench_scratch"
RESULTS = ROOT / "bench" / "results.md"
MAX_QUERIES = 20
PY = sys.executable


def refuse_sqlite() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "make bench measures PostgreSQL at full scale (43,000 stores, 2,000,000 tickets): set DATABASE_URL "
            "to a PostgreSQL database, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/goodcar_full. "
            "SQLite is refused: its figures would say nothing about the real network."
        )


def manage(*args: str, env: dict | None = None) -> None:
    subprocess.run([PY, str(ROOT / "manage.py"), *args], check=True, env=env or os.environ.copy(), cwd=ROOT)


def prepare_database() -> None:
    manage("migrate", "--noinput", "-v", "0")
    from stores.models import Store

    if not Store.objects.exists():
        print("The database is empty: seeding the full network (seed_demo --scale full)...", flush=True)
        manage("seed_demo", "--scale", "full")
        # A COPY-loaded table has no visibility map yet: index-only scans would still visit the heap.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")


def settle() -> None:
    """Write out what the earlier sections left in PostgreSQL's buffers (the dispatch run's scratch
    database, dropped) before the load test, so that its figures do not carry that checkpoint."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
    time.sleep(5)


def collect_static() -> None:
    manage("collectstatic", "--noinput", "-v", "0")


# ---------------------------------------------------------------- pages


def main_select(captured: list[dict]) -> str | None:
    """The page's main query: its slowest SELECT (the session and user look-ups are cheap)."""
    selects = [q for q in captured if q["sql"].lstrip().upper().startswith("SELECT")]
    if not selects:
        return None
    return max(selects, key=lambda q: float(q["time"]))["sql"]


def time_sql(sql: str, runs: int) -> float:
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for _ in range(WARMUP + runs):
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[WARMUP:])


def measure_page(client, url: str, *, floor: bool) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    status = client.get(url).status_code
    for _ in range(WARMUP - 1):
        client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    # Read them now: each request's start clears the connection's query log.
    captured = list(ctx.captured_queries)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    result = {
        "status": status,
        "queries": len(captured),
        "p50": statistics.median(times),
        "p95": percentile(times, 0.95),
    }
    if floor:
        sql = main_select(captured)
        result["floor"] = time_sql(sql, RUNS) if sql else None
    return result


def bench_subjects() -> dict:
    """Users of each role and the records their pages show (from the seeded network)."""
    from django.contrib.auth import get_user_model

    from aftersales.models import Ticket
    from sales.models import Vehicle
    from stores.models import Membership, Role, Store

    users = get_user_model().objects
    staff = Membership.objects.select_related("user", "store").filter(role=Role.STAFF, user__username="staff").first()
    staff = staff or Membership.objects.select_related("user", "store").filter(role=Role.STAFF).first()
    store = staff.store
    manager = Membership.objects.filter(role=Role.MANAGER, store=store).select_related("user").first()
    manager = manager or Membership.objects.filter(role=Role.MANAGER).select_related("user").first()
    regional = Membership.objects.filter(role=Role.REGIONAL).select_related("user").order_by("id").first()
    hq = Membership.objects.filter(role=Role.HQ).select_related("user").order_by("id").first()
    admin = users.filter(is_superuser=True, is_active=True).order_by("id").first()
    ticket = Ticket.objects.filter(store=store).order_by("-id").first()
    vehicle = Vehicle.objects.filter(store=store).order_by("id").first()
    return {
        "staff": staff.user,
        "manager": manager.user,
        "regional": regional.user,
        "hq": hq.user,
        "admin": admin,
        "store": store,
        "ticket": ticket,
        "vehicle": vehicle,
        "admin_store": Store.objects.order_by("id").first(),
    }


def page_plan(s: dict) -> list[tuple]:
    """(label, user key, url, target ms, list page with a floor?)."""
    store, ticket, vehicle = s["store"], s["ticket"], s["vehicle"]
    filters = "status=open&kind=repair&priority=P2"
    return [
        ("Dashboard, store staff", "staff", "/", 200, False),
        ("Dashboard, store manager", "manager", "/", 200, False),
        ("Dashboard, regional manager", "regional", "/", 200, False),
        ("Dashboard, HQ", "hq", "/", 200, False),
        ("Store list, store staff", "staff", "/stores/", 50, True),
        ("Store list, HQ (43,000 stores)", "hq", "/stores/", 150, True),
        ("Store list, HQ, province + kind filter", "hq", "/stores/?province=广东省&kind=partner", 150, True),
        ("Nearest search (Shanghai, 10)", "staff", "/stores/nearest/?lat=31.23&lng=121.47", 50, True),
        ("Test-drive day view, store staff", "staff", f"/sales/test-drives/day/?store={store.code}", 50, True),
        ("Ticket queue, store staff", "staff", "/aftersales/tickets/", 50, True),
        ("Ticket queue, HQ, three filters", "hq", f"/aftersales/tickets/?{filters}", 150, True),
        ("Ticket queue, HQ, all statuses, page 1,000", "hq", "/aftersales/tickets/?status=all&page=1000", 150, True),
        ("Ticket page, store staff", "staff", f"/aftersales/tickets/{ticket.number}/", 50, False),
        ("VIN page, store staff", "staff", f"/sales/vehicles/{vehicle.vin}/", 50, False),
        ("Admin: stores changelist", "admin", "/admin/stores/store/", 300, True),
        ("Admin: store change form", "admin", f"/admin/stores/store/{s['admin_store'].pk}/change/", 300, False),
        ("Admin: vehicles changelist", "admin", "/admin/sales/vehicle/", 300, True),
        (
            "Admin: vehicles changelist, status filter",
            "admin",
            "/admin/sales/vehicle/?status__exact=delivered",
            300,
            True,
        ),
        ("Admin: vehicle change form", "admin", f"/admin/sales/vehicle/{vehicle.pk}/change/", 300, False),
        ("Admin: tickets changelist", "admin", "/admin/aftersales/ticket/", 300, True),
        ("Admin: tickets changelist, status filter", "admin", "/admin/aftersales/ticket/?status__exact=new", 300, True),
        ("Admin: ticket change form", "admin", f"/admin/aftersales/ticket/{ticket.pk}/change/", 300, False),
    ]


def bench_pages() -> list[str]:
    from django.db import connection
    from django.test import Client, override_settings

    subjects = bench_subjects()
    clients = {}
    for key in ("staff", "manager", "regional", "hq", "admin"):
        clients[key] = Client()
        clients[key].force_login(subjects[key])
    rows, misses = [], []
    results = {}
    with override_settings(ROOT_URLCONF="bench.plain_admin_urls"):
        for label, who, url, target, floor in page_plan(subjects):
            print(f"  {label} ...", flush=True)
            result = measure_page(clients[who], url, floor=floor)
            results[label] = result
            rows.append((label, who, url, target, result))
        print("  Plain ModelAdmin (baseline) ...", flush=True)
        plain = measure_page(clients["admin"], "/bench-plain-admin/aftersales/ticket/", floor=False)
    lines = [
        f"## Pages: server-side, Django test client in-process ({RUNS} runs after {WARMUP} warm-up)",
        "",
        f"PostgreSQL {connection.pg_version // 10000}; `{subjects['staff'].username}` is staff at "
        f"{subjects['store'].code}. The floor is the bare SQL time (p50) of the page's main query "
        "(its slowest SELECT, re-run alone on a raw cursor).",
        "",
        "| page | role | p50 ms | p95 ms | target p95 | queries | floor ms | page / floor |",
        "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for label, who, _url, target, result in rows:
        ok = result["status"] == 200 and result["p95"] <= target and result["queries"] <= MAX_QUERIES
        if not ok:
            misses.append(label)
        floor = result.get("floor")
        floor_cells = f"{floor:.1f} | {result['p50'] / floor:.1f}x" if floor else "| "
        status = "" if result["status"] == 200 else f" (HTTP {result['status']})"
        lines.append(
            f"| {label}{status} | {who} | {result['p50']:.1f} | {result['p95']:.1f} | ≤ {target} ms: "
            f"{'met' if ok else 'MISSED'} | {result['queries']} | {floor_cells} |"
        )
    ours = results["Admin: tickets changelist"]
    lines += [
        "",
        f"Plain `ModelAdmin` of tickets (Django's defaults, a throwaway admin site): p50 {plain['p50']:.1f} ms, "
        f"p95 {plain['p95']:.1f} ms, {plain['queries']} queries (HTTP {plain['status']}); ours: p50 "
        f"{ours['p50']:.1f} ms, {ours['queries']} queries: **{plain['p50'] / ours['p50']:.1f}x faster**.",
        "",
        f"Targets missed: {', '.join(misses) if misses else 'none'}. Load average at the end: "
        f"{os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs).",
        "",
    ]
    return lines


# ---------------------------------------------------------------- scratch database scripts


def scratch_env() -> dict:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    conninfo = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"]}
    if db["PASSWORD"]:
        conninfo["password"] = db["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [SCRATCH_DB]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{SCRATCH_DB}"')
    auth = f"{db['USER']}:{db['PASSWORD']}@" if db["PASSWORD"] else f"{db['USER']}@"
    env = os.environ.copy()
    env["DATABASE_URL"] = f"postgres://{auth}{conninfo['host']}:{conninfo['port']}/{SCRATCH_DB}"
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    manage("migrate", "--noinput", "-v", "0", env=env)
    return env


def run_script(name: str, env: dict, results_file: str, *args: str) -> list[str]:
    script = ROOT / "bench" / name
    if not script.exists():
        return [f"## {name}", "", f"Not measured: `bench/{name}` is not in this checkout.", ""]
    print(f"Running bench/{name} in the scratch database {SCRATCH_DB} ...", flush=True)
    completed = subprocess.run([PY, str(script), *args], env=env, cwd=ROOT, capture_output=True, text=True)
    table = ROOT / "bench" / results_file
    if completed.returncode != 0 or not table.exists():
        tail = (completed.stderr or completed.stdout).strip().splitlines()[-15:]
        return [f"## {name}", "", f"Failed (exit {completed.returncode}):", "", "```", *tail, "```", ""]
    return [table.read_text(encoding="utf-8").strip(), ""]


def main() -> None:
    refuse_sqlite()
    with tempfile.TemporaryDirectory(prefix="goodcar-bench-static-") as static_root:
        os.environ["BENCH_STATIC_ROOT"] = static_root
        run_all(static_root)


def run_all(static_root: str) -> None:
    import django

    django.setup()
    started = time.time()
    lines = [
        "# Benchmark results (`make bench`)",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} at the start. Targets (server-side p95, full scale): store-level pages ≤ 50 ms, "
        f"HQ lists with filters and deep pages ≤ 150 ms, dashboards ≤ 200 ms, admin ≤ 300 ms, ≤ {MAX_QUERIES} "
        "queries per page.",
        "",
    ]
    prepare_database()
    collect_static()
    if "pages" in SECTIONS:
        print("Pages:", flush=True)
        lines += bench_pages()
    if {"sync", "dispatch"} & SECTIONS:
        env = scratch_env()
        if "sync" in SECTIONS:
            naive = os.environ.get("BENCH_NAIVE_ROWS")
            extra = ["--naive-rows", naive] if naive else []
            lines += run_script("store_sync.py", env, "results-store-sync-postgresql.md", *extra)
        if "dispatch" in SECTIONS:
            lines += run_script("dispatch.py", env, "results-dispatch-postgresql.md")
    if "load" in SECTIONS:
        from bench import load

        settle()
        lines += load.run()
    lines.append(f"Whole run: {(time.time() - started) / 60:.1f} min.")
    text = "\n".join(lines) + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
