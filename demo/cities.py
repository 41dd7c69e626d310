"""The demo network's geography: real prefecture-level cities (data/cities.csv) and how stores spread.

Coordinates are city centres in degrees (WGS-84 and GCJ-02 differ by a few hundred metres, less
than the jitter that places stores around a centre). `weight` is roughly the urban population in
millions: it spreads a province's stores over its cities.
"""

import csv
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from stores.provinces import POPULATION_MILLIONS

DATA = Path(__file__).resolve().parent / "data" / "cities.csv"

# Ethnic names inside autonomous prefectures' names: the short name is what comes before.
_ETHNIC = ("朝鲜族", "彝族", "苗族", "布依族", "白族", "哈尼族", "傣族", "蒙古族", "哈萨克", "回族")


@dataclass(frozen=True)
class City:
    index: int
    code: str
    province: str
    name: str
    lat: float
    lng: float
    weight: float
    area_code: str
    districts: tuple[str, ...]

    @property
    def short(self) -> str:
        """北京 for 北京市, 喀什 for 喀什地区, 延边 for 延边朝鲜族自治州."""
        name = self.name
        if name.endswith("自治州"):
            cut = min((name.find(e) for e in _ETHNIC if e in name), default=len(name) - 3)
            return name[:cut]
        for suffix in ("地区", "市"):
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                return name[: -len(suffix)]
        return name


@cache
def load_cities() -> tuple[City, ...]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        City(
            index=i,
            code=row["code"],
            province=row["province"],
            name=row["city"],
            lat=float(row["lat"]),
            lng=float(row["lng"]),
            weight=float(row["weight"]),
            area_code=row["area_code"],
            districts=tuple(d for d in row["districts"].split("|") if d),
        )
        for i, row in enumerate(rows)
    )


def cities_by_province() -> dict[str, list[City]]:
    grouped: dict[str, list[City]] = {p: [] for p in POPULATION_MILLIONS}
    for city in load_cities():
        grouped[city.province].append(city)
    return grouped


def allocate(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder), each share at least `minimum`."""
    count = len(weights)
    if total < minimum * count:
        raise ValueError(f"cannot give {count} shares at least {minimum} out of {total}")
    shares = [minimum] * count
    rest = total - minimum * count
    weight_sum = sum(weights)
    exact = [rest * w / weight_sum for w in weights]
    floors = [math.floor(x) for x in exact]
    shares = [s + f for s, f in zip(shares, floors, strict=True)]
    by_remainder = sorted(range(count), key=lambda i: (floors[i] - exact[i], i))
    for i in by_remainder[: rest - sum(floors)]:
        shares[i] += 1
    return shares


def stores_per_city(total: int) -> dict[int, int]:
    """How many stores of one kind each city gets: provinces by population (at least one each),
    then each province's share over its cities by weight. Keys are City.index."""
    grouped = cities_by_province()
    provinces = list(POPULATION_MILLIONS)
    per_province = allocate(total, [POPULATION_MILLIONS[p] for p in provinces], minimum=1)
    result: dict[int, int] = {}
    for province, count in zip(provinces, per_province, strict=True):
        cities = grouped[province]
        for city, share in zip(cities, allocate(count, [c.weight for c in cities]), strict=True):
            result[city.index] = share
    return result


def jitter(rng, city: City, km: float = 6.0) -> tuple[float, float]:
    """A point within about `km` of the city centre, kept inside the contract's box."""
    radius = km * math.sqrt(rng.random())
    angle = rng.random() * 2 * math.pi
    lat = city.lat + radius * math.cos(angle) / 111.0
    lng = city.lng + radius * math.sin(angle) / (111.0 * math.cos(math.radians(city.lat)))
    return round(min(max(lat, 18.05), 53.95), 6), round(min(max(lng, 73.05), 134.95), 6)
