"""The admin at the network's size: constant query counts, no full counts, no select of a big table."""

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from aftersales.models import Ticket, TicketEvent
from aftersales.tests.factories import VehicleFactory, make_ticket
from core.paginators import EstimatedCountPaginator
from sales.models import Customer, Order, TestDrive, Vehicle
from stores.models import Store

# Tables with tens of thousands to millions of rows in the full network.
BIG = {Store, Vehicle, Customer, Order, TestDrive, Ticket, TicketEvent}
BIG_TABLES = {model._meta.db_table for model in BIG} | {"auth_user"}


def _changelist_count(client, url: str, django_assert_max_num_queries) -> tuple[int, int]:
    """The page's query count and how many rows it lists."""
    with django_assert_max_num_queries(20) as captured:
        rows = len(client.get(url).context["cl"].result_list)
    return len(captured.captured_queries), rows


def test_ticket_and_vehicle_changelists_keep_their_query_count_as_rows_grow(
    db, hq_client, store, other_store, django_assert_max_num_queries
):
    make_ticket(store=store)
    urls = [reverse("admin:aftersales_ticket_changelist"), reverse("admin:sales_vehicle_changelist")]
    urls.append(reverse("admin:aftersales_ticket_changelist") + "?status__exact=new")
    few = [_changelist_count(hq_client, url, django_assert_max_num_queries) for url in urls]
    for n in range(8):
        make_ticket(store=other_store if n % 2 else store, vehicle=VehicleFactory(store=other_store))
    many = [_changelist_count(hq_client, url, django_assert_max_num_queries) for url in urls]
    assert [queries for queries, _rows in many] == [queries for queries, _rows in few]
    assert [rows for _queries, rows in few] == [1, 1, 1]
    assert [rows for _queries, rows in many] == [9, 9, 9]


@pytest.mark.parametrize("model", sorted(BIG - {Store}, key=lambda m: m.__name__))
def test_big_changelists_never_count_the_whole_table(model):
    model_admin = admin.site._registry[model]
    assert model_admin.show_full_result_count is False
    assert issubclass(model_admin.paginator, EstimatedCountPaginator) or model_admin.paginator.__name__ == (
        "EstimatedCountPaginator"
    )


def test_every_foreign_key_to_a_big_table_is_raw_id_or_autocomplete():
    offenders = []
    for model, model_admin in admin.site._registry.items():
        for name in [f.name for f in model._meta.fields]:
            field = model._meta.get_field(name)
            if not isinstance(field, models.ForeignKey) or field.related_model._meta.db_table not in BIG_TABLES:
                continue
            if name in model_admin.readonly_fields or not field.editable:
                continue
            if name not in (*model_admin.raw_id_fields, *model_admin.autocomplete_fields):
                offenders.append(f"{model.__name__}.{name}")
    assert offenders == []


def test_every_changelist_showing_a_foreign_key_selects_it_in_the_same_query():
    offenders = []
    for model, model_admin in admin.site._registry.items():
        shown = [name for name in model_admin.list_display if isinstance(name, str)]
        fks = [
            name
            for name in shown
            if name in {f.name for f in model._meta.fields}
            and isinstance(model._meta.get_field(name), models.ForeignKey)
        ]
        if fks and not model_admin.list_select_related:
            offenders.append(model.__name__)
    assert offenders == []


def test_estimated_paginator_counts_exactly_off_postgresql(db, store, other_store):
    paginator = EstimatedCountPaginator(Store.objects.order_by("code"), 1)
    assert paginator.count == 2
