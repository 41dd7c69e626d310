"""Create or update records from rows by key: load the chunk's records in one query, compare in
Python, and write only what changed with bulk_create / bulk_update.

The rows were validated by the feed's parser and database checks, so the writes skip
full_clean (it would cost a query per row); the database constraints still hold the line.
On PostgreSQL new records go in with COPY: Django's bulk_create spends most of a 43,000-row
import preparing each value, COPY streams them. Either way the records are the same.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from .base import Applied
from .parsing import Row

BATCH_SIZE = 1000
UPDATE_BATCH_SIZE = 200  # bulk_update's CASE WHEN grows with the square of the batch
IN_CHUNK = 2000  # keys per `IN (...)` lookup, well under SQLite's variable limit


def changed_fields(current: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    return [name for name, value in wanted.items() if current.get(name) != value]


def existing_by(model: type[Model], key_field: str, keys: Iterable[str], fields: Sequence[str]) -> dict[str, dict]:
    """`{key: {"pk": ..., field: value, ...}}` for the records with these keys."""
    keys = list(keys)
    found: dict[str, dict] = {}
    for start in range(0, len(keys), IN_CHUNK):
        lookup = {f"{key_field}__in": keys[start : start + IN_CHUNK]}
        for values in model.objects.filter(**lookup).values("pk", key_field, *fields):
            found[values[key_field]] = values
    return found


def write(model: type[Model], *, create: list[Model] | list[dict], update: list[Model], fields: set[str]) -> None:
    """Inserts `create` (instances, or dicts of field values for new instances) and saves `fields`
    (plus updated_at) of `update`."""
    if create and connection.vendor == "postgresql":
        copy_insert(model, create)
    elif create:
        objs = [obj if isinstance(obj, Model) else model(**obj) for obj in create]
        model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
    if update:
        names = sorted(fields)
        if _has_field(model, "updated_at"):
            now = timezone.now()
            for obj in update:
                obj.updated_at = now
            names.append("updated_at")
        model.objects.bulk_update(update, names, batch_size=UPDATE_BATCH_SIZE)


def upsert(model: type[Model], *, key_field: str, rows: list[Row], fields: Sequence[str]) -> Applied:
    """Rows' values (field attnames, the key included) written to `model`, matched on `key_field`."""
    applied = Applied()
    existing = existing_by(model, key_field, (row.key for row in rows), fields)
    create: list[dict] = []
    update: list[Model] = []
    touched: set[str] = set()
    for row in rows:
        current = existing.get(row.key)
        if current is None:
            create.append(row.values)
            applied.created += 1
            continue
        changed = changed_fields(current, row.values)
        if not changed:
            applied.unchanged += 1
            continue
        obj = model(**current)
        for name in changed:
            setattr(obj, name, row.values[name])
        update.append(obj)
        touched.update(changed)
        applied.updated += 1
    write(model, create=create, update=update, fields=touched)
    return applied


def _has_field(model: type[Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def copy_insert(model: type[Model], objs: list[Model] | list[dict]) -> None:
    """INSERT by COPY (PostgreSQL): instances, or dicts of field values (the rest: field defaults);
    auto_now(_add) fields are stamped now."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {
        f.attname: now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
        for f in fields
    }
    stamped = [name for name, value in defaults.items() if value is now]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    attnames = [f.attname for f in fields]
    with connection.cursor() as cursor:  # noqa: SIM117 - COPY needs the raw psycopg cursor
        with cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                if isinstance(obj, Model):
                    values = {name: getattr(obj, name) for name in attnames}
                    values.update(dict.fromkeys(stamped, now))
                else:
                    values = {**defaults, **obj}
                copy.write_row([values[name] for name in attnames])
