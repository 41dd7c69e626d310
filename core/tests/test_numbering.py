"""One numbering service for every counter (tickets, dispatch's blocks of tickets, orders)."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from aftersales.services.dispatch.numbering import _allocate_numbers
from aftersales.tests.factories import make_ticket
from core.models import Counter
from core.numbering import next_numbers
from sales.services import order_create
from sales.tests.factories import CarModelFactory, CustomerFactory


@pytest.mark.django_db
def test_the_first_numbers_of_a_counter_start_at_one_and_n_in_one_call_are_consecutive():
    assert list(next_numbers(counter="ticket", year=2026)) == [1]
    assert list(next_numbers(counter="ticket", year=2026, n=4)) == [2, 3, 4, 5]
    assert list(next_numbers(counter="ticket", year=2026)) == [6]
    assert Counter.objects.get(name="ticket", year=2026).last == 6


@pytest.mark.django_db
def test_counters_and_years_count_independently():
    next_numbers(counter="ticket", year=2026, n=3)
    assert list(next_numbers(counter="order", year=2026)) == [1]
    assert list(next_numbers(counter="ticket", year=2027, n=2)) == [1, 2]
    assert list(next_numbers(counter="ticket", year=2026)) == [4]
    assert sorted(Counter.objects.values_list("name", "year", "last")) == [
        ("order", 2026, 1),
        ("ticket", 2026, 4),
        ("ticket", 2027, 2),
    ]


@pytest.mark.django_db
def test_asking_for_no_numbers_is_refused():
    with pytest.raises(ValueError, match="at least one number"):
        next_numbers(counter="ticket", year=2026, n=0)
    assert not Counter.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for concurrent sessions")
def test_concurrent_callers_never_get_the_same_number_and_leave_no_gap():
    # Twelve sessions at once on a counter that does not exist yet: the row is created once.
    barrier = threading.Barrier(12)
    taken: list[int] = []

    def take(n: int) -> None:
        try:
            barrier.wait()
            for _ in range(5):
                taken.extend(next_numbers(counter="race", year=2026, n=n))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(1 + i % 3,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = 5 * sum(1 + i % 3 for i in range(12))
    assert sorted(taken) == list(range(1, expected + 1))
    assert Counter.objects.get(name="race", year=2026).last == expected


@pytest.mark.django_db
def test_tickets_and_dispatch_blocks_take_from_the_one_ticket_counter(store, time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    first = make_ticket(store=store)
    block = _allocate_numbers(3, timezone.now())
    after = make_ticket(store=store)
    assert [first.number, *block, after.number] == [f"AS-2026-{n:07d}" for n in range(1, 6)]
    order = order_create(customer=CustomerFactory(), model=CarModelFactory(), store=store)
    assert order.number == "SO-2026-0000001"
    assert sorted(Counter.objects.values_list("name", "year", "last")) == [("order", 2026, 1), ("ticket", 2026, 5)]


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_the_old_ticket_and_order_counters_over():
    before = [("aftersales", "0008_ticket_recall_description_max"), ("sales", "0005_testdrive_customer_name")]
    after = [("aftersales", "0009_ticket_numbers_to_core_counter"), ("sales", "0006_order_numbers_to_core_counter")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    old.get_model("aftersales", "TicketCounter").objects.create(year=2026, last=1234)
    old.get_model("sales", "OrderCounter").objects.create(year=2025, last=77)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)

    assert sorted(Counter.objects.values_list("name", "year", "last")) == [("order", 2025, 77), ("ticket", 2026, 1234)]
    assert list(next_numbers(counter="ticket", year=2026)) == [1235]
