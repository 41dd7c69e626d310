"""Four processes dispatch the same 2,000 test-drive requests at once against tight capacity."""

import datetime as dt
from collections import Counter

import pytest
from django.db.models import F
from django.utils import timezone

from sales.models import Customer, TestDrive
from sales.tests.factories import CarModelFactory
from stores.models import SlotLoad, Store
from tests.worker.procs import needs_postgres, process_env, start_run_job

pytestmark = [pytest.mark.worker, needs_postgres]

REQUESTS = 2000
PROCESSES = 4


def _network_and_requests():
    base_lat, base_lng = 30.25, 120.17  # Hangzhou
    stores = [
        Store(
            code=f"HZ-{i:04d}",
            kind=Store.Kind.SERVICE if i % 3 else Store.Kind.PARTNER,
            name=f"杭州{i}号店",
            province="浙江省",
            city="杭州市",
            address=f"西湖路{i}号",
            lat=base_lat + (i % 8) * 0.01,
            lng=base_lng + (i // 8) * 0.01,
            phone="0571-88888888",
            capabilities="sales|test_drive",
            demo_cars=1 + i % 2,
            opens_minute=9 * 60,
            closes_minute=18 * 60,
            # A few that must get nothing: suspended, closed, and open only in the evening.
            status=Store.Status.SUSPENDED if i == 3 else Store.Status.CLOSED if i == 5 else Store.Status.ACTIVE,
        )
        for i in range(40)
    ]
    stores[7].opens_minute, stores[7].closes_minute = 19 * 60, 23 * 60
    Store.objects.bulk_create(stores)
    model = CarModelFactory(code="GC-S7", service_months=12, service_km=20_000)
    customers = Customer.objects.bulk_create([Customer(name=f"客户{n}", phone=f"138{n:08d}") for n in range(REQUESTS)])
    tomorrow = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    TestDrive.objects.bulk_create(
        [
            TestDrive(
                customer=customer,
                model=model,
                slot_start=tomorrow + dt.timedelta(hours=(10, 12, 15)[n % 3]),
                customer_lat=base_lat + (n % 17) * 0.003,
                customer_lng=base_lng + (n % 23) * 0.003,
            )
            for n, customer in enumerate(customers)
        ]
    )


@pytest.mark.django_db(transaction=True)
def test_four_processes_never_overbook_and_leave_nothing_half_done(tmp_path):
    _network_and_requests()
    env = process_env(tmp_path)

    processes = [start_run_job("dispatch_test_drives", env, tmp_path / f"p{i}.log") for i in range(PROCESSES)]
    for process in processes:
        assert process.wait(timeout=300) == 0, (tmp_path / "p0.log").read_text()

    assigned = TestDrive.objects.filter(status=TestDrive.Status.ASSIGNED)
    waiting = TestDrive.objects.filter(status=TestDrive.Status.REQUESTED)
    assert assigned.count() + waiting.count() == REQUESTS
    assert 0 < assigned.count() < REQUESTS  # tight capacity: some could not be placed
    # Nothing both booked and unassigned, nothing assigned without a store.
    assert not waiting.filter(store__isnull=False).exists()
    assert not assigned.filter(store__isnull=True).exists()
    # Every slot's count matches its bookings exactly, and none is beyond capacity.
    per_slot = Counter(assigned.values_list("store_id", "slot_start"))
    loads = {(row.store_id, row.starts_at): row for row in SlotLoad.objects.all()}
    assert {key: row.booked for key, row in loads.items() if row.booked} == dict(per_slot)
    assert not SlotLoad.objects.filter(booked__gt=F("capacity")).exists()
    for (store_id, _slot), row in loads.items():
        assert row.booked <= Store.objects.get(pk=store_id).demo_cars
    # Closed, suspended and closed-at-that-hour stores got nothing.
    assert not assigned.filter(store__code__in=["HZ-0003", "HZ-0005", "HZ-0007"]).exists()
    # Each booking confirmed once.
    sent = (tmp_path / "sent.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(sent) == assigned.count()
    # Every one of the four processes finished with its summary line.
    for i in range(PROCESSES):
        assert (
            (tmp_path / f"p{i}.log").read_text().strip().splitlines()[-1].startswith("dispatch_test_drives: waiting=")
        )
