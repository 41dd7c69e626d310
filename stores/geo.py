"""Exact great-circle nearest search over the network without PostGIS.

A latitude/longitude box around the point (on the indexed lat, lng columns) narrows the
candidates; it grows until it holds enough stores AND the farthest one kept lies inside the circle
the box encloses, so the answer is exactly what a brute-force haversine over every store gives.
"""

import math
from collections.abc import Iterable

from django.db.models import QuerySet

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_KM / 180


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _box(lat: float, lng: float, radius_km: float) -> dict:
    dlat = radius_km / KM_PER_DEGREE_LAT
    max_abs_lat = min(89.0, abs(lat) + dlat)
    dlng = radius_km / (KM_PER_DEGREE_LAT * math.cos(math.radians(max_abs_lat)))
    box = {"lat__gte": lat - dlat, "lat__lte": lat + dlat}
    if lng - dlng >= -180.0 and lng + dlng <= 180.0:
        # Otherwise the box would wrap around the antimeridian: the latitude band alone is exact.
        box.update({"lng__gte": lng - dlng, "lng__lte": lng + dlng})
    return box


def nearest(
    queryset: QuerySet, lat: float, lng: float, *, limit: int = 10, max_km: float | None = None
) -> list[tuple[int, float]]:
    """[(store id, distance km)] of the `limit` nearest rows of `queryset`, nearest first.

    Ties are broken by id so that the order is stable. `max_km` drops anything farther.
    Filter `queryset` on `status` (as `Store.objects.active()` does) so that the database walks
    the (status, lat, lng) index.
    """
    queryset = queryset.order_by()  # the model's ordering would sort every candidate for nothing
    ceiling = max_km if max_km is not None else math.pi * EARTH_RADIUS_KM
    radius = min(INITIAL_RADIUS_KM, ceiling)
    while True:
        rows = queryset.filter(**_box(lat, lng, radius)).values_list("id", "lat", "lng")
        found = _ranked(rows, lat, lng)
        inside = [item for item in found if item[1] <= radius]
        if len(inside) >= limit or radius >= ceiling:
            return [item for item in inside[:limit] if max_km is None or item[1] <= max_km]
        radius = min(_next_radius(radius, found, limit), ceiling)


# Small enough that a box in a dense city centre holds tens of stores, not thousands.
INITIAL_RADIUS_KM = 3.0


def _next_radius(radius: float, found: list[tuple[int, float]], limit: int) -> float:
    if len(found) >= limit:
        # The box already holds `limit` stores; the farthest of them bounds the answer, so a box
        # around that distance is certain to finish the search with one more query.
        return max(found[limit - 1][1], radius)
    if not found:
        return radius * 4
    # Grow by the density seen so far (area grows with the square of the radius), within bounds.
    return radius * min(4.0, max(1.5, 1.2 * math.sqrt(limit / len(found))))


def _ranked(rows: Iterable[tuple[int, float, float]], lat: float, lng: float) -> list[tuple[int, float]]:
    ranked = [(pk, haversine_km(lat, lng, s_lat, s_lng)) for pk, s_lat, s_lng in rows]
    ranked.sort(key=lambda item: (item[1], item[0]))
    return ranked
