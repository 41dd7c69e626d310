"""Every full mobile number after-sales shows is logged (issue #13): the ticket page, the job card,
the queue and its CSV export write a sales.PhoneView row per customer shown in full, one insert per
page (per streamed chunk for the export); a masked number writes nothing."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales import export
from aftersales.models import Kind
from aftersales.tests.factories import make_ticket
from sales.models import PhoneView

LIST = reverse("aftersales:ticket_list")


def _views(user) -> list[tuple[int, str]]:
    return sorted(PhoneView.objects.filter(user=user).values_list("customer_id", "path"))


def _inserts(queries) -> int:
    return sum(1 for q in queries if q["sql"].upper().startswith("INSERT") and "sales_phoneview" in q["sql"])


@pytest.mark.parametrize("page", ["detail", "job_card"])
def test_a_tickets_own_pages_log_the_full_number_they_show(staff_client, staff_user, store, page):
    ticket = make_ticket(store=store, kind=Kind.MAINTENANCE)
    url = ticket.get_absolute_url() if page == "detail" else reverse("aftersales:ticket_job_card", args=[ticket.number])
    html = staff_client.get(url).content.decode()
    assert ticket.customer.phone in html
    assert _views(staff_user) == [(ticket.customer_id, url)]


def test_the_queue_logs_the_full_numbers_a_manager_sees_in_one_insert(
    client, manager_user, store, django_assert_max_num_queries
):
    tickets = [make_ticket(store=store) for _ in range(3)]
    client.force_login(manager_user)
    with django_assert_max_num_queries(14) as few:
        html = client.get(LIST).content.decode()
    assert all(t.customer.phone in html for t in tickets)
    assert _views(manager_user) == sorted((t.customer_id, LIST) for t in tickets)
    assert _inserts(few.captured_queries) == 1
    tickets += [make_ticket(store=store) for _ in range(20)]
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)
    assert PhoneView.objects.filter(user=manager_user).count() == 3 + 23


def test_the_queue_masked_for_staff_logs_nothing(staff_client, staff_user, store):
    ticket = make_ticket(store=store)
    html = staff_client.get(LIST).content.decode()
    assert ticket.customer.masked_phone in html and ticket.customer.phone not in html
    assert not PhoneView.objects.exists()


def test_the_export_logs_full_numbers_once_per_streamed_chunk(client, manager_user, store, monkeypatch):
    monkeypatch.setattr(export, "CHUNK", 2)
    tickets = [make_ticket(store=store) for _ in range(5)]
    client.force_login(manager_user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"format": "csv"})
        body = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body[1:])))[1:]
    assert sorted(r[10] for r in rows) == sorted(t.customer.phone for t in tickets)
    assert _views(manager_user) == sorted((t.customer_id, f"{LIST}?format=csv") for t in tickets)
    assert _inserts(queries.captured_queries) == 3  # 5 rows in chunks of 2


def test_the_export_masked_for_staff_logs_nothing(staff_client, store):
    make_ticket(store=store)
    body = b"".join(staff_client.get(LIST, {"format": "csv"}).streaming_content).decode("utf-8")
    assert "****" in body
    assert not PhoneView.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_export_logs_while_streaming_outside_any_transaction(client, manager_user, store, monkeypatch):
    """As in production: the rows stream (a server-side cursor on PostgreSQL) after the view
    returned, and each chunk's log commits on its own between fetches."""
    monkeypatch.setattr(export, "CHUNK", 2)
    tickets = [make_ticket(store=store) for _ in range(3)]
    client.force_login(manager_user)
    response = client.get(LIST, {"format": "csv"})
    assert not PhoneView.objects.exists()  # nothing is shown, or logged, before it is streamed
    body = b"".join(response.streaming_content).decode("utf-8")
    assert all(t.customer.phone in body for t in tickets)
    assert PhoneView.objects.filter(user=manager_user).count() == 3
