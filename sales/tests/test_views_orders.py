import datetime as dt

from django.utils import timezone

from sales.models import Customer, Order, PhoneView, Vehicle
from sales.tests.factories import CustomerFactory, OrderFactory, VehicleFactory
from stores.models import Role
from stores.tests.factories import make_user

# Session, user, membership, the page of orders, the phone-view log (on PostgreSQL inside a test's
# transaction the log adds a savepoint pair and its SET LOCAL).
PAGE_QUERIES = 10


def test_order_list_masks_numbers_for_staff(staff_client, store, car_model):
    OrderFactory(store=store, model=car_model, customer=CustomerFactory(phone="13812345678"))
    html = staff_client.get("/sales/orders/").content.decode()
    assert "138****5678" in html and "13812345678" not in html


def test_order_list_shows_full_numbers_to_managers(manager_client, store, car_model):
    OrderFactory(store=store, model=car_model, customer=CustomerFactory(phone="13812345678"))
    html = manager_client.get("/sales/orders/").content.decode()
    assert "13812345678" in html and "138****5678" not in html
    assert PhoneView.objects.count() == 1


def test_order_list_shows_only_orders_in_reach(staff_client, store, other_store, car_model):
    mine = OrderFactory(store=store, model=car_model)
    theirs = OrderFactory(store=other_store, model=car_model)
    html = staff_client.get("/sales/orders/").content.decode()
    assert mine.number in html and theirs.number not in html


def test_order_list_searches_by_number_vin_and_mobile(manager_client, store, car_model):
    vehicle = VehicleFactory(store=store, model=car_model, status="reserved")
    target = OrderFactory(store=store, model=car_model, vehicle=vehicle, status="allocated",
                          customer=CustomerFactory(phone="13812345678"))  # fmt: skip
    other = OrderFactory(store=store, model=car_model)
    for query in (target.number.lower(), vehicle.vin, "138 1234 5678"):
        html = manager_client.get("/sales/orders/", {"q": query}).content.decode()
        assert target.number in html and other.number not in html, query


def test_order_list_query_count_is_constant(manager_client, store, car_model, django_assert_max_num_queries):
    for _ in range(60):
        OrderFactory(store=store, model=car_model, vehicle=VehicleFactory(store=store, model=car_model))
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = manager_client.get("/sales/orders/")
    assert response.content.decode().count('href="/sales/orders/SO-') == 50
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert manager_client.get("/sales/orders/?page=2").status_code == 200


def test_upcoming_deliveries_list_the_soonest_first(staff_client, store, car_model, now):
    today = timezone.localdate()
    later = OrderFactory(store=store, model=car_model, status="paid", delivery_date=today + dt.timedelta(days=5))
    sooner = OrderFactory(store=store, model=car_model, status="paid", delivery_date=today + dt.timedelta(days=1))
    past = OrderFactory(store=store, model=car_model, status="paid", delivery_date=today - dt.timedelta(days=1))
    html = staff_client.get("/sales/orders/deliveries/").content.decode()
    assert html.index(sooner.number) < html.index(later.number)
    assert past.number not in html


def test_order_page_of_another_store_is_404_and_post_changes_nothing(client, store, other_store, car_model):
    order = OrderFactory(store=other_store, model=car_model)
    client.force_login(make_user(Role.STAFF, store=store))
    url = order.get_absolute_url()
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "pay"}).status_code == 404
    assert client.get("/sales/orders/SO-1999-0000001/").status_code == 404
    order.refresh_from_db()
    assert order.status == "reserved"


def test_order_page_walks_an_order_to_delivery(manager_client, store, car_model):
    order = OrderFactory(store=store, model=car_model, customer=CustomerFactory(phone="13812345678"))
    vehicle = VehicleFactory(store=store, model=car_model, status="in_stock")
    url = order.get_absolute_url()
    html = manager_client.get(url).content.decode()
    assert "13812345678" in html
    assert manager_client.post(url, {"action": "pay"}).status_code == 302
    html = manager_client.get(url).content.decode()
    assert vehicle.vin in html  # offered for allocation
    assert manager_client.post(url, {"action": "allocate", "vin": vehicle.vin}).status_code == 302
    assert manager_client.post(url, {"action": "deliver"}).status_code == 302
    order.refresh_from_db()
    vehicle.refresh_from_db()
    assert order.status == "delivered"
    assert vehicle.status == Vehicle.Status.DELIVERED and vehicle.owner == order.customer


def test_allocating_a_wrong_vin_rerenders_with_the_reason(manager_client, store, other_store, car_model):
    order = OrderFactory(store=store, model=car_model, status="paid")
    elsewhere = VehicleFactory(store=other_store, model=car_model)
    response = manager_client.post(order.get_absolute_url(), {"action": "allocate", "vin": elsewhere.vin})
    assert response.status_code == 200
    html = response.content.decode()
    assert "not in stock at the delivery store" in html
    assert f'value="{elsewhere.vin}"' in html
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.vehicle is None


def test_forbidden_order_move_changes_nothing(manager_client, store, car_model):
    order = OrderFactory(store=store, model=car_model, status="cancelled")
    response = manager_client.post(order.get_absolute_url(), {"action": "pay"}, follow=True)
    assert "cannot become" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "cancelled"


def test_staff_creates_an_order_at_their_store(staff_client, store, car_model):
    response = staff_client.post(
        "/sales/orders/new/",
        {"customer_name": "赵先生", "customer_phone": "+86 138 1234 5678", "model": "gc-m7", "store": "SH-0001"},
    )
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert order.store == store and order.customer.phone == "13812345678"
    assert order.price_cny == car_model.price_cny and order.status == "reserved"


def test_hq_creates_an_order_for_a_store_by_code(hq_client, other_store, car_model, now):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    data = {"customer_name": "钱女士", "customer_phone": "13912345678", "model": "GC-M7", "store": "sh-0001"}
    response = hq_client.post("/sales/orders/new/", {**data, "delivery_date": tomorrow})
    assert response.status_code == 302
    assert Order.objects.get().store == other_store


def test_order_form_refusals_keep_the_input(regional_client, store, other_store, car_model, now):
    data = {"customer_name": "孙先生", "customer_phone": "13912345678", "model": "GC-M7", "store": other_store.code}
    response = regional_client.post("/sales/orders/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "is in your reach" in html and 'value="孙先生"' in html
    store.capabilities = "maintenance"
    store.save()
    response = regional_client.post("/sales/orders/new/", {**data, "store": store.code})
    assert "does not deliver cars" in response.content.decode()
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = regional_client.post("/sales/orders/new/", {**data, "store": store.code, "delivery_date": yesterday})
    assert "cannot be in the past" in response.content.decode()
    assert not Order.objects.exists()


def test_refused_order_leaves_no_new_customer(staff_client, store, car_model):
    store.capabilities = "maintenance"
    store.save(update_fields=["capabilities"])
    data = {"customer_name": "周先生", "customer_phone": "13712345678", "model": "GC-M7"}
    response = staff_client.post("/sales/orders/new/", data)
    assert response.status_code == 200
    assert "does not deliver cars" in response.content.decode()
    assert not Order.objects.exists()
    assert not Customer.objects.filter(phone="13712345678").exists()


def test_refused_order_leaves_a_known_customers_name_as_it_was(staff_client, store, car_model):
    CustomerFactory(phone="13712345678", name="13712345678")
    store.status = "suspended"
    store.save(update_fields=["status"])
    staff_client.post(
        "/sales/orders/new/", {"customer_name": "周先生", "customer_phone": "13712345678", "model": "GC-M7"}
    )
    assert Customer.objects.get(phone="13712345678").name == "13712345678"


def test_a_new_unpaid_order_offers_no_release_and_cannot_be_released_into_paid(staff_client, store, car_model):
    order = OrderFactory(store=store, model=car_model)
    page = staff_client.get(order.get_absolute_url()).content.decode()
    assert 'value="deallocate"' not in page and 'value="pay"' in page
    staff_client.post(order.get_absolute_url(), {"action": "deallocate"})
    order.refresh_from_db()
    assert order.status == Order.Status.RESERVED


def test_order_buttons_are_the_moves_of_its_table(staff_client, store, car_model):
    vehicle = VehicleFactory(store=store, model=car_model, status=Vehicle.Status.RESERVED)
    order = OrderFactory(store=store, model=car_model, vehicle=vehicle, status=Order.Status.ALLOCATED)
    page = staff_client.get(order.get_absolute_url()).content.decode()
    assert [a for a in ("pay", "deallocate", "deliver", "cancel") if f'value="{a}"' in page] == [
        "deallocate",
        "deliver",
        "cancel",
    ]
    delivered = OrderFactory(store=store, model=car_model, status=Order.Status.DELIVERED)
    assert 'name="action"' not in staff_client.get(delivered.get_absolute_url()).content.decode()


def test_hq_cannot_change_a_delivered_order_or_a_completed_test_drive_in_the_admin(hq_user, client, store, car_model):
    from sales.tests.factories import TestDriveFactory

    hq_user.is_staff = True
    hq_user.save(update_fields=["is_staff"])
    client.force_login(hq_user)
    delivered = OrderFactory(store=store, model=car_model, status=Order.Status.DELIVERED)
    live = OrderFactory(store=store, model=car_model)
    done = TestDriveFactory(store=store, model=car_model, status="completed")
    change = "/admin/sales/order/{}/change/"
    assert client.post(change.format(delivered.pk), {"price_cny": 1}).status_code == 403
    assert 'name="price_cny"' in client.get(change.format(live.pk)).content.decode()
    assert client.post(f"/admin/sales/testdrive/{done.pk}/delete/", {"post": "yes"}).status_code == 403
    delivered.refresh_from_db()
    assert delivered.price_cny == 239900
    assert done.__class__.objects.filter(pk=done.pk).exists()
