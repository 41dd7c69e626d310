from django.urls import reverse

from sales.models import MileageCorrection
from sales.tests.factories import CustomerFactory, OrderFactory, TestDriveFactory, VehicleFactory


def test_vehicle_admin_finds_a_vin_exactly(hq_client, store, car_model):
    wanted = VehicleFactory(store=store, model=car_model)
    other = VehicleFactory(store=store, model=car_model)
    html = hq_client.get(reverse("admin:sales_vehicle_changelist"), {"q": wanted.vin.lower()}).content.decode()
    assert wanted.vin in html and other.vin not in html


def test_order_admin_finds_by_number_vin_and_mobile(hq_client, store, car_model):
    vehicle = VehicleFactory(store=store, model=car_model, status="reserved")
    order = OrderFactory(store=store, model=car_model, vehicle=vehicle, status="allocated",
                         customer=CustomerFactory(phone="13812345678"))  # fmt: skip
    other = OrderFactory(store=store, model=car_model)
    url = reverse("admin:sales_order_changelist")
    for query in (order.number, vehicle.vin, "13812345678"):
        html = hq_client.get(url, {"q": query}).content.decode()
        assert order.number in html and other.number not in html, query


def test_customer_admin_finds_by_mobile(hq_client):
    CustomerFactory(phone="13812345678", name="要找的人")
    CustomerFactory(phone="13912345678", name="别人")
    html = hq_client.get(reverse("admin:sales_customer_changelist"), {"q": "+86 138 1234 5678"}).content.decode()
    assert "要找的人" in html and "别人" not in html


def test_mileage_cannot_go_down_in_the_edit_form(hq_client, store, car_model):
    vehicle = VehicleFactory(store=store, model=car_model, mileage_km=5000)
    url = reverse("admin:sales_vehicle_change", args=[vehicle.pk])
    data = {
        "vin": vehicle.vin,
        "model": car_model.pk,
        "color": "白色",
        "status": "in_stock",
        "store": store.pk,
        "mileage_km": 4000,
        "mileage_corrections-TOTAL_FORMS": 0,
        "mileage_corrections-INITIAL_FORMS": 0,
    }
    response = hq_client.post(url, data)
    assert response.status_code == 200
    assert "Correct mileage" in response.content.decode()
    vehicle.refresh_from_db()
    assert vehicle.mileage_km == 5000


def test_mileage_correction_needs_a_reason_and_is_recorded(hq_client, hq_user, store, car_model):
    vehicle = VehicleFactory(store=store, model=car_model, mileage_km=50000)
    url = reverse("admin:sales_vehicle_correct_mileage", args=[vehicle.pk])
    form_page = hq_client.get(url).content.decode()
    assert 'name="mileage_km"' in form_page and 'name="reason"' in form_page and vehicle.vin in form_page
    response = hq_client.post(url, {"mileage_km": 5000, "reason": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode() or "这个字段是必填项" in response.content.decode()
    vehicle.refresh_from_db()
    assert vehicle.mileage_km == 50000
    response = hq_client.post(url, {"mileage_km": 5000, "reason": "读数多打了一个零"})
    assert response.status_code == 302
    vehicle.refresh_from_db()
    correction = MileageCorrection.objects.get()
    assert vehicle.mileage_km == 5000
    assert (correction.old_km, correction.new_km, correction.corrected_by) == (50000, 5000, hq_user)


def test_admin_changelists_keep_a_constant_query_count(hq_client, store, car_model, django_assert_max_num_queries):
    for _ in range(20):
        vehicle = VehicleFactory(store=store, model=car_model, status="reserved")
        OrderFactory(store=store, model=car_model, vehicle=vehicle, status="allocated")
        TestDriveFactory(store=store, model=car_model, demo_vehicle=vehicle)
    shown = {}
    for name in ("vehicle", "order", "testdrive", "customer", "phoneview"):
        with django_assert_max_num_queries(10):
            shown[name] = len(hq_client.get(reverse(f"admin:sales_{name}_changelist")).context["cl"].result_list)
    # Each order and test drive brought its own customer; nobody's number was shown yet.
    assert shown == {"vehicle": 20, "order": 20, "testdrive": 20, "customer": 40, "phoneview": 0}
