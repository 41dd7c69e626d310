"""Sales pages show customers' numbers through the one mechanism (sales.services.phones): a full
number shown writes a PhoneView row for that user and customer, a masked one none, in one insert
per page whatever its rows."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sales.models import PhoneView
from sales.tests.factories import CustomerFactory, OrderFactory, TestDriveFactory, VehicleFactory, local_slot
from stores.models import Role
from stores.tests.factories import make_user


@pytest.fixture
def world(store, car_model):
    customer = CustomerFactory(phone="13912340001", name="王先生")
    slot = local_slot(days=1, hour=10)
    drive = TestDriveFactory(store=store, model=car_model, customer=customer, slot_start=slot)
    vehicle = VehicleFactory(
        store=store, model=car_model, status="delivered", owner=customer, delivered_on="2026-01-05"
    )
    order = OrderFactory(
        store=store,
        model=car_model,
        customer=customer,
        status="paid",
        delivery_date=timezone.localdate() + dt.timedelta(days=3),
    )
    return {"customer": customer, "drive": drive, "vehicle": vehicle, "order": order, "slot": slot}


def _pages(world) -> dict[str, tuple[str, bool]]:
    """Page → (url, is a list)."""
    day = f"{reverse('sales:testdrive_day')}?date={world['slot']:%Y-%m-%d}"
    return {
        "order list": (reverse("sales:order_list"), True),
        "deliveries": (reverse("sales:delivery_list"), True),
        "test-drive list": (reverse("sales:testdrive_list"), True),
        "test-drive day": (day, True),
        "order page": (world["order"].get_absolute_url(), False),
        "test-drive page": (world["drive"].get_absolute_url(), False),
        "vehicle page": (world["vehicle"].get_absolute_url(), False),
    }


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER])
def test_each_sales_page_logs_exactly_the_full_numbers_it_shows(client, store, world, role):
    user = make_user(role, store=store)
    client.force_login(user)
    for name, (url, is_list) in _pages(world).items():
        PhoneView.objects.all().delete()
        html = client.get(url).content.decode()
        full = not is_list or role == Role.MANAGER
        assert ("13912340001" in html) == full, name
        assert ("139****0001" in html) == (not full), name
        logged = list(PhoneView.objects.values_list("user_id", "customer_id"))
        assert logged == ([(user.pk, world["customer"].pk)] if full else []), name


def test_a_list_page_logs_in_one_insert_whatever_its_rows(client, store, car_model, django_assert_max_num_queries):
    client.force_login(make_user(Role.MANAGER, store=store))
    OrderFactory(store=store, model=car_model)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("sales:order_list"))
    for _ in range(20):
        OrderFactory(store=store, model=car_model)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("sales:order_list"))
    assert PhoneView.objects.count() == 1 + 21
