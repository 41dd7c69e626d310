import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sales.models import Customer, Order, Vehicle
from sales.services import customer_get_or_create_by_phone, order_create, order_create_for_phone, order_transition
from sales.tests.factories import CarModelFactory, CustomerFactory, OrderFactory, VehicleFactory
from stores.models import Store
from stores.tests.factories import StoreFactory


@pytest.fixture
def order(store, car_model):
    return order_create(customer=CustomerFactory(), model=car_model, store=store)


def test_order_create_numbers_per_year_and_takes_the_catalogue_price(store, car_model):
    first = order_create(customer=CustomerFactory(), model=car_model, store=store)
    second = order_create(customer=CustomerFactory(), model=car_model, store=store)
    year = timezone.localdate().year
    assert first.number == f"SO-{year}-0000001"
    assert second.number == f"SO-{year}-0000002"
    assert first.status == Order.Status.RESERVED
    assert first.price_cny == car_model.price_cny


def test_order_create_refuses_a_store_that_does_not_deliver(car_model):
    store = StoreFactory(code="GZ-NODEL", capabilities="maintenance")
    with pytest.raises(ValidationError, match="does not deliver"):
        order_create(customer=CustomerFactory(), model=car_model, store=store)
    closed = StoreFactory(code="GZ-CLOSED", status=Store.Status.CLOSED)
    with pytest.raises(ValidationError, match="not active"):
        order_create(customer=CustomerFactory(), model=car_model, store=closed)


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        (["paid"], True),
        (["cancelled"], True),
        (["paid", "cancelled"], True),
        (["allocated"], False),
        (["delivered"], False),
        (["paid", "delivered"], False),
        (["cancelled", "paid"], False),
    ],
)
def test_order_transitions_allowed_and_forbidden(order, path, ok):
    *steps, last = path
    for step in steps:
        order_transition(order=order, action=step)
    if ok:
        assert order_transition(order=order, action=last).status == last
    else:
        before = order.status
        with pytest.raises(ValidationError, match="cannot become"):
            order_transition(order=order, action=last)
        order.refresh_from_db()
        assert order.status == before


def test_allocation_takes_a_vin_in_stock_at_the_delivery_store(order, store, car_model):
    vehicle = VehicleFactory(store=store, model=car_model, status=Vehicle.Status.IN_STOCK)
    order_transition(order=order, action="paid")
    order_transition(order=order, action="allocated", vin=vehicle.vin.lower())
    order.refresh_from_db()
    vehicle.refresh_from_db()
    assert order.vehicle == vehicle and order.status == "allocated"
    assert vehicle.status == Vehicle.Status.RESERVED


def test_allocation_accepts_a_vehicle_in_transit_to_the_store(order, store, car_model):
    vehicle = VehicleFactory(store=store, model=car_model, status=Vehicle.Status.IN_TRANSIT)
    order_transition(order=order, action="paid")
    order_transition(order=order, action="allocated", vin=vehicle.vin)
    vehicle.refresh_from_db()
    assert vehicle.status == Vehicle.Status.IN_TRANSIT
    with pytest.raises(ValidationError, match="still in transit"):
        order_transition(order=order, action="delivered")


@pytest.mark.parametrize(
    ("where", "status", "message"),
    [
        ("other", "in_stock", "not in stock at the delivery store"),
        ("here", "delivered", "not in stock at the delivery store"),
        ("here", "demo", "not in stock at the delivery store"),
        ("here", "other_model", "not the ordered model"),
        ("here", "bad_vin", "check digit"),
    ],
)
def test_allocation_refuses_a_vehicle_that_does_not_fit(order, store, other_store, car_model, where, status, message):
    order_transition(order=order, action="paid")
    if status == "bad_vin":
        vin = "LMG84G7Y2S8631706"
    else:
        model = CarModelFactory(code="GC-OTHER") if status == "other_model" else car_model
        vehicle_status = "in_stock" if status == "other_model" else status
        extra = {"owner": CustomerFactory(), "delivered_on": timezone.localdate()} if status == "delivered" else {}
        vin = VehicleFactory(
            store=store if where == "here" else other_store, model=model, status=vehicle_status, **extra
        ).vin
    with pytest.raises(ValidationError) as info:
        order_transition(order=order, action="allocated", vin=vin)
    assert message in " ".join(info.value.message_dict["vin"])
    order.refresh_from_db()
    assert order.status == "paid" and order.vehicle is None


def test_a_vehicle_is_allocated_to_one_live_order_only(order, store, car_model):
    vehicle = VehicleFactory(store=store, model=car_model, status=Vehicle.Status.IN_STOCK)
    other = OrderFactory(store=store, model=car_model, status="paid")
    order_transition(order=order, action="paid")
    order_transition(order=order, action="allocated", vin=vehicle.vin)
    Vehicle.objects.filter(pk=vehicle.pk).update(status="in_stock")  # even if the feed says so
    with pytest.raises(ValidationError, match="already allocated"):
        order_transition(order=other, action="allocated", vin=vehicle.vin)


def test_delivery_hands_the_car_to_the_customer_and_starts_its_clock(order, store, car_model, now):
    vehicle = VehicleFactory(store=store, model=car_model, status=Vehicle.Status.IN_STOCK, mileage_km=12)
    vehicle.last_service_on = timezone.localdate()
    vehicle.save()
    for step, vin in (("paid", ""), ("allocated", vehicle.vin), ("delivered", "")):
        order_transition(order=order, action=step, vin=vin)
    vehicle.refresh_from_db()
    order.refresh_from_db()
    assert vehicle.status == Vehicle.Status.DELIVERED
    assert vehicle.owner == order.customer
    assert vehicle.store == store
    assert vehicle.delivered_on == timezone.localdate()
    assert vehicle.last_service_on is None
    assert order.delivered_at is not None


def test_releasing_or_cancelling_puts_the_vehicle_back_in_stock(order, store, car_model):
    vehicle = VehicleFactory(store=store, model=car_model, status=Vehicle.Status.IN_STOCK)
    order_transition(order=order, action="paid")
    order_transition(order=order, action="allocated", vin=vehicle.vin)
    order_transition(order=order, action="paid")
    vehicle.refresh_from_db()
    order.refresh_from_db()
    assert vehicle.status == "in_stock" and order.vehicle is None
    order_transition(order=order, action="allocated", vin=vehicle.vin)
    order_transition(order=order, action="cancelled")
    vehicle.refresh_from_db()
    assert vehicle.status == "in_stock"


def test_customer_get_or_create_by_phone_normalises_and_reuses(db):
    first, created = customer_get_or_create_by_phone(phone="+86 138-1234-5678", name="张三")
    again, created_again = customer_get_or_create_by_phone(phone="13812345678", name="另一个名字")
    assert created and not created_again
    assert first.pk == again.pk and again.name == "张三" and again.phone == "13812345678"
    with pytest.raises(ValidationError):
        customer_get_or_create_by_phone(phone="12812345678")


def test_customer_known_only_by_number_is_named_by_the_masked_number_until_named(db):
    from sales.services.customers import customer_get_or_create_by_phone

    anonymous, created = customer_get_or_create_by_phone(phone="13812345679")
    assert created and anonymous.name == "138****5679"
    named, created = customer_get_or_create_by_phone(phone="13812345679", name="李四")
    assert not created and named.pk == anonymous.pk and named.name == "李四"


def test_order_create_for_phone_refused_creates_no_customer(car_model):
    store = StoreFactory(code="GZ-NODEL2", capabilities="maintenance")
    with pytest.raises(ValidationError, match="does not deliver"):
        order_create_for_phone(customer_phone="13712345678", customer_name="周先生", model=car_model, store=store)
    assert not Customer.objects.filter(phone="13712345678").exists()


def test_order_create_for_phone_creates_the_customer_and_the_order(store, car_model):
    order = order_create_for_phone(
        customer_phone="+86 137 1234 5678", customer_name="周先生", model=car_model, store=store
    )
    assert order.customer.phone == "13712345678" and order.customer.name == "周先生"
    assert order.status == Order.Status.RESERVED and order.store == store
