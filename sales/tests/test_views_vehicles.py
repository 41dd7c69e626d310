from django.urls import reverse

from sales.models import PhoneView, VehicleReach
from sales.tests.factories import CustomerFactory, OrderFactory, VehicleFactory
from sales.views import vehicles as vehicle_views
from stores.models import Role
from stores.tests.factories import make_user


def test_vehicle_page_shows_its_life(manager_client, store, car_model):
    owner = CustomerFactory(phone="13812345678", name="车主")
    vehicle = VehicleFactory(store=store, model=car_model, status="delivered", owner=owner, delivered_on="2026-01-05")
    order = OrderFactory(store=store, model=car_model, vehicle=vehicle, status="delivered", customer=owner)
    response = manager_client.get(f"/sales/vehicles/{vehicle.vin.lower()}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert order.number in html and "13812345678" in html and "2026-01-05" in html
    assert PhoneView.objects.filter(customer=owner).count() == 1


def test_vehicle_of_another_store_is_404_for_staff(client, store, other_store, car_model):
    vehicle = VehicleFactory(store=other_store, model=car_model)
    client.force_login(make_user(Role.STAFF, store=store))
    assert client.get(vehicle.get_absolute_url()).status_code == 404
    assert client.post(vehicle.get_absolute_url()).status_code == 404
    assert client.get("/sales/vehicles/LMG84G7Y1S8631706/").status_code == 404  # unknown
    assert client.get("/sales/vehicles/NOT-A-VIN/").status_code == 404


def test_vehicle_with_work_at_a_store_is_visible_to_its_staff(client, store, other_store, car_model):
    vehicle = VehicleFactory(store=other_store, model=car_model)
    client.force_login(make_user(Role.STAFF, store=store))
    VehicleReach.objects.create(vehicle=vehicle, store=store)
    assert client.get(vehicle.get_absolute_url()).status_code == 200


def test_aftersales_include_point_loads_with_htmx_and_has_a_link(staff_client, store, car_model, monkeypatch):
    vehicle = VehicleFactory(store=store, model=car_model)
    html = staff_client.get(vehicle.get_absolute_url()).content.decode()
    assert 'data-testid="aftersales-include"' in html
    monkeypatch.setattr(vehicle_views, "AFTERSALES_VEHICLE_WORK", "sales:vehicle_detail")
    html = staff_client.get(vehicle.get_absolute_url()).content.decode()
    url = reverse("sales:vehicle_detail", kwargs={"vin": vehicle.vin})
    assert f'hx-get="{url}"' in html and 'hx-trigger="load"' in html
    assert f'<a href="{url}">' in html


def test_vin_lookup_redirects_to_the_vehicle(staff_client, store, car_model):
    vehicle = VehicleFactory(store=store, model=car_model)
    response = staff_client.get("/sales/vehicles/", {"vin": vehicle.vin.lower()})
    assert response.status_code == 302 and response["Location"] == vehicle.get_absolute_url()


def test_vin_page_lists_only_the_orders_in_the_users_scope(client, store, other_store, car_model):
    """A store serving a car from elsewhere sees the car, not the other store's orders and customers."""
    owner = CustomerFactory(phone="13812345678", name="车主")
    vehicle = VehicleFactory(
        store=other_store, model=car_model, status="delivered", owner=owner, delivered_on="2026-01-05"
    )
    theirs = OrderFactory(store=other_store, model=car_model, vehicle=vehicle, status="delivered", customer=owner)
    cancelled_here = OrderFactory(
        store=store, model=car_model, vehicle=vehicle, status="cancelled", customer=CustomerFactory(name="曾订此车")
    )
    VehicleReach.objects.create(vehicle=vehicle, store=store)
    client.force_login(make_user(Role.STAFF, store=store))
    response = client.get(vehicle.get_absolute_url())
    html = response.content.decode()
    assert [o.number for o in response.context["orders"]] == [cancelled_here.number]
    assert cancelled_here.number in html and theirs.number not in html
    client.force_login(make_user(Role.STAFF, store=other_store))
    assert [o.number for o in client.get(vehicle.get_absolute_url()).context["orders"]] == [theirs.number]
