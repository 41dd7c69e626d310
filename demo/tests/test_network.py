from collections import Counter

from demo.cities import allocate, load_cities, stores_per_city
from demo.network import build_store_rows
from demo.plan import SMALL
from stores.phones import normalise_phone
from stores.provinces import POPULATION_MILLIONS


def test_cities_cover_every_province_inside_china():
    cities = load_cities()
    assert len(cities) >= 200
    assert {c.province for c in cities} == set(POPULATION_MILLIONS)
    assert len({c.code for c in cities}) == len(cities)
    assert all(18 <= c.lat <= 54 and 73 <= c.lng <= 135 for c in cities)


def test_allocate_keeps_total_and_minimum():
    shares = allocate(31, [100.0] + [0.1] * 30, minimum=1)
    assert sum(shares) == 31
    assert min(shares) == 1


def test_store_counts_follow_population():
    by_province = Counter()
    cities = load_cities()
    for index, count in stores_per_city(40_000).items():
        by_province[cities[index].province] += count
    assert sum(by_province.values()) == 40_000
    assert by_province["广东省"] > by_province["山东省"] > by_province["北京市"] > by_province["西藏自治区"] >= 1


def test_full_network_has_exactly_3000_service_stores_and_40000_partners():
    rows = build_store_rows(SMALL)
    kinds = Counter(row[1] for row in rows)
    assert kinds == {"service": 3_000, "partner": 40_000}
    assert len({row[0] for row in rows}) == 43_000
    assert {row[3] for row in rows if row[1] == "service"} == set(POPULATION_MILLIONS)
    assert {row[3] for row in rows if row[1] == "partner"} == set(POPULATION_MILLIONS)


def test_store_rows_are_valid_feed_values():
    rows = build_store_rows(SMALL)
    for row in rows[::97]:
        code, _kind, name, _province, _city, _district, _address, lat, lng, phone = row[:10]
        assert 3 <= len(code) <= 20
        assert len(name) <= 100
        assert 18 <= lat <= 54 and 73 <= lng <= 135
        assert normalise_phone(phone) == phone
        opens, closes = row[13], row[14]
        assert 0 <= opens < closes <= 1440


def test_store_rows_are_deterministic():
    now = None
    first = [row[:16] for row in build_store_rows(SMALL.scaled(0.05), now=now)]
    second = [row[:16] for row in build_store_rows(SMALL.scaled(0.05), now=now)]
    assert first == second
