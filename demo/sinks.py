"""Where generated rows go: PostgreSQL's COPY, or Django's bulk_create elsewhere.

Generators yield plain tuples in a declared column order (attribute names, ids included), so
the same code feeds both. A column the model does not have (yet) is dropped; a model field the
generator does not fill gets its default, so fields other apps add later need no change here.
"""

import contextlib
import itertools
import json
from collections.abc import Iterable, Sequence
from itertools import islice

from django.core.management.color import no_style
from django.db import connection, models


def _chunks(rows: Iterable[tuple], size: int):
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


class _Layout:
    """The model's concrete columns, and where each comes from: a generated column or a default."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.model = model
        self.positions = [i for i, c in enumerate(columns) if c in fields]
        self.names = [columns[i] for i in self.positions]
        self.fields = [fields[n] for n in self.names]
        missing = [f for a, f in fields.items() if a not in self.names and not f.primary_key]
        self.default_names = [f.attname for f in missing]
        self.default_fields = missing
        self.defaults = [f.get_default() for f in missing]


class OrmSink:
    """bulk_create in batches, with auto_now off so generated timestamps are kept."""

    batch_size = 2_000

    def write(self, model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> int:
        layout = _Layout(model, columns)
        written = 0
        with _keep_timestamps(model):
            for batch in _chunks(rows, self.batch_size):
                objects = []
                for row in batch:
                    values = dict(zip(layout.names, (row[i] for i in layout.positions), strict=True))
                    values.update(zip(layout.default_names, layout.defaults, strict=True))
                    objects.append(model(**values))
                model.objects.bulk_create(objects, batch_size=self.batch_size)
                written += len(objects)
        return written

    def finish(self, models_written: Iterable[type[models.Model]]) -> None:
        _reset_sequences(models_written)


class CopySink:
    """PostgreSQL COPY FROM STDIN through psycopg 3, one table at a time."""

    def write(self, model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> int:
        layout = _Layout(model, columns)
        json_at = [i for i, f in enumerate(layout.fields) if isinstance(f, models.JSONField)]
        default_values = tuple(_db_value(f, v) for f, v in zip(layout.default_fields, layout.defaults, strict=True))
        names = [f.column for f in layout.fields] + [f.column for f in layout.default_fields]
        quote = connection.ops.quote_name
        sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
        positions = layout.positions
        whole = positions == list(range(len(positions)))
        # Start the generator first: it may query the database, which it cannot do once COPY has begun.
        iterator = iter(rows)
        first = next(iterator, None)
        if first is None:
            return 0
        written = 0
        width = len(positions)
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            write_row = copy.write_row
            for row in itertools.chain((first,), iterator):
                values = list(row) if whole and len(row) == width else [row[i] for i in positions]
                for i in json_at:
                    values[i] = _json(values[i])
                if default_values:
                    values.extend(default_values)
                write_row(values)
                written += 1
        return written

    def finish(self, models_written: Iterable[type[models.Model]]) -> None:
        _reset_sequences(models_written)


_EMPTY_JSON = "{}"
# JSON of long-lived values that millions of rows share (e.g. the status-change details), by id.
_SHARED_JSON: dict[int, str] = {}


def share_json(value: dict) -> dict:
    """Mark a module-level value as shared so COPY encodes it once; returns it unchanged."""
    _SHARED_JSON[id(value)] = json.dumps(value, ensure_ascii=False)
    return value


def _json(value) -> str:
    if not value:
        return _EMPTY_JSON
    return _SHARED_JSON.get(id(value)) or json.dumps(value, ensure_ascii=False)


def _db_value(field: models.Field, value):
    if isinstance(field, models.JSONField):
        return _json(value)
    return value


def _reset_sequences(models_written: Iterable[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_written))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@contextlib.contextmanager
def _keep_timestamps(model: type[models.Model]):
    fields = [
        f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def sink_for_connection():
    return CopySink() if connection.vendor == "postgresql" else OrmSink()
