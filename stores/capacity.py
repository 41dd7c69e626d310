"""Hourly capacity: bays for maintenance and repair, demo cars for test drives.

Booking is one conditional UPDATE (`booked = booked + 1 WHERE booked < capacity`) on the slot's
row, backed by a check constraint, so that several workers booking at the same moment can never
overbook a slot on PostgreSQL or SQLite. Nothing here checks and then writes in Python.
"""

import datetime as dt
import sqlite3
from collections.abc import Iterable

from django.db import connection
from django.db.models import F
from django.utils import timezone

from .models import SlotLoad, Store

Resource = SlotLoad.Resource


def hour_start(moment: dt.datetime) -> dt.datetime:
    """The start of the local hour slot that contains `moment` (aware, in the current time zone)."""
    return timezone.localtime(moment).replace(minute=0, second=0, microsecond=0)


def book(*, store: Store, starts_at: dt.datetime, resource: str) -> bool:
    """Take one unit of `resource` in the slot; False when the slot is full.

    One statement when the slot's row exists (the usual case); a missing row is inserted first
    (ignoring a concurrent insert of the same row) and the take tried again.
    """
    capacity = store.capacity_for(resource)
    if capacity == 0:
        return False
    if take(store_id=store.pk, starts_at=starts_at, resource=resource, capacity=capacity):
        return True
    ensure_rows([(store.pk, starts_at, capacity)], resource)
    return take(store_id=store.pk, starts_at=starts_at, resource=resource, capacity=capacity)


def take(*, store_id: int, starts_at: dt.datetime, resource: str, capacity: int) -> bool:
    """The atomic step: `booked + 1` only where `booked < capacity`, the store's capacity now.

    The row's copy of the capacity follows the store's (bays or demo cars may have changed).
    On PostgreSQL a concurrent taker waits for the row lock and re-checks the condition, so two
    workers can never both take the last unit; the check constraint backs it up.
    """
    rows = SlotLoad.objects.filter(
        store_id=store_id, starts_at=starts_at, resource=resource, booked__lt=capacity
    ).update(booked=F("booked") + 1, capacity=capacity)
    return rows == 1


def ensure_rows(slots: Iterable[tuple[int, dt.datetime, int]], resource: str) -> None:
    """Create the missing capacity rows for [(store id, slot start, capacity)] in one statement."""
    SlotLoad.objects.bulk_create(
        [SlotLoad(store_id=sid, starts_at=start, resource=resource, capacity=cap) for sid, start, cap in slots],
        ignore_conflicts=True,
        batch_size=1000,
    )


def release(*, store_id: int, starts_at: dt.datetime, resource: str) -> None:
    """Give a unit back (a cancelled booking, work moved elsewhere)."""
    SlotLoad.objects.filter(store_id=store_id, starts_at=starts_at, resource=resource, booked__gt=0).update(
        booked=F("booked") - 1
    )


def booked_in_slots(store_ids, starts: list[dt.datetime], resource: str) -> dict[tuple[int, dt.datetime], int]:
    """Booked units per (store id, slot start) for the given stores and slots, in one query."""
    rows = SlotLoad.objects.filter(store_id__in=store_ids, starts_at__in=starts, resource=resource).values_list(
        "store_id", "starts_at", "booked"
    )
    return {(store_id, start): booked for store_id, start, booked in rows}


def booked_in_range(
    store_ids, first: dt.datetime, last: dt.datetime, resource: str
) -> dict[tuple[int, dt.datetime], int]:
    """Booked units per (store id, slot start) for slots from `first` to `last`, in one query."""
    rows = SlotLoad.objects.filter(
        store_id__in=list(store_ids), starts_at__gte=first, starts_at__lte=last, resource=resource, booked__gt=0
    ).values_list("store_id", "starts_at", "booked")
    return {(store_id, start): booked for store_id, start, booked in rows}


def take_many(wanted: list[tuple[int, dt.datetime, int, int]], resource: str) -> set[tuple[int, dt.datetime]]:
    """Take `n` units in each of many slots at once: [(store id, slot start, n, capacity)].

    Each slot is taken whole or not at all (`booked + n <= capacity`); returns the slots taken.
    Call inside a transaction. On PostgreSQL the rows are first locked in (store, slot) order,
    so that two workers taking overlapping sets wait for each other instead of deadlocking,
    then updated in one statement; elsewhere (SQLite writes one at a time) slot by slot.
    """
    if not wanted:
        return set()
    if connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 35):
        return _take_many_sqlite(wanted, resource)
    if connection.vendor != "postgresql":
        taken = set()
        for store_id, starts_at, n, cap in wanted:
            rows = SlotLoad.objects.filter(
                store_id=store_id, starts_at=starts_at, resource=resource, booked__lte=cap - n
            ).update(booked=F("booked") + n, capacity=cap)
            if rows == 1:
                taken.add((store_id, starts_at))
        return taken
    table = SlotLoad._meta.db_table
    keys = sorted({(store_id, starts_at) for store_id, starts_at, _n, _cap in wanted})
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE resource = %s AND (store_id, starts_at) IN "
            f"(SELECT * FROM unnest(%s::bigint[], %s::timestamptz[])) ORDER BY store_id, starts_at FOR UPDATE",
            [resource, [k[0] for k in keys], [k[1] for k in keys]],
        )
        cursor.execute(
            f"UPDATE {table} AS s SET booked = s.booked + v.n, capacity = v.cap "
            f"FROM unnest(%s::bigint[], %s::timestamptz[], %s::int[], %s::int[]) AS v(store_id, starts_at, n, cap) "
            f"WHERE s.store_id = v.store_id AND s.starts_at = v.starts_at AND s.resource = %s "
            f"AND s.booked + v.n <= v.cap RETURNING s.store_id, s.starts_at",
            [
                [w[0] for w in wanted],
                [w[1] for w in wanted],
                [w[2] for w in wanted],
                [w[3] for w in wanted],
                resource,
            ],
        )
        return {(store_id, starts_at) for store_id, starts_at in cursor.fetchall()}


def _take_many_sqlite(wanted, resource: str) -> set[tuple[int, dt.datetime]]:
    """SQLite has one writer at a time: one UPDATE ... FROM (VALUES ...) per 500 slots."""
    table = SlotLoad._meta.db_table
    field = SlotLoad._meta.get_field("starts_at")
    taken = set()
    by_db_value = {}
    with connection.cursor() as cursor:
        for first in range(0, len(wanted), 500):
            part = wanted[first : first + 500]
            values, params = [], []
            for store_id, starts_at, n, cap in part:
                db_start = field.get_db_prep_value(starts_at, connection)
                by_db_value[(store_id, str(db_start))] = starts_at
                values.append("(%s, %s, %s, %s)")
                params += [store_id, db_start, n, cap]
            cursor.execute(
                f"WITH v(store_id, starts_at, n, cap) AS (VALUES {', '.join(values)}) "
                f"UPDATE {table} SET booked = {table}.booked + v.n, capacity = v.cap FROM v "
                f"WHERE {table}.store_id = v.store_id AND {table}.starts_at = v.starts_at "
                f"AND {table}.resource = %s AND {table}.booked + v.n <= v.cap "
                f"RETURNING {table}.store_id, CAST({table}.starts_at AS TEXT)",
                [*params, resource],
            )
            for store_id, db_start in cursor.fetchall():
                taken.add((store_id, by_db_value[(store_id, db_start)]))
    return taken
