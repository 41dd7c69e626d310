"""Numbers that count up per year: tickets (AS-2026-0001234), orders (SO-2026-0000123), and the
blocks of ticket numbers that dispatch takes for a batch. One service, one counter model.

A number is taken by one statement, an upsert that creates the counter's row or adds to it and
returns the new last number: the row lock it takes holds until the caller's transaction ends, so
concurrent callers queue on it and never get the same number. Inside a transaction that is rolled
back the numbers are given back; taken in a transaction of their own, they stay taken (gaps, never
twins).
"""

from django.db import connection, transaction

from .models import Counter


@transaction.atomic
def next_numbers(*, counter: str, year: int, n: int = 1) -> range:
    """The next `n` numbers of `counter` in `year`, consecutive (the first ever is 1)."""
    if n < 1:
        raise ValueError("next_numbers: ask for at least one number")
    table = connection.ops.quote_name(Counter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, year, last) VALUES (%s, %s, %s) "
            f"ON CONFLICT (name, year) DO UPDATE SET last = {table}.last + EXCLUDED.last "
            "RETURNING last",
            [counter, year, n],
        )
        (last,) = cursor.fetchone()
    return range(last - n + 1, last + 1)
