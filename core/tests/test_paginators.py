"""One paginator module for the portal's lists and the admin: pages that never COUNT(*) a big table."""

import importlib.util

import pytest

from core.paginators import MAX_PAGE, paginate
from stores.models import Store
from stores.tests.factories import StoreFactory


@pytest.fixture
def five_stores(db):
    return [StoreFactory(code=f"PG-{n}") for n in range(5)]


def test_a_page_without_a_count_reads_one_row_more_in_one_query(five_stores, django_assert_num_queries):
    stores = Store.objects.order_by("code")
    with django_assert_num_queries(1):
        first = paginate(stores, 1, per_page=2, count_cap=None)
    assert [s.code for s in first] == ["PG-0", "PG-1"]
    assert first.has_next() and not first.has_previous() and first.paginator.num_pages is None
    last = paginate(stores, "3", per_page=2, count_cap=None)
    assert len(last) == 1 and not last.has_next() and last.has_previous() and last.previous_page_number() == 2


def test_a_page_by_keys_with_a_capped_count(five_stores, django_assert_num_queries):
    stores = Store.objects.order_by("-code")
    with django_assert_num_queries(3):  # the page's keys, its rows by key, the capped count
        page = paginate(stores, 2, per_page=2, rows=Store.objects.only("code"), count_cap=3)
    assert [s.code for s in page] == ["PG-2", "PG-1"]
    assert (page.paginator.count, page.paginator.capped, page.paginator.num_pages) == (3, True, None)
    exact = paginate(stores, 1, per_page=2, rows=Store.objects.all())
    assert (exact.paginator.count, exact.paginator.capped, exact.paginator.num_pages) == (5, False, 3)
    assert exact.next_page_number() == 2


@pytest.mark.parametrize(("asked", "number"), [("nonsense", 1), (None, 1), ("0", 1), ("-4", 1), ("9" * 12, MAX_PAGE)])
def test_page_numbers_are_clamped(asked, number, db):
    assert paginate(Store.objects.order_by("code"), asked, count_cap=None).number == number


def test_the_app_paginators_are_folded_into_core():
    assert importlib.util.find_spec("sales.paging") is None
    assert importlib.util.find_spec("aftersales.paging") is None
