"""The in-memory network of one run: the stores that can take maintenance, searchable by distance.

Loaded once per run (43,000 stores in one query) and searched in memory; the run passes it to
every chunk it does itself (see `schedule_chunk`).
"""

import datetime as dt
import heapq
import math
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from stores import capacity
from stores.geo import KM_PER_DEGREE_LAT, haversine_km
from stores.models import Store, open_for_hour

CAPABILITY = "maintenance"
RESOURCE = capacity.Resource.BAY
WINDOW_HOURS = 168
MAX_KM = 50.0
# "Similar distance": a partner shop is ranked as if this much farther than a service store.
PARTNER_PENALTY_KM = 5.0
GRID_DEGREES = 0.5
# Other stores tried per vehicle, best first: the nearest that could take it are among them.
ALTERNATIVES = 30


@dataclass(frozen=True)
class Place:
    """What the dispatcher needs of a store, kept in memory for the run."""

    pk: int
    code: str
    name: str
    kind: str
    province: str
    lat: float
    lng: float
    opens_minute: int
    closes_minute: int
    bays: int


class Network:
    """The stores that can take maintenance (active, capable, with bays), searchable in memory."""

    FIELDS = ("pk", "code", "name", "kind", "province", "lat", "lng", "opens_minute", "closes_minute", "bays")

    def __init__(self, *, run_at: dt.datetime):
        self.run_at = run_at
        rows = Store.objects.active().with_capability(CAPABILITY).filter(bays__gt=0).values_list(*self.FIELDS)
        self.places: dict[int, Place] = {row[0]: Place(*row) for row in rows}
        self.grid: dict[tuple[int, int], list[Place]] = defaultdict(list)
        for place in self.places.values():
            self.grid[_cell(place.lat, place.lng)].append(place)
        self._alternatives: dict[int, list[tuple[Place, float]]] = {}
        self._hours: dict[tuple[int, int], list[dt.datetime]] = {}
        first = capacity.hour_start(run_at) + dt.timedelta(hours=1)
        # Slots starting within 168 hours after the run.
        self.window = [
            first + dt.timedelta(hours=h)
            for h in range(WINDOW_HOURS)
            if first + dt.timedelta(hours=h) <= run_at + dt.timedelta(hours=WINDOW_HOURS)
        ]

    def alternatives(self, home: Store) -> list[tuple[Place, float]]:
        """Other capable stores within 50 km of the home store, best first (service preferred)."""
        if home.pk not in self._alternatives:
            found = []
            dlat = MAX_KM / KM_PER_DEGREE_LAT
            dlng = MAX_KM / (KM_PER_DEGREE_LAT * max(math.cos(math.radians(abs(home.lat) + dlat)), 0.01))
            (lo_i, lo_j), (hi_i, hi_j) = (
                _cell(home.lat - dlat, home.lng - dlng),
                _cell(home.lat + dlat, home.lng + dlng),
            )
            for i in range(lo_i, hi_i + 1):
                for j in range(lo_j, hi_j + 1):
                    for place in self.grid.get((i, j), ()):
                        if place.pk == home.pk:
                            continue
                        km = haversine_km(home.lat, home.lng, place.lat, place.lng)
                        if km <= MAX_KM:
                            found.append((place, km))
            self._alternatives[home.pk] = heapq.nsmallest(
                ALTERNATIVES, found, key=lambda item: (_rank_km(item[0], item[1]), item[1], item[0].pk)
            )
        return self._alternatives[home.pk]

    def open_hours(self, place: Place) -> list[dt.datetime]:
        """The window's slots in which the store is open for the whole hour."""
        key = (place.opens_minute, place.closes_minute)
        if key not in self._hours:
            self._hours[key] = [
                start
                for start in self.window
                if open_for_hour(place.opens_minute, place.closes_minute, _minute_of_day(start))
            ]
        return self._hours[key]


def _cell(lat: float, lng: float) -> tuple[int, int]:
    return math.floor(lat / GRID_DEGREES), math.floor(lng / GRID_DEGREES)


def _rank_km(place: Place, km: float) -> float:
    return km + (PARTNER_PENALTY_KM if place.kind == Store.Kind.PARTNER else 0.0)


def _minute_of_day(moment: dt.datetime) -> int:
    local = timezone.localtime(moment)
    return local.hour * 60 + local.minute
