import datetime as dt

import pytest
from django.utils import timezone

from stores import selectors
from stores.models import Role, SlotLoad, Store
from stores.tests.factories import StoreFactory, make_user


def codes(queryset):
    return [s.code for s in queryset]


def test_store_list_shows_staff_only_their_own_store(network):
    user = make_user(Role.STAFF, store=network["sz"])
    assert codes(selectors.store_list(user=user, filters={})) == ["SZ-0002"]


def test_store_list_shows_a_regional_manager_exactly_their_provinces(network, regional_user):
    assert codes(selectors.store_list(user=regional_user, filters={})) == ["GZ-0001", "NN-0001", "SZ-0002"]


def test_store_list_shows_hq_every_store_in_code_order(network, hq_user):
    assert codes(selectors.store_list(user=hq_user, filters=None)) == [
        "BJ-0001",
        "GZ-0001",
        "NN-0001",
        "SH-0001",
        "SZ-0002",
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"q": "sz"}, ["SZ-0002"]),  # code prefix, any case
        ({"q": "南宁青秀"}, ["NN-0001"]),  # part of the name
        ({"q": "深圳"}, ["SZ-0002"]),  # city prefix and name
        ({"province": "广西壮族自治区"}, ["NN-0001"]),
        ({"city": "上海"}, ["SH-0001"]),
        ({"kind": "partner"}, ["SZ-0002"]),
        ({"capability": "tyres"}, ["SZ-0002"]),
        ({"capability": "repair", "province": "广东省"}, ["GZ-0001"]),
        ({"status": "suspended"}, ["BJ-0001"]),
        ({"q": "nothing-like-this"}, []),
    ],
)
def test_store_list_searches_and_filters(network, hq_user, filters, expected):
    assert codes(selectors.store_list(user=hq_user, filters=filters)) == expected


def test_store_list_filters_never_widen_a_users_reach(network):
    user = make_user(Role.STAFF, store=network["gz"])
    assert codes(selectors.store_list(user=user, filters={"province": "上海市"})) == []
    assert codes(selectors.store_list(user=user, filters={"q": "SH"})) == []


def test_nearest_stores_lists_only_active_stores_nearest_first(network):
    results = selectors.nearest_stores(lat=39.9, lng=116.4, limit=3)
    assert [s.code for s, _ in results][0] != "BJ-0001"  # suspended
    assert "BJ-0001" not in [s.code for s, _ in results]
    distances = [d for _, d in results]
    assert distances == sorted(distances)


def test_nearest_stores_filters_by_capability(network):
    results = selectors.nearest_stores(lat=22.5, lng=114.0, capability="tyres", limit=10)
    assert [s.code for s, _ in results] == ["SZ-0002"]


def test_nearest_stores_refuses_an_unknown_capability(network):
    with pytest.raises(ValueError, match="unknown capability"):
        selectors.nearest_stores(lat=22.5, lng=114.0, capability="flying", limit=10)


def test_store_capacity_lists_each_open_hour_with_booked_and_free(db):
    store = StoreFactory(code="CAP-1", opens_minute=8 * 60 + 30, closes_minute=12 * 60, bays=3, demo_cars=2)
    day = dt.date(2026, 12, 1)
    ten = timezone.make_aware(dt.datetime(2026, 12, 1, 10))
    SlotLoad.objects.create(store=store, starts_at=ten, resource=SlotLoad.Resource.BAY, capacity=3, booked=3)
    SlotLoad.objects.create(store=store, starts_at=ten, resource=SlotLoad.Resource.DEMO_CAR, capacity=2, booked=1)
    other_day = ten + dt.timedelta(days=1)
    SlotLoad.objects.create(store=store, starts_at=other_day, resource=SlotLoad.Resource.BAY, capacity=3, booked=2)

    hours = selectors.store_capacity_on(store=store, day=day)

    assert [timezone.localtime(h.starts_at).hour for h in hours] == [9, 10, 11]  # 08:30 opening: 08:00 is not whole
    by_hour = {timezone.localtime(h.starts_at).hour: h for h in hours}
    assert (by_hour[10].bays_booked, by_hour[10].bays_free) == (3, 0)
    assert (by_hour[10].demo_cars_booked, by_hour[10].demo_cars_free) == (1, 1)
    assert (by_hour[9].bays_booked, by_hour[9].bays_free, by_hour[9].demo_cars_free) == (0, 3, 2)


def test_store_capacity_of_a_round_the_clock_store_has_24_slots(db):
    store = StoreFactory(code="CAP-24", opens_minute=0, closes_minute=1440)
    assert len(selectors.store_capacity_on(store=store, day=dt.date(2026, 12, 1))) == 24


def test_store_staff_lists_managers_first_and_leaves_out_inactive_users(store):
    staff = make_user(Role.STAFF, store=store, username="amy")
    manager = make_user(Role.MANAGER, store=store, username="zed")
    gone = make_user(Role.STAFF, store=store, username="bob")
    gone.is_active = False
    gone.save()
    make_user(Role.STAFF, store=StoreFactory(code="ELSE-1"), username="carl")
    assert [m.user for m in selectors.store_staff(store=store)] == [manager, staff]
    assert Store.objects.count() == 2
