"""Dates a person types are bounded (2000-01-01 to five years ahead): out of range is a form error,
never a 500, on every page that takes a typed date (issue #13)."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.tests.factories import VehicleFactory, make_ticket
from aftersales.tests.test_views_unassigned import post as post_slot
from aftersales.tests.test_views_unassigned import unassigned
from core.forms import EARLIEST_DATE, latest_date
from sales.models import Order, TestDrive
from sales.tests.factories import CarModelFactory, OrderFactory

QUEUE = "/aftersales/tickets/"
BOUNDS = "Give a date between 2000-01-01 and"
FAR = ["9999-12-31", "0001-01-01", "1999-12-31"]


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def car_model(db):
    return CarModelFactory(code="GC-M7")


def test_bounds_are_2000_to_five_years_from_today():
    today = timezone.localdate()
    assert EARLIEST_DATE.isoformat() == "2000-01-01"
    assert latest_date(today).year == today.year + 5
    assert latest_date(today.replace(year=2028, month=2, day=29)).isoformat() == "2033-02-28"


@pytest.mark.parametrize("field", ["created_from", "created_to", "due_from", "due_to"])
@pytest.mark.parametrize("value", FAR)
def test_queue_shows_an_out_of_range_date_filter_as_invalid_and_still_lists(manager_client, store, field, value):
    ticket = make_ticket(store=store, vehicle=VehicleFactory(store=store))
    response = manager_client.get(QUEUE, {field: value})
    assert response.status_code == 200
    html = response.content.decode()
    assert BOUNDS in html
    assert f'class="form-control is-invalid" aria-invalid="true" aria-describedby="id_{field}_error"' in html
    assert response.context["form"].errors[field]
    assert ticket.number in html  # the invalid filter is left out; the queue still shows


@pytest.mark.parametrize(("field", "value"), [("created_to", "9999-12-31"), ("due_from", "0001-01-01")])
def test_queue_csv_with_an_out_of_range_date_streams_without_error(manager_client, store, field, value):
    ticket = make_ticket(store=store, vehicle=VehicleFactory(store=store))
    response = manager_client.get(QUEUE, {field: value, "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [ticket.number]


def test_queue_date_filter_within_range_still_filters(manager_client, store):
    ticket = make_ticket(store=store, vehicle=VehicleFactory(store=store))
    today = timezone.localdate().isoformat()
    assert ticket.number in manager_client.get(QUEUE, {"created_from": today}).content.decode()
    assert ticket.number not in manager_client.get(QUEUE, {"created_to": "2001-01-01"}).content.decode()


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_day_view_with_an_out_of_range_date_says_so_and_shows_today(staff_client, store, value):
    response = staff_client.get("/sales/test-drives/day/", {"date": value})
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()
    assert BOUNDS in response.content.decode()


@pytest.mark.parametrize("slot", ["9999-12-31 23:00", "0001-01-01 00:00"])
def test_booking_with_a_slot_out_of_range_is_a_form_error(staff_client, store, car_model, slot):
    data = {"customer_name": "王先生", "customer_phone": "13900000001", "model": "GC-M7", "slot": slot}
    response = staff_client.post("/sales/test-drives/new/", data)
    assert response.status_code == 200
    assert BOUNDS in response.content.decode()
    assert not TestDrive.objects.exists()


@pytest.mark.parametrize("slot", ["9999-12-31 10:00", "0001-01-01 10:00"])
def test_manual_placement_of_unassigned_work_in_year_9999_is_refused(regional_client, store, slot):
    ticket = unassigned(store)
    response = post_slot(regional_client, ticket, store.code, slot, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert BOUNDS in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.store_id is None and ticket.booked_slot is None


def test_order_delivery_date_in_year_9999_is_refused(hq_client, store, car_model):
    data = {"customer_name": "钱女士", "customer_phone": "13912345678", "model": "GC-M7", "store": store.code}
    response = hq_client.post("/sales/orders/new/", {**data, "delivery_date": "9999-12-31"})
    assert response.status_code == 200
    assert BOUNDS in response.content.decode()
    assert not Order.objects.exists()


def test_admin_refuses_an_order_delivery_date_in_year_9999(hq_client, store, car_model):
    order = OrderFactory(store=store, model=car_model)
    url = reverse("admin:sales_order_change", args=[order.pk])
    page = hq_client.get(url)
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    response = hq_client.post(url, {**data, "delivery_date": "9999-12-31"})
    assert response.status_code == 200
    assert BOUNDS in response.content.decode()
    order.refresh_from_db()
    assert order.delivery_date is None or order.delivery_date.year < 9999
