"""Ticket scope: derived from stores.access.scope_of, with the regional queue's subquery kept."""

from aftersales.access import tickets_visible_to
from stores.models import Role
from stores.tests.factories import StoreFactory, make_user


def test_regional_ticket_queue_keeps_its_store_subquery(db):
    sql = str(tickets_visible_to(make_user(Role.REGIONAL, provinces=["北京市"])).query)
    assert "IN (SELECT" in sql and 'store_id" IS NULL' in sql


def test_store_scoped_ticket_filter_is_a_plain_column_test(db):
    store = StoreFactory()
    where = str(tickets_visible_to(make_user(Role.MANAGER, store=store)).query).split("WHERE", 1)[1]
    assert "SELECT" not in where and f'store_id" = {store.pk}' in where
