from sales import access
from sales.access import orders_visible_to, vehicles_visible_to
from sales.models import VehicleReach
from sales.tests.factories import OrderFactory, TestDriveFactory, VehicleFactory
from stores.models import Role
from stores.tests.factories import StoreFactory, make_user


def vins(qs):
    return sorted(qs.values_list("vin", flat=True))


def test_vehicle_is_visible_at_its_store_and_where_work_is_held(store, other_store, staff_user):
    here = VehicleFactory(store=store)
    away = VehicleFactory(store=other_store)
    served_here = VehicleFactory(store=other_store)
    VehicleReach.objects.create(vehicle=served_here, store=store)
    assert vins(vehicles_visible_to(staff_user)) == sorted([here.vin, served_here.vin])
    shanghai = make_user(Role.STAFF, store=other_store)
    assert vins(vehicles_visible_to(shanghai)) == sorted([away.vin, served_here.vin])
    assert away.vin not in vins(vehicles_visible_to(staff_user))


def test_vehicle_reach_counts_once_even_with_several_stores(store, other_store, hq_user, regional_user):
    vehicle = VehicleFactory(store=store)
    VehicleReach.objects.create(vehicle=vehicle, store=store)
    VehicleReach.objects.create(vehicle=vehicle, store=StoreFactory(code="GZ-0002"))
    assert vehicles_visible_to(regional_user).count() == 1
    assert vehicles_visible_to(hq_user).count() == 1


def test_regional_sees_vehicles_of_their_provinces_only(store, other_store, regional_user):
    VehicleFactory(store=store)
    VehicleFactory(store=other_store)
    assert [v.store.code for v in vehicles_visible_to(regional_user)] == ["GZ-0001"]


def test_user_without_role_sees_no_vehicle(store):
    from stores.tests.factories import UserFactory

    VehicleFactory(store=store)
    assert not vehicles_visible_to(UserFactory()).exists()


def test_orders_and_test_drives_are_scoped_by_store(store, other_store, staff_user, hq_user):
    OrderFactory(store=store)
    OrderFactory(store=other_store)
    TestDriveFactory(store=store)
    TestDriveFactory(store=other_store)
    assert orders_visible_to(staff_user).count() == 1
    assert access.test_drives_visible_to(staff_user).count() == 1
    assert orders_visible_to(hq_user).count() == 2


def test_storeless_requests_are_seen_by_hq_and_the_regional_user_who_entered_them(store, staff_user, hq_user):
    author = make_user(Role.REGIONAL, provinces=["广东省"])
    colleague = make_user(Role.REGIONAL, provinces=["广东省"])
    TestDriveFactory(store=None, status="requested", created_by=author)
    assert access.test_drives_visible_to(author).count() == 1
    assert access.test_drives_visible_to(hq_user).count() == 1
    assert access.test_drives_visible_to(colleague).count() == 0
    assert access.test_drives_visible_to(staff_user).count() == 0


def test_vehicle_for_new_work_needs_the_owners_number_only_outside_reach(store, other_store, staff_user, hq_user):
    from sales.tests.factories import CustomerFactory
    from stores.tests.factories import UserFactory

    here = VehicleFactory(store=store)
    owner = CustomerFactory(phone="13912340001")
    away = VehicleFactory(store=other_store, owner=owner, status="delivered", delivered_on="2026-01-05")
    find = access.vehicle_for_new_work
    assert find(staff_user, vin=here.vin) == here
    assert find(staff_user, vin=away.vin) is None
    assert find(staff_user, vin=away.vin, owner_phone="13700000000") is None
    assert find(staff_user, vin=away.vin, owner_phone="13912340001") == away
    assert find(staff_user, vin="LGCA1B2C0R9999999", owner_phone="13912340001") is None
    assert find(hq_user, vin=away.vin) == away
    assert find(UserFactory(), vin=away.vin, owner_phone="13912340001") is None  # no role: nothing
