"""Exact great-circle nearest search over the network without PostGIS.

A region around the point (on the indexed lat, lng columns) narrows the candidates; it grows
until it holds enough stores AND the farthest one kept lies inside the circle the region encloses,
so the answer is exactly what a brute-force haversine over every store gives. Small regions are a
latitude/longitude box; large ones are a stack of latitude strips, each as wide as the circle is
within it, so that a point far from the coast does not fetch every store in a box's corners.
"""

import math
from collections.abc import Iterable

from django.db import connections
from django.db.models import Q, QuerySet

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


STRIPS = 8
STRIPS_FROM_KM = 100.0
# Widens every strip by about a centimetre, against rounding at the circle's edge.
MARGIN_DEGREES = 1e-7


def _region(lat: float, lng: float, radius_km: float) -> Q:
    """A filter that holds every point within `radius_km` of (lat, lng), and not much more."""
    theta = radius_km / EARTH_RADIUS_KM  # angular radius
    if radius_km < STRIPS_FROM_KM or theta >= math.pi / 2 or abs(lat) + math.degrees(theta) >= 89.0:
        return Q(**_box(lat, lng, radius_km))
    dlat = math.degrees(theta)
    bottom, top = lat - dlat, lat + dlat
    phi0 = math.radians(lat)
    # Where the circle is widest: sin(phi*) = sin(phi0) / cos(theta) (see _half_width).
    widest = math.degrees(math.asin(max(-1.0, min(1.0, math.sin(phi0) / math.cos(theta)))))
    region = Q()
    step = (top - bottom) / STRIPS
    for n in range(STRIPS):
        low, high = bottom + n * step, top if n == STRIPS - 1 else bottom + (n + 1) * step
        # The half-width has one maximum (at `widest`), so its largest value on [low, high] is there
        # or at the end nearer to it.
        width = _half_width(min(max(widest, low), high), phi0, theta) + MARGIN_DEGREES
        strip = Q(lat__gte=low - MARGIN_DEGREES, lat__lte=high + MARGIN_DEGREES)
        if lng - width >= -180.0 and lng + width <= 180.0:
            strip &= Q(lng__gte=lng - width, lng__lte=lng + width)
        region |= strip
    # The whole band as well, so that the database walks one range of the (status, lat, ...) index.
    return Q(lat__gte=bottom - MARGIN_DEGREES, lat__lte=top + MARGIN_DEGREES) & region


def _half_width(lat: float, phi0: float, theta: float) -> float:
    """Degrees of longitude either side of the centre that the circle covers at latitude `lat`.

    From cos(theta) = sin(phi) sin(phi0) + cos(phi) cos(phi0) cos(dlng).
    """
    phi = math.radians(lat)
    denominator = math.cos(phi) * math.cos(phi0)
    if denominator <= 0:
        return 180.0
    cos_dlng = (math.cos(theta) - math.sin(phi) * math.sin(phi0)) / denominator
    return math.degrees(math.acos(max(-1.0, min(1.0, cos_dlng))))


def nearest(
    queryset: QuerySet, lat: float, lng: float, *, limit: int = 10, max_km: float | None = None
) -> list[tuple[int, float]]:
    """[(store id, distance km)] of the `limit` nearest rows of `queryset`, nearest first.

    Ties are broken by id so that the order is stable. `max_km` drops anything farther.
    Filter `queryset` on `status` (as `Store.objects.active()` does) so that the database walks
    the (status, lat, lng, capabilities) index, which also answers `with_capability`.
    """
    queryset = queryset.order_by()  # the model's ordering would sort every candidate for nothing
    ceiling = max_km if max_km is not None else math.pi * EARTH_RADIUS_KM
    radius = min(INITIAL_RADIUS_KM, ceiling)
    # Far from any store, growing blindly would fetch a whole region: past COUNT_FROM_KM the
    # database counts first (cheap: the index alone answers), and the radius is bisected between
    # `fewer` (too few stores) and `more` (too many to fetch) until the region is worth fetching.
    fewer, more, settled = 0.0, None, False
    while True:
        candidates = queryset.filter(_region(lat, lng, radius))
        if radius >= COUNT_FROM_KM and not settled:
            count = candidates.count()
            if count < limit and radius < ceiling:
                fewer = radius
                radius = (radius + more) / 2 if more else min(radius * 2, ceiling)
                continue
            if count > FETCH_AT_MOST * limit and radius - fewer > BISECT_UNTIL * radius:
                more = radius
                radius = (fewer + radius) / 2
                continue
        found = _ranked(_fetch(candidates), lat, lng)
        inside = [item for item in found if item[1] <= radius]
        if len(inside) >= limit or radius >= ceiling:
            return [item for item in inside[:limit] if max_km is None or item[1] <= max_km]
        if len(found) >= limit:
            # The region already holds `limit` stores: the farthest of them bounds the answer, so
            # a region of that radius is certain to finish the search with one more query.
            radius, settled = min(max(found[limit - 1][1], radius), ceiling), True
        else:
            fewer = radius
            radius = min(_grown(radius, len(found), limit), ceiling)


# Small enough that a box in a dense city centre holds tens of stores, not thousands.
INITIAL_RADIUS_KM = 3.0
COUNT_FROM_KM = 100.0
FETCH_AT_MOST = 8  # times the limit
BISECT_UNTIL = 0.05  # of the radius


def _grown(radius: float, found: int, limit: int) -> float:
    if not found:
        return radius * 3
    # Grow by the density seen so far (the area grows with the square of the radius).
    return radius * min(3.0, max(1.3, 1.1 * math.sqrt(limit / found)))


def _fetch(queryset: QuerySet) -> list[tuple[int, float, float]]:
    """(id, lat, lng) rows straight from the cursor: the ORM's per-row work is most of the cost."""
    sql, params = queryset.values_list("id", "lat", "lng").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _ranked(rows: Iterable[tuple[int, float, float]], lat: float, lng: float) -> list[tuple[int, float]]:
    ranked = [(pk, haversine_km(lat, lng, s_lat, s_lng)) for pk, s_lat, s_lng in rows]
    ranked.sort(key=lambda item: (item[1], item[0]))
    return ranked
