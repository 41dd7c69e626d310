"""Paginators for lists over millions of rows: none of them runs COUNT(*) over a whole result.

Two shapes, one module:

- `paginate` for the portal's lists. "Next" is known by reading one row more than a page; the
  count, when the list shows one, is capped (a count over at most `count_cap`+1 index entries)
  and `count_cap=None` skips it altogether (the sales lists show no count). With `rows`, a deep
  page skips rows on the primary-key column only (an index-only walk of the sort index), then
  loads the page's records by key.
- `EstimatedCountPaginator` for admin changelists, which need Django's Paginator: on PostgreSQL
  an unfiltered list takes the table's row estimate (pg_class.reltuples, kept by
  autovacuum/ANALYZE), a filtered one the planner's estimate, counted exactly only when the
  estimate is small (under EXACT_COUNT_BELOW). Elsewhere (SQLite, tests) the count is exact.
"""

import json
import math
from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet

PER_PAGE = 25
COUNT_CAP = 1_000
MAX_PAGE = 100_000
EXACT_COUNT_BELOW = 10_000


@dataclass(frozen=True)
class CappedCount:
    """What a page knows of the whole list: `count` up to the cap, or None when not counted."""

    count: int | None
    capped: bool
    per_page: int

    @property
    def num_pages(self) -> int | None:
        """The number of pages, or None when unknown (not counted, or past the cap)."""
        if self.count is None or self.capped:
            return None
        return max(1, math.ceil(self.count / self.per_page))


@dataclass
class Page:
    """A page with the template API of Django's Page (`page_obj`), without its total count."""

    number: int
    object_list: list
    more: bool
    paginator: CappedCount

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self.more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def page_number(value) -> int:
    """The page asked for (a query-string value), from 1 to MAX_PAGE; 1 for anything else."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    # The page's own order is kept: without it the planner may take a sequential scan for the
    # LIMIT (expecting matches everywhere) where the sort index reaches them at once.
    counted = queryset.values("pk")[: cap + 1].count()
    return min(counted, cap), counted > cap


def paginate(
    queryset: QuerySet,
    number,
    *,
    per_page: int = PER_PAGE,
    rows: QuerySet | None = None,
    count_cap: int | None = COUNT_CAP,
) -> Page:
    """Page `number` of the ordered `queryset`; `rows`, when given, loads the page's records by key."""
    number = page_number(number)
    offset = (number - 1) * per_page
    if rows is None:
        found = list(queryset[offset : offset + per_page + 1])
        records = found[:per_page]
    else:
        found = list(queryset.values_list("pk", flat=True)[offset : offset + per_page + 1])
        keys = found[:per_page]
        by_key = {obj.pk: obj for obj in rows.filter(pk__in=keys)} if keys else {}
        records = [by_key[k] for k in keys if k in by_key]
    count, capped = capped_count(queryset, count_cap) if count_cap is not None else (None, False)
    return Page(number, records, len(found) > per_page, CappedCount(count, capped, per_page))


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return super().count
        if not queryset.query.where:
            estimate = _table_estimate(connection, queryset.model._meta.db_table)
        else:
            estimate = _plan_estimate(connection, queryset)
        return super().count if estimate < EXACT_COUNT_BELOW else estimate


def _table_estimate(connection, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    # -1 means never analysed: fall back to an exact count below.
    return int(row[0]) if row and row[0] and row[0] > 0 else 0


def _plan_estimate(connection, queryset) -> int:
    # Only the filters matter for the estimate: no joins of select_related to plan.
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])
