"""Loading millions of rows into PostgreSQL quickly: indexes rebuilt once, triggers off meanwhile."""

import contextlib

from django.db import connection

# The big tables whose secondary indexes are dropped during a full load and rebuilt after.
BIG_TABLES = (
    "sales_customer", "sales_vehicle", "sales_order", "sales_testdrive", "sales_vehiclereach",
    "aftersales_ticket", "aftersales_ticketevent",
)  # fmt: skip


@contextlib.contextmanager
def bulk_load(enabled: bool, *, say=print):
    """Inside a transaction: drop the big tables' non-unique indexes, skip FK triggers if allowed.

    The generated rows are consistent by construction; unique indexes and constraints stay, so
    duplicates still fail. Everything is restored before the transaction commits.
    """
    if not enabled or connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.schemaname, i.indexname, i.indexdef FROM pg_indexes i
            JOIN pg_class c ON c.relname = i.indexname
            JOIN pg_index x ON x.indexrelid = c.oid
            WHERE i.tablename = ANY(%s) AND NOT x.indisunique AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)
            """,
            [list(BIG_TABLES)],
        )
        indexes = cursor.fetchall()
        for schema, name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{schema}"."{name}"')
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
        if superuser:  # FK checks are the slowest part of a load; the rows are consistent by construction
            cursor.execute("SET LOCAL session_replication_role = replica")
    say(
        f"bulk load: {len(indexes)} secondary indexes dropped until the end"
        + (", FK triggers off" if superuser else "")
    )
    yield
    with connection.cursor() as cursor:
        if superuser:
            cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _schema, _name, definition in indexes:
            cursor.execute(definition)
    say(f"bulk load: {len(indexes)} indexes rebuilt")
