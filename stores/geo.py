"""Exact great-circle nearest search over the network without PostGIS.

A region around the point (on the indexed lat, lng columns) narrows the candidates; it grows
until it holds enough stores AND the farthest one kept lies inside the circle the region encloses,
so the answer is exactly what a brute-force haversine over every store gives. Small regions are a
latitude/longitude box; large ones are a stack of latitude strips, each as wide as the circle is
within it, so that a point far from the coast does not fetch every store in a box's corners.
"""

import math
import time
from collections.abc import Iterable
from contextlib import ExitStack

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import Floor

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_KM / 180


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


# Great-circle regions are cut along whole degrees of latitude: the (status, FLOOR(lat), lng, ...)
# index then finds each strip's stores by a seek on its degree and a range of longitudes, instead
# of walking every store of a wide latitude band.
MARGIN_DEGREES = 1e-7  # widens every strip by about a centimetre, against rounding at the edge


def _strips(lat: float, lng: float, radius_km: float) -> list[tuple[int, float, float, float | None, float | None]]:
    """(degree, south, north, west, east), one per degree of latitude, that together hold every
    point within `radius_km`; west and east are None where the strip takes every longitude."""
    theta = radius_km / EARTH_RADIUS_KM  # angular radius
    dlat = math.degrees(theta)
    bottom, top = max(-90.0, lat - dlat - MARGIN_DEGREES), min(90.0, lat + dlat + MARGIN_DEGREES)
    phi0 = math.radians(lat)
    # Where the circle is widest: sin(phi*) = sin(phi0) / cos(theta) (see _half_width).
    ratio = math.sin(phi0) / math.cos(theta) if theta < math.pi / 2 else 2.0
    widest = math.degrees(math.asin(ratio)) if abs(ratio) <= 1 else None
    strips = []
    for cell in range(math.floor(bottom), math.floor(top) + 1):
        south, north = max(bottom, cell), min(top, cell + 1)
        west = east = None
        if widest is not None:
            # The half-width has one maximum (at `widest`): on [south, north] it is largest there
            # or at the end nearer to it.
            width = _half_width(min(max(widest, south), north), phi0, theta) + MARGIN_DEGREES
            if lng - width >= -180.0 and lng + width <= 180.0:
                west, east = lng - width, lng + width
        strips.append((cell, south, north, west, east))
    return strips


def _region(base: tuple[str, tuple], database, model, lat: float, lng: float, radius_km: float) -> tuple[str, list]:
    """SQL for the (id, lat, lng) rows of the compiled `base` query inside the strips around the
    circle: one SELECT per strip, joined by UNION ALL, each an index seek.

    Written as SQL text because the ORM takes milliseconds to compile dozens of strips.
    """
    base_sql, base_params = base
    quote = database.ops.quote_name
    table = quote(model._meta.db_table)
    lat_column, lng_column = f"{table}.{quote('lat')}", f"{table}.{quote('lng')}"
    # Django puts a WHERE clause of several conditions in parentheses: appending with AND is safe.
    glue = " AND " if " WHERE " in base_sql else " WHERE "
    parts, params = [], []
    for cell, south, north, west, east in _strips(lat, lng, radius_km):
        conditions = f"FLOOR({lat_column}) = %s AND {lat_column} >= %s AND {lat_column} <= %s"
        values = [cell, south, north]
        if west is not None:
            conditions += f" AND {lng_column} >= %s AND {lng_column} <= %s"
            values += [west, east]
        parts.append(base_sql + glue + conditions)
        params += [*base_params, *values]
    return " UNION ALL ".join(parts), params


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
    Filter `queryset` on `status` (as `Store.objects.active()` does) so that the database seeks
    the (status, FLOOR(lat), lng, lat, capabilities) index, which also answers `with_capability`.
    """
    try:
        base = queryset.order_by().values_list("id", "lat", "lng").query.sql_with_params()
    except EmptyResultSet:  # queryset.none(), or a filter that can match nothing
        return []
    start, fewer = starting_radius(density(queryset), lat, lng, limit)
    with ExitStack() as stack:
        cursor = stack.enter_context(connections[queryset.db].cursor())
        return _search(cursor, stack, base, queryset.model, lat, lng, limit, max_km, start, fewer)


def _search(
    cursor, stack: ExitStack, base, model, lat, lng, limit: int, max_km: float | None, start: float, fewer: float
) -> list[tuple[int, float]]:
    serial = False
    ceiling = max_km if max_km is not None else math.pi * EARTH_RADIUS_KM
    radius = min(start, ceiling)
    fewer = min(fewer, radius)
    # Far from any store, growing blindly would fetch a whole region: past COUNT_FROM_KM the
    # database counts first (cheap: the index alone answers), and the radius is bisected between
    # `fewer` (too few stores) and `more` (too many to fetch) until the region is worth fetching.
    more, settled = None, False
    while True:
        sql, params = _region(base, cursor.db, model, lat, lng, radius)
        if radius >= SERIAL_FROM_KM and cursor.db.vendor == "postgresql" and not serial:
            # Dozens of tiny index seeks: PostgreSQL would start parallel workers, which cost more
            # than the work. SET LOCAL needs a transaction; small searches need neither.
            stack.enter_context(transaction.atomic(using=cursor.db.alias))
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            serial = True
        if radius >= COUNT_FROM_KM and cursor.db.vendor == "postgresql":
            # A wide region: PostgreSQL ranks it itself and sends only the nearest, so there is
            # nothing to count and nothing to bisect.
            found = _ranked(_fetch_nearest(cursor, sql, params, lat, lng, limit), lat, lng)
            if len(found) >= limit and found[limit - 1][1] <= radius or radius >= ceiling:
                return [item for item in found[:limit] if item[1] <= radius and (max_km is None or item[1] <= max_km)]
            # With `limit` rows in hand, the farthest of them bounds the answer: one more query.
            radius = min(found[limit - 1][1] if len(found) >= limit else radius * 2, ceiling)
            continue
        if radius >= COUNT_FROM_KM and not settled:
            count = _count(cursor, sql, params)
            if count < limit and radius < ceiling:
                fewer = radius
                radius = (radius + more) / 2 if more else min(radius * 2, ceiling)
                continue
            if count > FETCH_AT_MOST * limit and radius - fewer > BISECT_UNTIL * radius:
                more = radius
                radius = (fewer + radius) / 2
                continue
        found = _ranked(_fetch(cursor, sql, params), lat, lng)
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
SERIAL_FROM_KM = 300.0
FETCH_AT_MOST = 8  # times the limit
BISECT_UNTIL = 0.05  # of the radius


def _grown(radius: float, found: int, limit: int) -> float:
    if not found:
        return radius * 3
    # Grow by the density seen so far (the area grows with the square of the radius).
    return radius * min(3.0, max(1.3, 1.1 * math.sqrt(limit / found)))


def _fetch(cursor, sql: str, params: list) -> list[tuple[int, float, float]]:
    cursor.execute(sql, params)
    return cursor.fetchall()


# The haversine of stores.geo.haversine_km in SQL, over the region's lat and lng (PostgreSQL).
_SQL_DISTANCE = (
    "2 * %s * ASIN(LEAST(1.0, SQRT(POWER(SIN(RADIANS(region.lat - %s) / 2), 2) "
    "+ COS(RADIANS(%s)) * COS(RADIANS(region.lat)) * POWER(SIN(RADIANS(region.lng - %s) / 2), 2))))"
)


def _fetch_nearest(cursor, sql: str, params: list, lat: float, lng: float, limit: int) -> list:
    """The region's nearest rows by the database's own haversine: twice `limit`, so that rounding
    differences between SQL and Python cannot leave out one of the `limit` nearest."""
    cursor.execute(
        f"SELECT region.id, region.lat, region.lng FROM ({sql}) AS region ORDER BY {_SQL_DISTANCE}, region.id LIMIT %s",
        [*params, EARTH_RADIUS_KM, lat, lat, lng, 2 * limit],
    )
    return cursor.fetchall()


def _count(cursor, sql: str, params: list) -> int:
    cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS region", params)
    return cursor.fetchone()[0]


def _ranked(rows: Iterable[tuple[int, float, float]], lat: float, lng: float) -> list[tuple[int, float]]:
    ranked = [(pk, haversine_km(lat, lng, s_lat, s_lng)) for pk, s_lat, s_lng in rows]
    ranked.sort(key=lambda item: (item[1], item[0]))
    return ranked


# ---------------------------------------------------------------------------------------------
# Where to start: a coarse map of the rows per whole degree of latitude and longitude.
#
# Far from the network (the far west, the sea) the search would otherwise grow from 3 km through
# a dozen empty regions, each a round trip. The map says how far out the nearest rows can be at
# the least, so the search starts there. It only chooses the first radius: the answer is still
# decided by the rows fetched, so a map some minutes old costs time, never correctness.

DENSITY_SECONDS = 300
MAX_RINGS = 40  # degrees of latitude and longitude looked at around the point
_DENSITY: dict[tuple[str, str], tuple[float, dict[tuple[int, int], int]]] = {}


def density(queryset: QuerySet) -> dict[tuple[int, int], int]:
    """Rows of the queryset's whole table per (degree of latitude, degree of longitude), cached.

    The whole table, whatever the queryset's filter: every filtered search has at most as many rows
    per cell, so a radius the map proves too small is too small for it as well.
    """
    key = (queryset.db, queryset.model._meta.label)
    cached = _DENSITY.get(key)
    if cached is not None and time.monotonic() - cached[0] < DENSITY_SECONDS:
        return cached[1]
    rows = (
        queryset.model._base_manager.using(queryset.db)
        .annotate(cell_lat=Floor("lat"), cell_lng=Floor("lng"))
        .values_list("cell_lat", "cell_lng")
        .annotate(rows=Count("pk"))
        .order_by()
    )
    grid = {(int(i), int(j)): n for i, j, n in rows}
    _DENSITY[key] = (time.monotonic(), grid)
    return grid


def forget_density() -> None:
    """Drop the cached maps (tests that rebuild the network)."""
    _DENSITY.clear()


def starting_radius(grid: dict[tuple[int, int], int], lat: float, lng: float, limit: int) -> tuple[float, float]:
    """(first radius to search, a radius certain to hold fewer than `limit` rows), in km.

    Rings of cells are added around the point's cell until they hold `limit` rows; the circle
    that fits inside the rings before that one holds fewer, so no search need look closer. Cells
    are not wrapped across the antimeridian: rings that reach it give a guess, not a bound, which
    only steers the first radius (the network lies between 73 and 135 degrees east).
    """
    if not grid:
        return INITIAL_RADIUS_KM, 0.0
    if sum(grid.values()) < limit:
        return math.pi * EARTH_RADIUS_KM, 0.0  # fewer rows than asked for: the first region takes all
    row, column = math.floor(lat), math.floor(lng)
    seen = 0
    for ring in range(MAX_RINGS + 1):
        seen += sum(grid.get(cell, 0) for cell in _ring(row, column, ring))
        if seen >= limit:
            if ring == 0:  # in a busy cell: the usual small first region
                return INITIAL_RADIUS_KM, 0.0
            return max(INITIAL_RADIUS_KM, _inside(lat, lng, ring)), _inside(lat, lng, ring - 1)
    far = _inside(lat, lng, MAX_RINGS)
    return max(INITIAL_RADIUS_KM, far), far


def _ring(row: int, column: int, ring: int) -> list[tuple[int, int]]:
    """The cells exactly `ring` cells away (in the larger of the two directions)."""
    if ring == 0:
        return [(row, column)]
    cells = [(row + d, column + e) for d in (-ring, ring) for e in range(-ring, ring + 1)]
    cells += [(row + d, column + e) for e in (-ring, ring) for d in range(-ring + 1, ring)]
    return cells


def _inside(lat: float, lng: float, ring: int) -> float:
    """The radius of the largest circle around the point inside its cell and `ring` rings more.

    Latitude: a degree of arc per degree. Longitude: the distance to the nearer bounding meridian,
    asin(cos(lat) sin(dlng)) radians of arc (the pole when the meridian is 90 degrees away or more).
    """
    south, north = math.floor(lat) - ring, math.floor(lat) + ring + 1
    west, east = math.floor(lng) - ring, math.floor(lng) + ring + 1
    by_lat = min(lat - south, north - lat) * KM_PER_DEGREE_LAT
    dlng = math.radians(min(lng - west, east - lng, 90.0))
    by_lng = EARTH_RADIUS_KM * math.asin(min(1.0, math.cos(math.radians(lat)) * math.sin(dlng)))
    return min(by_lat, by_lng)
