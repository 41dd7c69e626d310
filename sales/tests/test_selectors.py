import datetime as dt

from core.paginators import paginate
from sales import selectors
from sales.tests.factories import OrderFactory, TestDriveFactory, local_slot


def test_period_bounds_in_local_days():
    wednesday = dt.date(2026, 11, 25)
    start, end = selectors.period_bounds("week", today=wednesday)
    assert (start.date(), end.date()) == (dt.date(2026, 11, 23), dt.date(2026, 11, 30))
    assert start.hour == 0 and str(start.tzinfo) == "Asia/Shanghai"
    assert selectors.period_bounds("today", today=wednesday)[1].date() == dt.date(2026, 11, 26)
    assert selectors.period_bounds("upcoming", today=wednesday)[1] is None
    assert selectors.period_bounds("past", today=wednesday)[0] is None
    assert selectors.period_bounds("all", today=wednesday) == (None, None)


def test_day_view_lists_open_hours_and_hours_holding_drives(store, staff_user, car_model):
    store.opens_minute, store.closes_minute = 9 * 60, 12 * 60
    store.save()
    TestDriveFactory(store=store, model=car_model, slot_start=local_slot(hour=20))  # entered before hours changed
    slots = selectors.test_drive_day(user=staff_user, store=store, day=local_slot().date())
    assert [s.starts_at.hour for s in slots] == [9, 10, 11, 20]
    assert [s.is_open for s in slots] == [True, True, True, False]
    assert slots[-1].free == 0 and len(slots[-1].drives) == 1


def test_order_query_matches_number_vin_or_mobile_exactly(store, manager_user, car_model):
    order = OrderFactory(store=store, model=car_model)
    assert list(selectors.order_list(user=manager_user, query=order.number.lower())) == [order]
    assert not selectors.order_list(user=manager_user, query=order.number[:-1]).exists()


def test_order_page_reads_one_row_more_and_never_counts(store, manager_user, car_model, django_assert_num_queries):
    for _ in range(5):
        OrderFactory(store=store, model=car_model)
    qs = selectors.order_list(user=manager_user)
    with django_assert_num_queries(1):
        first = paginate(qs, 1, per_page=2, count_cap=None)
    assert len(first) == 2 and first.has_next() and not first.has_previous()
    last = paginate(qs, "3", per_page=2, count_cap=None)
    assert len(last) == 1 and not last.has_next() and last.has_previous()
    assert paginate(qs, "nonsense", per_page=2, count_cap=None).number == 1
