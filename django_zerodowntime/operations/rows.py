"""How a batch finds its rows and writes them: a NULL-safe difference, a write-first transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import BooleanField, Func


class Differs(Func):
    """``a`` and ``b`` differ, NULL-safely (NULL differs from a value, not from NULL).

    MariaDB/MySQL compare bytes: their collations would call "abc" and "ABC" equal.
    """

    output_field = BooleanField()
    arg_joiner = " IS DISTINCT FROM "
    template = "(%(expressions)s)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, arg_joiner=" IS NOT ", **extra)

    def as_mysql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            arg_joiner=" AS BINARY) <=> CAST(",
            template="NOT (CAST(%(expressions)s AS BINARY))",
            **extra,
        )


@contextmanager
def write_transaction(connection: Any) -> Iterator[None]:
    """A transaction that takes SQLite's write lock at BEGIN (IMMEDIATE), elsewhere ``atomic``.

    A deferred SQLite transaction that reads, then writes, is refused at once
    (SQLITE_BUSY, no waiting: waiting could deadlock) when another connection
    wrote meanwhile; one that starts with the write lock waits its turn instead.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        with transaction.atomic(using=connection.alias):
            yield
        return
    previous = connection.transaction_mode
    connection.transaction_mode = "IMMEDIATE"  # read once, by the BEGIN atomic() sends now
    try:
        with transaction.atomic(using=connection.alias):
            connection.transaction_mode = previous
            yield
    finally:
        connection.transaction_mode = previous
