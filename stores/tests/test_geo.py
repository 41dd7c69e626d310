import math
import random

import pytest

from stores import geo
from stores.models import Store
from stores.tests.factories import StoreFactory


def test_haversine_is_zero_for_the_same_point_and_symmetric():
    assert geo.haversine_km(23.13, 113.26, 23.13, 113.26) == 0
    there = geo.haversine_km(23.13, 113.26, 31.23, 121.47)
    back = geo.haversine_km(31.23, 121.47, 23.13, 113.26)
    assert there == pytest.approx(back)


def test_haversine_uses_the_mean_earth_radius():
    # A quarter of a meridian and a quarter of the equator are both pi/2 radians of arc.
    assert geo.haversine_km(0, 0, 90, 0) == pytest.approx(math.pi / 2 * 6371.0088)
    assert geo.haversine_km(0, 100, 0, 10) == pytest.approx(math.pi / 2 * 6371.0088)
    # Guangzhou to Shanghai: about 1,210 km as the crow flies.
    assert geo.haversine_km(23.1291, 113.2644, 31.2304, 121.4737) == pytest.approx(1212, abs=5)


def test_strips_take_every_longitude_rather_than_wrap_around_the_antimeridian():
    assert all(west is None for _, _, _, west, _ in geo._strips(30, 179.9, 50))
    assert all(west is not None for _, _, _, west, _ in geo._strips(30, 113, 50))


def test_strips_cover_whole_degrees_of_latitude_one_by_one():
    strips = geo._strips(30.5, 113, 300)  # about 2.7 degrees either side
    assert [cell for cell, *_ in strips] == [27, 28, 29, 30, 31, 32, 33]
    assert strips[0][1] == pytest.approx(30.5 - 300 / geo.KM_PER_DEGREE_LAT)
    assert strips[-1][2] == pytest.approx(30.5 + 300 / geo.KM_PER_DEGREE_LAT)
    assert all(west < 113 - 2.7 and east > 113 + 2.7 for _, _, _, west, east in strips[2:5])


def _brute_force(stores, lat, lng, limit, max_km=None):
    ranked = sorted((geo.haversine_km(lat, lng, s.lat, s.lng), s.pk) for s in stores)
    return [(pk, d) for d, pk in ranked if max_km is None or d <= max_km][:limit]


@pytest.fixture
def random_network(db):
    """A few hundred stores: dense city clusters and a thin scatter over the whole feed box."""
    rng = random.Random(31)
    cities = [(rng.uniform(20, 42), rng.uniform(103, 122)) for _ in range(8)]
    stores = []
    for n in range(300):
        if n % 3:
            lat, lng = rng.choice(cities)
            lat, lng = lat + rng.gauss(0, 0.08), lng + rng.gauss(0, 0.08)
        else:
            lat, lng = rng.uniform(18, 54), rng.uniform(73, 135)
        stores.append(Store(**{**_store_fields(n), "lat": lat, "lng": lng}))
    Store.objects.bulk_create(stores)
    return list(Store.objects.all())


def _store_fields(n):
    fields = {
        f.name: getattr(StoreFactory.build(code=f"RN-{n:04d}"), f.name)
        for f in Store._meta.concrete_fields
        if f.name not in ("id", "created_at", "updated_at")
    }
    return fields


def test_nearest_matches_a_brute_force_haversine_on_random_points(random_network):
    rng = random.Random(7)
    for _ in range(60):
        lat, lng = rng.uniform(18, 54), rng.uniform(73, 135)
        limit = rng.choice([1, 5, 10, 50])
        expected = _brute_force(random_network, lat, lng, limit)
        got = geo.nearest(Store.objects.all(), lat, lng, limit=limit)
        assert [pk for pk, _ in got] == [pk for pk, _ in expected]
        assert [d for _, d in got] == pytest.approx([d for _, d in expected])


def test_nearest_matches_brute_force_near_a_dense_cluster(random_network):
    rng = random.Random(8)
    for store in rng.sample(random_network, 20):
        lat, lng = store.lat + rng.uniform(-0.02, 0.02), store.lng + rng.uniform(-0.02, 0.02)
        got = geo.nearest(Store.objects.all(), lat, lng, limit=10)
        assert [pk for pk, _ in got] == [pk for pk, _ in _brute_force(random_network, lat, lng, 10)]


def test_nearest_respects_max_km_and_the_queryset_filter(random_network):
    rng = random.Random(9)
    even = [s for s in random_network if s.pk % 2 == 0]
    for _ in range(20):
        lat, lng = rng.uniform(20, 42), rng.uniform(103, 122)
        got = geo.nearest(Store.objects.filter(pk__in=[s.pk for s in even]), lat, lng, limit=10, max_km=300)
        assert [pk for pk, _ in got] == [pk for pk, _ in _brute_force(even, lat, lng, 10, max_km=300)]


def test_nearest_of_an_empty_queryset_is_empty(db):
    assert geo.nearest(Store.objects.none(), 23, 113, limit=10) == []


def test_nearest_returns_everything_when_fewer_stores_than_the_limit(db):
    StoreFactory(code="ONLY-1", lat=45.0, lng=85.0)
    got = geo.nearest(Store.objects.all(), 18.5, 134.5, limit=10)
    assert len(got) == 1


def test_the_density_map_counts_rows_per_whole_degree(random_network):
    grid = geo.density(Store.objects.all())
    assert sum(grid.values()) == len(random_network)
    store = random_network[0]
    assert grid[(math.floor(store.lat), math.floor(store.lng))] >= 1


def test_the_starting_radius_is_small_in_a_busy_cell_and_takes_all_when_rows_are_few():
    busy = {(23, 113): 500}
    assert geo.starting_radius(busy, 23.5, 113.5, 10) == (geo.INITIAL_RADIUS_KM, 0.0)
    few = {(23, 113): 3, (40, 80): 2}
    start, fewer = geo.starting_radius(few, 30.0, 100.0, 10)
    assert start >= math.pi * geo.EARTH_RADIUS_KM and fewer == 0.0


def test_the_radius_the_map_rules_out_holds_fewer_rows_than_asked_for(random_network):
    grid = geo.density(Store.objects.all())
    rng = random.Random(11)
    for _ in range(200):
        lat, lng = rng.uniform(18, 54), rng.uniform(73, 135)
        limit = rng.choice([1, 5, 10, 50])
        start, fewer = geo.starting_radius(grid, lat, lng, limit)
        within = sum(1 for s in random_network if geo.haversine_km(lat, lng, s.lat, s.lng) <= fewer)
        assert within < limit
        assert start >= fewer


def test_a_stale_density_map_costs_time_never_the_right_answer(random_network, monkeypatch):
    rng = random.Random(12)
    wrong_maps = [
        {(53, 134): 10_000},  # everything in a corner far from the real network
        {(math.floor(s.lat), math.floor(s.lng)): 1 for s in random_network[:5]},  # too few
        {},
    ]
    for grid in wrong_maps:
        monkeypatch.setattr(geo, "density", lambda queryset, grid=grid: grid)
        for _ in range(15):
            lat, lng = rng.uniform(18, 54), rng.uniform(73, 135)
            limit = rng.choice([1, 10, 50])
            got = geo.nearest(Store.objects.all(), lat, lng, limit=limit)
            assert [pk for pk, _ in got] == [pk for pk, _ in _brute_force(random_network, lat, lng, limit)]


def test_far_from_the_network_the_search_starts_near_the_answer(random_network, django_assert_max_num_queries):
    geo.density(Store.objects.all())  # the map is loaded once per process, not per search
    # The Pacific east of Taiwan: the nearest stores are hundreds of kilometres away.
    with django_assert_max_num_queries(6):
        got = geo.nearest(Store.objects.all(), 23.0, 130.0, limit=10)
    assert [pk for pk, _ in got] == [pk for pk, _ in _brute_force(random_network, 23.0, 130.0, 10)]
