"""A paginator for admin changelists over millions of rows: no COUNT(*) on every page view.

On PostgreSQL an unfiltered list takes the table's row estimate (pg_class.reltuples, kept by
autovacuum/ANALYZE), a filtered one the planner's estimate, counted exactly only when the estimate
is small (under EXACT_COUNT_BELOW). Elsewhere (SQLite, tests) the count is exact.
"""

import json
from functools import cached_property

from django.core.paginator import Paginator
from django.db import connections

EXACT_COUNT_BELOW = 10_000


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
